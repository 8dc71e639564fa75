#include "kafka/protocol/messages/offset_delete.h"

#include <gtest/gtest.h>

namespace otter::kafka {
namespace {

TEST(offset_delete, round_trip_and_truncation) {
    offset_delete_request req;
    req.group_id = "g";
    req.topics.push_back({"t", {{0}, {3}}});
    writer w;
    req.encode(w, 0);
    bytes b = w.take();
    // group "g" (int16 len), 1 topic, "t", 2 partitions, 0, 3.
    bytes expected = {0, 1, 'g', 0, 0, 0, 1, 0, 1, 't', 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3};
    EXPECT_EQ(b, expected);
    reader r(b);
    offset_delete_request back;
    ASSERT_TRUE(back.decode(r, 0));
    EXPECT_EQ(back, req);
    for (size_t n = 0; n < b.size(); ++n) {
        reader rr(bytes_view(b.data(), n));
        offset_delete_request x;
        EXPECT_FALSE(x.decode(rr, 0)) << n;
    }

    offset_delete_response resp;
    resp.topics.push_back({"t", {{0, error_code::group_subscribed_to_topic}}});
    writer w2;
    resp.encode(w2, 0);
    bytes rb = w2.take();
    reader r2(rb);
    offset_delete_response rback;
    ASSERT_TRUE(rback.decode(r2, 0));
    EXPECT_EQ(rback, resp);
}

}  // namespace
}  // namespace otter::kafka

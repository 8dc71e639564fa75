// Test helpers: deterministic field values and the round-trip/truncation check.
#pragma once

#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "bytes/bytes.h"
#include "kafka/protocol/wire.h"

namespace otter::kafka {

// Produces distinct values for consecutive fields.
struct filler {
    int16_t v;
    bool nulls;
    int seed = 0;

    int64_t next() { return ++seed; }
    std::string str() { return "s" + std::to_string(++seed); }
    bytes blob() {
        int s = ++seed;
        return bytes{static_cast<uint8_t>(s), static_cast<uint8_t>(s + 1), 0, 0xff};
    }
};

inline const bytes k_records = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9};

template <typename T>
bytes encode_message(const T& m, int16_t version) {
    writer w;
    m.encode(w, version);
    return w.take();
}

// Encodes `a`, decodes it back (must equal `a` and consume every byte), re-encodes (must give
// the same bytes), and decodes every strict prefix (must fail).
template <typename T>
void check_round_trip(const T& a, int16_t version) {
    bytes enc = encode_message(a, version);
    reader r(enc);
    T b;
    ASSERT_TRUE(b.decode(r, version));
    EXPECT_EQ(r.remaining(), 0u);
    EXPECT_TRUE(a == b);
    EXPECT_EQ(encode_message(b, version), enc);
    for (size_t n = 0; n < enc.size(); ++n) {
        reader rt(bytes_view(enc.data(), n));
        T c;
        EXPECT_FALSE(c.decode(rt, version)) << "prefix of " << n << " bytes decoded";
    }
}

}  // namespace otter::kafka

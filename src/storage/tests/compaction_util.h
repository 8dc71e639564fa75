// Helpers shared by the compaction tests: a consumer that reads a whole partition log.
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "io/env.h"
#include "model/record_batch.h"
#include "storage/partition_log.h"
#include "storage/segment.h"

namespace otter::storage::testing {

struct seen_record {
    int64_t offset;
    std::string key;
    std::optional<std::string> value;
    int64_t timestamp;
};

inline std::string to_string(bytes_view b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

// Reads the log like a consumer from log_start_offset(), `max_bytes` at a time, up to
// log_end_offset(). Every returned batch must be whole and valid (gaps in offset deltas allowed),
// must contain or follow the requested offset, and offsets must strictly increase.
inline std::vector<seen_record> consume(const partition_log& log, size_t max_bytes = 1000,
                                        size_t* batches_out = nullptr) {
    std::vector<seen_record> out;
    model::offset from = log.log_start_offset();
    const model::offset end = log.log_end_offset();
    int64_t prev = -1;
    size_t batches = 0;
    while (from < end) {
        auto r = log.read(from, max_bytes, model::offset(INT64_MAX));
        EXPECT_TRUE(r) << (r ? "" : r.error());
        if (!r || r->data.empty()) {
            ADD_FAILURE() << "no data at offset " << from.value() << " below end " << end.value();
            return out;
        }
        size_t pos = 0;
        while (pos < r->data.size()) {
            model::batch_header_view h(r->data.data() + pos);
            bytes_view b(r->data.data() + pos, h.size_bytes());
            auto v =
                model::validate_batch(b, {.max_batch_bytes = 1 << 30, .allow_offset_gaps = true});
            EXPECT_TRUE(v) << "batch at " << h.base_offset() << ": " << (v ? "" : v.error().detail);
            EXPECT_GE(h.last_offset(), from.value());
            EXPECT_GT(h.base_offset(), prev) << "batches overlap";
            bytes scratch;
            auto recs = model::decode_records(b, scratch);
            EXPECT_TRUE(recs);
            if (recs) {
                for (const auto& rec : *recs) {
                    const int64_t o = h.base_offset() + rec.offset_delta;
                    EXPECT_GT(o, prev) << "offsets must strictly increase";
                    EXPECT_LE(o, h.last_offset());
                    prev = o;
                    out.push_back({o, rec.key ? to_string(*rec.key) : std::string(),
                                   rec.value ? std::optional<std::string>(to_string(*rec.value))
                                             : std::nullopt,
                                   h.log_append_time() ? h.max_timestamp()
                                                       : h.base_timestamp() + rec.timestamp_delta});
                }
            }
            prev = std::max<int64_t>(prev, h.last_offset());
            ++batches;
            pos += h.size_bytes();
        }
        EXPECT_GT(r->next_offset, from);
        from = r->next_offset;
    }
    if (batches_out) {
        *batches_out = batches;
    }
    return out;
}

// Contents of the active (highest-based) segment's .log file.
inline bytes active_segment_bytes(io::env& env, const std::string& dir) {
    auto names = env.list_dir(dir);
    std::optional<model::offset> last;
    for (const auto& n : *names) {
        if (auto b = parse_segment_log_name(n); b && (!last || *b > *last)) {
            last = b;
        }
    }
    auto data = env.read_file(dir + "/" + segment_file_name(*last, ".log"));
    return data ? *data : bytes{};
}

}  // namespace otter::storage::testing

// Helpers shared by the storage tests.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bytes/bytes.h"
#include "model/record_batch.h"

namespace otter::storage::testing {

// A batch of `records` records with values of `value_size` bytes and timestamps ts, ts+1, ...
inline bytes make_batch(int records, int64_t ts, size_t value_size = 20, uint8_t fill = 'v') {
    model::batch_builder b(codec::none, ts);
    std::string key = "k";
    std::string value(value_size, static_cast<char>(fill));
    for (int i = 0; i < records; ++i) {
        b.add(bytes_view(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
              bytes_view(reinterpret_cast<const uint8_t*>(value.data()), value.size()), ts + i);
    }
    return b.build();
}

// A batch of keyed records (a nullopt value is a tombstone), timestamps ts, ts+1, ...
inline bytes make_keyed_batch(
    const std::vector<std::pair<std::string, std::optional<std::string>>>& records, int64_t ts,
    codec c = codec::none) {
    model::batch_builder b(c, ts);
    auto view = [](const std::string& s) {
        return bytes_view(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    for (size_t i = 0; i < records.size(); ++i) {
        const auto& [k, v] = records[i];
        b.add(view(k), v ? std::optional<bytes_view>(view(*v)) : std::nullopt,
              ts + static_cast<int64_t>(i));
    }
    return b.build();
}

struct batch_info {
    int64_t base;
    int64_t last;
    int64_t max_ts;
    size_t size;
};

// Splits concatenated batches; every batch must be valid (CRC, framing, records).
inline std::vector<batch_info> split_batches(const bytes& data) {
    std::vector<batch_info> out;
    size_t pos = 0;
    while (pos < data.size()) {
        model::batch_header_view h(data.data() + pos);
        auto v = model::validate_batch(bytes_view(data.data() + pos, h.size_bytes()),
                                       {.max_batch_bytes = 1 << 30});
        if (!v) {
            out.push_back({-1, -1, -1, 0});
            return out;
        }
        out.push_back({h.base_offset(), h.last_offset(), h.max_timestamp(), h.size_bytes()});
        pos += h.size_bytes();
    }
    return out;
}

}  // namespace otter::storage::testing

#include "model/record_batch.h"

#include "bytes/crc32c.h"
#include "bytes/varint.h"

namespace otter::model {
namespace {

using problem = unexpected<batch_problem>;

uint32_t compute_crc(const uint8_t* batch, size_t size) {
    return crc32c(batch + batch_crc_start, size - batch_crc_start);
}

// Walks `count` records in [p, end). On success fills max timestamp delta.
// Offset deltas must be 0..count-1, or, with `allow_gaps`, strictly increasing and at most
// `last_delta`.
bool walk_records(const uint8_t* p, const uint8_t* end, int32_t count, bool require_keys,
                  bool allow_gaps, int32_t last_delta, int64_t& max_ts_delta, std::string& why) {
    max_ts_delta = INT64_MIN;
    int64_t prev_delta = -1;
    for (int32_t i = 0; i < count; ++i) {
        int64_t len;
        if (!get_varint(p, end, len, 5) || len < 0 || len > end - p) {
            why = "record " + std::to_string(i) + ": bad length";
            return false;
        }
        const uint8_t* rend = p + len;
        if (rend - p < 1) {
            why = "record " + std::to_string(i) + ": empty";
            return false;
        }
        ++p;  // attributes
        int64_t ts_delta, off_delta, klen, vlen, hcount;
        if (!get_varint(p, rend, ts_delta) || !get_varint(p, rend, off_delta, 5)) {
            why = "record " + std::to_string(i) + ": bad deltas";
            return false;
        }
        const bool delta_ok =
            allow_gaps ? off_delta > prev_delta && off_delta <= last_delta : off_delta == i;
        prev_delta = off_delta;
        if (!delta_ok) {
            why = "record " + std::to_string(i) + ": offset delta " + std::to_string(off_delta);
            return false;
        }
        if (!get_varint(p, rend, klen, 5) || klen < -1 || klen > rend - p) {
            why = "record " + std::to_string(i) + ": bad key length";
            return false;
        }
        if (klen < 0 && require_keys) {
            why = "record " + std::to_string(i) + ": compacted topics need keys";
            return false;
        }
        p += klen > 0 ? klen : 0;
        if (!get_varint(p, rend, vlen, 5) || vlen < -1 || vlen > rend - p) {
            why = "record " + std::to_string(i) + ": bad value length";
            return false;
        }
        p += vlen > 0 ? vlen : 0;
        if (!get_varint(p, rend, hcount, 5) || hcount < 0 || hcount > rend - p) {
            why = "record " + std::to_string(i) + ": bad header count";
            return false;
        }
        for (int64_t h = 0; h < hcount; ++h) {
            int64_t hk, hv;
            if (!get_varint(p, rend, hk, 5) || hk < 0 || hk > rend - p) {
                why = "record " + std::to_string(i) + ": bad header key";
                return false;
            }
            p += hk;
            if (!get_varint(p, rend, hv, 5) || hv < -1 || hv > rend - p) {
                why = "record " + std::to_string(i) + ": bad header value";
                return false;
            }
            p += hv > 0 ? hv : 0;
        }
        if (p != rend) {
            why = "record " + std::to_string(i) + ": length mismatch";
            return false;
        }
        max_ts_delta = std::max(max_ts_delta, ts_delta);
    }
    if (p != end) {
        why = "trailing bytes after the last record";
        return false;
    }
    return true;
}

}  // namespace

void set_base_offset(uint8_t* batch, int64_t base_offset) {
    store_be<int64_t>(batch, base_offset);
}

void set_log_append_time(uint8_t* batch, int64_t ts) {
    batch_header_view h(batch);
    store_be<int16_t>(batch + 21, static_cast<int16_t>(h.attributes() | 0x8));
    store_be<int64_t>(batch + 35, ts);
    store_be<uint32_t>(batch + 17, compute_crc(batch, h.size_bytes()));
}

result<batch_summary, batch_problem> validate_batch(bytes_view data, const validate_options& opt) {
    if (data.size() < batch_header_size) {
        return problem{{batch_error::corrupt, "batch shorter than its header"}};
    }
    batch_header_view h(data.data());
    if (h.magic() != 2) {
        return problem{{batch_error::corrupt,
                        "unsupported magic " + std::to_string(h.magic()) + " (only v2 batches)"}};
    }
    if (h.batch_length() < static_cast<int32_t>(batch_header_size - batch_log_overhead) ||
        h.size_bytes() != data.size()) {
        return problem{{batch_error::corrupt, "batch length does not match the bytes sent"}};
    }
    if (data.size() > opt.max_batch_bytes) {
        return problem{{batch_error::too_large, "batch of " + std::to_string(data.size()) +
                                                    " bytes exceeds max.message.bytes " +
                                                    std::to_string(opt.max_batch_bytes)}};
    }
    if (compute_crc(data.data(), data.size()) != h.crc()) {
        return problem{{batch_error::corrupt, "CRC-32C mismatch"}};
    }
    int32_t count = h.records_count();
    const bool count_ok = opt.allow_offset_gaps
                              ? count >= 0 && h.last_offset_delta() >= 0 &&
                                    static_cast<int64_t>(count) <= h.last_offset_delta() + 1LL
                              : count > 0 && h.last_offset_delta() == count - 1;
    if (!count_ok) {
        return problem{{batch_error::invalid_record, "records_count " + std::to_string(count) +
                                                         " does not match last_offset_delta " +
                                                         std::to_string(h.last_offset_delta())}};
    }
    int attrs_codec = h.attributes() & 0x7;
    if (attrs_codec > 4) {
        return problem{{batch_error::corrupt, "unknown compression codec"}};
    }
    bytes_view body = data.subspan(batch_header_size);
    bytes scratch;
    if (h.compression() != codec::none) {
        auto d = decompress(h.compression(), body, opt.max_decompressed_bytes);
        if (!d) {
            return problem{{batch_error::corrupt, d.error()}};
        }
        scratch = std::move(*d);
        body = scratch;
    }
    // Each record is at least 7 bytes; refuse counts that cannot fit before walking.
    if (static_cast<size_t>(count) > body.size() / 7 + 1) {
        return problem{{batch_error::invalid_record, "records_count larger than the batch"}};
    }
    int64_t max_delta;
    std::string why;
    if (!walk_records(body.data(), body.data() + body.size(), count, opt.require_keys,
                      opt.allow_offset_gaps, h.last_offset_delta(), max_delta, why)) {
        return problem{{batch_error::invalid_record, why}};
    }
    batch_summary s;
    s.record_count = count;
    s.last_offset_delta = h.last_offset_delta();
    s.max_timestamp = count > 0 ? h.base_timestamp() + max_delta : h.max_timestamp();
    return s;
}

result<std::vector<record_view>, std::string> decode_records(bytes_view batch, bytes& scratch) {
    batch_header_view h(batch.data());
    bytes_view body = batch.subspan(batch_header_size);
    if (h.compression() != codec::none) {
        auto d = decompress(h.compression(), body, 256u << 20);
        if (!d) {
            return unexpected<std::string>{d.error()};
        }
        scratch = std::move(*d);
        body = scratch;
    }
    std::vector<record_view> out;
    const uint8_t* p = body.data();
    const uint8_t* end = p + body.size();
    auto fail = [] { return unexpected<std::string>{"malformed record"}; };
    for (int32_t i = 0; i < h.records_count(); ++i) {
        int64_t len;
        if (!get_varint(p, end, len, 5) || len < 1 || len > end - p)
            return fail();
        const uint8_t* rend = p + len;
        ++p;
        record_view r;
        int64_t klen, vlen, hcount;
        if (!get_varint(p, rend, r.timestamp_delta) || !get_varint(p, rend, r.offset_delta, 5))
            return fail();
        if (!get_varint(p, rend, klen, 5) || klen < -1 || klen > rend - p)
            return fail();
        if (klen >= 0) {
            r.key = bytes_view(p, static_cast<size_t>(klen));
            p += klen;
        }
        if (!get_varint(p, rend, vlen, 5) || vlen < -1 || vlen > rend - p)
            return fail();
        if (vlen >= 0) {
            r.value = bytes_view(p, static_cast<size_t>(vlen));
            p += vlen;
        }
        if (!get_varint(p, rend, hcount, 5) || hcount < 0 || hcount > rend - p)
            return fail();
        for (int64_t j = 0; j < hcount; ++j) {
            int64_t hk, hv;
            if (!get_varint(p, rend, hk, 5) || hk < 0 || hk > rend - p)
                return fail();
            bytes_view k(p, static_cast<size_t>(hk));
            p += hk;
            if (!get_varint(p, rend, hv, 5) || hv < -1 || hv > rend - p)
                return fail();
            std::optional<bytes_view> v;
            if (hv >= 0) {
                v = bytes_view(p, static_cast<size_t>(hv));
                p += hv;
            }
            r.headers.emplace_back(k, v);
        }
        if (p != rend)
            return fail();
        out.push_back(std::move(r));
    }
    return out;
}

batch_builder& batch_builder::producer(int64_t id, int16_t epoch, int32_t base_sequence) {
    producer_id_ = id;
    producer_epoch_ = epoch;
    base_sequence_ = base_sequence;
    return *this;
}

batch_builder& batch_builder::transactional(bool v) {
    transactional_ = v;
    return *this;
}

batch_builder& batch_builder::control(bool v) {
    control_ = v;
    return *this;
}

batch_builder& batch_builder::add(std::optional<bytes_view> key, std::optional<bytes_view> value,
                                  int64_t timestamp,
                                  std::vector<std::pair<std::string, std::string>> headers) {
    bytes rec;
    rec.push_back(0);
    put_varint(rec, timestamp - base_ts_);
    put_varint(rec, count_);
    if (key) {
        put_varint(rec, static_cast<int64_t>(key->size()));
        rec.insert(rec.end(), key->begin(), key->end());
    } else {
        put_varint(rec, -1);
    }
    if (value) {
        put_varint(rec, static_cast<int64_t>(value->size()));
        rec.insert(rec.end(), value->begin(), value->end());
    } else {
        put_varint(rec, -1);
    }
    put_varint(rec, static_cast<int64_t>(headers.size()));
    for (auto& [k, v] : headers) {
        put_varint(rec, static_cast<int64_t>(k.size()));
        rec.insert(rec.end(), k.begin(), k.end());
        put_varint(rec, static_cast<int64_t>(v.size()));
        rec.insert(rec.end(), v.begin(), v.end());
    }
    put_varint(records_, static_cast<int64_t>(rec.size()));
    records_.insert(records_.end(), rec.begin(), rec.end());
    max_ts_ = std::max(max_ts_, timestamp);
    ++count_;
    return *this;
}

bytes batch_builder::build() const {
    bytes body = codec_ == codec::none ? records_ : compress(codec_, records_);
    bytes out;
    out.reserve(batch_header_size + body.size());
    append_be<int64_t>(out, 0);
    append_be<int32_t>(out,
                       static_cast<int32_t>(batch_header_size - batch_log_overhead + body.size()));
    append_be<int32_t>(out, 0);   // partition leader epoch
    out.push_back(2);             // magic
    append_be<uint32_t>(out, 0);  // crc, filled below
    int16_t attrs = static_cast<int16_t>(static_cast<int>(codec_) | (transactional_ ? 0x10 : 0) |
                                         (control_ ? 0x20 : 0));
    append_be<int16_t>(out, attrs);
    append_be<int32_t>(out, count_ - 1);
    append_be<int64_t>(out, base_ts_);
    append_be<int64_t>(out, count_ ? max_ts_ : base_ts_);
    append_be<int64_t>(out, producer_id_);
    append_be<int16_t>(out, producer_epoch_);
    append_be<int32_t>(out, base_sequence_);
    append_be<int32_t>(out, count_);
    out.insert(out.end(), body.begin(), body.end());
    store_be<uint32_t>(out.data() + 17, compute_crc(out.data(), out.size()));
    return out;
}

}  // namespace otter::model

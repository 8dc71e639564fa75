// Log compaction of one partition: partition_log::compact and its helpers. Rules and on-disk
// protocol: docs/formats/log-segment.md, "Compaction".
#include <algorithm>
#include <cstring>
#include <string>
#include <unordered_map>

#include "base/log.h"
#include "bytes/compression.h"
#include "bytes/crc32c.h"
#include "bytes/varint.h"
#include "model/record_batch.h"
#include "storage/partition_log.h"
#include "storage/segment.h"

namespace otter::storage {

namespace {

using err = unexpected<std::string>;

// One record of a batch body, as stored: `raw` is the whole record including its length varint,
// so a kept record is copied without re-encoding (its deltas stay relative to the unchanged
// base offset and base timestamp of the batch).
struct raw_record {
    bytes_view raw;
    int64_t timestamp_delta = 0;
    int64_t offset_delta = 0;
    std::optional<bytes_view> key;
    bool has_value = false;
};

bool parse_records(bytes_view body, int32_t count, std::vector<raw_record>& out) {
    out.clear();
    const uint8_t* p = body.data();
    const uint8_t* end = p + body.size();
    for (int32_t i = 0; i < count; ++i) {
        const uint8_t* start = p;
        int64_t len, klen, vlen;
        if (!get_varint(p, end, len, 5) || len < 1 || len > end - p) {
            return false;
        }
        const uint8_t* rend = p + len;
        ++p;  // attributes
        raw_record r;
        if (!get_varint(p, rend, r.timestamp_delta) || !get_varint(p, rend, r.offset_delta, 5) ||
            !get_varint(p, rend, klen, 5) || klen < -1 || klen > rend - p) {
            return false;
        }
        if (klen >= 0) {
            r.key = bytes_view(p, static_cast<size_t>(klen));
            p += klen;
        }
        if (!get_varint(p, rend, vlen, 5) || vlen < -1 || vlen > rend - p) {
            return false;
        }
        r.has_value = vlen >= 0;
        r.raw = bytes_view(start, static_cast<size_t>(rend - start));
        p = rend;
        out.push_back(r);
    }
    return p == end;
}

// Reads the batch at `pos` of `seg` into `out`. Closed segments were checked when they were
// written or recovered, so a bad batch here is an error, never a reason to drop data.
result<void, std::string> read_batch(const segment& seg, uint64_t pos, uint64_t limit, bytes& out) {
    uint8_t hdr[model::batch_header_size];
    if (read_batch_header(seg.log(), pos, limit, hdr) != header_status::ok) {
        return err{"cannot read the batch at byte " + std::to_string(pos) + " of segment " +
                   std::to_string(seg.base().value())};
    }
    out.resize(model::batch_header_view(hdr).size_bytes());
    auto n = seg.log().pread(pos, out);
    if (!n) {
        return err{n.error().message};
    }
    if (*n != out.size()) {
        return err{"short read in segment " + std::to_string(seg.base().value())};
    }
    return {};
}

// The records of a batch, decompressed into `scratch` if needed.
result<bytes_view, std::string> batch_body(const bytes& batch, bytes& scratch,
                                           const compaction_options& opt) {
    model::batch_header_view h(batch.data());
    bytes_view body = bytes_view(batch).subspan(model::batch_header_size);
    if (h.compression() == codec::none) {
        return body;
    }
    auto d = decompress(h.compression(), body, opt.max_decompressed_bytes);
    if (!d) {
        return err{"batch at offset " + std::to_string(h.base_offset()) + ": " + d.error()};
    }
    scratch = std::move(*d);
    return bytes_view(scratch);
}

// Batches the cleaner filters; control and transactional batches are kept as they are.
bool filterable(const model::batch_header_view& h) {
    return !h.is_control() && !h.is_transactional();
}

// A copy of `batch` holding only `kept` (a subsequence of its records), same base offset, last
// offset delta, timestamps, producer fields and codec; the CRC is recomputed. With no record left
// the body is empty and uncompressed (an empty batch, as Kafka's cleaner writes).
bytes rebuild_batch(const bytes& batch, const std::vector<raw_record>& kept) {
    model::batch_header_view h(batch.data());
    bytes body;
    for (const auto& r : kept) {
        body.insert(body.end(), r.raw.begin(), r.raw.end());
    }
    int16_t attrs = h.attributes();
    if (kept.empty()) {
        attrs = static_cast<int16_t>(attrs & ~0x7);
    } else if (h.compression() != codec::none) {
        body = compress(h.compression(), body);
    }
    bytes out(batch.begin(), batch.begin() + model::batch_header_size);
    out.insert(out.end(), body.begin(), body.end());
    store_be<int32_t>(out.data() + 8, static_cast<int32_t>(out.size() - model::batch_log_overhead));
    store_be<int16_t>(out.data() + 21, attrs);
    store_be<int32_t>(out.data() + 57, static_cast<int32_t>(kept.size()));
    store_be<uint32_t>(out.data() + 17, crc32c(out.data() + model::batch_crc_start,
                                               out.size() - model::batch_crc_start));
    return out;
}

}  // namespace

// key -> offset of its latest record in the mapped range, with a memory budget. Full keys, not
// hashes: a hash collision would silently drop a live record.
struct partition_log::key_map {
    explicit key_map(size_t cap) : cap_bytes(cap) {}

    // Approximate heap cost of one entry (node, string header, bucket) on top of the key bytes.
    static constexpr size_t entry_overhead = 64;

    // Records every (key, offset) of one batch, or none of them (false) if they might not fit.
    bool add_batch(const std::vector<std::pair<bytes_view, int64_t>>& recs) {
        size_t need = 0;
        for (const auto& [k, o] : recs) {
            need += k.size() + entry_overhead;  // upper bound: existing keys cost nothing
        }
        if (used_bytes + need > cap_bytes) {
            return false;
        }
        for (const auto& [k, o] : recs) {
            auto [it, inserted] = offsets.try_emplace(
                std::string(reinterpret_cast<const char*>(k.data()), k.size()), o);
            if (inserted) {
                used_bytes += k.size() + entry_overhead;
            } else {
                it->second = std::max(it->second, o);
            }
        }
        return true;
    }

    std::optional<int64_t> latest(bytes_view key) const {
        auto it = offsets.find(std::string(reinterpret_cast<const char*>(key.data()), key.size()));
        if (it == offsets.end()) {
            return std::nullopt;
        }
        return it->second;
    }

    void clear() {
        offsets.clear();
        used_bytes = 0;
    }

    size_t cap_bytes;
    size_t used_bytes = 0;
    std::unordered_map<std::string, int64_t> offsets;
};

result<model::offset, std::string> partition_log::build_key_map(
    const std::vector<std::shared_ptr<segment>>& segs, model::offset first_dirty,
    model::offset limit, key_map& map, const compaction_options& opt) const {
    bytes batch, scratch;
    std::vector<raw_record> recs;
    std::vector<std::pair<bytes_view, int64_t>> keys;
    for (const auto& seg : segs) {
        if (seg->next_offset() <= first_dirty) {
            continue;
        }
        if (seg->base() >= limit) {
            break;
        }
        for (uint64_t pos = seg->position_for(first_dirty); pos < seg->size();
             pos += batch.size()) {
            if (auto r = read_batch(*seg, pos, seg->size(), batch); !r) {
                return err{dir_ + ": " + r.error()};
            }
            model::batch_header_view h(batch.data());
            if (h.last_offset() < first_dirty.value()) {
                continue;
            }
            if (h.base_offset() >= limit.value()) {
                return limit;
            }
            if (!filterable(h)) {
                continue;
            }
            auto body = batch_body(batch, scratch, opt);
            if (!body) {
                return err{dir_ + ": " + body.error()};
            }
            if (!parse_records(*body, h.records_count(), recs)) {
                return err{dir_ + ": malformed records in the batch at offset " +
                           std::to_string(h.base_offset())};
            }
            keys.clear();
            for (const auto& r : recs) {
                if (r.key) {
                    keys.emplace_back(*r.key, h.base_offset() + r.offset_delta);
                }
            }
            if (!map.add_batch(keys)) {
                // Full: this pass covers the dirty part up to here (a batch boundary).
                return model::offset(h.base_offset());
            }
        }
    }
    return limit;
}

result<void, std::string> partition_log::clean_segment(const std::shared_ptr<segment>& seg,
                                                       const key_map& map, model::offset end,
                                                       int64_t tombstone_horizon,
                                                       uint32_t index_interval,
                                                       const compaction_options& opt,
                                                       compaction_stats& stats) {
    auto created = segment::create(env_, dir_, seg->base(), ".cleaned");
    if (!created) {
        return err{created.error()};
    }
    std::shared_ptr<segment> cleaned = std::move(*created);
    auto fail = [&](std::string why) -> result<void, std::string> {
        cleaned->remove_files(env_);
        return err{dir_ + ": " + why};
    };
    bytes batch, scratch;
    std::vector<raw_record> recs, kept;
    int64_t removed = 0;
    const uint64_t size = seg->size();
    for (uint64_t pos = 0; pos < size;) {
        if (auto r = read_batch(*seg, pos, size, batch); !r) {
            return fail(r.error());
        }
        pos += batch.size();
        const bool last_in_segment = pos == size;
        model::batch_header_view h(batch.data());
        const bytes* out = &batch;
        bytes rebuilt;
        if (h.base_offset() < end.value() && filterable(h)) {
            auto body = batch_body(batch, scratch, opt);
            if (!body) {
                return fail(body.error());
            }
            if (!parse_records(*body, h.records_count(), recs)) {
                return fail("malformed records in the batch at offset " +
                            std::to_string(h.base_offset()));
            }
            kept.clear();
            for (const auto& r : recs) {
                const int64_t o = h.base_offset() + r.offset_delta;
                bool keep = true;
                if (o < end.value()) {
                    const int64_t ts = h.log_append_time() ? h.max_timestamp()
                                                           : h.base_timestamp() + r.timestamp_delta;
                    if (!r.key) {
                        keep = false;  // cannot be compacted (Kafka drops them too)
                    } else if (auto latest = map.latest(*r.key); latest && *latest > o) {
                        keep = false;  // superseded
                    } else if (!r.has_value && ts < tombstone_horizon) {
                        // The latest record of its key and every older one is gone (older ones
                        // are below `end` and superseded by it): the delete is complete.
                        keep = false;
                    }
                }
                if (keep) {
                    kept.push_back(r);
                }
            }
            if (kept.size() != recs.size()) {
                removed += static_cast<int64_t>(recs.size() - kept.size());
                if (kept.empty() && !last_in_segment) {
                    continue;  // the next batch's base offset leaves a gap
                }
                // The last batch stays (maybe empty) so the segment still ends where it did.
                rebuilt = rebuild_batch(batch, kept);
                out = &rebuilt;
            }
        }
        if (auto a = cleaned->append(*out, index_interval); !a) {
            return fail(a.error());
        }
    }
    if (removed == 0) {
        cleaned->remove_files(env_);  // nothing to gain
        return {};
    }
    OTTER_ASSERT(cleaned->next_offset() == seg->next_offset(),
                 "a cleaned segment must end where the original did");
    cleaned->seal();
    bool committed = false;
    if (auto r = cleaned->install_cleaned(env_, committed); !r) {
        if (committed) {
            // The files of this segment are half swapped; only the next open() can finish it.
            // Like a failed fsync, this disables the log until it is reopened.
            std::lock_guard g(mu_);
            failed_ = true;
            spdlog::error(
                "{}: compaction swap failed after its commit point, log disabled until "
                "reopened: {}",
                dir_, r.error());
        }
        // Otherwise the original segment is intact and keeps serving.
        return err{dir_ + ": installing cleaned segment " + std::to_string(seg->base().value()) +
                   ": " + r.error()};
    }
    cleaned->synced_size = cleaned->size();
    cleaned->indexes_synced = true;
    {
        std::lock_guard g(mu_);
        auto it = std::find(segments_.begin(), segments_.end(), seg);
        OTTER_ASSERT(it != segments_.end(), "a segment under compaction disappeared");
        *it = cleaned;
    }
    ++stats.segments_rewritten;
    stats.bytes_before += size;
    stats.bytes_after += cleaned->size();
    stats.records_removed += removed;
    return {};
}

result<compaction_stats, std::string> partition_log::compact(int64_t now_ms,
                                                             const compaction_options& opt) {
    std::lock_guard mg(maintenance_mu_);
    compaction_stats stats;
    key_map map(opt.dedupe_buffer_bytes);
    for (;;) {
        log_config cfg;
        std::vector<std::shared_ptr<segment>> segs;
        model::offset hwm, first_dirty;
        bool failed = false;
        {
            std::lock_guard g(mu_);
            failed = failed_;
            cfg = config_;
            segs = segments_;
            hwm = hwm_;
            first_dirty = std::max(clean_end_, log_start_);
        }
        if (!cfg.compact || failed) {
            return stats;
        }
        // Cleanable: a prefix of closed segments, durable, and old enough.
        segs.pop_back();  // the active segment
        const int64_t lag = cfg.min_compaction_lag_ms.count();
        size_t n = 0;
        while (n < segs.size() && segs[n]->next_offset() <= hwm &&
               (lag == 0 || segs[n]->max_timestamp() <= now_ms - lag)) {
            ++n;
        }
        segs.resize(n);
        if (segs.empty()) {
            return stats;
        }
        const model::offset limit = segs.back()->next_offset();
        // Nothing dirty: only a forced run rewrites the clean part (to drop expired tombstones).
        const bool nothing_dirty = first_dirty >= limit;
        if (nothing_dirty && !(opt.force && stats.passes == 0)) {
            return stats;
        }
        if (stats.passes == 0 && !opt.force) {
            uint64_t dirty = 0, total = 0;
            for (const auto& s : segs) {
                total += s->size();
                if (s->next_offset() > first_dirty) {
                    dirty += s->size();
                }
            }
            if (dirty == 0 || static_cast<double>(dirty) <
                                  cfg.min_cleanable_dirty_ratio * static_cast<double>(total)) {
                return stats;
            }
        }
        map.clear();
        auto end = build_key_map(segs, first_dirty, limit, map, opt);
        if (!end) {
            return err{end.error()};
        }
        if (!nothing_dirty && *end <= first_dirty) {
            return err{dir_ + ": the compaction dedupe buffer (" +
                       std::to_string(opt.dedupe_buffer_bytes) +
                       " bytes) cannot hold the keys of the batch at offset " +
                       std::to_string(first_dirty.value())};
        }
        const int64_t horizon = now_ms - cfg.delete_retention_ms.count();
        for (const auto& s : segs) {
            if (s->base() >= *end) {
                break;
            }
            if (auto r = clean_segment(s, map, *end, horizon, cfg.index_interval_bytes, opt, stats);
                !r) {
                return err{r.error()};
            }
        }
        {
            std::lock_guard g(mu_);
            clean_end_ = std::max(clean_end_, *end);
        }
        ++stats.passes;
        if (*end >= limit) {
            return stats;
        }
    }
}

model::offset partition_log::cleaner_checkpoint() const {
    std::lock_guard g(mu_);
    return clean_end_;
}

}  // namespace otter::storage

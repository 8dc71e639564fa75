#include "storage/segment.h"

#include <algorithm>
#include <cstdio>

#include "base/log.h"
#include "bytes/crc32c.h"
#include "model/record_batch.h"

namespace otter::storage {

namespace {

using err = unexpected<std::string>;

std::string join(const std::string& dir, const std::string& name) {
    return dir + "/" + name;
}

err io_err(const io::error& e) {
    return err{e.message};
}

result<bytes, std::string> read_whole(const io::file& f) {
    bytes b(f.size());
    auto n = f.pread(0, b);
    if (!n) {
        return io_err(n.error());
    }
    b.resize(*n);
    return b;
}

}  // namespace

std::string segment_file_name(model::offset base, const char* ext) {
    char buf[32];
    std::snprintf(buf, sizeof(buf), "%020lld", static_cast<long long>(base.value()));
    return std::string(buf) + ext;
}

std::optional<model::offset> parse_segment_log_name(const std::string& name) {
    if (name.size() != 24 || name.compare(20, 4, ".log") != 0) {
        return std::nullopt;
    }
    int64_t v = 0;
    for (size_t i = 0; i < 20; ++i) {
        if (name[i] < '0' || name[i] > '9') {
            return std::nullopt;
        }
        if (v > (INT64_MAX - (name[i] - '0')) / 10) {
            return std::nullopt;
        }
        v = v * 10 + (name[i] - '0');
    }
    return model::offset(v);
}

header_status read_batch_header(const io::file& f, uint64_t pos, uint64_t limit, uint8_t* header) {
    if (limit < pos || limit - pos < model::batch_header_size) {
        return header_status::invalid;
    }
    auto n = f.pread(pos, std::span<uint8_t>(header, model::batch_header_size));
    if (!n) {
        return header_status::io_error;
    }
    if (*n != model::batch_header_size) {
        return header_status::invalid;
    }
    model::batch_header_view h(header);
    if (h.batch_length() <
            static_cast<int32_t>(model::batch_header_size - model::batch_log_overhead) ||
        h.size_bytes() > limit - pos || h.magic() != 2 || h.last_offset_delta() < 0) {
        return header_status::invalid;
    }
    return header_status::ok;
}

std::string segment::path(const char* ext) const {
    return join(dir_, segment_file_name(base_, ext) + suffix_);
}

result<std::shared_ptr<segment>, std::string> segment::create(io::env& env, const std::string& dir,
                                                              model::offset base,
                                                              const char* suffix) {
    std::shared_ptr<segment> s(new segment(base, dir));
    s->suffix_ = suffix;
    auto log = env.open(s->path(".log"), true);
    auto idx = env.open(s->path(".index"), true);
    auto tix = env.open(s->path(".timeindex"), true);
    for (auto* r : {&log, &idx, &tix}) {
        if (!*r) {
            return io_err(r->error());
        }
    }
    s->log_ = std::move(*log);
    s->index_ = std::move(*idx);
    s->time_index_ = std::move(*tix);
    // A leftover file of the same name (e.g. an orphaned index) must not leak into the new segment.
    for (auto* f : {s->log_.get(), s->index_.get(), s->time_index_.get()}) {
        if (f->size() != 0) {
            if (auto t = f->truncate(0); !t) {
                return io_err(t.error());
            }
        }
    }
    s->next_ = base;
    s->max_ts_offset_ = base;
    return s;
}

result<segment::recovered, std::string> segment::recover(io::env& env, const std::string& dir,
                                                         model::offset base,
                                                         uint32_t index_interval) {
    auto r = recover_pass(env, dir, base, index_interval, true);
    if (r && r->seg->index_entries_.size() > 0 &&
        r->seg->index_entries_.back().position >= r->seg->size_) {
        // The cut landed on the last indexed batch: rebuild both indexes with a full scan.
        return recover_pass(env, dir, base, index_interval, false);
    }
    return r;
}

result<segment::recovered, std::string> segment::recover_pass(io::env& env, const std::string& dir,
                                                              model::offset base,
                                                              uint32_t index_interval,
                                                              bool use_indexes) {
    std::shared_ptr<segment> s(new segment(base, dir));
    const std::string log_path = join(dir, segment_file_name(base, ".log"));
    auto log = env.open(log_path, false);
    auto idx = env.open(join(dir, segment_file_name(base, ".index")), true);
    auto tix = env.open(join(dir, segment_file_name(base, ".timeindex")), true);
    for (auto* r : {&log, &idx, &tix}) {
        if (!*r) {
            return io_err(r->error());
        }
    }
    s->log_ = std::move(*log);
    s->index_ = std::move(*idx);
    s->time_index_ = std::move(*tix);
    const uint64_t file_size = s->log_->size();
    uint8_t hdr[model::batch_header_size];

    // Offset index: keep the longest valid prefix (strictly increasing, inside the log), then drop
    // entries from the back until the last one points at a batch with the expected base offset.
    auto raw_idx = read_whole(*s->index_);
    if (!raw_idx) {
        return err{raw_idx.error()};
    }
    const size_t idx_file_entries = use_indexes ? raw_idx->size() / offset_index_entry_size : 0;
    for (size_t i = 0; i < idx_file_entries; ++i) {
        const uint8_t* p = raw_idx->data() + i * offset_index_entry_size;
        offset_index_entry e{load_be<uint32_t>(p), load_be<uint32_t>(p + 4)};
        uint32_t prev_rel =
            s->index_entries_.empty() ? 0 : s->index_entries_.back().relative_offset;
        uint32_t prev_pos = s->index_entries_.empty() ? 0 : s->index_entries_.back().position;
        if (e.relative_offset <= prev_rel || e.position <= prev_pos || e.position >= file_size) {
            break;
        }
        s->index_entries_.push_back(e);
    }
    while (!s->index_entries_.empty()) {
        const auto& e = s->index_entries_.back();
        auto st = read_batch_header(*s->log_, e.position, file_size, hdr);
        if (st == header_status::io_error) {
            return err{"cannot read " + log_path};
        }
        if (st == header_status::ok &&
            model::batch_header_view(hdr).base_offset() == base.value() + e.relative_offset) {
            break;
        }
        s->index_entries_.pop_back();
    }
    const uint32_t start_rel =
        s->index_entries_.empty() ? 0 : s->index_entries_.back().relative_offset;
    uint64_t pos = s->index_entries_.empty() ? 0 : s->index_entries_.back().position;

    // Time index: valid prefix (both fields strictly increasing) describing batches up to the scan
    // start; the scan below re-creates later entries.
    auto raw_tix = read_whole(*s->time_index_);
    if (!raw_tix) {
        return err{raw_tix.error()};
    }
    const size_t tix_file_entries = use_indexes ? raw_tix->size() / time_index_entry_size : 0;
    for (size_t i = 0; i < tix_file_entries; ++i) {
        const uint8_t* p = raw_tix->data() + i * time_index_entry_size;
        time_index_entry e{load_be<int64_t>(p), load_be<uint32_t>(p + 8)};
        if (e.relative_offset > start_rel || e.timestamp < 0 ||
            (!s->time_entries_.empty() &&
             (e.timestamp <= s->time_entries_.back().timestamp ||
              e.relative_offset <= s->time_entries_.back().relative_offset))) {
            break;
        }
        s->time_entries_.push_back(e);
    }
    // The last entry must name a batch whose max timestamp is the entry's timestamp.
    while (!s->time_entries_.empty()) {
        const auto& e = s->time_entries_.back();
        const int64_t target = base.value() + e.relative_offset;
        bool ok = false;
        for (uint64_t p = s->position_for(model::offset(target)); p < file_size;) {
            auto st = read_batch_header(*s->log_, p, file_size, hdr);
            if (st == header_status::io_error) {
                return err{"cannot read " + log_path};
            }
            model::batch_header_view h(hdr);
            if (st != header_status::ok || h.base_offset() >= target) {
                ok = st == header_status::ok && h.base_offset() == target &&
                     h.max_timestamp() == e.timestamp;
                break;
            }
            p += h.size_bytes();
        }
        if (ok) {
            break;
        }
        s->time_entries_.pop_back();
    }
    s->max_ts_offset_ = base;
    if (!s->time_entries_.empty()) {
        s->max_ts_ = s->time_entries_.back().timestamp;
        s->max_ts_offset_ = base + s->time_entries_.back().relative_offset;
    }
    // Cut both index files to the kept prefix; the scan appends what follows.
    if (raw_idx->size() != s->index_entries_.size() * offset_index_entry_size) {
        if (auto t = s->index_->truncate(s->index_entries_.size() * offset_index_entry_size); !t) {
            return io_err(t.error());
        }
    }
    if (raw_tix->size() != s->time_entries_.size() * time_index_entry_size) {
        if (auto t = s->time_index_->truncate(s->time_entries_.size() * time_index_entry_size);
            !t) {
            return io_err(t.error());
        }
    }

    // Scan the tail. bytes_since_index_ restarts at 0 at an indexed batch, exactly as in append.
    s->next_ = base + start_rel;
    s->size_ = pos;
    bool truncated = false;
    bytes batch;
    while (pos < file_size) {
        auto st = read_batch_header(*s->log_, pos, file_size, hdr);
        if (st == header_status::io_error) {
            return err{"cannot read " + log_path};
        }
        model::batch_header_view h(hdr);
        // Compaction may leave gaps between batches (docs/formats/log-segment.md), never overlaps.
        if (st != header_status::ok || h.base_offset() < s->next_.value()) {
            truncated = true;
            break;
        }
        batch.resize(h.size_bytes());
        auto n = s->log_->pread(pos, batch);
        if (!n) {
            return io_err(n.error());
        }
        if (*n != batch.size() || crc32c(batch.data() + model::batch_crc_start,
                                         batch.size() - model::batch_crc_start) != h.crc()) {
            truncated = true;
            break;
        }
        s->track(pos, hdr, index_interval);
        pos += batch.size();
    }
    if (truncated) {
        spdlog::warn("segment {}: cutting torn or corrupt tail at byte {} of {}", log_path, pos,
                     file_size);
        if (auto t = s->log_->truncate(pos); !t) {
            return io_err(t.error());
        }
    }
    return recovered{std::move(s), truncated};
}

void segment::track(uint64_t pos, const uint8_t* header, uint32_t index_interval) {
    model::batch_header_view h(header);
    const uint32_t rel = static_cast<uint32_t>(h.base_offset() - base_.value());
    size_ = pos + h.size_bytes();
    next_ = model::offset(h.last_offset() + 1);
    if (h.max_timestamp() > max_ts_) {
        max_ts_ = h.max_timestamp();
        max_ts_offset_ = model::offset(h.base_offset());
    }
    if (bytes_since_index_ >= index_interval && pos > 0) {
        uint8_t e[offset_index_entry_size];
        store_be<uint32_t>(e, rel);
        store_be<uint32_t>(e + 4, static_cast<uint32_t>(pos));
        if (auto a = index_->append(bytes_view(e, sizeof(e))); !a) {
            spdlog::warn("offset index of segment {}: {}", base_.value(), a.error().message);
        }
        index_entries_.push_back({rel, static_cast<uint32_t>(pos)});
        bytes_since_index_ = 0;
        add_time_entry();
    }
    bytes_since_index_ += h.size_bytes();
}

void segment::add_time_entry() {
    if (max_ts_ < 0 || (!time_entries_.empty() && max_ts_ <= time_entries_.back().timestamp)) {
        return;
    }
    const uint32_t rel = static_cast<uint32_t>(max_ts_offset_ - base_);
    if (!time_entries_.empty() && rel <= time_entries_.back().relative_offset) {
        return;  // cannot happen for a raised max; keeps the file strictly increasing
    }
    uint8_t e[time_index_entry_size];
    store_be<int64_t>(e, max_ts_);
    store_be<uint32_t>(e + 8, rel);
    if (auto a = time_index_->append(bytes_view(e, sizeof(e))); !a) {
        spdlog::warn("time index of segment {}: {}", base_.value(), a.error().message);
    }
    time_entries_.push_back({max_ts_, rel});
}

result<void, std::string> segment::append(bytes_view batch, uint32_t index_interval) {
    const uint64_t pos = size_;
    if (auto a = log_->append(batch); !a) {
        return io_err(a.error());
    }
    track(pos, batch.data(), index_interval);
    return {};
}

result<void, std::string> segment::undo_partial_append() {
    if (auto t = log_->truncate(size_); !t) {
        return io_err(t.error());
    }
    return {};
}

void segment::seal() {
    if (sealed_) {
        return;
    }
    sealed_ = true;
    indexes_synced = false;
    add_time_entry();
}

result<void, std::string> segment::sync(bool indexes) {
    if (auto r = log_->sync(); !r) {
        return io_err(r.error());
    }
    if (indexes) {
        if (auto r = index_->sync(); !r) {
            return io_err(r.error());
        }
        if (auto r = time_index_->sync(); !r) {
            return io_err(r.error());
        }
    }
    return {};
}

void segment::remove_files(io::env& env) const {
    for (const char* ext : {".log", ".index", ".timeindex"}) {
        auto p = path(ext);
        if (auto r = env.remove_file(p); !r && r.error().code != io::errc::not_found) {
            spdlog::warn("cannot remove {}: {}", p, r.error().message);
        }
    }
}

result<void, std::string> segment::install_cleaned(io::env& env, bool& committed) {
    OTTER_ASSERT(suffix_ == ".cleaned", "install_cleaned on a segment that is not .cleaned");
    committed = false;
    auto plain = [&](const char* ext) { return join(dir_, segment_file_name(base_, ext)); };
    auto rename = [&](const std::string& from, const std::string& to) -> result<void, std::string> {
        if (auto r = env.rename(from, to); !r) {
            return io_err(r.error());
        }
        return {};
    };
    auto sync_dir = [&]() -> result<void, std::string> {
        if (auto r = env.sync_dir(dir_); !r) {
            return io_err(r.error());
        }
        return {};
    };
    // 1. The cleaned files and their directory entries are durable.
    auto prepared = sync(true);
    if (prepared) {
        prepared = sync_dir();
    }
    // 2. Commit point: "<base>.log.swap" exists.
    const std::string swap = plain(".log") + ".swap";
    if (prepared) {
        prepared = rename(path(".log"), swap);
    }
    if (!prepared) {
        remove_files(env);  // the original segment is untouched
        return prepared;
    }
    committed = true;
    // From here on a failure leaves the rest to recover_cleaner_files at the next open.
    if (auto r = sync_dir(); !r) {
        return r;
    }
    // 3. Indexes first, then the log, each step durable before the next.
    for (const char* ext : {".index", ".timeindex"}) {
        if (auto r = rename(path(ext), plain(ext)); !r) {
            return r;
        }
    }
    if (auto r = sync_dir(); !r) {
        return r;
    }
    if (auto r = rename(swap, plain(".log")); !r) {
        return r;
    }
    suffix_.clear();
    return sync_dir();
}

result<void, std::string> recover_cleaner_files(io::env& env, const std::string& dir,
                                                const std::vector<std::string>& names) {
    auto has_suffix = [](const std::string& n, const std::string& sfx) {
        return n.size() >= sfx.size() && n.compare(n.size() - sfx.size(), sfx.size(), sfx) == 0;
    };
    bool changed = false;
    // Committed swaps: move the cleaned indexes (if not moved yet) and then the log into place.
    for (const auto& n : names) {
        if (!has_suffix(n, ".log.swap")) {
            continue;
        }
        auto base = parse_segment_log_name(n.substr(0, n.size() - 5));
        if (!base) {
            continue;
        }
        spdlog::warn("{}: finishing the interrupted compaction swap of segment {}", dir,
                     base->value());
        for (const char* ext : {".index", ".timeindex"}) {
            const std::string cleaned = segment_file_name(*base, ext) + ".cleaned";
            if (std::find(names.begin(), names.end(), cleaned) != names.end()) {
                if (auto r =
                        env.rename(join(dir, cleaned), join(dir, segment_file_name(*base, ext)));
                    !r) {
                    return io_err(r.error());
                }
            }
        }
        if (auto r = env.sync_dir(dir); !r) {
            return io_err(r.error());
        }
        if (auto r = env.rename(join(dir, n), join(dir, segment_file_name(*base, ".log"))); !r) {
            return io_err(r.error());
        }
        changed = true;
    }
    // Uncommitted cleanings: the original segment is intact, the cleaned files are garbage.
    for (const auto& n : names) {
        if (has_suffix(n, ".cleaned") && env.exists(join(dir, n))) {
            spdlog::info("{}: removing {} left by an interrupted compaction", dir, n);
            if (auto r = env.remove_file(join(dir, n)); !r) {
                return io_err(r.error());
            }
            changed = true;
        }
    }
    if (changed) {
        if (auto r = env.sync_dir(dir); !r) {
            return io_err(r.error());
        }
    }
    return {};
}

uint64_t segment::position_for(model::offset o) const {
    if (o <= base_) {
        return 0;
    }
    const uint64_t rel = static_cast<uint64_t>(o - base_);
    auto it = std::upper_bound(
        index_entries_.begin(), index_entries_.end(), rel,
        [](uint64_t r, const offset_index_entry& e) { return r < e.relative_offset; });
    return it == index_entries_.begin() ? 0 : std::prev(it)->position;
}

std::optional<uint64_t> segment::position_for_timestamp(int64_t ts) const {
    if (max_ts_ < ts) {
        return std::nullopt;
    }
    // Entries before the first one with timestamp >= ts cover batches whose max timestamp < ts.
    auto it =
        std::lower_bound(time_entries_.begin(), time_entries_.end(), ts,
                         [](const time_index_entry& e, int64_t t) { return e.timestamp < t; });
    if (it == time_entries_.begin()) {
        return 0;
    }
    return position_for(base_ + std::prev(it)->relative_offset + 1);
}

}  // namespace otter::storage

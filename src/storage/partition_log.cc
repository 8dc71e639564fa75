#include "storage/partition_log.h"

#include <algorithm>
#include <limits>

#include "base/log.h"
#include "io/env.h"
#include "model/record_batch.h"
#include "storage/segment.h"

namespace otter::storage {

namespace {

using err = unexpected<std::string>;

struct scan_range {
    std::shared_ptr<segment> seg;
    uint64_t pos;
    uint64_t end;
};

bool ends_with(const std::string& s, const char* suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

}  // namespace

partition_log::partition_log(io::env& env, std::string dir, model::topic_partition tp,
                             log_config config)
    : env_(env), dir_(std::move(dir)), tp_(std::move(tp)), config_(config) {}

partition_log::~partition_log() = default;

result<std::unique_ptr<partition_log>, std::string> partition_log::open(io::env& env,
                                                                        std::string dir,
                                                                        model::topic_partition tp,
                                                                        log_config config) {
    if (auto r = env.create_dirs(dir); !r) {
        return err{r.error().message};
    }
    auto names = env.list_dir(dir);
    if (!names) {
        return err{names.error().message};
    }
    // A compaction swap interrupted by a crash: finish it or roll it back, then look again.
    if (auto r = recover_cleaner_files(env, dir, *names); !r) {
        return err{r.error()};
    }
    names = env.list_dir(dir);
    if (!names) {
        return err{names.error().message};
    }
    std::vector<model::offset> bases;
    for (const auto& n : *names) {
        if (auto b = parse_segment_log_name(n)) {
            bases.push_back(*b);
        }
    }
    std::sort(bases.begin(), bases.end());
    // Index files without a log (a removal interrupted by a crash) are leftovers.
    for (const auto& n : *names) {
        bool is_index = ends_with(n, ".index") || ends_with(n, ".timeindex");
        if (!is_index) {
            continue;
        }
        auto log_name = n.substr(0, n.rfind('.')) + ".log";
        auto b = parse_segment_log_name(log_name);
        if (!b || !std::binary_search(bases.begin(), bases.end(), *b)) {
            (void)env.remove_file(dir + "/" + n);
        }
    }

    std::unique_ptr<partition_log> log(new partition_log(env, dir, tp, config));
    for (size_t i = 0; i < bases.size(); ++i) {
        auto r = segment::recover(env, dir, bases[i], config.index_interval_bytes);
        if (!r) {
            return err{r.error()};
        }
        bool contiguous =
            log->segments_.empty() || log->segments_.back()->next_offset() == bases[i];
        if (!contiguous) {
            spdlog::info(
                "{}: segment {} does not follow offset {} (lost in a crash); dropping it "
                "and later ones",
                dir, bases[i].value(), log->segments_.back()->next_offset().value());
            r->seg->remove_files(env);
        } else {
            log->segments_.push_back(r->seg);
        }
        if (!contiguous || r->truncated) {
            // Nothing after a cut can be trusted: it was written later than the lost bytes.
            for (size_t j = i + 1; j < bases.size(); ++j) {
                spdlog::warn("{}: dropping segment {} after a torn tail", dir, bases[j].value());
                for (const char* ext : {".log", ".index", ".timeindex"}) {
                    (void)env.remove_file(dir + "/" + segment_file_name(bases[j], ext));
                }
            }
            break;
        }
    }
    if (log->segments_.empty()) {
        auto s = segment::create(env, dir, model::offset(0));
        if (!s) {
            return err{s.error()};
        }
        log->segments_.push_back(*s);
    }
    for (size_t i = 0; i + 1 < log->segments_.size(); ++i) {
        log->segments_[i]->seal();
    }
    // What is on disk now becomes the durable log: make sure it is.
    for (auto& s : log->segments_) {
        if (auto r = s->sync(true); !r) {
            return err{r.error()};
        }
        s->synced_size = s->size();
        s->indexes_synced = true;
    }
    if (auto r = env.sync_dir(dir); !r) {
        return err{r.error().message};
    }
    log->log_start_ = log->segments_.front()->base();
    log->clean_end_ = log->log_start_;
    log->log_end_ = log->segments_.back()->next_offset();
    log->hwm_ = log->log_end_;
    return log;
}

result<void, std::string> partition_log::roll() {
    segments_.back()->seal();
    auto s = segment::create(env_, dir_, log_end_);
    if (!s) {
        return err{s.error()};
    }
    segments_.push_back(std::move(*s));
    dir_dirty_ = true;
    active_first_append_ms_ = -1;
    return {};
}

result<append_result, std::string> partition_log::append(bytes batch, int64_t now_ms) {
    if (batch.size() < model::batch_header_size ||
        model::batch_header_view(batch.data()).size_bytes() != batch.size()) {
        return err{"malformed batch"};
    }
    model::batch_header_view h(batch.data());
    std::lock_guard g(mu_);
    if (failed_) {
        return err{"log " + dir_ + " failed earlier and must be reopened"};
    }
    segment* active = segments_.back().get();
    const int64_t span = log_end_.value() + h.last_offset_delta() - active->base().value();
    const bool too_big = active->size() + batch.size() > config_.segment_bytes;
    const bool too_old = active_first_append_ms_ >= 0 &&
                         now_ms - active_first_append_ms_ >= config_.segment_ms.count();
    const bool offsets_full = span > std::numeric_limits<int32_t>::max();
    if (!active->empty() && (too_big || too_old || offsets_full)) {
        if (auto r = roll(); !r) {
            return err{r.error()};
        }
        active = segments_.back().get();
    }
    append_result out;
    out.base_offset = log_end_;
    out.last_offset = log_end_ + h.last_offset_delta();
    model::set_base_offset(batch.data(), log_end_.value());
    if (config_.log_append_time) {
        model::set_log_append_time(batch.data(), now_ms);
        out.log_append_time = now_ms;
    }
    if (auto r = active->append(batch, config_.index_interval_bytes); !r) {
        if (auto u = active->undo_partial_append(); !u) {
            failed_ = true;
        }
        return err{r.error()};
    }
    if (active_first_append_ms_ < 0) {
        active_first_append_ms_ = now_ms;
    }
    log_end_ = out.last_offset + 1;
    return out;
}

result<void, std::string> partition_log::flush() {
    std::lock_guard fg(flush_mu_);
    struct pending {
        std::shared_ptr<segment> seg;
        uint64_t size;
        bool indexes;
    };
    std::vector<pending> todo;
    model::offset end;
    bool sync_dir = false;
    {
        std::lock_guard g(mu_);
        if (failed_) {
            return err{"log " + dir_ + " failed earlier and must be reopened"};
        }
        end = log_end_;
        for (auto& s : segments_) {
            bool idx = s->sealed() && !s->indexes_synced;
            if (s->synced_size < s->size() || idx) {
                todo.push_back({s, s->size(), idx});
            }
        }
        sync_dir = dir_dirty_;
        dir_dirty_ = false;
    }
    auto fail = [&](std::string why) -> result<void, std::string> {
        std::lock_guard g(mu_);
        failed_ = true;
        spdlog::error("{}: flush failed, log disabled until reopened: {}", dir_, why);
        return err{std::move(why)};
    };
    if (sync_dir) {
        if (auto r = env_.sync_dir(dir_); !r) {
            return fail(r.error().message);
        }
    }
    for (auto& p : todo) {
        if (auto r = p.seg->sync(p.indexes); !r) {
            return fail(r.error());
        }
    }
    std::lock_guard g(mu_);
    for (auto& p : todo) {
        p.seg->synced_size = std::max(p.seg->synced_size, p.size);
        if (p.indexes) {
            p.seg->indexes_synced = true;
        }
    }
    hwm_ = std::max(hwm_, end);
    return {};
}

model::offset partition_log::log_start_offset() const {
    std::lock_guard g(mu_);
    return log_start_;
}

model::offset partition_log::log_end_offset() const {
    std::lock_guard g(mu_);
    return log_end_;
}

model::offset partition_log::high_watermark() const {
    std::lock_guard g(mu_);
    return hwm_;
}

bool partition_log::has_unflushed() const {
    std::lock_guard g(mu_);
    return hwm_ < log_end_ || dir_dirty_;
}

result<read_result, std::string> partition_log::read(model::offset from, size_t max_bytes,
                                                     model::offset upto) const {
    std::vector<scan_range> ranges;
    {
        std::lock_guard g(mu_);
        if (from < log_start_) {
            return err{"offset " + std::to_string(from.value()) + " is before the log start " +
                       std::to_string(log_start_.value())};
        }
        if (from >= upto || from >= log_end_) {
            return read_result{{}, from};
        }
        auto it = std::upper_bound(
            segments_.begin(), segments_.end(), from,
            [](model::offset o, const std::shared_ptr<segment>& s) { return o < s->base(); });
        OTTER_ASSERT(it != segments_.begin(), "offset below the first segment");
        --it;
        for (auto first = it; it != segments_.end(); ++it) {
            uint64_t pos = it == first ? (*it)->position_for(from) : 0;
            ranges.push_back({*it, pos, (*it)->size()});
        }
    }
    read_result out{{}, from};
    uint8_t hdr[model::batch_header_size];
    bool done = false;
    for (auto& r : ranges) {
        uint64_t copy_start = 0, copy_end = 0;  // bytes of this segment to return
        uint64_t pos = r.pos;
        while (pos < r.end) {
            auto st = read_batch_header(r.seg->log(), pos, r.end, hdr);
            if (st != header_status::ok) {
                return err{"cannot read batch at byte " + std::to_string(pos) + " of segment " +
                           std::to_string(r.seg->base().value()) + " in " + dir_};
            }
            model::batch_header_view h(hdr);
            const size_t size = h.size_bytes();
            if (h.last_offset() < from.value()) {
                pos += size;
                continue;
            }
            const size_t taken = out.data.size() + (copy_end - copy_start);
            if (h.base_offset() >= upto.value() || (taken > 0 && taken + size > max_bytes)) {
                done = true;
                break;
            }
            if (copy_end == copy_start) {
                copy_start = pos;
            }
            copy_end = pos + size;
            out.next_offset = model::offset(h.last_offset() + 1);
            pos += size;
        }
        if (copy_end > copy_start) {
            size_t n0 = out.data.size();
            out.data.resize(n0 + (copy_end - copy_start));
            auto n = r.seg->log().pread(
                copy_start, std::span<uint8_t>(out.data.data() + n0, copy_end - copy_start));
            if (!n) {
                return err{n.error().message};
            }
            if (*n != copy_end - copy_start) {
                return err{"short read in segment " + std::to_string(r.seg->base().value())};
            }
        }
        if (done) {
            break;
        }
    }
    return out;
}

namespace {

// Kafka answers ListOffsets by timestamp at record granularity: the first record of the batch
// whose timestamp is >= ts. Falls back to the batch's base offset if the batch cannot be read.
std::pair<model::offset, int64_t> refine_to_record(const io::file& f, uint64_t pos,
                                                   const model::batch_header_view& h, int64_t ts) {
    auto whole = std::make_pair(model::offset(h.base_offset()), h.max_timestamp());
    if (h.log_append_time())
        return whole;  // every record carries the append time
    bytes batch(h.size_bytes());
    auto n = f.pread(pos, batch);
    if (!n || *n != batch.size())
        return whole;
    bytes scratch;
    auto records = model::decode_records(batch, scratch);
    if (!records)
        return whole;
    for (const auto& rec : *records) {
        int64_t rts = h.base_timestamp() + rec.timestamp_delta;
        if (rts >= ts)
            return {model::offset(h.base_offset() + rec.offset_delta), rts};
    }
    return whole;
}

}  // namespace

std::optional<std::pair<model::offset, int64_t>> partition_log::offset_for_timestamp(
    int64_t ts) const {
    std::vector<scan_range> ranges;
    {
        std::lock_guard g(mu_);
        for (auto& s : segments_) {
            if (auto p = s->position_for_timestamp(ts); p || !ranges.empty()) {
                ranges.push_back({s, p.value_or(0), s->size()});
            }
        }
    }
    uint8_t hdr[model::batch_header_size];
    for (auto& r : ranges) {
        for (uint64_t pos = r.pos; pos < r.end;) {
            if (read_batch_header(r.seg->log(), pos, r.end, hdr) != header_status::ok) {
                spdlog::warn("{}: cannot read batch at byte {} of segment {}", dir_, pos,
                             r.seg->base().value());
                return std::nullopt;
            }
            model::batch_header_view h(hdr);
            if (h.max_timestamp() >= ts) {
                return refine_to_record(r.seg->log(), pos, h, ts);
            }
            pos += h.size_bytes();
        }
    }
    return std::nullopt;
}

uint64_t partition_log::apply_retention(int64_t now_ms) {
    std::lock_guard mg(maintenance_mu_);
    std::vector<std::shared_ptr<segment>> victims;
    {
        std::lock_guard g(mu_);
        // A failed log may hold a half-finished compaction swap that only open() completes;
        // deleting segment files under it could let that swap resurrect a removed segment.
        if (!config_.delete_policy || failed_) {
            return 0;
        }
        uint64_t total = 0;
        for (auto& s : segments_) {
            total += s->size();
        }
        const int64_t retention_ms = config_.retention_ms.count();
        const int64_t retention_bytes = config_.retention_bytes;
        while (segments_.size() > 1) {
            const auto& front = segments_.front();
            if (front->next_offset() > hwm_) {
                break;  // never delete data that is not yet durable
            }
            bool by_time = retention_ms >= 0 && front->max_timestamp() >= 0 &&
                           now_ms - front->max_timestamp() > retention_ms;
            bool by_size = retention_bytes >= 0 &&
                           total - front->size() >= static_cast<uint64_t>(retention_bytes);
            if (!by_time && !by_size) {
                break;
            }
            total -= front->size();
            victims.push_back(front);
            segments_.erase(segments_.begin());
        }
        log_start_ = segments_.front()->base();
    }
    uint64_t freed = 0;
    for (auto& s : victims) {
        spdlog::info("{}: retention deletes segment {} ({} bytes)", dir_, s->base().value(),
                     s->size());
        s->remove_files(env_);
        freed += s->size();
    }
    if (!victims.empty()) {
        if (auto r = env_.sync_dir(dir_); !r) {
            spdlog::warn("{}: {}", dir_, r.error().message);
        }
    }
    return freed;
}

void partition_log::update_config(log_config config) {
    std::lock_guard g(mu_);
    config_ = config;
}

log_config partition_log::config() const {
    std::lock_guard g(mu_);
    return config_;
}

uint64_t partition_log::size_bytes() const {
    std::lock_guard g(mu_);
    uint64_t total = 0;
    for (auto& s : segments_) {
        total += s->size();
    }
    return total;
}

}  // namespace otter::storage

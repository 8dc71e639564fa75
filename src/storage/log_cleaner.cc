#include "storage/log_cleaner.h"

#include "base/log.h"
#include "storage/log_manager.h"

namespace otter::storage {

log_cleaner::~log_cleaner() {
    stop();
}

compaction_stats log_cleaner::run_once(log_manager& logs, int64_t now_ms,
                                       const compaction_options& opt) {
    compaction_stats total;
    for (auto& p : logs.all_partitions()) {
        auto r = p->compact(now_ms, opt);
        if (!r) {
            spdlog::warn("log cleaner: {}", r.error());
            continue;
        }
        if (r->segments_rewritten > 0) {
            spdlog::info("log cleaner: {}: {} segments, {} -> {} bytes, {} records removed",
                         p->dir(), r->segments_rewritten, r->bytes_before, r->bytes_after,
                         r->records_removed);
        }
        total.passes += r->passes;
        total.segments_rewritten += r->segments_rewritten;
        total.bytes_before += r->bytes_before;
        total.bytes_after += r->bytes_after;
        total.records_removed += r->records_removed;
    }
    return total;
}

void log_cleaner::start(log_manager& logs, std::chrono::milliseconds interval) {
    std::lock_guard g(mu_);
    OTTER_ASSERT(!thread_.joinable(), "log_cleaner started twice");
    stopping_ = false;
    thread_ = std::thread([this, &logs, interval] {
        std::unique_lock lk(mu_);
        while (!cv_.wait_for(lk, interval, [this] { return stopping_; })) {
            lk.unlock();
            const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
            run_once(logs, now_ms, opt_);
            lk.lock();
        }
    });
}

void log_cleaner::stop() {
    {
        std::lock_guard g(mu_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

}  // namespace otter::storage

// log_cleaner: a background thread that compacts every partition whose topic has
// cleanup.policy=compact (or compact,delete), one partition at a time (partition_log::compact).
// Memory: one key map of at most compaction_options::dedupe_buffer_bytes plus one batch; disk: at
// most one extra segment per partition being cleaned.
// Thread-safe; start/stop from the owner (the composition root), which keeps the log_manager
// alive until stop() returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "storage/partition_log.h"

namespace otter::storage {

class log_manager;

class log_cleaner {
  public:
    explicit log_cleaner(compaction_options opt = {}) : opt_(opt) {}
    ~log_cleaner();  // stop()
    log_cleaner(const log_cleaner&) = delete;
    log_cleaner& operator=(const log_cleaner&) = delete;

    // Every `interval` (Kafka's log.cleaner.backoff.ms is 15 s), runs one round over `logs`.
    void start(log_manager& logs, std::chrono::milliseconds interval);
    void stop();  // idempotent; waits for the partition being cleaned
    // One round on the caller's thread: compact(now_ms) on every partition, errors logged and
    // skipped (a failed partition is retried next round). Returns the summed statistics.
    static compaction_stats run_once(log_manager& logs, int64_t now_ms,
                                     const compaction_options& opt);

  private:
    const compaction_options opt_;
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;  // guarded by mu_
    std::thread thread_;
};

}  // namespace otter::storage

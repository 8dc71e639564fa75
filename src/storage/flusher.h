// flusher: group commit. One thread fdatasyncs the partitions that have unflushed data and then
// completes the waiters whose offsets became durable.
//
// Batching: while one round's fdatasyncs run, new waiters accumulate for the next round; each
// round flushes every dirty partition once, however many waiters it has.
// Thread-safe. Completions and the on_advance callback run on the flusher thread and must not
// block for long (they delay every later waiter).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "model/fundamental.h"

namespace otter::storage {

class partition_log;

class flusher {
  public:
    // `max_delay`: how long data marked dirty (nobody waiting) may stay unflushed.
    explicit flusher(std::chrono::milliseconds max_delay = std::chrono::milliseconds(5));
    ~flusher();  // stop()
    flusher(const flusher&) = delete;
    flusher& operator=(const flusher&) = delete;

    void start();
    // Runs a last round for everything pending, completes the waiters (done(false) for offsets
    // that could not be made durable) and joins the thread. Idempotent.
    void stop();

    // Calls done(true) on the flusher thread once log->high_watermark() > offset, or done(false)
    // if a flush of the log fails (or the flusher is stopped first: then it may run on the caller's
    // thread). Wakes the flusher at once. `offset` must be below the log's end offset.
    // shared_ptr: the waiter keeps the log alive until it completes.
    void when_durable(std::shared_ptr<partition_log> log, model::offset offset,
                      std::function<void(bool)> done);
    // The log will be flushed within max_delay (acks=0/1 data).
    void mark_dirty(std::shared_ptr<partition_log> log);
    // Called on the flusher thread after each round with the logs whose high watermark advanced.
    void set_on_advance(std::function<void(const std::vector<std::shared_ptr<partition_log>>&)> cb);

  private:
    struct waiter {
        std::shared_ptr<partition_log> log;
        model::offset offset;
        std::function<void(bool)> done;
    };
    void run();

    const std::chrono::milliseconds max_delay_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<waiter> waiters_;  // guarded by mu_; trigger a round now
    std::vector<waiter> parked_;   // guarded by mu_; offsets not yet appended, retried each round
    std::vector<std::shared_ptr<partition_log>> dirty_;  // guarded by mu_
    std::chrono::steady_clock::time_point dirty_since_;  // guarded by mu_
    std::function<void(const std::vector<std::shared_ptr<partition_log>>&)>
        on_advance_;         // guarded by mu_
    bool running_ = false;   // guarded by mu_
    bool stopping_ = false;  // guarded by mu_
    std::thread thread_;
};

}  // namespace otter::storage

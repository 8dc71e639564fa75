// retention_service: a background thread that applies retention to every partition periodically.
// Thread-safe; start/stop from the owner (the composition root), which keeps the log_manager
// alive until stop() returns.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace otter::storage {

class log_manager;

class retention_service {
  public:
    retention_service() = default;
    ~retention_service();  // stop()
    retention_service(const retention_service&) = delete;
    retention_service& operator=(const retention_service&) = delete;

    // Every `interval`, calls apply_retention(now) on every partition of `logs`.
    void start(log_manager& logs, std::chrono::milliseconds interval);
    void stop();  // idempotent; waits for a round in progress
    // Runs one round synchronously on the caller's thread; returns the bytes freed.
    static uint64_t run_once(log_manager& logs, int64_t now_ms);

  private:
    std::mutex mu_;
    std::condition_variable cv_;
    bool stopping_ = false;  // guarded by mu_
    std::thread thread_;
};

}  // namespace otter::storage

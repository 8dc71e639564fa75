#include "storage/retention_service.h"

#include "base/log.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

namespace otter::storage {

retention_service::~retention_service() {
    stop();
}

uint64_t retention_service::run_once(log_manager& logs, int64_t now_ms) {
    uint64_t freed = 0;
    for (auto& p : logs.all_partitions()) {
        freed += p->apply_retention(now_ms);
    }
    return freed;
}

void retention_service::start(log_manager& logs, std::chrono::milliseconds interval) {
    std::lock_guard g(mu_);
    OTTER_ASSERT(!thread_.joinable(), "retention_service started twice");
    stopping_ = false;
    thread_ = std::thread([this, &logs, interval] {
        std::unique_lock lk(mu_);
        while (!cv_.wait_for(lk, interval, [this] { return stopping_; })) {
            lk.unlock();
            const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count();
            uint64_t freed = run_once(logs, now_ms);
            if (freed > 0) {
                spdlog::info("retention freed {} bytes", freed);
            }
            lk.lock();
        }
    });
}

void retention_service::stop() {
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

#include "storage/flusher.h"

#include <future>
#include <unordered_set>

#include "base/log.h"
#include "storage/partition_log.h"

namespace otter::storage {

flusher::flusher(std::chrono::milliseconds max_delay) : max_delay_(max_delay) {}

flusher::~flusher() {
    stop();
}

void flusher::start() {
    std::lock_guard g(mu_);
    OTTER_ASSERT(!running_ && !stopping_, "flusher started twice");
    running_ = true;
    thread_ = std::thread([this] { run(); });
}

void flusher::stop() {
    bool run_here;
    {
        std::lock_guard g(mu_);
        if (stopping_) {
            return;
        }
        stopping_ = true;
        run_here = !running_;
    }
    cv_.notify_all();
    if (run_here) {
        run();  // never started: do the final round on this thread
    } else {
        thread_.join();
    }
}

void flusher::when_durable(std::shared_ptr<partition_log> log, model::offset offset,
                           std::function<void(bool)> done) {
    {
        std::lock_guard g(mu_);
        if (!stopping_) {
            waiters_.push_back({std::move(log), offset, std::move(done)});
            cv_.notify_one();
            return;
        }
    }
    done(false);
}

void flusher::mark_dirty(std::shared_ptr<partition_log> log) {
    std::lock_guard g(mu_);
    if (stopping_) {
        return;
    }
    if (dirty_.empty()) {
        dirty_since_ = std::chrono::steady_clock::now();
        cv_.notify_one();
    }
    dirty_.push_back(std::move(log));
}

void flusher::set_on_advance(
    std::function<void(const std::vector<std::shared_ptr<partition_log>>&)> cb) {
    std::lock_guard g(mu_);
    on_advance_ = std::move(cb);
}

void flusher::run() {
    std::unique_lock lk(mu_);
    for (;;) {
        while (!stopping_ && waiters_.empty()) {
            if (dirty_.empty()) {
                cv_.wait(lk);
                continue;
            }
            auto deadline = dirty_since_ + max_delay_;
            if (std::chrono::steady_clock::now() >= deadline) {
                break;
            }
            cv_.wait_until(lk, deadline);
        }
        const bool last_round = stopping_;
        std::vector<waiter> waiters = std::move(waiters_);
        waiters_.clear();
        for (auto& w : parked_) {
            waiters.push_back(std::move(w));
        }
        parked_.clear();
        std::vector<std::shared_ptr<partition_log>> dirty = std::move(dirty_);
        dirty_.clear();
        auto on_advance = on_advance_;
        lk.unlock();

        // One flush per log per round, however many waiters it has.
        std::vector<std::shared_ptr<partition_log>> logs;
        std::unordered_set<partition_log*> seen;
        for (auto& l : dirty) {
            if (seen.insert(l.get()).second) {
                logs.push_back(l);
            }
        }
        for (auto& w : waiters) {
            if (seen.insert(w.log.get()).second) {
                logs.push_back(w.log);
            }
        }
        std::vector<std::shared_ptr<partition_log>> to_flush;
        for (auto& l : logs) {
            if (l->has_unflushed()) {
                to_flush.push_back(l);
            }
        }
        // Syncs of different partitions run concurrently: the file system can then share one
        // journal commit between them instead of paying for each in turn (measured in
        // docs/benchmarks.md). The flusher thread takes the first log itself.
        std::vector<model::offset> before(to_flush.size());
        std::vector<char> ok(to_flush.size(), 1);
        auto flush_one = [&](size_t i) {
            before[i] = to_flush[i]->high_watermark();
            if (auto r = to_flush[i]->flush(); !r) {
                spdlog::error("flush of {}-{} failed: {}", to_flush[i]->tp().topic,
                              to_flush[i]->tp().partition.value(), r.error());
                ok[i] = 0;
            }
        };
        std::vector<std::future<void>> helpers;
        for (size_t i = 1; i < to_flush.size(); ++i) {
            helpers.push_back(std::async(std::launch::async, flush_one, i));
        }
        if (!to_flush.empty()) {
            flush_one(0);
        }
        for (auto& h : helpers) {
            h.get();
        }
        std::unordered_set<partition_log*> failed;
        std::vector<std::shared_ptr<partition_log>> advanced;
        for (size_t i = 0; i < to_flush.size(); ++i) {
            if (!ok[i]) {
                failed.insert(to_flush[i].get());
            }
            if (to_flush[i]->high_watermark() > before[i]) {
                advanced.push_back(to_flush[i]);
            }
        }
        std::vector<waiter> parked;
        for (auto& w : waiters) {
            if (w.log->high_watermark() > w.offset) {
                w.done(true);
            } else if (failed.count(w.log.get()) || last_round) {
                w.done(false);
            } else {
                parked.push_back(std::move(w));
            }
        }
        if (on_advance && !advanced.empty()) {
            on_advance(advanced);
        }
        lk.lock();
        for (auto& w : parked) {
            parked_.push_back(std::move(w));
        }
        if (last_round) {
            return;
        }
    }
}

}  // namespace otter::storage

// channel<T>: a bounded single-producer single-consumer queue of elements between two subtasks.
//
// An element is a batch of records or a control element (watermark, idle/active status,
// checkpoint barrier, end of input), so control stays ordered with data. The queue holds at most
// `capacity` elements: a full channel blocks its producer, which is the engine's backpressure.
// Consumers of several channels share one `doorbell` that producers ring after each push, so a
// consumer sleeps until any input has data. Thread-safe for one producer and one consumer (a mutex
// per channel: taken once per batch, not per record).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include "stream/batch.h"
#include "stream/stats.h"

namespace otter::stream {

// Wakes a consumer thread when any of its inputs (or its checkpoint trigger) has news.
class doorbell {
  public:
    void ring() {
        {
            std::lock_guard lk(mu_);
            ++seq_;
        }
        cv_.notify_one();
    }
    uint64_t seq() const {
        std::lock_guard lk(mu_);
        return seq_;
    }
    // Waits until the sequence moves past `seen` or `timeout` passes.
    void wait(uint64_t seen, std::chrono::microseconds timeout) {
        std::unique_lock lk(mu_);
        cv_.wait_for(lk, timeout, [&] { return seq_ != seen; });
    }

  private:
    mutable std::mutex mu_;
    std::condition_variable cv_;
    uint64_t seq_ = 0;  // guarded by mu_
};

enum class element_kind : uint8_t { records, watermark, idle, active, barrier, end };

template <typename T>
struct element {
    element_kind kind = element_kind::records;
    int64_t value = 0;  // the watermark, or the checkpoint id of a barrier
    batch<T> data;      // records only
};

class channel_base {
  public:
    virtual ~channel_base() = default;
    // Wakes and fails a blocked producer; later pushes fail. Used when a job is cancelled.
    virtual void close() = 0;
    // Where a push that has to wait for room records its blocked time (the producing operator
    // subtask); null: not recorded. Set before the job starts.
    void set_producer_stats(operator_stats* s) { producer_ = s; }

  protected:
    operator_stats* producer_ = nullptr;
};

template <typename T>
class channel final : public channel_base {
  public:
    channel(size_t capacity, doorbell* consumer) : ring_(capacity), consumer_(consumer) {}

    // Appends `e`, blocking while the channel is full. Returns false if the channel was closed.
    bool push(element<T>&& e) {
        {
            std::unique_lock lk(mu_);
            if (size_ == ring_.size() && !closed_) {
                wait_for_room(lk);
            }
            if (closed_) {
                return false;
            }
            ring_[(head_ + size_) % ring_.size()] = std::move(e);
            ++size_;
        }
        consumer_->ring();
        return true;
    }

    // Takes the oldest element if there is one.
    bool try_pop(element<T>& out) {
        bool was_full;
        {
            std::lock_guard lk(mu_);
            if (size_ == 0) {
                return false;
            }
            was_full = size_ == ring_.size();
            out = std::move(ring_[head_]);
            head_ = (head_ + 1) % ring_.size();
            --size_;
        }
        if (was_full) {
            not_full_.notify_one();
        }
        return true;
    }

    void close() override {
        {
            std::lock_guard lk(mu_);
            closed_ = true;
        }
        not_full_.notify_all();
    }

  private:
    // Backpressure: only this path reads the clock, never a push that finds room.
    void wait_for_room(std::unique_lock<std::mutex>& lk) {
        const int64_t t0 = steady_now_ns();
        if (producer_ != nullptr) {
            producer_->blocked_since_ns.store(t0, std::memory_order_relaxed);
        }
        not_full_.wait(lk, [&] { return size_ < ring_.size() || closed_; });
        if (producer_ != nullptr) {
            const int64_t t1 = steady_now_ns();
            producer_->blocked_ns.fetch_add(static_cast<uint64_t>(t1 > t0 ? t1 - t0 : 0),
                                            std::memory_order_relaxed);
            producer_->blocked_since_ns.store(0, std::memory_order_relaxed);
        }
    }

    std::mutex mu_;
    std::condition_variable not_full_;
    std::vector<element<T>> ring_;  // guarded by mu_
    size_t head_ = 0;               // guarded by mu_
    size_t size_ = 0;               // guarded by mu_
    bool closed_ = false;           // guarded by mu_
    doorbell* consumer_;
};

}  // namespace otter::stream

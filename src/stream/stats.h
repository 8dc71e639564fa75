// Per operator subtask runtime figures: records in and out, the current watermark, and the time the
// subtask spent blocked on a full downstream channel (backpressure).
//
// Writers are the subtask's own task thread (records, watermark) and the channel a blocked push
// waits in (backpressure, the same thread); readers are any thread (job::status(), the metrics
// collector). Every field is a relaxed atomic updated once per batch or control element, never per
// record, and without allocation. Each instance sits on its own cache line so that tasks on
// different cores do not share lines.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>

#include "stream/operator.h"
#include "stream/time.h"

namespace otter::stream {

struct alignas(64) operator_stats {
    std::atomic<uint64_t> records_in{0};
    std::atomic<uint64_t> records_out{0};
    // The watermark of the operator's input (for a source: the watermark it emits);
    // min_timestamp until the first one, max_timestamp after end of input.
    std::atomic<int64_t> watermark{min_timestamp};
    // Nanoseconds blocked in a push to a full channel (completed waits only) and, while a push is
    // blocked, the steady-clock time (ns since its epoch) the wait began; 0 when not blocked.
    std::atomic<uint64_t> blocked_ns{0};
    std::atomic<int64_t> blocked_since_ns{0};

    // Blocked time including a wait in progress at steady-clock time `now_ns`.
    uint64_t blocked_total_ns(int64_t now_ns) const {
        uint64_t done = blocked_ns.load(std::memory_order_relaxed);
        int64_t since = blocked_since_ns.load(std::memory_order_relaxed);
        return since != 0 && now_ns > since ? done + static_cast<uint64_t>(now_ns - since) : done;
    }
};

inline int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// True when `wm` is a point in time rather than "no watermark yet" or "end of input".
inline bool is_real_watermark(int64_t wm) {
    return wm != min_timestamp && wm != max_timestamp;
}

// Sits in front of an operator's input (or an exchange writer) and counts what passes: the
// records into the consumer and out of the producer, and the consumer's watermark. One virtual call
// and one or two relaxed atomic adds per batch. Not thread-safe: the task thread owns it.
template <typename T>
class counting_output final : public output<T> {
  public:
    // `in` (consumer) and `out` (producer) may be null; `producer_is_source`: the producer is a
    // source, whose watermark is the one it emits into this edge.
    counting_output(output<T>* target, operator_stats* in, operator_stats* out,
                    bool producer_is_source)
        : target_(target), in_(in), out_(out), source_(producer_is_source) {}

    void push(batch<T>&& b) override {
        const uint64_t n = b.size();
        if (in_ != nullptr) {
            in_->records_in.fetch_add(n, std::memory_order_relaxed);
        }
        if (out_ != nullptr) {
            out_->records_out.fetch_add(n, std::memory_order_relaxed);
        }
        target_->push(std::move(b));
    }
    void on_watermark(int64_t wm) override {
        if (in_ != nullptr) {
            in_->watermark.store(wm, std::memory_order_relaxed);
        }
        if (source_ && out_ != nullptr) {
            out_->watermark.store(wm, std::memory_order_relaxed);
        }
        target_->on_watermark(wm);
    }
    void on_idle(bool idle) override { target_->on_idle(idle); }
    void on_barrier(uint64_t id) override { target_->on_barrier(id); }
    void on_end() override { target_->on_end(); }

  private:
    output<T>* target_;
    operator_stats* in_;
    operator_stats* out_;
    bool source_;
};

// Type-erased factory of counting_output<T> for a node whose input type is T.
template <typename T>
std::unique_ptr<output_base> make_counting_output(output_base* target, operator_stats* in,
                                                  operator_stats* out, bool producer_is_source) {
    return std::make_unique<counting_output<T>>(static_cast<output<T>*>(target), in, out,
                                                producer_is_source);
}

}  // namespace otter::stream

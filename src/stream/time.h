// Time vocabulary of the stream engine: event-time timestamps, windows, and clocks.
//
// Timestamps (event time and processing time) are milliseconds since the Unix epoch held in an
// `int64_t` inside batches and state, because they sit on the per-record hot path; durations at the
// API are std::chrono::milliseconds. A watermark W promises that no more records with a timestamp
// <= W will arrive (Flink's convention): a record with ts <= W is late.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <limits>

namespace otter::stream {

using millis = std::chrono::milliseconds;

inline constexpr int64_t min_timestamp = std::numeric_limits<int64_t>::min();
inline constexpr int64_t max_timestamp = std::numeric_limits<int64_t>::max();

// A half-open event-time interval [start, end). The global window is [min, max).
struct time_window {
    int64_t start = min_timestamp;
    int64_t end = max_timestamp;

    // The last timestamp inside the window; results of the window carry it.
    int64_t max_ts() const { return end == max_timestamp ? max_timestamp : end - 1; }
    bool intersects(const time_window& o) const { return start <= o.end && o.start <= end; }
    time_window cover(const time_window& o) const {
        return {start < o.start ? start : o.start, end > o.end ? end : o.end};
    }
    auto operator<=>(const time_window&) const = default;
};

inline constexpr time_window global_window{};

// Processing time source. Thread-safe. Tests use manual_clock so that processing-time behaviour
// (idleness, processing-time timers, TTL) is deterministic.
class clock {
  public:
    virtual ~clock() = default;
    virtual int64_t now_ms() const = 0;
};

class system_clock final : public clock {
  public:
    int64_t now_ms() const override {
        return std::chrono::duration_cast<millis>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

class manual_clock final : public clock {
  public:
    explicit manual_clock(int64_t start = 0) : now_(start) {}
    int64_t now_ms() const override { return now_.load(std::memory_order_acquire); }
    void advance(millis d) { now_.fetch_add(d.count(), std::memory_order_acq_rel); }
    void set(int64_t t) { now_.store(t, std::memory_order_release); }

  private:
    std::atomic<int64_t> now_;
};

}  // namespace otter::stream

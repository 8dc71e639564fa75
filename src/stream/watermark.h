// Watermark combination: the watermark of an operator is the minimum over its inputs.
//
// watermark_valve tracks N inputs (the splits of a source subtask, or the input channels of a
// task). An input is active, idle (excluded from the minimum until it wakes), or ended (counts as
// +inf). The output watermark is monotonic: an input that wakes up behind the current watermark
// does not pull it back; it rejoins the minimum once it catches up. When every non-ended input is
// idle the output is idle and does not advance. Not thread-safe: owned by one task.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "stream/time.h"

namespace otter::stream {

class watermark_valve {
  public:
    explicit watermark_valve(size_t inputs);

    // Input `i` reports watermark `wm`. Returns the new output watermark if it advanced.
    std::optional<int64_t> on_watermark(size_t i, int64_t wm);
    // Input `i` became idle (true) or active (false). Returns the new output watermark if it
    // advanced (excluding an input can only raise the minimum).
    std::optional<int64_t> on_idle(size_t i, bool idle);
    // Marks inputs idle together (as of one instant), then recomputes once, so the result does
    // not depend on the order in which simultaneous timeouts are noticed.
    std::optional<int64_t> on_idle_all(const std::vector<size_t>& inputs);
    // Input `i` ended: it no longer holds the watermark back.
    std::optional<int64_t> on_end(size_t i);

    int64_t current() const { return out_; }
    bool input_idle(size_t i) const { return in_[i].idle; }
    bool input_ended(size_t i) const { return in_[i].ended; }
    int64_t input_watermark(size_t i) const { return in_[i].wm; }
    // True when no input is active (all idle or ended, at least one idle).
    bool all_idle() const;
    bool all_ended() const;
    size_t size() const { return in_.size(); }

  private:
    struct input {
        int64_t wm = min_timestamp;
        bool idle = false;
        bool ended = false;
    };
    std::optional<int64_t> recompute();

    std::vector<input> in_;
    int64_t out_ = min_timestamp;
};

// Bounded out-of-orderness: after seeing max timestamp M, the watermark is M - delay - 1, so a
// record up to `delay` ms older than the newest one is still on time.
inline int64_t bounded_watermark(int64_t max_ts, millis delay) {
    if (max_ts == min_timestamp) {
        return min_timestamp;
    }
    return max_ts - delay.count() - 1;
}

}  // namespace otter::stream

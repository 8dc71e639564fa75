#include "stream/watermark.h"

#include "base/assert.h"

namespace otter::stream {

watermark_valve::watermark_valve(size_t inputs) : in_(inputs) {}

std::optional<int64_t> watermark_valve::on_watermark(size_t i, int64_t wm) {
    OTTER_ASSERT(i < in_.size(), "watermark input out of range");
    if (wm > in_[i].wm) {
        in_[i].wm = wm;
    }
    return recompute();
}

std::optional<int64_t> watermark_valve::on_idle(size_t i, bool idle) {
    OTTER_ASSERT(i < in_.size(), "idle input out of range");
    in_[i].idle = idle;
    return recompute();
}

std::optional<int64_t> watermark_valve::on_idle_all(const std::vector<size_t>& inputs) {
    for (size_t i : inputs) {
        OTTER_ASSERT(i < in_.size(), "idle input out of range");
        in_[i].idle = true;
    }
    return recompute();
}

std::optional<int64_t> watermark_valve::on_end(size_t i) {
    OTTER_ASSERT(i < in_.size(), "end input out of range");
    in_[i].ended = true;
    in_[i].idle = false;
    in_[i].wm = max_timestamp;
    return recompute();
}

bool watermark_valve::all_idle() const {
    bool any_idle = false;
    for (const auto& in : in_) {
        if (!in.ended && !in.idle) {
            return false;
        }
        any_idle = any_idle || in.idle;
    }
    return any_idle;
}

bool watermark_valve::all_ended() const {
    for (const auto& in : in_) {
        if (!in.ended) {
            return false;
        }
    }
    return true;
}

std::optional<int64_t> watermark_valve::recompute() {
    bool any_active = false;
    int64_t m = max_timestamp;
    for (const auto& in : in_) {
        if (in.idle || in.ended) {
            continue;
        }
        any_active = true;
        m = in.wm < m ? in.wm : m;
    }
    if (!any_active && !all_ended()) {
        return std::nullopt;  // every live input is idle: hold the watermark
    }
    if (m > out_) {
        out_ = m;
        return out_;
    }
    return std::nullopt;
}

}  // namespace otter::stream

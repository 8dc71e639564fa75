// Nexmark per-bidder window counts: q11 (event-time SESSION windows) and q12 (processing-time
// TUMBLE windows).
#pragma once

#include <chrono>
#include <cstdint>
#include <tuple>

#include "nexmark/model.h"
#include "nexmark/rows.h"
#include "stream/api.h"

namespace otter::nexmark {

// q11: SELECT bidder, count(*) AS bid_count, SESSION_START(dateTime, 10 s) AS starttime,
//             SESSION_END(dateTime, 10 s) AS endtime FROM bid GROUP BY bidder, SESSION(...)
// The engine's session windows have Flink's semantics: a bid opens [ts, ts + gap), windows that
// overlap or touch merge (a bid exactly `gap` after the previous one stays in the session), so a
// session starts at its first bid and ends at its last bid + gap.
inline constexpr int64_t q11_gap_ms = 10'000;

inline stream::stream<q11_row> q11(stream::stream<event> events) {
    using count_row = stream::window_result<int64_t, int64_t>;
    return events.filter([](const event& e) { return e.is_bid(); }, "bids")
        .map([](event&& e) { return std::get<bid>(e.v).bidder; }, "bidder")
        .key_by([](const int64_t& b) { return b; })
        .window(stream::session(std::chrono::milliseconds(q11_gap_ms)))
        .aggregate(stream::count_agg{}, "q11.sessions")
        .map(
            [](count_row&& r) {
                return q11_row{r.key, r.value, r.window.start, r.window.end};
            },
            "q11");
}

// q12: SELECT bidder, count(*) AS bid_count, window_start AS starttime, window_end AS endtime
//      FROM TUMBLE(bid with PROCTIME() AS p_time, p_time, 10 s) GROUP BY bidder, window
// The engine has no processing-time windows; this is a keyed process function: per bidder the
// current window (start from the task's clock when the bid is processed) and its count. The window
// is emitted by a processing-time timer at its end - 1, or when a bid of the same bidder falls in
// a later window first (timers fire between batches), and at the end of the input (an event-time
// timer at the final watermark) so a bounded run counts every bid. Windows depend on the wall
// clock, so only the per-bidder totals are reproducible.
inline constexpr int64_t q12_window_ms = 10'000;

struct q12_acc {
    int64_t start = 0;
    int64_t count = 0;
    auto members() { return std::tie(start, count); }
};

struct q12_count {
    stream::value_state<int64_t, q12_acc>* acc = nullptr;

    void open(stream::keyed_state_backend<int64_t>& st) { acc = &st.value<q12_acc>("q12.window"); }
    void process_element(const int64_t&, stream::keyed_context<int64_t, q12_row>& ctx) {
        const int64_t now = ctx.current_processing_time();
        const int64_t start = now - (((now % q12_window_ms) + q12_window_ms) % q12_window_ms);
        const auto* a = acc->get();
        if (a != nullptr && a->start == start) {
            acc->update({start, a->count + 1});
            return;
        }
        if (a == nullptr) {
            ctx.register_event_time_timer(stream::max_timestamp);
        } else {
            emit(*a, ctx);
        }
        acc->update({start, 1});
        ctx.register_processing_time_timer(start + q12_window_ms - 1);
    }
    void on_timer(int64_t t, stream::time_domain d, stream::keyed_context<int64_t, q12_row>& ctx) {
        const auto* a = acc->get();
        if (a == nullptr) {
            return;
        }
        if (d == stream::time_domain::event_time || a->start + q12_window_ms - 1 <= t) {
            emit(*a, ctx);
            acc->clear();
            if (d == stream::time_domain::processing_time) {
                // The end-of-input timer goes with the state; the next bid registers it again.
                ctx.delete_event_time_timer(stream::max_timestamp);
            }
        }
    }
    static void emit(const q12_acc& a, stream::keyed_context<int64_t, q12_row>& ctx) {
        ctx.emit(q12_row{ctx.key(), a.count, a.start, a.start + q12_window_ms});
    }
};

inline stream::stream<q12_row> q12(stream::stream<event> events) {
    return events.filter([](const event& e) { return e.is_bid(); }, "bids")
        .map([](event&& e) { return std::get<bid>(e.v).bidder; }, "bidder")
        .key_by([](const int64_t& b) { return b; })
        .process<q12_row>(q12_count{}, "q12.count");
}

}  // namespace otter::nexmark

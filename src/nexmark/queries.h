// Nexmark queries as engine jobs, with the semantics of the Flink SQL versions
// (nexmark/nexmark `queries/q*.sql`; `bid` = the events with event_type 2, watermark = event time
// − 4 s). Each qN takes the event stream and returns the query's output stream; end it in any
// sink (blackhole_sink for benchmarks, stream::collecting_sink for results). Row types and their
// column names: rows.h; q0–q2 and q5 here, the joins q3/q4/q7/q8 in queries_join.h, q11/q12 in
// queries_window.h.
//
//   stream::environment env(stream::job_config{.name = "q1", .parallelism = 2});
//   auto out = std::make_shared<blackhole_sink<q1_row>>();
//   q1(nexmark_events(env, cfg)).sink(out);
//   env.execute();
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "nexmark/queries_join.h"
#include "nexmark/queries_window.h"
#include "nexmark/rows.h"
#include "nexmark/source.h"
#include "stream/api.h"

namespace otter::nexmark {

// `WATERMARK FOR dateTime AS dateTime - INTERVAL '4' SECOND` (ddl_gen.sql).
inline stream::watermark_strategy<event> nexmark_watermarks() {
    using namespace std::chrono_literals;
    return stream::watermark_strategy<event>{}.with_out_of_orderness(4000ms);
}

// The generator as the job's source, read by `parallelism` subtasks (0: the job's); the config's
// num_event_generators is the number of splits (Flink uses one generator per source subtask).
inline stream::stream<event> nexmark_events(stream::environment& env, const generator_config& cfg,
                                            uint32_t parallelism = 0) {
    return env.from_source<event>(std::make_shared<nexmark_source>(cfg), nexmark_watermarks(),
                                  parallelism, "nexmark");
}

inline constexpr int64_t q2_auction_skip = 123;

// Filter then map (not flat_map): the filter compacts in place and the map moves the strings
// out of the events, so no string is copied.
inline stream::stream<q0_row> q0(stream::stream<event> events) {
    return events.filter([](const event& e) { return e.is_bid(); }, "bids")
        .map(
            [](event&& e) {
                auto& b = std::get<bid>(e.v);
                return q0_row{b.auction, b.bidder, b.price, b.date_time, std::move(b.extra)};
            },
            "q0");
}

inline stream::stream<q1_row> q1(stream::stream<event> events) {
    return events.filter([](const event& e) { return e.is_bid(); }, "bids")
        .map(
            [](event&& e) {
                auto& b = std::get<bid>(e.v);
                return q1_row{b.auction, b.bidder, b.price * 908, b.date_time, std::move(b.extra)};
            },
            "q1");
}

inline stream::stream<q2_row> q2(stream::stream<event> events) {
    return events
        .filter(
            [](const event& e) { return e.is_bid() && e.as_bid().auction % q2_auction_skip == 0; },
            "q2.filter")
        .map(
            [](event&& e) {
                const auto& b = std::get<bid>(e.v);
                return q2_row{b.auction, b.price};
            },
            "q2");
}

// q5 (hot items): per HOP window (size 10 s, slide 2 s) the auctions with the most bids:
//   SELECT auction, num FROM (count(*) per auction, window) AuctionBids
//   JOIN (max of those counts per window) MaxBids ON same window AND num >= maxn.
// Rows also carry the window (Flink's starttime / endtime) so results can be compared per window.
// Stage 1: bids per auction per sliding window (keyed by auction). Stage 2: the counts of one
// window arrive with timestamp window.end - 1, keyed by window end; a 2 s tumbling window holds
// exactly the results of one sliding window (slide = 2 s) and emits the maxima.
inline stream::stream<q5_row> q5(stream::stream<event> events) {
    using namespace std::chrono_literals;
    auto counts = events.filter([](const event& e) { return e.is_bid(); }, "bids")
                      .map([](event&& e) { return std::get<bid>(e.v).auction; }, "auction")
                      .key_by([](const int64_t& a) { return a; })
                      .window(stream::sliding(10000ms, 2000ms))
                      .aggregate(stream::count_agg{}, "q5.count");
    using count_row = stream::window_result<int64_t, int64_t>;
    return counts.key_by([](const count_row& r) { return r.window.end; })
        .window(stream::tumbling(2000ms))
        .template process<q5_row>(
            [](const int64_t&, const stream::time_window&, const std::vector<count_row>& rows,
               stream::collector<q5_row>& out) {
                int64_t max = 0;
                for (const auto& r : rows) {
                    max = std::max(max, r.value);
                }
                for (const auto& r : rows) {
                    if (r.value >= max) {
                        out.emit({r.key, r.value, r.window.start, r.window.end});
                    }
                }
            },
            "q5.max");
}

// Discards records, counting them (the reference's `blackhole` connector).
template <typename T>
class blackhole_sink final : public stream::sink<T> {
  public:
    std::unique_ptr<stream::sink_writer<T>> create_writer(
        const stream::operator_context&) override {
        return std::make_unique<w>(count_);
    }
    uint64_t count() const { return count_.load(std::memory_order_relaxed); }

  private:
    class w final : public stream::sink_writer<T> {
      public:
        explicit w(std::atomic<uint64_t>& c) : c_(c) {}
        void write(stream::batch<T>&& b) override {
            c_.fetch_add(b.size(), std::memory_order_relaxed);
        }

      private:
        std::atomic<uint64_t>& c_;
    };
    std::atomic<uint64_t> count_{0};
};

}  // namespace otter::nexmark

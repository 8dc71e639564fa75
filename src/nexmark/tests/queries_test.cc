// Query tests: every query as an engine job (parallelism 1 and 2, several generator instances)
// returns exactly (as a multiset) what a plain, straightforward loop over the same generated
// events returns; hand-made event sequences check the join and window edge cases (a side arriving
// late, bids on window boundaries).
#include "nexmark/queries.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

namespace otter::nexmark {
namespace {

// Every event of every instance of `cfg`, generated without the engine.
std::vector<event> all_events(const generator_config& cfg) {
    std::vector<event> out;
    for (const auto& inst : split_instances(cfg)) {
        generator g(cfg, inst);
        while (g.has_next()) {
            out.push_back(g.next());
        }
    }
    return out;
}

template <typename Row, typename Query>
std::vector<Row> run(const generator_config& cfg, uint32_t parallelism, Query query) {
    stream::environment env(stream::job_config{.name = "nexmark", .parallelism = parallelism});
    auto out = std::make_shared<stream::collecting_sink<Row>>();
    query(nexmark_events(env, cfg)).sink(out);
    auto r = env.execute();
    EXPECT_TRUE(r.has_value());
    auto rows = out->results();
    std::sort(rows.begin(), rows.end());
    return rows;
}

struct param {
    uint32_t parallelism;
    uint32_t generators;
};

class nexmark_queries : public ::testing::TestWithParam<param> {
  protected:
    generator_config cfg() const {
        return generator_config{
            .num_event_generators = GetParam().generators, .max_events = 60'001, .seed = 17};
    }
};

TEST_P(nexmark_queries, q0_equals_a_plain_loop) {
    std::vector<q0_row> want;
    for (const auto& e : all_events(cfg())) {
        if (e.is_bid()) {
            const auto& b = e.as_bid();
            want.push_back({b.auction, b.bidder, b.price, b.date_time, b.extra});
        }
    }
    std::sort(want.begin(), want.end());
    auto got = run<q0_row>(cfg(), GetParam().parallelism, [](auto s) { return q0(s); });
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
}

TEST_P(nexmark_queries, q1_equals_a_plain_loop) {
    std::vector<q1_row> want;
    for (const auto& e : all_events(cfg())) {
        if (e.is_bid()) {
            const auto& b = e.as_bid();
            want.push_back({b.auction, b.bidder, b.price * 908, b.date_time, b.extra});
        }
    }
    std::sort(want.begin(), want.end());
    auto got = run<q1_row>(cfg(), GetParam().parallelism, [](auto s) { return q1(s); });
    EXPECT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);
    ASSERT_FALSE(got.empty());
    // 0.908 * price, exact as DECIMAL(23, 3).
    EXPECT_DOUBLE_EQ(got[0].price(), 0.908 * static_cast<double>(got[0].price_milli / 908));
}

TEST_P(nexmark_queries, q2_equals_a_plain_loop) {
    std::vector<q2_row> want;
    for (const auto& e : all_events(cfg())) {
        if (e.is_bid() && e.as_bid().auction % 123 == 0) {
            want.push_back({e.as_bid().auction, e.as_bid().price});
        }
    }
    std::sort(want.begin(), want.end());
    ASSERT_GT(want.size(), 10u);
    auto got = run<q2_row>(cfg(), GetParam().parallelism, [](auto s) { return q2(s); });
    EXPECT_EQ(got, want);
}

TEST_P(nexmark_queries, q5_equals_a_plain_loop) {
    // 2,000 events/s of event time: 60,001 events span 30 s, so about 20 windows.
    generator_config c = cfg();
    c.event_rate = 2000;
    std::map<std::pair<int64_t, int64_t>, int64_t> counts;  // (window start, auction) -> bids
    for (const auto& e : all_events(c)) {
        if (!e.is_bid()) {
            continue;
        }
        int64_t ts = e.date_time();
        int64_t last = ts - ((ts % 2000) + 2000) % 2000;  // latest window start <= ts
        for (int64_t s = last; s > ts - 10000; s -= 2000) {
            ++counts[{s, e.as_bid().auction}];
        }
    }
    std::map<int64_t, int64_t> max;
    for (const auto& [k, n] : counts) {
        max[k.first] = std::max(max[k.first], n);
    }
    std::vector<q5_row> want;
    for (const auto& [k, n] : counts) {
        if (n >= max[k.first]) {
            want.push_back({k.second, n, k.first, k.first + 10000});
        }
    }
    std::sort(want.begin(), want.end());
    ASSERT_GT(max.size(), 15u);
    auto got = run<q5_row>(c, GetParam().parallelism, [](auto s) { return q5(s); });
    EXPECT_EQ(got, want);
}

TEST_P(nexmark_queries, q3_equals_a_plain_loop) {
    auto events = all_events(cfg());
    std::map<int64_t, const person*> persons;
    for (const auto& e : events) {
        if (e.is_person()) {
            const auto& p = e.as_person();
            if (p.state == "OR" || p.state == "ID" || p.state == "CA") {
                persons[p.id] = &p;
            }
        }
    }
    std::vector<q3_row> want;
    for (const auto& e : events) {
        if (e.is_auction() && e.as_auction().category == 10) {
            auto it = persons.find(e.as_auction().seller);
            if (it != persons.end()) {
                want.push_back(
                    {it->second->name, it->second->city, it->second->state, e.as_auction().id});
            }
        }
    }
    std::sort(want.begin(), want.end());
    ASSERT_GT(want.size(), 20u);
    auto got = run<q3_row>(cfg(), GetParam().parallelism, [](auto s) { return q3(s); });
    EXPECT_EQ(got, want);
}

// SELECT category, AVG(final) FROM (SELECT MAX(price) AS final, category FROM auction JOIN bid
// ON id = auction AND bid.dateTime BETWEEN auction.dateTime AND expires GROUP BY id, category).
std::vector<q4_row> q4_reference(const std::vector<event>& events) {
    std::map<int64_t, const auction*> auctions;
    for (const auto& e : events) {
        if (e.is_auction()) {
            auctions[e.as_auction().id] = &e.as_auction();
        }
    }
    std::map<int64_t, int64_t> final;  // auction -> max price
    for (const auto& e : events) {
        if (!e.is_bid()) {
            continue;
        }
        const auto& b = e.as_bid();
        auto it = auctions.find(b.auction);
        if (it != auctions.end() && b.date_time >= it->second->date_time &&
            b.date_time <= it->second->expires) {
            auto [f, fresh] = final.emplace(b.auction, b.price);
            if (!fresh) {
                f->second = std::max(f->second, b.price);
            }
        }
    }
    std::map<int64_t, std::pair<int64_t, int64_t>> per_category;
    for (const auto& [id, price] : final) {
        auto& [sum, count] = per_category[auctions[id]->category];
        sum += price;
        ++count;
    }
    std::vector<q4_row> want;
    for (const auto& [c, sc] : per_category) {
        want.push_back({c, sc.first / sc.second, sc.first, sc.second});
    }
    return want;
}

TEST_P(nexmark_queries, q4_equals_a_plain_loop) {
    generator_config c = cfg();
    c.event_rate = 2000;  // 30 s of event time: most auctions close within the run
    auto want = q4_reference(all_events(c));
    ASSERT_EQ(want.size(), 5u);  // categories 10..14
    auto got = run<q4_row>(c, GetParam().parallelism, [](auto s) { return q4(s); });
    EXPECT_EQ(got, want);
}

// Bids whose price is the maximum of a 10 s tumbling window whose [start, end] (inclusive)
// contains their dateTime.
std::vector<q7_row> q7_reference(const std::vector<event>& events) {
    std::map<int64_t, int64_t> max;  // window start -> max price
    for (const auto& e : events) {
        if (e.is_bid()) {
            int64_t s = e.date_time() - e.date_time() % 10000;
            auto [it, fresh] = max.emplace(s, e.as_bid().price);
            if (!fresh) {
                it->second = std::max(it->second, e.as_bid().price);
            }
        }
    }
    std::vector<q7_row> want;
    for (const auto& e : events) {
        if (!e.is_bid()) {
            continue;
        }
        const auto& b = e.as_bid();
        for (const auto& [s, m] : max) {
            if (b.date_time >= s && b.date_time <= s + 10000 && b.price == m) {
                want.push_back({b.auction, b.price, b.bidder, b.date_time, b.extra});
            }
        }
    }
    std::sort(want.begin(), want.end());
    return want;
}

TEST_P(nexmark_queries, q7_equals_a_plain_loop) {
    generator_config c = cfg();
    c.event_rate = 1000;  // 60 s: six windows
    auto want = q7_reference(all_events(c));
    ASSERT_GE(want.size(), 6u);
    auto got = run<q7_row>(c, GetParam().parallelism, [](auto s) { return q7(s); });
    EXPECT_EQ(got, want);
}

std::vector<q8_row> q8_reference(const std::vector<event>& events) {
    std::set<std::pair<int64_t, int64_t>> sellers;  // (seller, window start)
    for (const auto& e : events) {
        if (e.is_auction()) {
            sellers.emplace(e.as_auction().seller, e.date_time() - e.date_time() % 10000);
        }
    }
    std::vector<q8_row> want;
    for (const auto& e : events) {
        if (e.is_person()) {
            int64_t s = e.date_time() - e.date_time() % 10000;
            if (sellers.count({e.as_person().id, s}) != 0) {
                want.push_back({e.as_person().id, e.as_person().name, s});
            }
        }
    }
    std::sort(want.begin(), want.end());
    return want;
}

TEST_P(nexmark_queries, q8_equals_a_plain_loop) {
    generator_config c = cfg();
    c.event_rate = 1000;
    auto want = q8_reference(all_events(c));
    ASSERT_GT(want.size(), 20u);
    auto got = run<q8_row>(c, GetParam().parallelism, [](auto s) { return q8(s); });
    EXPECT_EQ(got, want);
}

// Sessions per bidder: sorted bid times split where the gap exceeds 10 s.
std::vector<q11_row> q11_reference(const std::vector<event>& events) {
    std::map<int64_t, std::vector<int64_t>> times;
    for (const auto& e : events) {
        if (e.is_bid()) {
            times[e.as_bid().bidder].push_back(e.date_time());
        }
    }
    std::vector<q11_row> want;
    for (auto& [bidder, ts] : times) {
        std::sort(ts.begin(), ts.end());
        size_t first = 0;
        for (size_t i = 1; i <= ts.size(); ++i) {
            if (i == ts.size() || ts[i] - ts[i - 1] > 10000) {
                want.push_back(
                    {bidder, static_cast<int64_t>(i - first), ts[first], ts[i - 1] + 10000});
                first = i;
            }
        }
    }
    std::sort(want.begin(), want.end());
    return want;
}

TEST_P(nexmark_queries, q11_equals_a_plain_loop) {
    generator_config c = cfg();
    c.event_rate = 200;  // 300 s: bidders with several sessions
    auto want = q11_reference(all_events(c));
    auto got = run<q11_row>(c, GetParam().parallelism, [](auto s) { return q11(s); });
    std::set<int64_t> bidders;
    for (const auto& r : want) {
        bidders.insert(r.bidder);
    }
    ASSERT_GT(want.size(), bidders.size() + 10);  // some bidders have several sessions
    EXPECT_EQ(got, want);
}

TEST_P(nexmark_queries, q12_counts_every_bid_per_bidder) {
    std::map<int64_t, int64_t> want;
    for (const auto& e : all_events(cfg())) {
        if (e.is_bid()) {
            ++want[e.as_bid().bidder];
        }
    }
    auto rows = run<q12_row>(cfg(), GetParam().parallelism, [](auto s) { return q12(s); });
    std::map<int64_t, int64_t> got;
    std::set<std::pair<int64_t, int64_t>> windows;
    for (const auto& r : rows) {
        got[r.bidder] += r.bid_count;
        EXPECT_EQ(r.endtime - r.starttime, 10000);
        EXPECT_EQ(r.starttime % 10000, 0);
        EXPECT_GT(r.bid_count, 0);
        EXPECT_TRUE(windows.emplace(r.bidder, r.starttime).second) << "window emitted twice";
    }
    EXPECT_EQ(got, want);
}

INSTANTIATE_TEST_SUITE_P(parallelism, nexmark_queries,
                         ::testing::Values(param{1, 1}, param{1, 3}, param{2, 2}, param{2, 5}),
                         [](const auto& info) {
                             return "p" + std::to_string(info.param.parallelism) + "_g" +
                                    std::to_string(info.param.generators);
                         });

// Hand-made event sequences through one query at parallelism 1 and 2.
template <typename Row, typename Query>
std::vector<Row> run_events(std::vector<event> events, uint32_t parallelism, Query query) {
    std::vector<std::vector<stream::timed<event>>> splits(1);
    for (auto& e : events) {
        int64_t ts = e.date_time();
        splits[0].push_back({ts, std::move(e)});
    }
    stream::environment env(stream::job_config{.name = "nexmark", .parallelism = parallelism});
    auto out = std::make_shared<stream::collecting_sink<Row>>();
    query(env.from_source<event>(std::make_shared<stream::vector_source<event>>(std::move(splits)),
                                 nexmark_watermarks(), 1, "events"))
        .sink(out);
    EXPECT_TRUE(env.execute().has_value());
    auto rows = out->results();
    std::sort(rows.begin(), rows.end());
    return rows;
}

event make_person(int64_t id, std::string state, int64_t ts) {
    return event{person{id, "p" + std::to_string(id), "e", "c", "city" + std::to_string(id),
                        std::move(state), ts, ""}};
}
event make_auction(int64_t id, int64_t seller, int64_t category, int64_t ts, int64_t expires) {
    return event{auction{id, "item", "d", 1, 2, ts, expires, seller, category, ""}};
}
event make_bid(int64_t auction_id, int64_t bidder, int64_t price, int64_t ts) {
    return event{bid{auction_id, bidder, price, "ch", "url", ts, "x" + std::to_string(price)}};
}

class nexmark_edges : public ::testing::TestWithParam<uint32_t> {};

TEST_P(nexmark_edges, q3_matches_whichever_side_comes_first) {
    std::vector<event> ev{
        make_auction(2000, 1001, 10, 1000, 9000),  // seller not seen yet
        make_person(1001, "OR", 1100),
        make_auction(2001, 1001, 10, 1200, 9000),  // seller known
        make_auction(2002, 1001, 11, 1300, 9000),  // other category
        make_person(1002, "WA", 1400),             // other state
        make_auction(2003, 1002, 10, 1500, 9000),
    };
    auto got = run_events<q3_row>(ev, GetParam(), [](auto s) { return q3(s); });
    std::vector<q3_row> want{{"p1001", "city1001", "OR", 2000}, {"p1001", "city1001", "OR", 2001}};
    EXPECT_EQ(got, want);
}

TEST_P(nexmark_edges, q4_between_is_inclusive_and_early_bids_count) {
    std::vector<event> ev{
        make_bid(2000, 1, 70, 1000),  // before its auction arrives, in range
        make_bid(2000, 1, 900, 999),  // before the auction's dateTime: no match
        make_auction(2000, 1001, 10, 1000, 5000),
        make_bid(2000, 1, 50, 3000),
        make_bid(2000, 1, 80, 5000),   // at expires: matches
        make_bid(2000, 1, 999, 5001),  // after expires
        make_auction(2001, 1001, 10, 1000, 20000),
        make_bid(2001, 1, 15, 6000),
        make_auction(2002, 1001, 11, 1000, 20000),  // no bids: not in the join
        make_auction(2003, 1001, 12, 1000, 20000),
        make_bid(2003, 1, 7, 30000),  // after expires
        make_bid(2003, 1, 8, 60000),
    };
    auto got = run_events<q4_row>(ev, GetParam(), [](auto s) { return q4(s); });
    // Category 10: closing prices 80 and 15, AVG truncated: 95 / 2 = 47.
    std::vector<q4_row> want{{10, 47, 95, 2}};
    EXPECT_EQ(got, want);
    EXPECT_EQ(got, q4_reference(ev));
}

TEST_P(nexmark_edges, q7_a_bid_on_a_window_boundary_matches_both_windows) {
    std::vector<event> ev{
        make_bid(1, 1, 50, 1000),  make_bid(2, 2, 70, 5000),
        make_bid(3, 3, 70, 9999),   // ties with the maximum of [0, 10000)
        make_bid(4, 4, 70, 10000),  // in [10000, 20000) and at the end of [0, 10000]
        make_bid(5, 5, 60, 10000), make_bid(6, 6, 20, 15000),
        make_bid(7, 7, 10, 30000),  // [20000, 30000) has no bids; this one is on its end
        make_bid(8, 8, 10, 35000),
    };
    auto got = run_events<q7_row>(ev, GetParam(), [](auto s) { return q7(s); });
    EXPECT_EQ(got, q7_reference(ev));
    std::vector<q7_row> want{{2, 70, 2, 5000, "x70"},  {3, 70, 3, 9999, "x70"},
                             {4, 70, 4, 10000, "x70"}, {4, 70, 4, 10000, "x70"},
                             {7, 10, 7, 30000, "x10"}, {8, 10, 8, 35000, "x10"}};
    EXPECT_EQ(got, want);
}

TEST_P(nexmark_edges, q8_same_window_only_and_either_order) {
    std::vector<event> ev{
        make_auction(2000, 1001, 10, 500, 9000),  // before its seller registered, same window
        make_person(1001, "OR", 600),
        make_auction(2001, 1001, 10, 700, 9000),  // a second auction: still one row
        make_person(1002, "OR", 9999),
        make_auction(2002, 1002, 10, 10000, 20000),  // next window: no row
        make_person(1003, "OR", 12000),
        make_auction(2003, 1003, 10, 19999, 30000),
    };
    auto got = run_events<q8_row>(ev, GetParam(), [](auto s) { return q8(s); });
    std::vector<q8_row> want{{1001, "p1001", 0}, {1003, "p1003", 10000}};
    EXPECT_EQ(got, want);
    EXPECT_EQ(got, q8_reference(ev));
}

TEST_P(nexmark_edges, q11_a_gap_of_exactly_ten_seconds_stays_in_the_session) {
    std::vector<event> ev{
        make_bid(1, 7, 1, 1000),
        make_bid(1, 7, 1, 11000),  // gap 10 s: same session
        make_bid(1, 7, 1, 21001),  // gap 10.001 s: new session
        make_bid(1, 8, 1, 5000),
    };
    auto got = run_events<q11_row>(ev, GetParam(), [](auto s) { return q11(s); });
    std::vector<q11_row> want{{7, 1, 21001, 31001}, {7, 2, 1000, 21000}, {8, 1, 5000, 15000}};
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want);
    EXPECT_EQ(got, q11_reference(ev));
}

INSTANTIATE_TEST_SUITE_P(parallelism, nexmark_edges, ::testing::Values(1u, 2u),
                         [](const auto& info) { return "p" + std::to_string(info.param); });

// A job killed after two checkpoints and restored from the latest produces, through the same
// (two-phase-commit) sinks, exactly the output of an uninterrupted run: the source resumes at the
// saved event counts and regenerates the very same events; the queries' state and timers restore.
TEST(nexmark_recovery, kill_and_restore_equals_an_uninterrupted_run) {
    using namespace std::chrono_literals;
    auto dir =
        std::filesystem::temp_directory_path() / ("nexmark_recovery_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    generator_config cfg{
        .event_rate = 2000, .num_event_generators = 2, .max_events = 40'000, .seed = 5};
    auto config = [&] {
        return stream::job_config{
            .name = "recovery", .parallelism = 2, .checkpoint_dir = dir.string()};
    };
    struct sinks {
        std::shared_ptr<stream::collecting_sink<q1_row>> q1s =
            std::make_shared<stream::collecting_sink<q1_row>>();
        std::shared_ptr<stream::collecting_sink<q5_row>> q5s =
            std::make_shared<stream::collecting_sink<q5_row>>();
        std::shared_ptr<stream::collecting_sink<q3_row>> q3s =
            std::make_shared<stream::collecting_sink<q3_row>>();
        std::shared_ptr<stream::collecting_sink<q4_row>> q4s =
            std::make_shared<stream::collecting_sink<q4_row>>();
        std::shared_ptr<stream::collecting_sink<q7_row>> q7s =
            std::make_shared<stream::collecting_sink<q7_row>>();
        std::shared_ptr<stream::collecting_sink<q8_row>> q8s =
            std::make_shared<stream::collecting_sink<q8_row>>();
    };
    auto build = [](stream::environment& env, std::shared_ptr<nexmark_source> src, sinks& s) {
        auto events = env.from_source<event>(src, nexmark_watermarks(), 0, "nexmark");
        q1(events).sink(s.q1s);
        q5(events).sink(s.q5s);
        q3(events).sink(s.q3s);
        q4(events).sink(s.q4s);
        q7(events).sink(s.q7s);
        q8(events).sink(s.q8s);
    };
    auto sorted = [](auto v) {
        std::sort(v.begin(), v.end());
        return v;
    };
    sinks want;
    {
        stream::environment env(config());
        build(env, std::make_shared<nexmark_source>(cfg), want);
        ASSERT_TRUE(env.execute().has_value());
    }
    std::filesystem::remove_all(dir);
    sinks got;
    {
        auto limit = std::make_shared<std::atomic<int64_t>>(5000);
        auto src = std::make_shared<nexmark_source>(cfg, limit);
        stream::environment env(config());
        build(env, src, got);
        auto j = env.create_job();
        ASSERT_TRUE(j.has_value());
        (*j)->start();
        auto wait_for = [&](int64_t n) {
            for (int i = 0; i < 4000 && src->emitted() < n; ++i) {
                std::this_thread::sleep_for(5ms);
            }
            return src->emitted() == n;
        };
        ASSERT_TRUE(wait_for(10'000));
        ASSERT_TRUE((*j)->trigger_checkpoint().has_value());
        limit->store(9000);
        ASSERT_TRUE(wait_for(18'000));
        ASSERT_TRUE((*j)->trigger_checkpoint().has_value());
        limit->store(15'000);
        ASSERT_TRUE(wait_for(30'000));
        (*j)->cancel();
        EXPECT_FALSE((*j)->wait().has_value());
    }
    EXPECT_LT(got.q1s->results().size(), want.q1s->results().size());
    {
        stream::environment env(config());
        build(env, std::make_shared<nexmark_source>(cfg), got);
        auto j = env.create_job(stream::run_options{"latest"});
        ASSERT_TRUE(j.has_value());
        ASSERT_TRUE((*j)->restored_from());
        (*j)->start();
        ASSERT_TRUE((*j)->wait().has_value());
    }
    EXPECT_TRUE(sorted(got.q1s->results()) == sorted(want.q1s->results()));
    EXPECT_EQ(sorted(got.q5s->results()), sorted(want.q5s->results()));
    EXPECT_GT(want.q5s->results().size(), 5u);
    // The joins' keyed state and timers (q3/q4/q8 per key, q7 per window namespace) restore too.
    EXPECT_EQ(sorted(got.q3s->results()), sorted(want.q3s->results()));
    EXPECT_EQ(sorted(got.q4s->results()), sorted(want.q4s->results()));
    EXPECT_TRUE(sorted(got.q7s->results()) == sorted(want.q7s->results()));
    EXPECT_EQ(sorted(got.q8s->results()), sorted(want.q8s->results()));
    EXPECT_EQ(want.q4s->results().size(), 5u);
    EXPECT_GT(want.q7s->results().size(), 1u);
    EXPECT_GT(want.q3s->results().size(), 5u);
    EXPECT_GT(want.q8s->results().size(), 5u);
    std::filesystem::remove_all(dir);
}

TEST(nexmark_blackhole, counts_every_record) {
    generator_config cfg{.num_event_generators = 2, .max_events = 10'000};
    stream::environment env(stream::job_config{.name = "q0", .parallelism = 2});
    auto out = std::make_shared<blackhole_sink<q0_row>>();
    q0(nexmark_events(env, cfg)).sink(out);
    ASSERT_TRUE(env.execute().has_value());
    EXPECT_EQ(out->count(), 10'000u / 50 * 46);
}

}  // namespace
}  // namespace otter::nexmark

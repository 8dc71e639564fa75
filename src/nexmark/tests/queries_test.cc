// Query tests: q0, q1 and q2 as engine jobs (parallelism 1 and 2, several generator instances)
// return exactly what a plain loop over the same generated events returns.
#include "nexmark/queries.h"

#include <algorithm>
#include <filesystem>
#include <map>
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

INSTANTIATE_TEST_SUITE_P(parallelism, nexmark_queries,
                         ::testing::Values(param{1, 1}, param{1, 3}, param{2, 2}, param{2, 5}),
                         [](const auto& info) {
                             return "p" + std::to_string(info.param.parallelism) + "_g" +
                                    std::to_string(info.param.generators);
                         });

// A job killed after two checkpoints and restored from the latest produces, through the same
// (two-phase-commit) sinks, exactly the output of an uninterrupted run: the source resumes at the
// saved event counts and regenerates the very same events.
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
    };
    auto build = [](stream::environment& env, std::shared_ptr<nexmark_source> src, sinks& s) {
        auto events = env.from_source<event>(src, nexmark_watermarks(), 0, "nexmark");
        q1(events).sink(s.q1s);
        q5(events).sink(s.q5s);
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

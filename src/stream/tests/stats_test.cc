// Runtime figures: records in/out per operator subtask, watermarks, backpressure, job::status()
// and the Prometheus families the job renders.
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "metrics/registry.h"
#include "stream/api.h"

namespace otter::stream {
namespace {

using namespace std::chrono_literals;

std::vector<std::vector<timed<int64_t>>> numbers(size_t splits, size_t per_split) {
    std::vector<std::vector<timed<int64_t>>> out(splits);
    for (size_t s = 0; s < splits; ++s) {
        for (size_t i = 0; i < per_split; ++i) {
            out[s].push_back({static_cast<int64_t>(1'000'000 + i), static_cast<int64_t>(i)});
        }
    }
    return out;
}

const operator_status* find(const job_status& st, const std::string& name, uint32_t subtask) {
    for (const auto& o : st.operators) {
        if (o.name == name && o.subtask == subtask) {
            return &o;
        }
    }
    return nullptr;
}

uint64_t sum(const job_status& st, const std::string& name, uint64_t operator_status::*field) {
    uint64_t n = 0;
    for (const auto& o : st.operators) {
        if (o.name == name) {
            n += o.*field;
        }
    }
    return n;
}

TEST(stream_stats, records_in_and_out_equal_what_each_operator_saw) {
    for (uint32_t p : {1u, 3u}) {
        metrics::registry reg;
        environment env(job_config{.name = "counts", .parallelism = p, .batch_size = 7});
        env.config().metrics = &reg;
        auto src = std::make_shared<vector_source<int64_t>>(numbers(4, 1000));
        auto out = std::make_shared<collecting_sink<int64_t>>();
        env.from_source<int64_t>(src)
            .filter([](int64_t v) { return v % 3 != 0; }, "filter")
            .map([](int64_t v) { return v * 2; }, "double")
            .rebalance("spread")
            .sink(out, "sink");
        auto j = env.create_job();
        ASSERT_TRUE(j);
        EXPECT_EQ((*j)->status().state, job_state::created);
        (*j)->start();
        ASSERT_TRUE((*j)->wait());
        job_status st = (*j)->status();
        EXPECT_EQ(st.state, job_state::finished) << p;
        const uint64_t total = 4000, kept = 4 * (1000 - 334);
        EXPECT_EQ(sum(st, "source", &operator_status::records_out), total);
        EXPECT_EQ(sum(st, "source", &operator_status::records_in), 0u);
        EXPECT_EQ(sum(st, "filter", &operator_status::records_in), total);
        EXPECT_EQ(sum(st, "filter", &operator_status::records_out), kept);
        EXPECT_EQ(sum(st, "double", &operator_status::records_in), kept);
        EXPECT_EQ(sum(st, "double", &operator_status::records_out), kept);
        EXPECT_EQ(sum(st, "spread", &operator_status::records_in), kept);
        EXPECT_EQ(sum(st, "sink", &operator_status::records_in), kept);
        EXPECT_EQ(sum(st, "sink", &operator_status::records_out), 0u);
        EXPECT_EQ(out->size(), kept);
        // Every operator saw the end of input: the watermark is +inf, no lag is reported.
        for (const auto& o : st.operators) {
            ASSERT_TRUE(o.watermark) << o.name;
            EXPECT_EQ(*o.watermark, max_timestamp) << o.name;
            EXPECT_FALSE(o.watermark_lag_seconds) << o.name;
        }
        std::string text = reg.render();
        EXPECT_NE(text.find("otter_stream_records_in_total{job=\"counts\",operator=\"filter\","
                            "subtask=\"0\"}"),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("# TYPE otter_stream_backpressure_seconds_total counter"),
                  std::string::npos);
        EXPECT_NE(text.find("otter_stream_watermark_ms{job=\"counts\",operator=\"sink\","
                            "subtask=\"0\"} +Inf"),
                  std::string::npos)
            << text;
        if (p == 1) {
            EXPECT_NE(text.find("otter_stream_records_out_total{job=\"counts\",operator=\"source\","
                                "subtask=\"0\"} 4000"),
                      std::string::npos)
                << text;
        }
    }
}

TEST(stream_stats, keyed_window_counts_and_watermark_lag_while_running) {
    manual_clock clk(5'000'000);
    auto limit = std::make_shared<std::atomic<size_t>>(500);
    environment env(job_config{.name = "lag", .parallelism = 2});
    env.config().proc_clock = &clk;
    auto src = std::make_shared<vector_source<int64_t>>(numbers(2, 1000), limit);
    auto out = std::make_shared<collecting_sink<window_result<int64_t, int64_t>>>();
    env.from_source<int64_t>(src)
        .key_by([](int64_t v) { return v % 10; })
        .window(tumbling(100ms))
        .aggregate(count_agg{}, "count")
        .sink(out, "sink");
    auto j = env.create_job();
    ASSERT_TRUE(j);
    (*j)->start();
    // Wait until the window operators saw every record below the limit and a real watermark.
    auto deadline = std::chrono::steady_clock::now() + 20s;
    job_status st;
    while (std::chrono::steady_clock::now() < deadline) {
        st = (*j)->status();
        const operator_status* c0 = find(st, "count", 0);
        const operator_status* c1 = find(st, "count", 1);
        if (sum(st, "count", &operator_status::records_in) == 1000 && c0 && c1 && c0->watermark &&
            c1->watermark) {
            break;
        }
        std::this_thread::sleep_for(5ms);
    }
    EXPECT_EQ(st.state, job_state::running);
    EXPECT_EQ(sum(st, "source", &operator_status::records_out), 1000u);
    EXPECT_EQ(sum(st, "count", &operator_status::records_in), 1000u);
    const operator_status* c0 = find(st, "count", 0);
    ASSERT_TRUE(c0 && c0->watermark);
    // Records have timestamps 1'000'000 + i (i < 500) and no out-of-orderness: W = 1'000'498.
    EXPECT_EQ(*c0->watermark, 1'000'498);
    ASSERT_TRUE(c0->watermark_lag_seconds);
    EXPECT_DOUBLE_EQ(*c0->watermark_lag_seconds, (5'000'000 - 1'000'498) / 1000.0);
    limit->store(SIZE_MAX);
    ASSERT_TRUE((*j)->wait());
    st = (*j)->status();
    EXPECT_EQ(sum(st, "count", &operator_status::records_in), 2000u);
    // 10 keys; records 0..999 per split span 10 windows of 100 ms.
    EXPECT_EQ(sum(st, "count", &operator_status::records_out), 100u);
    EXPECT_EQ(sum(st, "sink", &operator_status::records_in), 100u);
}

TEST(stream_stats, a_slow_sink_behind_an_exchange_shows_backpressure) {
    environment env(job_config{.name = "bp", .parallelism = 1, .batch_size = 16});
    env.config().channel_capacity = 2;
    auto src = std::make_shared<vector_source<int64_t>>(numbers(1, 4000));
    auto slow = [](batch<int64_t>&&) { std::this_thread::sleep_for(2ms); };
    env.from_source<int64_t>(src).rebalance("spread").sink(
        std::make_shared<function_sink<int64_t, decltype(slow)>>(slow), "slow");
    auto j = env.create_job();
    ASSERT_TRUE(j);
    (*j)->start();
    std::this_thread::sleep_for(1200ms);
    job_status mid = (*j)->status();
    ASSERT_TRUE((*j)->wait());
    job_status st = (*j)->status();
    const operator_status* s = find(st, "source", 0);
    ASSERT_TRUE(s);
    // 250 batches at 2 ms: about 0.5 s, most of it with the source blocked on the full channel.
    EXPECT_GT(s->backpressure_seconds, 0.2) << s->backpressure_seconds;
    const operator_status* m = find(mid, "source", 0);
    ASSERT_TRUE(m);
    EXPECT_GT(m->backpressure_ratio, 0.1);
    EXPECT_LE(m->backpressure_ratio, 1.0);
    // The sink itself never waits on a channel.
    EXPECT_EQ(find(st, "slow", 0)->backpressure_seconds, 0);
    EXPECT_EQ(find(st, "slow", 0)->records_in, 4000u);
}

TEST(stream_stats, checkpoint_figures_in_status) {
    environment env(job_config{.name = "chk", .parallelism = 1});
    auto dir = ::testing::TempDir() + "stats_chk_" + std::to_string(::getpid());
    env.config().checkpoint_dir = dir;
    auto limit = std::make_shared<std::atomic<size_t>>(10);
    auto src = std::make_shared<vector_source<int64_t>>(numbers(1, 100), limit);
    auto out = std::make_shared<collecting_sink<int64_t>>();
    env.from_source<int64_t>(src).map([](int64_t v) { return v; }).sink(out);
    auto j = env.create_job();
    ASSERT_TRUE(j);
    (*j)->start();
    auto c = (*j)->trigger_checkpoint();
    ASSERT_TRUE(c) << c.error().message;
    job_status st = (*j)->status();
    EXPECT_EQ(st.checkpoints.completed, 1u);
    ASSERT_TRUE(st.checkpoints.last_id);
    EXPECT_EQ(*st.checkpoints.last_id, c->id);
    EXPECT_EQ(st.checkpoints.last_size_bytes, c->total_bytes);
    EXPECT_GT(st.checkpoints.last_size_bytes, 0u);
    EXPECT_GE(st.checkpoints.last_duration_ms, 0);
    EXPECT_EQ(st.checkpoints.last_kind, "checkpoint");
    EXPECT_FALSE(st.checkpoints.restored_from);
    (*j)->cancel();
    (void)(*j)->wait();
    EXPECT_EQ((*j)->status().state, job_state::cancelled);
}

}  // namespace
}  // namespace otter::stream

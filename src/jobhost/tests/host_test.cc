// The standard job flags: parsing, defaults, validation; and a host running a small bounded job.
#include "jobhost/host.h"

#include <algorithm>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

namespace otter::jobhost {
namespace {

using namespace std::chrono_literals;

// Parses `args` with the standard flags; returns the CLI11 error text, "" on success.
std::string parse(job_options& o, std::vector<std::string> args) {
    CLI::App app{"test"};
    add_job_flags(app, o);
    std::reverse(args.begin(), args.end());  // CLI11 takes the vector form reversed
    try {
        app.parse(args);
    } catch (const CLI::ParseError& e) {
        return e.what();
    }
    return {};
}

TEST(job_flags, defaults_stay_when_no_flag_is_given) {
    job_options o{.name = "prog"};
    ASSERT_EQ(parse(o, {}), "");
    EXPECT_EQ(o.name, "prog");
    EXPECT_EQ(o.parallelism, 1u);
    EXPECT_EQ(o.checkpoint_interval, 0ms);
    EXPECT_EQ(o.checkpoints_retained, 3u);
    EXPECT_EQ(o.log_level, "info");
    EXPECT_TRUE(o.admin_addr.empty());
    EXPECT_TRUE(validate(o));
}

TEST(job_flags, every_flag_is_parsed) {
    job_options o{.name = "prog"};
    ASSERT_EQ(parse(o, {"--name", "wc", "--parallelism", "4", "--checkpoint-dir", "/tmp/c",
                        "--checkpoint-interval", "2m", "--checkpoints-retained", "5", "--restore",
                        "latest", "--admin-addr", "127.0.0.1:0", "--log-level", "warn"}),
              "");
    EXPECT_EQ(o.name, "wc");
    EXPECT_EQ(o.parallelism, 4u);
    EXPECT_EQ(o.checkpoint_dir, "/tmp/c");
    EXPECT_EQ(o.checkpoint_interval, 120'000ms);
    EXPECT_EQ(o.checkpoints_retained, 5u);
    EXPECT_EQ(o.restore, "latest");
    EXPECT_EQ(o.admin_addr, "127.0.0.1:0");
    EXPECT_EQ(o.log_level, "warn");
    EXPECT_TRUE(validate(o));
    host h(o);
    auto c = h.config();
    EXPECT_EQ(c.name, "wc");
    EXPECT_EQ(c.parallelism, 4u);
    EXPECT_EQ(c.checkpoint_interval, 120'000ms);
    EXPECT_EQ(c.checkpoints_retained, 5u);
    EXPECT_EQ(c.metrics, &h.metrics());
}

TEST(job_flags, bad_values_are_refused_at_parse_time) {
    for (const auto& args : std::vector<std::vector<std::string>>{
             {"--parallelism", "0"},
             {"--parallelism", "x"},
             {"--checkpoint-interval", "10"},
             {"--checkpoint-interval", "10 s"},
             {"--checkpoint-interval", "-1s"},
             {"--checkpoint-interval", "5d"},
             {"--checkpoints-retained", "0"},
             {"--admin-addr", "localhost"},
             {"--admin-addr", "127.0.0.1:70000"},
             {"--log-level", "loud"},
             {"--restore", "latest", "--from-savepoint", "/tmp/s"},
             {"--no-such-flag"}}) {
        job_options o{.name = "prog"};
        EXPECT_NE(parse(o, args), "") << args[0];
    }
}

TEST(job_flags, durations) {
    EXPECT_EQ(*parse_duration("500ms"), 500ms);
    EXPECT_EQ(*parse_duration("10s"), 10'000ms);
    EXPECT_EQ(*parse_duration("2m"), 120'000ms);
    EXPECT_EQ(*parse_duration("1h"), 3'600'000ms);
    EXPECT_EQ(*parse_duration("0"), 0ms);
    EXPECT_EQ(*parse_duration("0s"), 0ms);
    for (const char* bad : {"", "s", "10", "1.5s", "10sec", "ms10", "-5s", "99999999999999999h"}) {
        EXPECT_FALSE(parse_duration(bad)) << bad;
    }
}

TEST(job_flags, addresses) {
    auto a = parse_host_port("127.0.0.1:0");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->host, "127.0.0.1");
    EXPECT_EQ(a->port, 0);
    auto b = parse_host_port("[::1]:9644");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "::1");
    EXPECT_EQ(b->port, 9644);
    for (const char* bad : {"", "host", ":80", "h:", "h:x", "h:65536", "h:1x"}) {
        EXPECT_FALSE(parse_host_port(bad)) << bad;
    }
}

TEST(job_flags, cross_flag_checks) {
    job_options o{.name = "prog"};
    o.restore = "latest";
    EXPECT_FALSE(validate(o));
    o.checkpoint_dir = "/tmp/c";
    EXPECT_TRUE(validate(o));
    job_options p{.name = "prog"};
    p.checkpoint_interval = 1000ms;
    EXPECT_FALSE(validate(p));
    job_options q{.name = ""};
    EXPECT_FALSE(validate(q));
}

TEST(host, runs_a_bounded_job_to_the_end_with_exit_code_0) {
    job_options o{.name = "hosted"};
    host h(o);
    stream::environment env(h.config());
    std::vector<std::vector<stream::timed<int64_t>>> data(2);
    for (int64_t i = 0; i < 100; ++i) {
        data[static_cast<size_t>(i % 2)].push_back({i, i});
    }
    auto out = std::make_shared<stream::collecting_sink<int64_t>>();
    env.from_source<int64_t>(std::make_shared<stream::vector_source<int64_t>>(data))
        .map([](int64_t v) { return v + 1; }, "inc")
        .sink(out);
    EXPECT_EQ(h.run(env), 0);
    EXPECT_EQ(out->size(), 100u);
    ASSERT_TRUE(h.final_status());
    EXPECT_EQ(h.final_status()->state, stream::job_state::finished);
    uint64_t in = 0;
    for (const auto& op : h.final_status()->operators) {
        if (op.name == "inc") {
            in += op.records_in;
        }
    }
    EXPECT_EQ(in, 100u);
}

TEST(host, a_missing_checkpoint_is_exit_code_1) {
    job_options o{.name = "hosted"};
    o.from_savepoint = ::testing::TempDir() + "no-such-savepoint";
    host h(o);
    stream::environment env(h.config());
    env.from_source<int64_t>(std::make_shared<stream::vector_source<int64_t>>(
                                 std::vector<std::vector<stream::timed<int64_t>>>{{}}))
        .sink(std::make_shared<stream::collecting_sink<int64_t>>());
    EXPECT_EQ(h.run(env), 1);
}

}  // namespace
}  // namespace otter::jobhost

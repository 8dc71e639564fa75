// Checkpoint format tests (corruption, versions, fingerprints, retention) and the recovery test:
// a job killed after a checkpoint and restored from it produces the same committed output as an
// uninterrupted run, with no loss and no duplicates.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>

#include "bytes/crc32c.h"
#include "io/mem_env.h"
#include "stream/api.h"

namespace otter::stream {
namespace {

using namespace std::chrono_literals;

task_snapshot sample(const std::string& task, uint32_t subtask) {
    task_snapshot s;
    s.task = task;
    s.subtask = subtask;
    s.sections.push_back({1, section_kind::state, bytes{1, 2, 3}});
    s.sections.push_back({2, section_kind::committable, bytes{}});
    s.sections.push_back({0, section_kind::source, bytes(100, 7)});
    return s;
}

TEST(checkpoint_format, state_file_round_trip_and_every_flip_is_refused) {
    auto s = sample("t0", 3);
    bytes b = encode_task_state(s);
    auto d = decode_task_state(b, "t0", 3);
    ASSERT_TRUE(d);
    ASSERT_EQ(d->sections.size(), 3u);
    EXPECT_EQ(d->sections[0].data, (bytes{1, 2, 3}));
    EXPECT_EQ(d->sections[2].kind, section_kind::source);
    for (size_t i = 0; i < b.size(); ++i) {
        bytes c = b;
        c[i] ^= 0x10;
        auto r = decode_task_state(c, "t0", 3);
        ASSERT_FALSE(r) << i;
        EXPECT_EQ(r.error().code, errc::corrupt);
    }
    for (size_t n = 0; n < b.size(); ++n) {
        EXPECT_FALSE(decode_task_state(bytes_view(b.data(), n), "t0", 3)) << n;
    }
}

TEST(checkpoint_format, other_version_is_incompatible) {
    bytes b = encode_task_state(sample("t0", 0));
    store_be<uint32_t>(b.data() + 8, checkpoint_format_version + 1);
    store_be<uint32_t>(b.data() + b.size() - 4, crc32c(b.data(), b.size() - 4));
    auto r = decode_task_state(b, "t0", 0);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::incompatible);
}

checkpoint_info info(uint64_t id) {
    checkpoint_info i;
    i.id = id;
    i.kind = "checkpoint";
    i.job = "j";
    i.fingerprint = "fp";
    return i;
}

TEST(checkpoint_storage, write_read_verify_and_refuse) {
    io::mem_env fs;
    std::vector<task_snapshot> tasks{sample("t0", 0), sample("t0", 1)};
    ASSERT_TRUE(write_checkpoint(fs, "/c/chk-1", info(1), tasks));
    auto r = read_checkpoint(fs, "/c/chk-1", "fp");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->info.id, 1u);
    EXPECT_EQ(r->tasks.size(), 2u);

    auto other = read_checkpoint(fs, "/c/chk-1", "another job");
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, errc::incompatible);
    EXPECT_NE(other.error().message.find("different job topology"), std::string::npos);

    // A damaged state file.
    auto f = *fs.read_file("/c/chk-1/t0-1.state");
    f[f.size() / 2] ^= 1;
    ASSERT_TRUE(fs.write_file_atomic("/c/chk-1/t0-1.state", f));
    auto bad = read_checkpoint(fs, "/c/chk-1", "fp");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, errc::corrupt);
    EXPECT_NE(bad.error().message.find("t0-1.state"), std::string::npos);

    // A damaged manifest.
    ASSERT_TRUE(write_checkpoint(fs, "/c/chk-2", info(2), tasks));
    auto m = *fs.read_file("/c/chk-2/_manifest");
    m[m.size() - 3] ^= 1;
    ASSERT_TRUE(fs.write_file_atomic("/c/chk-2/_manifest", m));
    auto badm = read_checkpoint(fs, "/c/chk-2", "fp");
    ASSERT_FALSE(badm);
    EXPECT_EQ(badm.error().code, errc::corrupt);

    // No manifest: not a completed checkpoint.
    ASSERT_TRUE(fs.create_dirs("/c/chk-9"));
    auto none = read_checkpoint(fs, "/c/chk-9", "fp");
    ASSERT_FALSE(none);
    EXPECT_EQ(none.error().code, errc::not_found);
}

TEST(checkpoint_storage, latest_skips_incomplete_and_retention_keeps_k) {
    io::mem_env fs;
    std::vector<task_snapshot> tasks{sample("t0", 0)};
    for (uint64_t id = 1; id <= 5; ++id) {
        ASSERT_TRUE(write_checkpoint(fs, "/c/" + checkpoint_dir_name(id), info(id), tasks));
    }
    ASSERT_TRUE(fs.create_dirs("/c/chk-6"));  // in progress: no manifest
    ASSERT_TRUE(fs.create_dirs("/c/chk-0"));  // an abandoned one
    EXPECT_EQ(*latest_checkpoint(fs, "/c"), "/c/chk-5");
    EXPECT_EQ(max_checkpoint_id(fs, "/c"), 6u);
    retain_checkpoints(fs, "/c", 2);
    auto names = *fs.list_dir("/c");
    std::sort(names.begin(), names.end());
    EXPECT_EQ(names, (std::vector<std::string>{"chk-4", "chk-5", "chk-6"}));
    io::mem_env empty;
    ASSERT_TRUE(empty.create_dirs("/c"));
    auto r = latest_checkpoint(empty, "/c");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::not_found);
}

// ---- recovery ----

// 4 splits; values s*N+i; timestamps increase with small disorder (< 5 ms) and a 20 ms gap
// every 50 records, so sessions with a 10 ms gap close regularly.
std::vector<std::vector<timed<int64_t>>> data(int64_t n) {
    std::vector<std::vector<timed<int64_t>>> out(4);
    for (int64_t s = 0; s < 4; ++s) {
        for (int64_t i = 0; i < n; ++i) {
            out[static_cast<size_t>(s)].push_back({i * 2 + (i / 50) * 20 + (i * 7) % 5, s * n + i});
        }
    }
    return out;
}

struct counter_fn {
    value_state<int64_t, int64_t>* count = nullptr;
    void open(keyed_state_backend<int64_t>& st) { count = &st.value<int64_t>("count"); }
    void process_element(const int64_t&, keyed_context<int64_t, std::pair<int64_t, int64_t>>& c) {
        int64_t n = count->get() ? *count->get() + 1 : 1;
        count->update(n);
        if (n % 100 == 0) {
            c.emit({c.key(), n});
        }
    }
};

using win = window_result<int64_t, int64_t>;
using pr = std::pair<int64_t, int64_t>;

struct sinks {
    std::shared_ptr<collecting_sink<win>> tumbling = std::make_shared<collecting_sink<win>>();
    std::shared_ptr<collecting_sink<win>> sessions = std::make_shared<collecting_sink<win>>();
    std::shared_ptr<collecting_sink<pr>> counts = std::make_shared<collecting_sink<pr>>();
};

void build(environment& env, std::shared_ptr<source<int64_t>> src, sinks& s) {
    auto in =
        env.from_source<int64_t>(src, watermark_strategy<int64_t>{}.with_out_of_orderness(5ms));
    in.key_by([](const int64_t& x) { return x % 13; })
        .window(tumbling(100ms))
        .reduce([](int64_t a, int64_t b) { return a + b; })
        .sink(s.tumbling);
    in.map([](int64_t x) { return x + 1; })
        .key_by([](const int64_t& x) { return x % 5; })
        .window(session(10ms))
        .aggregate(count_agg{})
        .sink(s.sessions);
    in.key_by([](const int64_t& x) { return x % 7; }).process<pr>(counter_fn{}).sink(s.counts);
}

template <typename T>
std::vector<T> sorted(std::vector<T> v) {
    std::sort(v.begin(), v.end(), [](const T& a, const T& b) {
        if constexpr (std::is_same_v<T, win>) {
            return std::tie(a.key, a.window.start, a.window.end, a.value) <
                   std::tie(b.key, b.window.start, b.window.end, b.value);
        } else {
            return a < b;
        }
    });
    return v;
}

bool wait_for(const std::function<bool()>& f) {
    for (int i = 0; i < 2000; ++i) {
        if (f())
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

class recovery_test : public ::testing::TestWithParam<uint32_t> {
  protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               (std::string("otter-stream-ckpt-") + std::to_string(::getpid()) + "-" +
                std::to_string(GetParam()));
        std::filesystem::remove_all(dir_);
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    job_config config() {
        job_config cfg;
        cfg.name = "recovery";
        cfg.parallelism = GetParam();
        cfg.batch_size = 64;
        cfg.checkpoint_dir = dir_.string();
        cfg.checkpoints_retained = 2;
        return cfg;
    }
    std::filesystem::path dir_;
};

TEST_P(recovery_test, killed_and_restored_job_matches_uninterrupted_run) {
    constexpr int64_t n = 2000;
    // The reference: one uninterrupted run.
    sinks want;
    {
        environment env(config());
        build(env, std::make_shared<vector_source<int64_t>>(data(n)), want);
        auto r = env.execute();
        ASSERT_TRUE(r) << r.error().message;
    }
    std::filesystem::remove_all(dir_);
    ASSERT_GT(want.tumbling->size(), 0u);
    ASSERT_GT(want.sessions->size(), 0u);
    ASSERT_GT(want.counts->size(), 0u);

    // The same sinks (the "external system") see both the killed run and the restored one.
    sinks got;
    {
        auto limit = std::make_shared<std::atomic<size_t>>(n / 3);
        auto src = std::make_shared<vector_source<int64_t>>(data(n), limit);
        environment env(config());
        build(env, src, got);
        auto j = env.create_job();
        ASSERT_TRUE(j);
        (*j)->start();
        ASSERT_TRUE(wait_for([&] { return src->emitted() == 4 * (n / 3); }));
        auto c1 = (*j)->trigger_checkpoint();
        ASSERT_TRUE(c1) << c1.error().message;
        limit->store(n / 2);
        ASSERT_TRUE(wait_for([&] { return src->emitted() == 4 * (n / 2); }));
        auto c2 = (*j)->trigger_checkpoint();
        ASSERT_TRUE(c2) << c2.error().message;
        EXPECT_EQ(c2->id, c1->id + 1);
        EXPECT_TRUE(std::filesystem::exists(c2->path + "/_manifest"));
        limit->store(n * 3 / 4);
        ASSERT_TRUE(wait_for([&] { return src->emitted() == 4 * (n * 3 / 4); }));
        // Kill: no further commits; work after checkpoint 2 is lost and must be replayed.
        (*j)->cancel();
        auto r = (*j)->wait();
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error().code, errc::cancelled);
    }
    EXPECT_LT(got.tumbling->size(), want.tumbling->size());
    {
        environment env(config());
        build(env, std::make_shared<vector_source<int64_t>>(data(n)), got);
        auto j = env.create_job(run_options{"latest"});
        ASSERT_TRUE(j) << j.error().message;
        ASSERT_TRUE((*j)->restored_from());
        EXPECT_EQ((*j)->restored_from()->id, 2u);
        (*j)->start();
        auto r = (*j)->wait();
        ASSERT_TRUE(r) << r.error().message;
    }
    EXPECT_EQ(sorted(got.tumbling->results()), sorted(want.tumbling->results()));
    EXPECT_EQ(sorted(got.sessions->results()), sorted(want.sessions->results()));
    EXPECT_EQ(sorted(got.counts->results()), sorted(want.counts->results()));
    // Restore re-committed checkpoint 2's committables, which were already committed: the
    // committer recognised them (idempotent commit) instead of duplicating output.
    EXPECT_GT(got.tumbling->duplicates_skipped(), 0u);
    // Retention: at most 2 completed checkpoints remain.
    size_t chk = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_)) {
        chk += e.path().filename().string().rfind("chk-", 0) == 0 ? 1 : 0;
    }
    EXPECT_LE(chk, 2u);
}

TEST_P(recovery_test, savepoint_restores_and_incompatible_job_is_refused) {
    constexpr int64_t n = 1000;
    sinks want;
    {
        environment env(config());
        build(env, std::make_shared<vector_source<int64_t>>(data(n)), want);
        ASSERT_TRUE(env.execute());
    }
    std::string sp = (dir_ / "savepoint-a").string();
    sinks got;
    {
        auto limit = std::make_shared<std::atomic<size_t>>(n / 2);
        auto src = std::make_shared<vector_source<int64_t>>(data(n), limit);
        environment env(config());
        build(env, src, got);
        auto jr = env.create_job();
        ASSERT_TRUE(jr);
        auto j = std::move(*jr);
        j->start();
        ASSERT_TRUE(wait_for([&] { return src->emitted() == 4 * (n / 2); }));
        auto s = j->trigger_savepoint(sp);
        ASSERT_TRUE(s) << s.error().message;
        EXPECT_EQ(s->kind, "savepoint");
        j->cancel();
        (void)j->wait();
    }
    {
        // A different topology cannot restore it.
        environment env(config());
        auto out = std::make_shared<collecting_sink<int64_t>>();
        env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(data(n))).sink(out);
        auto j = env.create_job(run_options{sp});
        ASSERT_FALSE(j);
        EXPECT_EQ(j.error().code, errc::incompatible);
    }
    {
        environment env(config());
        build(env, std::make_shared<vector_source<int64_t>>(data(n)), got);
        auto r = env.execute(run_options{sp});
        ASSERT_TRUE(r) << r.error().message;
    }
    EXPECT_EQ(sorted(got.tumbling->results()), sorted(want.tumbling->results()));
    EXPECT_EQ(sorted(got.sessions->results()), sorted(want.sessions->results()));
    EXPECT_EQ(sorted(got.counts->results()), sorted(want.counts->results()));
}

TEST_P(recovery_test, periodic_checkpoints_and_restore_without_checkpoint_fails) {
    {
        environment env(config());
        sinks s;
        build(env, std::make_shared<vector_source<int64_t>>(data(100)), s);
        auto j = env.create_job(run_options{"latest"});
        ASSERT_FALSE(j);
        EXPECT_EQ(j.error().code, errc::not_found);
    }
    auto cfg = config();
    cfg.checkpoint_interval = 5ms;
    environment env(cfg);
    sinks s;
    auto limit = std::make_shared<std::atomic<size_t>>(100);
    auto src = std::make_shared<vector_source<int64_t>>(data(1000), limit);
    build(env, src, s);
    auto jr = env.create_job();
    ASSERT_TRUE(jr);
    auto j = std::move(*jr);
    j->start();
    ASSERT_TRUE(wait_for([&] { return j->completed_checkpoints() >= 3; }));
    limit->store(SIZE_MAX);
    ASSERT_TRUE(j->wait());
    EXPECT_TRUE(latest_checkpoint(*io::make_posix_env(), dir_.string()));
}

TEST(checkpoint_failure, a_failed_write_fails_that_checkpoint_only) {
    io::mem_env fs;
    job_config cfg;
    cfg.parallelism = 2;
    cfg.checkpoint_dir = "/ckpt";
    cfg.fs = &fs;
    environment env(cfg);
    sinks s;
    auto limit = std::make_shared<std::atomic<size_t>>(200);
    auto src = std::make_shared<vector_source<int64_t>>(data(1000), limit);
    build(env, src, s);
    auto jr = env.create_job();
    ASSERT_TRUE(jr);
    auto j = std::move(*jr);
    j->start();
    ASSERT_TRUE(wait_for([&] { return src->emitted() == 800; }));
    fs.fail_next_write();
    auto c1 = j->trigger_checkpoint();
    ASSERT_FALSE(c1);
    EXPECT_EQ(c1.error().code, errc::io_error);
    EXPECT_EQ(s.tumbling->size(), 0u);  // nothing committed for a failed checkpoint
    auto c2 = j->trigger_checkpoint();
    ASSERT_TRUE(c2) << c2.error().message;
    EXPECT_EQ(c2->id, 2u);  // ids are not reused after a failure
    EXPECT_TRUE(fs.exists("/ckpt/chk-2/_manifest"));
    EXPECT_FALSE(fs.exists("/ckpt/chk-1/_manifest"));
    limit->store(SIZE_MAX);
    ASSERT_TRUE(j->wait());
    // The failed checkpoint's epoch rode along with checkpoint 2: the output is complete.
    sinks want;
    environment env2(job_config{.parallelism = 2});
    build(env2, std::make_shared<vector_source<int64_t>>(data(1000)), want);
    ASSERT_TRUE(env2.execute());
    EXPECT_EQ(sorted(s.tumbling->results()), sorted(want.tumbling->results()));
    EXPECT_EQ(sorted(s.counts->results()), sorted(want.counts->results()));
}

INSTANTIATE_TEST_SUITE_P(p, recovery_test, ::testing::Values(1u, 3u));

}  // namespace
}  // namespace otter::stream

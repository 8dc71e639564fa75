#include "storage/flusher.h"

#include <atomic>
#include <cstdio>
#include <future>
#include <thread>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "storage/partition_log.h"
#include "storage/tests/test_util.h"

namespace otter::storage {
namespace {

using testing::make_batch;

// Wraps an env so that every file sync is counted and takes `delay` (a slow disk).
class slow_sync_env final : public io::env {
  public:
    slow_sync_env(io::env& base, std::chrono::microseconds delay) : base_(base), delay_(delay) {}
    std::atomic<uint64_t> syncs{0};

    result<std::unique_ptr<io::file>, io::error> open(const std::string& p, bool c) override {
        auto f = base_.open(p, c);
        if (!f) {
            return f;
        }
        return std::unique_ptr<io::file>(std::make_unique<counted_file>(std::move(*f), *this));
    }
    result<void, io::error> write_file_atomic(const std::string& p, bytes_view d) override {
        return base_.write_file_atomic(p, d);
    }
    result<bytes, io::error> read_file(const std::string& p) override { return base_.read_file(p); }
    result<std::vector<std::string>, io::error> list_dir(const std::string& p) override {
        return base_.list_dir(p);
    }
    result<void, io::error> create_dirs(const std::string& p) override {
        return base_.create_dirs(p);
    }
    result<void, io::error> remove_file(const std::string& p) override {
        return base_.remove_file(p);
    }
    result<void, io::error> remove_all(const std::string& p) override {
        return base_.remove_all(p);
    }
    result<void, io::error> rename(const std::string& a, const std::string& b) override {
        return base_.rename(a, b);
    }
    result<void, io::error> sync_dir(const std::string& p) override { return base_.sync_dir(p); }
    bool exists(const std::string& p) override { return base_.exists(p); }

  private:
    class counted_file final : public io::file {
      public:
        counted_file(std::unique_ptr<io::file> f, slow_sync_env& e) : f_(std::move(f)), e_(e) {}
        result<void, io::error> append(bytes_view d) override { return f_->append(d); }
        result<size_t, io::error> pread(uint64_t pos, std::span<uint8_t> out) const override {
            return f_->pread(pos, out);
        }
        result<void, io::error> sync() override {
            ++e_.syncs;
            std::this_thread::sleep_for(e_.delay_);
            return f_->sync();
        }
        result<void, io::error> truncate(uint64_t s) override { return f_->truncate(s); }
        uint64_t size() const override { return f_->size(); }

      private:
        std::unique_ptr<io::file> f_;
        slow_sync_env& e_;
    };
    io::env& base_;
    std::chrono::microseconds delay_;
};

std::vector<std::shared_ptr<partition_log>> open_logs(io::env& env, int n) {
    std::vector<std::shared_ptr<partition_log>> logs;
    for (int p = 0; p < n; ++p) {
        auto l = partition_log::open(env, "/d/t/" + std::to_string(p),
                                     {"t", model::partition_id(p)}, {});
        EXPECT_TRUE(l);
        logs.push_back(std::move(*l));
    }
    return logs;
}

TEST(flusher_test, one_sync_per_partition_per_round) {
    io::mem_env mem;
    slow_sync_env env(mem, std::chrono::microseconds(0));
    auto logs = open_logs(env, 4);
    flusher f;
    std::atomic<int> ok{0};
    int waiters = 0;
    for (int i = 0; i < 25; ++i) {
        for (auto& l : logs) {
            auto a = l->append(make_batch(1, i), 0);
            ASSERT_TRUE(a);
            f.when_durable(l, a->last_offset, [&](bool d) { ok += d; });
            ++waiters;
        }
    }
    std::vector<std::shared_ptr<partition_log>> advanced;
    f.set_on_advance([&](const auto& v) { advanced = v; });
    const uint64_t before = env.syncs;
    f.start();  // the 100 waiters queued before start form one round
    f.stop();
    EXPECT_EQ(ok, waiters);
    EXPECT_EQ(env.syncs - before, 4u);
    EXPECT_EQ(advanced.size(), 4u);
    for (auto& l : logs) {
        EXPECT_EQ(l->high_watermark(), model::offset(25));
    }
}

TEST(flusher_test, concurrent_producers_share_fsyncs) {
    io::mem_env mem;
    slow_sync_env env(mem, std::chrono::microseconds(2000));
    auto logs = open_logs(env, 3);
    flusher f(std::chrono::milliseconds(1));
    f.start();
    const uint64_t before = env.syncs;
    constexpr int threads = 8, per_thread = 40;
    std::atomic<int> acked{0};
    std::vector<std::thread> producers;
    for (int t = 0; t < threads; ++t) {
        producers.emplace_back([&, t] {
            for (int i = 0; i < per_thread; ++i) {
                auto& log = logs[static_cast<size_t>(t + i) % logs.size()];
                auto a = log->append(make_batch(1, i), 0);
                ASSERT_TRUE(a);
                std::promise<bool> p;
                auto fut = p.get_future();
                f.when_durable(log, a->last_offset, [&p](bool d) { p.set_value(d); });
                ASSERT_TRUE(fut.get());
                // Durable means below the high watermark.
                ASSERT_GT(log->high_watermark(), a->last_offset);
                ++acked;
            }
        });
    }
    for (auto& t : producers) {
        t.join();
    }
    f.stop();
    EXPECT_EQ(acked, threads * per_thread);
    const uint64_t syncs = env.syncs - before;
    RecordProperty("fdatasyncs", static_cast<int>(syncs));
    std::printf("%d acknowledged appends shared %llu fdatasyncs\n", threads * per_thread,
                static_cast<unsigned long long>(syncs));
    // Without batching there would be one sync per acknowledgement. How much is shared depends
    // on scheduling (a loaded 2-core CI machine shares less), so the bound is loose; the exact
    // sharing is asserted deterministically by one_sync_per_partition_per_round.
    EXPECT_LT(syncs, static_cast<uint64_t>(threads * per_thread) * 7 / 8) << syncs << " syncs";
}

TEST(flusher_test, dirty_logs_are_flushed_within_max_delay) {
    io::mem_env env;
    auto logs = open_logs(env, 2);
    flusher f(std::chrono::milliseconds(2));
    std::atomic<int> rounds{0};
    f.set_on_advance([&](const auto&) { ++rounds; });
    f.start();
    ASSERT_TRUE(logs[0]->append(make_batch(1, 0), 0));
    f.mark_dirty(logs[0]);
    for (int i = 0; i < 500 && logs[0]->high_watermark() == model::offset(0); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    EXPECT_EQ(logs[0]->high_watermark(), model::offset(1));
    EXPECT_GE(rounds, 1);
    // Pending dirty data is flushed by stop().
    ASSERT_TRUE(logs[1]->append(make_batch(1, 0), 0));
    f.mark_dirty(logs[1]);
    f.stop();
    EXPECT_EQ(logs[1]->high_watermark(), model::offset(1));
    // After stop, waiters fail at once.
    bool result = true;
    f.when_durable(logs[1], model::offset(0), [&](bool d) { result = d; });
    EXPECT_FALSE(result);
}

TEST(flusher_test, failed_flush_fails_waiters) {
    io::mem_env env;
    auto logs = open_logs(env, 1);
    flusher f;
    f.start();
    auto a = logs[0]->append(make_batch(1, 0), 0);
    env.fail_next_sync();
    std::promise<bool> p;
    f.when_durable(logs[0], a->last_offset, [&](bool d) { p.set_value(d); });
    EXPECT_FALSE(p.get_future().get());
    f.stop();
}

}  // namespace
}  // namespace otter::storage

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "io/env.h"
#include "io/mem_env.h"

namespace otter::io {
namespace {

bytes to_bytes(const std::string& s) {
    return bytes(s.begin(), s.end());
}

std::string read_all(const file& f) {
    std::string out(f.size(), '\0');
    auto n = f.pread(0, std::span<uint8_t>(reinterpret_cast<uint8_t*>(out.data()), out.size()));
    EXPECT_TRUE(n);
    out.resize(*n);
    return out;
}

// Runs the same contract checks against both envs.
class env_test : public ::testing::TestWithParam<bool> {
  protected:
    void SetUp() override {
        if (GetParam()) {
            env_ = make_posix_env();
            root_ = (std::filesystem::temp_directory_path() /
                     ("otter_io_test_" + std::to_string(::getpid())))
                        .string();
            std::filesystem::remove_all(root_);
        } else {
            env_ = std::make_unique<mem_env>();
            root_ = "/data";
        }
    }
    void TearDown() override {
        if (GetParam()) {
            std::filesystem::remove_all(root_);
        }
    }
    std::unique_ptr<env> env_;
    std::string root_;
};

TEST_P(env_test, file_round_trip) {
    ASSERT_TRUE(env_->create_dirs(root_ + "/a/b"));
    EXPECT_TRUE(env_->exists(root_ + "/a/b"));
    auto missing = env_->open(root_ + "/a/b/f", false);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, errc::not_found);

    auto f = env_->open(root_ + "/a/b/f", true);
    ASSERT_TRUE(f) << f.error().message;
    ASSERT_TRUE((*f)->append(to_bytes("hello ")));
    ASSERT_TRUE((*f)->append(to_bytes("world")));
    EXPECT_EQ((*f)->size(), 11u);
    ASSERT_TRUE((*f)->sync());
    EXPECT_EQ(read_all(**f), "hello world");

    uint8_t buf[8];
    auto n = (*f)->pread(6, buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 5u);  // short at EOF
    EXPECT_EQ(std::string(buf, buf + 5), "world");
    n = (*f)->pread(100, buf);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 0u);

    ASSERT_TRUE((*f)->truncate(5));
    EXPECT_EQ((*f)->size(), 5u);
    ASSERT_TRUE((*f)->append(to_bytes("!")));
    EXPECT_EQ(read_all(**f), "hello!");
    f->reset();

    // Reopening sees the same content and appends at the end.
    auto g = env_->open(root_ + "/a/b/f", false);
    ASSERT_TRUE(g);
    EXPECT_EQ((*g)->size(), 6u);
    ASSERT_TRUE((*g)->append(to_bytes("?")));
    EXPECT_EQ(read_all(**g), "hello!?");
}

TEST_P(env_test, directories_and_atomic_files) {
    ASSERT_TRUE(env_->create_dirs(root_ + "/d/sub"));
    ASSERT_TRUE(env_->write_file_atomic(root_ + "/d/p", to_bytes("v1")));
    ASSERT_TRUE(env_->write_file_atomic(root_ + "/d/p", to_bytes("version2")));
    auto r = env_->read_file(root_ + "/d/p");
    ASSERT_TRUE(r);
    EXPECT_EQ(std::string(r->begin(), r->end()), "version2");
    EXPECT_FALSE(env_->exists(root_ + "/d/p.tmp"));

    auto names = env_->list_dir(root_ + "/d");
    ASSERT_TRUE(names);
    std::sort(names->begin(), names->end());
    EXPECT_EQ(*names, (std::vector<std::string>{"p", "sub"}));

    ASSERT_TRUE(env_->rename(root_ + "/d/p", root_ + "/d/sub/q"));
    EXPECT_FALSE(env_->exists(root_ + "/d/p"));
    EXPECT_TRUE(env_->exists(root_ + "/d/sub/q"));
    ASSERT_TRUE(env_->rename(root_ + "/d/sub", root_ + "/d/moved"));
    EXPECT_TRUE(env_->exists(root_ + "/d/moved/q"));
    ASSERT_TRUE(env_->sync_dir(root_ + "/d"));

    ASSERT_TRUE(env_->remove_file(root_ + "/d/moved/q"));
    EXPECT_EQ(env_->remove_file(root_ + "/d/moved/q").error().code, errc::not_found);
    ASSERT_TRUE(env_->write_file_atomic(root_ + "/d/moved/x", to_bytes("x")));
    ASSERT_TRUE(env_->remove_all(root_ + "/d"));
    EXPECT_FALSE(env_->exists(root_ + "/d"));
    EXPECT_FALSE(env_->exists(root_ + "/d/moved/x"));
    EXPECT_TRUE(env_->remove_all(root_ + "/d"));  // absent is fine
    EXPECT_EQ(env_->list_dir(root_ + "/nope").error().code, errc::not_found);
    EXPECT_EQ(env_->read_file(root_ + "/nope").error().code, errc::not_found);
}

TEST_P(env_test, concurrent_pread_during_append) {
    ASSERT_TRUE(env_->create_dirs(root_));
    auto f = env_->open(root_ + "/c", true);
    ASSERT_TRUE(f);
    file* fp = f->get();
    std::atomic<bool> done{false};
    std::thread reader([&] {
        uint8_t buf[4096];
        while (!done) {
            uint64_t sz = fp->size();
            size_t want = std::min<uint64_t>(sz, sizeof(buf));
            auto n = fp->pread(0, std::span<uint8_t>(buf, want));
            ASSERT_TRUE(n);
            ASSERT_EQ(*n, want);
            for (size_t i = 0; i < want; ++i) {
                ASSERT_EQ(buf[i], static_cast<uint8_t>(i % 251));
            }
        }
    });
    bytes chunk(64);
    for (size_t i = 0; i < 200; ++i) {
        for (size_t j = 0; j < chunk.size(); ++j) {
            chunk[j] = static_cast<uint8_t>((i * 64 + j) % 251);
        }
        ASSERT_TRUE(fp->append(chunk));
    }
    done = true;
    reader.join();
}

INSTANTIATE_TEST_SUITE_P(envs, env_test, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "posix" : "mem"; });

TEST(mem_env_test, crash_drops_unsynced_bytes) {
    mem_env env;
    ASSERT_TRUE(env.create_dirs("/x"));
    auto f = env.open("/x/f", true);
    ASSERT_TRUE(f);
    ASSERT_TRUE((*f)->append(to_bytes("durable")));
    ASSERT_TRUE((*f)->sync());
    ASSERT_TRUE((*f)->append(to_bytes("-volatile")));
    auto g = env.open("/x/g", true);  // created, never synced: kept, empty
    ASSERT_TRUE((*g)->append(to_bytes("lost")));
    ASSERT_TRUE(env.write_file_atomic("/x/meta", to_bytes("m")));
    EXPECT_EQ(env.sync_count(), 1u);

    env.crash();
    auto f2 = env.open("/x/f", false);
    ASSERT_TRUE(f2);
    EXPECT_EQ(read_all(**f2), "durable");
    auto g2 = env.open("/x/g", false);
    ASSERT_TRUE(g2);
    EXPECT_EQ((*g2)->size(), 0u);
    auto m = env.read_file("/x/meta");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->size(), 1u);

    // Truncation below the synced length lowers it.
    ASSERT_TRUE((*f2)->truncate(3));
    env.crash();
    EXPECT_EQ(read_all(**f2), "dur");
}

TEST(mem_env_test, injected_failures_fire_once) {
    mem_env env;
    ASSERT_TRUE(env.create_dirs("/x"));
    auto f = env.open("/x/f", true);
    ASSERT_TRUE(f);
    env.fail_next_write();
    auto w = (*f)->append(to_bytes("abc"));
    ASSERT_FALSE(w);
    EXPECT_EQ(w.error().code, errc::io_error);
    EXPECT_EQ((*f)->size(), 0u);
    ASSERT_TRUE((*f)->append(to_bytes("abc")));

    env.fail_next_sync();
    EXPECT_FALSE((*f)->sync());
    env.crash();
    EXPECT_EQ((*f)->size(), 0u);
    ASSERT_TRUE((*f)->append(to_bytes("abc")));
    ASSERT_TRUE((*f)->sync());
    env.crash();
    EXPECT_EQ((*f)->size(), 3u);
}

TEST(mem_env_test, open_needs_parent_directory) {
    mem_env env;
    auto f = env.open("/no/such/f", true);
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().code, errc::not_found);
}

}  // namespace
}  // namespace otter::io

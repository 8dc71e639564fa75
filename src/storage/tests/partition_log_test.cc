#include "storage/partition_log.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>
#include <unistd.h>

#include "io/env.h"
#include "io/mem_env.h"
#include "storage/segment.h"
#include "storage/tests/test_util.h"

namespace otter::storage {
namespace {

using testing::batch_info;
using testing::make_batch;
using testing::split_batches;

constexpr model::offset max_off{INT64_MAX};
const std::string dir = "/data/kafka/t/0";

std::unique_ptr<partition_log> open_log(io::env& env, log_config cfg = {}) {
    auto r = partition_log::open(env, dir, {"t", model::partition_id(0)}, cfg);
    EXPECT_TRUE(r) << (r ? "" : r.error());
    return r ? std::move(*r) : nullptr;
}

std::vector<batch_info> read_all(const partition_log& log, model::offset from = model::offset(0)) {
    auto r = log.read(from, SIZE_MAX, max_off);
    EXPECT_TRUE(r) << (r ? "" : r.error());
    return r ? split_batches(r->data) : std::vector<batch_info>{};
}

size_t count_files(io::env& env, const std::string& ext) {
    auto names = env.list_dir(dir);
    return std::count_if(names->begin(), names->end(), [&](const std::string& n) {
        return n.size() > ext.size() && n.compare(n.size() - ext.size(), ext.size(), ext) == 0;
    });
}

TEST(partition_log_test, append_assigns_offsets_and_reads_back) {
    io::mem_env env;
    auto log = open_log(env);
    ASSERT_TRUE(log);
    EXPECT_EQ(log->log_end_offset(), model::offset(0));
    for (int i = 0; i < 10; ++i) {
        auto a = log->append(make_batch(3, 1000 + i), 5000);
        ASSERT_TRUE(a) << a.error();
        EXPECT_EQ(a->base_offset, model::offset(3 * i));
        EXPECT_EQ(a->last_offset, model::offset(3 * i + 2));
        EXPECT_EQ(a->log_append_time, -1);
    }
    EXPECT_EQ(log->log_end_offset(), model::offset(30));
    EXPECT_EQ(log->high_watermark(), model::offset(0));
    EXPECT_TRUE(log->has_unflushed());
    auto all = read_all(*log);
    ASSERT_EQ(all.size(), 10u);
    for (int i = 0; i < 10; ++i) {
        EXPECT_EQ(all[i].base, 3 * i);
        EXPECT_EQ(all[i].max_ts, 1000 + i + 2);
    }
    ASSERT_TRUE(log->flush());
    EXPECT_EQ(log->high_watermark(), model::offset(30));
    EXPECT_FALSE(log->has_unflushed());
}

TEST(partition_log_test, read_semantics) {
    io::mem_env env;
    auto log = open_log(env);
    for (int i = 0; i < 5; ++i) {
        ASSERT_TRUE(log->append(make_batch(3, 0), 0));
    }
    // From the middle of a batch: the whole batch.
    auto mid = read_all(*log, model::offset(4));
    ASSERT_EQ(mid.size(), 4u);
    EXPECT_EQ(mid[0].base, 3);
    // max_bytes smaller than a batch still returns one batch; next_offset follows it.
    auto one = log->read(model::offset(0), 1, max_off);
    ASSERT_TRUE(one);
    EXPECT_EQ(split_batches(one->data).size(), 1u);
    EXPECT_EQ(one->next_offset, model::offset(3));
    // max_bytes of exactly two batches.
    size_t batch_size = mid[0].size;
    auto two = log->read(model::offset(0), 2 * batch_size + 1, max_off);
    EXPECT_EQ(split_batches(two->data).size(), 2u);
    // upto stops before a batch whose base offset >= upto.
    auto up = log->read(model::offset(0), SIZE_MAX, model::offset(6));
    ASSERT_EQ(split_batches(up->data).size(), 2u);
    EXPECT_EQ(up->next_offset, model::offset(6));
    up = log->read(model::offset(0), SIZE_MAX, model::offset(7));
    EXPECT_EQ(split_batches(up->data).size(), 3u);
    // Empty cases.
    auto e = log->read(model::offset(15), SIZE_MAX, max_off);
    ASSERT_TRUE(e);
    EXPECT_TRUE(e->data.empty());
    EXPECT_EQ(e->next_offset, model::offset(15));
    e = log->read(model::offset(3), SIZE_MAX, model::offset(3));
    EXPECT_TRUE(e->data.empty());
}

TEST(partition_log_test, log_append_time_is_written) {
    io::mem_env env;
    log_config cfg;
    cfg.log_append_time = true;
    auto log = open_log(env, cfg);
    auto a = log->append(make_batch(2, 100), 777);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->log_append_time, 777);
    auto r = log->read(model::offset(0), SIZE_MAX, max_off);
    model::batch_header_view h(r->data.data());
    EXPECT_TRUE(h.log_append_time());
    EXPECT_EQ(h.max_timestamp(), 777);
    EXPECT_EQ(split_batches(r->data)[0].base, 0);  // CRC still valid
}

TEST(partition_log_test, rolls_segments_by_size_and_time) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 1000;
    auto log = open_log(env, cfg);
    size_t batch_size = make_batch(2, 0).size();
    for (int i = 0; i < 30; ++i) {
        ASSERT_TRUE(log->append(make_batch(2, i), 0));
    }
    size_t per_segment = 1000 / batch_size;
    EXPECT_EQ(count_files(env, ".log"), (30 + per_segment - 1) / per_segment);
    EXPECT_EQ(read_all(*log).size(), 30u);
    EXPECT_EQ(log->size_bytes(), 30 * batch_size);

    io::mem_env env2;
    log_config tcfg;
    tcfg.segment_ms = std::chrono::milliseconds(100);
    auto tlog = open_log(env2, tcfg);
    ASSERT_TRUE(tlog->append(make_batch(1, 0), 1000));
    ASSERT_TRUE(tlog->append(make_batch(1, 0), 1099));
    EXPECT_EQ(count_files(env2, ".log"), 1u);
    ASSERT_TRUE(tlog->append(make_batch(1, 0), 1100));
    EXPECT_EQ(count_files(env2, ".log"), 2u);
    EXPECT_TRUE(env2.exists(dir + "/00000000000000000002.log"));
}

TEST(partition_log_test, random_reads_use_the_index) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 64 * 1024;
    cfg.index_interval_bytes = 512;
    auto log = open_log(env, cfg);
    std::mt19937 rng(7);
    std::vector<std::pair<int64_t, int64_t>> batches;  // base, last
    for (int i = 0; i < 2000; ++i) {
        int n = 1 + static_cast<int>(rng() % 5);
        auto a = log->append(make_batch(n, i, rng() % 200), 0);
        ASSERT_TRUE(a);
        batches.push_back({a->base_offset.value(), a->last_offset.value()});
    }
    EXPECT_GT(count_files(env, ".log"), 3u);
    auto idx = env.read_file(dir + "/00000000000000000000.index");
    ASSERT_TRUE(idx);
    EXPECT_GT(idx->size(), 8u * 50);  // sparse index has entries
    const int64_t end = log->log_end_offset().value();
    for (int i = 0; i < 500; ++i) {
        int64_t from = static_cast<int64_t>(rng() % static_cast<uint64_t>(end));
        auto r = log->read(model::offset(from), 3000, max_off);
        ASSERT_TRUE(r);
        auto got = split_batches(r->data);
        ASSERT_FALSE(got.empty());
        auto it =
            std::find_if(batches.begin(), batches.end(), [&](auto& b) { return b.second >= from; });
        ASSERT_EQ(got[0].base, it->first) << "from " << from;
        for (size_t j = 1; j < got.size(); ++j) {
            ASSERT_EQ(got[j].base, got[j - 1].last + 1);
        }
        EXPECT_EQ(r->next_offset.value(), got.back().last + 1);
    }
}

TEST(partition_log_test, reopen_after_clean_close) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 2000;
    cfg.index_interval_bytes = 300;
    std::vector<batch_info> before;
    {
        auto log = open_log(env, cfg);
        for (int i = 0; i < 50; ++i) {
            ASSERT_TRUE(log->append(make_batch(2, 100 + i), 0));
        }
        ASSERT_TRUE(log->flush());
        before = read_all(*log);
    }
    auto log = open_log(env, cfg);
    EXPECT_EQ(log->log_end_offset(), model::offset(100));
    EXPECT_EQ(log->high_watermark(), model::offset(100));
    auto after = read_all(*log);
    ASSERT_EQ(after.size(), before.size());
    ASSERT_TRUE(log->append(make_batch(1, 0), 0));
    EXPECT_EQ(read_all(*log).back().base, 100);
}

TEST(partition_log_test, crash_keeps_only_flushed_data) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 1500;
    {
        auto log = open_log(env, cfg);
        for (int i = 0; i < 20; ++i) {
            ASSERT_TRUE(log->append(make_batch(2, i), 0));
        }
        ASSERT_TRUE(log->flush());
        EXPECT_EQ(log->high_watermark(), model::offset(40));
        for (int i = 0; i < 20; ++i) {  // rolls at least one more segment, never synced
            ASSERT_TRUE(log->append(make_batch(2, i), 0));
        }
        env.crash();
    }
    auto log = open_log(env, cfg);
    EXPECT_EQ(log->log_end_offset(), model::offset(40));
    EXPECT_EQ(log->high_watermark(), model::offset(40));
    auto all = read_all(*log);
    ASSERT_EQ(all.size(), 20u);
    EXPECT_EQ(all.back().last, 39);
    auto a = log->append(make_batch(1, 0), 0);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->base_offset, model::offset(40));
}

// Cuts or corrupts the end of the only segment and checks that recovery drops the last batch.
class torn_tail_test : public ::testing::TestWithParam<int> {};

TEST_P(torn_tail_test, recovery_cuts_the_bad_batch) {
    io::mem_env env;
    size_t size_before_last = 0;
    {
        auto log = open_log(env);
        for (int i = 0; i < 5; ++i) {
            ASSERT_TRUE(log->append(make_batch(2, i), 0));
        }
        size_before_last = log->size_bytes();
        ASSERT_TRUE(log->append(make_batch(2, 9), 0));
        ASSERT_TRUE(log->flush());
    }
    auto f = env.open(dir + "/00000000000000000000.log", false);
    ASSERT_TRUE(f);
    uint64_t size = (*f)->size();
    switch (GetParam()) {
        case 0:  // torn write: a few bytes missing
            ASSERT_TRUE((*f)->truncate(size - 3));
            break;
        case 1: {  // flipped byte in the records of the last batch (CRC mismatch)
            bytes all(size);
            ASSERT_TRUE((*f)->pread(0, all));
            all[size - 5] ^= 0x40;
            ASSERT_TRUE((*f)->truncate(0));
            ASSERT_TRUE((*f)->append(all));
            break;
        }
        case 2:  // garbage after the last batch (partial header)
            ASSERT_TRUE((*f)->append(bytes(20, 0xab)));
            size_before_last = size;
            break;
    }
    auto log = open_log(env);
    EXPECT_EQ(log->size_bytes(), size_before_last);
    EXPECT_EQ((*f)->size(), size_before_last);
    const int64_t expected_end = GetParam() == 2 ? 12 : 10;
    EXPECT_EQ(log->log_end_offset(), model::offset(expected_end));
    EXPECT_EQ(log->high_watermark(), model::offset(expected_end));
    EXPECT_EQ(read_all(*log).size(), static_cast<size_t>(expected_end / 2));
    auto a = log->append(make_batch(1, 0), 0);
    EXPECT_EQ(a->base_offset, model::offset(expected_end));
}

INSTANTIATE_TEST_SUITE_P(kinds, torn_tail_test, ::testing::Values(0, 1, 2));

TEST(partition_log_test, torn_middle_segment_drops_later_segments) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 1000;
    {
        auto log = open_log(env, cfg);
        for (int i = 0; i < 40; ++i) {
            ASSERT_TRUE(log->append(make_batch(2, i), 0));
        }
        ASSERT_TRUE(log->flush());
    }
    ASSERT_GE(count_files(env, ".log"), 3u);
    auto f = env.open(dir + "/00000000000000000000.log", false);
    uint64_t first_size = (*f)->size();
    ASSERT_TRUE((*f)->truncate(first_size - 1));
    auto log = open_log(env, cfg);
    EXPECT_EQ(count_files(env, ".log"), 1u);
    EXPECT_EQ(count_files(env, ".index"), 1u);
    auto all = read_all(*log);
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(log->log_end_offset().value(), all.back().last + 1);
    EXPECT_LT(log->size_bytes(), first_size);
}

TEST(partition_log_test, missing_or_corrupt_indexes_are_rebuilt) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 20000;
    cfg.index_interval_bytes = 256;
    std::vector<std::pair<int64_t, std::vector<batch_info>>> reads;
    std::vector<std::optional<std::pair<model::offset, int64_t>>> ts_lookups;
    std::map<std::string, bytes> index_files;
    {
        auto log = open_log(env, cfg);
        for (int i = 0; i < 400; ++i) {
            ASSERT_TRUE(log->append(make_batch(1 + i % 3, 1000 + i * 10 - (i % 7) * 20), 0));
        }
        ASSERT_TRUE(log->flush());
        for (int64_t from = 0; from < log->log_end_offset().value(); from += 7) {
            auto r = log->read(model::offset(from), 2000, max_off);
            reads.push_back({from, split_batches(r->data)});
        }
        for (int64_t ts = 900; ts < 5100; ts += 13) {
            ts_lookups.push_back(log->offset_for_timestamp(ts));
        }
        auto names = env.list_dir(dir);
        for (auto& n : *names) {
            if (n.find("index") != std::string::npos) {
                index_files[n] = *env.read_file(dir + "/" + n);
            }
        }
    }
    ASSERT_GE(index_files.size(), 4u);
    auto check = [&](const char* what) {
        auto log = open_log(env, cfg);
        for (auto& [from, expected] : reads) {
            auto r = log->read(model::offset(from), 2000, max_off);
            auto got = split_batches(r->data);
            ASSERT_EQ(got.size(), expected.size()) << what << " from " << from;
            ASSERT_EQ(got[0].base, expected[0].base) << what;
        }
        size_t i = 0;
        for (int64_t ts = 900; ts < 5100; ts += 13, ++i) {
            ASSERT_EQ(log->offset_for_timestamp(ts), ts_lookups[i]) << what << " ts " << ts;
        }
        for (auto& [n, content] : index_files) {
            auto now = env.read_file(dir + "/" + n);
            ASSERT_TRUE(now) << what << " " << n;
            EXPECT_EQ(*now, content) << what << ": " << n << " not rebuilt identically";
        }
    };
    for (auto& [n, _] : index_files) {
        ASSERT_TRUE(env.remove_file(dir + "/" + n));
    }
    check("missing");
    for (auto& [n, content] : index_files) {  // garbage appended to every index
        auto f = env.open(dir + "/" + n, false);
        ASSERT_TRUE((*f)->append(bytes(24, 0)));
    }
    check("zeros appended");
    for (auto& [n, content] : index_files) {  // entries pointing past the log
        auto f = env.open(dir + "/" + n, false);
        ASSERT_TRUE((*f)->truncate(0));
        bytes junk;
        for (int i = 0; i < 10; ++i) {
            append_be<uint32_t>(junk, 1000000u + i);
            append_be<uint32_t>(junk, 1000000u + i);
            append_be<uint32_t>(junk, 0);
        }
        ASSERT_TRUE((*f)->append(junk));
    }
    check("junk");
}

TEST(partition_log_test, offset_for_timestamp) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 3000;
    cfg.index_interval_bytes = 200;
    auto log = open_log(env, cfg);
    // Batch i has records at 100*i .. 100*i+1, except batch 10 which is late (timestamp 50).
    for (int i = 0; i < 60; ++i) {
        ASSERT_TRUE(log->append(make_batch(2, i == 10 ? 50 : 100 * i), 0));
    }
    auto r = log->offset_for_timestamp(0);
    ASSERT_TRUE(r);
    // Record granularity, as Kafka answers: the first record whose timestamp is >= the target.
    EXPECT_EQ(r->first, model::offset(0));
    EXPECT_EQ(r->second, 0);
    r = log->offset_for_timestamp(101);
    EXPECT_EQ(r->first, model::offset(3));  // second record of batch 1
    EXPECT_EQ(r->second, 101);
    r = log->offset_for_timestamp(102);
    EXPECT_EQ(r->first, model::offset(4));
    r = log->offset_for_timestamp(1001);
    EXPECT_EQ(r->first, model::offset(22));  // batch 10 (offsets 20-21) is late
    r = log->offset_for_timestamp(5901);
    EXPECT_EQ(r->first, model::offset(119));
    EXPECT_EQ(r->second, 5901);
    EXPECT_FALSE(log->offset_for_timestamp(5902));
}

TEST(partition_log_test, retention_by_size_and_time) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 1000;
    cfg.retention_ms = std::chrono::milliseconds(-1);
    auto log = open_log(env, cfg);
    const size_t batch_size = make_batch(2, 0).size();
    for (int i = 0; i < 50; ++i) {
        ASSERT_TRUE(log->append(make_batch(2, 1000 * i), 0));
    }
    const size_t segments = count_files(env, ".log");
    ASSERT_GE(segments, 4u);
    EXPECT_EQ(log->apply_retention(1'000'000), 0u);  // unlimited
    // Unflushed data is never deleted.
    cfg.retention_bytes = 0;
    log->update_config(cfg);
    EXPECT_EQ(log->apply_retention(0), 0u);
    ASSERT_TRUE(log->flush());

    const uint64_t total = log->size_bytes();
    cfg.retention_bytes = static_cast<int64_t>(total / 2);
    log->update_config(cfg);
    uint64_t freed = log->apply_retention(0);
    EXPECT_GT(freed, 0u);
    EXPECT_GE(log->size_bytes(), static_cast<uint64_t>(cfg.retention_bytes));
    EXPECT_EQ(log->size_bytes(), total - freed);
    EXPECT_LT(count_files(env, ".log"), segments);
    EXPECT_EQ(count_files(env, ".log"), count_files(env, ".index"));
    const model::offset start = log->log_start_offset();
    EXPECT_GT(start, model::offset(0));
    EXPECT_FALSE(log->read(start - 1, 100, max_off));
    auto first = read_all(*log, start);
    EXPECT_EQ(first[0].base, start.value());

    // By time: segments whose max timestamp is older than now - retention.ms.
    cfg.retention_bytes = -1;
    cfg.retention_ms = std::chrono::milliseconds(10'000);
    log->update_config(cfg);
    int64_t newest_in_log = 1000 * 49 + 1;
    EXPECT_GT(log->apply_retention(newest_in_log + 10'000), 0u);
    EXPECT_EQ(count_files(env, ".log"), 1u);  // the active segment always stays
    EXPECT_EQ(log->log_start_offset(),
              log->log_end_offset() - static_cast<int64_t>(2 * (log->size_bytes() / batch_size)));

    // Reopen: log start comes from the first segment.
    const model::offset start2 = log->log_start_offset();
    log.reset();
    log = open_log(env, cfg);
    EXPECT_EQ(log->log_start_offset(), start2);

    // cleanup.policy=compact alone disables retention.
    cfg.delete_policy = false;
    cfg.retention_bytes = 0;
    log->update_config(cfg);
    EXPECT_EQ(log->apply_retention(INT64_MAX / 2), 0u);
}

TEST(partition_log_test, failed_sync_disables_the_log_until_reopen) {
    io::mem_env env;
    auto log = open_log(env);
    ASSERT_TRUE(log->append(make_batch(1, 0), 0));
    ASSERT_TRUE(log->flush());
    ASSERT_TRUE(log->append(make_batch(1, 0), 0));
    env.fail_next_sync();
    EXPECT_FALSE(log->flush());
    EXPECT_EQ(log->high_watermark(), model::offset(1));
    EXPECT_FALSE(log->append(make_batch(1, 0), 0));
    EXPECT_FALSE(log->flush());
    env.crash();
    log = open_log(env);
    EXPECT_EQ(log->log_end_offset(), model::offset(1));
    EXPECT_TRUE(log->append(make_batch(1, 0), 0));
}

TEST(partition_log_test, failed_write_leaves_the_log_usable) {
    io::mem_env env;
    auto log = open_log(env);
    ASSERT_TRUE(log->append(make_batch(1, 0), 0));
    env.fail_next_write();
    EXPECT_FALSE(log->append(make_batch(1, 0), 0));
    EXPECT_EQ(log->log_end_offset(), model::offset(1));
    auto a = log->append(make_batch(1, 0), 0);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->base_offset, model::offset(1));
    EXPECT_EQ(read_all(*log).size(), 2u);
}

TEST(partition_log_test, reads_run_concurrently_with_appends_and_flushes) {
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 4000;
    cfg.index_interval_bytes = 300;
    auto log = open_log(env, cfg);
    std::atomic<bool> done{false};
    std::thread flusher([&] {
        while (!done) {
            ASSERT_TRUE(log->flush());
        }
    });
    std::thread reader([&] {
        std::mt19937 rng(3);
        while (!done) {
            model::offset hwm = log->high_watermark();
            if (hwm.value() == 0) {
                continue;
            }
            int64_t from = static_cast<int64_t>(rng() % static_cast<uint64_t>(hwm.value()));
            auto r = log->read(model::offset(from), 1000, hwm);
            ASSERT_TRUE(r);
            auto got = split_batches(r->data);
            ASSERT_FALSE(got.empty());
            ASSERT_LE(got[0].base, from);
            ASSERT_GE(got[0].last, from);
            ASSERT_LE(got.back().last, hwm.value() - 1);
        }
    });
    for (int i = 0; i < 3000; ++i) {
        ASSERT_TRUE(log->append(make_batch(1, i), 0));
    }
    done = true;
    flusher.join();
    reader.join();
}

TEST(partition_log_test, posix_round_trip_and_recovery) {
    auto env = io::make_posix_env();
    std::string root = (std::filesystem::temp_directory_path() /
                        ("otter_storage_test_" + std::to_string(::getpid())))
                           .string();
    std::filesystem::remove_all(root);
    log_config cfg;
    cfg.segment_bytes = 5000;
    cfg.index_interval_bytes = 500;
    {
        auto log = partition_log::open(*env, root + "/p0", {"t", model::partition_id(0)}, cfg);
        ASSERT_TRUE(log) << log.error();
        for (int i = 0; i < 100; ++i) {
            ASSERT_TRUE((*log)->append(make_batch(2, i), 0));
        }
        ASSERT_TRUE((*log)->flush());
    }
    // Tear the active segment's tail.
    std::string last;
    for (auto& e : std::filesystem::directory_iterator(root + "/p0")) {
        if (e.path().extension() == ".log" && e.path().string() > last) {
            last = e.path().string();
        }
    }
    std::filesystem::resize_file(last, std::filesystem::file_size(last) - 2);
    std::filesystem::remove(root + "/p0/00000000000000000000.index");
    auto log = partition_log::open(*env, root + "/p0", {"t", model::partition_id(0)}, cfg);
    ASSERT_TRUE(log) << log.error();
    EXPECT_EQ((*log)->log_end_offset(), model::offset(198));
    auto r = (*log)->read(model::offset(0), SIZE_MAX, max_off);
    ASSERT_TRUE(r);
    EXPECT_EQ(split_batches(r->data).size(), 99u);
    EXPECT_TRUE(std::filesystem::exists(root + "/p0/00000000000000000000.index"));
    std::filesystem::remove_all(root);
}

TEST(segment_names, format_and_parse) {
    EXPECT_EQ(segment_file_name(model::offset(42), ".log"), "00000000000000000042.log");
    EXPECT_EQ(parse_segment_log_name("00000000000000000042.log"), model::offset(42));
    EXPECT_FALSE(parse_segment_log_name("00000000000000000042.index"));
    EXPECT_FALSE(parse_segment_log_name("0000000000000000004x.log"));
    EXPECT_FALSE(parse_segment_log_name("42.log"));
    EXPECT_FALSE(parse_segment_log_name("99999999999999999999.log"));
}

}  // namespace
}  // namespace otter::storage

// Model-based test of partition_log: random appends, flushes, reads, retention-free crashes and
// reopens, compared with a vector of batches (after a crash the model keeps the flushed prefix).
#include <random>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "storage/partition_log.h"
#include "storage/tests/test_util.h"

namespace otter::storage {
namespace {

using testing::make_batch;
using testing::split_batches;

struct model_batch {
    int64_t base;
    int64_t last;
    int64_t max_ts;
    size_t size;
};

class log_model_test : public ::testing::TestWithParam<uint32_t> {};

TEST_P(log_model_test, random_operations_match_the_model) {
    std::mt19937 rng(GetParam());
    io::mem_env env;
    log_config cfg;
    cfg.segment_bytes = 600 + rng() % 3000;
    cfg.index_interval_bytes = 64 + rng() % 1000;
    const std::string dir = "/d/t/0";
    auto open = [&] {
        auto r = partition_log::open(env, dir, {"t", model::partition_id(0)}, cfg);
        EXPECT_TRUE(r) << (r ? "" : r.error());
        return std::move(*r);
    };
    auto log = open();
    std::vector<model_batch> batches;  // the model
    size_t flushed = 0;                // batches known durable
    int64_t ts = 1000;

    for (int step = 0; step < 1500; ++step) {
        uint32_t op = rng() % 100;
        if (op < 55) {
            int n = 1 + static_cast<int>(rng() % 4);
            ts += static_cast<int64_t>(rng() % 5) - 1;
            bytes b = make_batch(n, ts, rng() % 150, static_cast<uint8_t>(step));
            const size_t size = b.size();
            auto a = log->append(std::move(b), 0);
            ASSERT_TRUE(a) << a.error();
            int64_t base = batches.empty() ? 0 : batches.back().last + 1;
            ASSERT_EQ(a->base_offset.value(), base);
            batches.push_back({base, base + n - 1, ts + n - 1, size});
        } else if (op < 65) {
            ASSERT_TRUE(log->flush());
            flushed = batches.size();
        } else if (op < 70) {
            env.crash();
            log = open();
            batches.resize(flushed);
        } else if (op < 72) {
            log.reset();  // clean close without flush: the process dies, the OS survives
            log = open();
            flushed = batches.size();  // open() syncs what it recovered
        } else {
            const int64_t end = batches.empty() ? 0 : batches.back().last + 1;
            int64_t from =
                end == 0 ? 0 : static_cast<int64_t>(rng() % static_cast<uint64_t>(end + 1));
            size_t max_bytes = rng() % 2000;
            int64_t upto = rng() % 4 == 0 ? from + static_cast<int64_t>(rng() % 20) : INT64_MAX;
            auto r = log->read(model::offset(from), max_bytes, model::offset(upto));
            ASSERT_TRUE(r) << r.error();
            auto got = split_batches(r->data);
            // Expected: batches from the one containing `from`, base < upto, within max_bytes
            // (at least one).
            size_t i = 0;
            while (i < batches.size() && batches[i].last < from) {
                ++i;
            }
            if (from >= upto) {
                ASSERT_TRUE(got.empty());
                ASSERT_EQ(r->next_offset.value(), from);
                continue;
            }
            size_t j = 0;
            for (; i < batches.size() && j < got.size(); ++i, ++j) {
                ASSERT_EQ(got[j].base, batches[i].base) << "step " << step;
                ASSERT_EQ(got[j].last, batches[i].last);
                ASSERT_EQ(got[j].max_ts, batches[i].max_ts);
            }
            ASSERT_EQ(j, got.size()) << "read returned batches the model does not have";
            if (i < batches.size() && batches[i].base < upto) {
                // The read stopped early: only because the next batch would exceed max_bytes.
                ASSERT_FALSE(got.empty());
                ASSERT_GT(r->data.size() + batches[i].size, max_bytes) << "step " << step;
            }
            if (got.empty()) {
                ASSERT_TRUE(i >= batches.size() || batches[i].base >= upto || from >= upto);
                ASSERT_EQ(r->next_offset.value(), from);
            } else {
                ASSERT_EQ(r->next_offset.value(), got.back().last + 1);
                ASSERT_LE(got.size() == 1 ? 0 : r->data.size(), max_bytes);
            }
        }
        const int64_t end = batches.empty() ? 0 : batches.back().last + 1;
        ASSERT_EQ(log->log_end_offset().value(), end) << "step " << step;
        const int64_t hwm = flushed == 0 ? 0 : batches[flushed - 1].last + 1;
        ASSERT_GE(log->high_watermark().value(), hwm);
        ASSERT_LE(log->high_watermark().value(), end);
    }
    // Timestamp lookups agree with the model at the end.
    for (int64_t t = -1; t <= ts + 1; ++t) {
        auto got = log->offset_for_timestamp(t);
        auto it = std::find_if(batches.begin(), batches.end(),
                               [&](const model_batch& b) { return b.max_ts >= t; });
        if (it == batches.end()) {
            ASSERT_FALSE(got) << t;
        } else {
            // Records of a batch have timestamps first_ts, first_ts + 1, ... (make_batch), and
            // the answer is the first record at or after t.
            const int64_t first_ts = it->max_ts - (it->last - it->base);
            const int64_t skip = std::max<int64_t>(0, t - first_ts);
            ASSERT_TRUE(got) << t;
            ASSERT_EQ(got->first.value(), it->base + skip) << t;
            ASSERT_EQ(got->second, first_ts + skip);
        }
    }
}

INSTANTIATE_TEST_SUITE_P(seeds, log_model_test, ::testing::Values(1u, 2u, 3u, 4u, 5u, 42u, 1234u));

}  // namespace
}  // namespace otter::storage

// Model-based test of log compaction: random produce (keys from a small set, some tombstones,
// some compressed batches) / flush / roll / compact / crash / restart sequences, applied to a
// partition_log and to a list of every record ever acknowledged. After each compaction and at
// random points a consumer reads the log from the start and must see: valid batches, strictly
// increasing offsets, only records the model has at those offsets (same key, value, timestamp),
// for every key the latest value (a latest tombstone may be gone only once delete.retention.ms
// passed), no superseded record in the cleaned part, and every record above the cleaned part.
// Compaction must never change the active segment's bytes nor the log end offset.
#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "storage/partition_log.h"
#include "storage/tests/compaction_util.h"
#include "storage/tests/test_util.h"

namespace otter::storage {
namespace {

using testing::active_segment_bytes;
using testing::consume;
using testing::make_keyed_batch;

struct model_record {
    int64_t offset;
    std::string key;
    std::optional<std::string> value;
    int64_t ts;
};

class compaction_model_test : public ::testing::TestWithParam<uint32_t> {};

TEST_P(compaction_model_test, consumers_see_the_latest_value_per_key) {
    std::mt19937 rng(GetParam());
    io::mem_env env;
    log_config cfg;
    cfg.compact = true;
    cfg.delete_policy = false;
    cfg.segment_bytes = 400 + rng() % 800;
    cfg.segment_ms = std::chrono::milliseconds(1000);
    cfg.index_interval_bytes = 64 + rng() % 300;
    cfg.delete_retention_ms = std::chrono::milliseconds(100 + rng() % 400);
    cfg.min_compaction_lag_ms = std::chrono::milliseconds(rng() % 2 ? 0 : rng() % 200);
    cfg.min_cleanable_dirty_ratio = (rng() % 10) / 10.0;
    cfg.log_append_time = rng() % 3 == 0;
    const int keys = 3 + static_cast<int>(rng() % 10);
    const std::string dir = "/d/t/0";
    auto open = [&] {
        auto r = partition_log::open(env, dir, {"t", model::partition_id(0)}, cfg);
        EXPECT_TRUE(r) << (r ? "" : r.error());
        return std::move(*r);
    };
    auto log = open();

    std::vector<model_record> records;  // every record appended and not lost, by offset
    int64_t next = 0;                   // next offset
    int64_t flushed = 0;                // offsets below are durable
    int64_t now = 1000;
    int64_t horizon = INT64_MIN;  // tombstones older than this may have been removed
    int64_t cleaned = 0;          // max cleaner checkpoint ever: records above were never cleaned
    int compactions = 0, removed = 0;

    auto check = [&](int step) {
        SCOPED_TRACE("step " + std::to_string(step));
        ASSERT_EQ(log->log_end_offset().value(), next);
        ASSERT_EQ(log->log_start_offset().value(), 0);
        auto seen = consume(*log, 50 + rng() % 3000);
        ASSERT_FALSE(::testing::Test::HasFailure());
        std::map<int64_t, const model_record*> by_offset;
        std::map<std::string, const model_record*> latest;
        for (const auto& r : records) {
            by_offset[r.offset] = &r;
            latest[r.key] = &r;
        }
        std::map<std::string, const testing::seen_record*> last_seen;
        std::set<int64_t> seen_offsets;
        for (const auto& s : seen) {
            auto it = by_offset.find(s.offset);
            ASSERT_NE(it, by_offset.end()) << "offset " << s.offset << " was never produced";
            ASSERT_EQ(s.key, it->second->key) << s.offset;
            ASSERT_EQ(s.value, it->second->value) << s.offset;
            ASSERT_EQ(s.timestamp, it->second->ts) << s.offset;
            last_seen[s.key] = &s;
            seen_offsets.insert(s.offset);
        }
        for (const auto& [k, l] : latest) {
            auto s = last_seen.find(k);
            if (l->value || l->ts >= horizon) {
                ASSERT_NE(s, last_seen.end()) << "key " << k << " lost";
                ASSERT_EQ(s->second->offset, l->offset) << "key " << k << ": stale value last";
            } else if (s != last_seen.end()) {
                ASSERT_EQ(s->second->offset, l->offset) << "key " << k << ": delete undone";
            }
        }
        for (const auto& r : records) {
            if (r.offset >= cleaned) {
                ASSERT_TRUE(seen_offsets.count(r.offset)) << "uncleaned offset " << r.offset;
            }
        }
        // Below the current checkpoint, no record superseded by another record below it.
        const int64_t cp = log->cleaner_checkpoint().value();
        std::map<std::string, int64_t> last_below;
        for (const auto& r : records) {
            if (r.offset < cp) {
                last_below[r.key] = r.offset;
            }
        }
        for (const auto& s : seen) {
            if (s.offset < cp) {
                ASSERT_EQ(last_below[s.key], s.offset) << "superseded record " << s.offset;
            }
        }
        // A read from any offset starts at the first batch holding or following it.
        if (next > 0) {
            const int64_t from = static_cast<int64_t>(rng() % static_cast<uint64_t>(next));
            auto r = log->read(model::offset(from), 1, model::offset(INT64_MAX));
            ASSERT_TRUE(r) << r.error();
            ASSERT_FALSE(r->data.empty());
            model::batch_header_view h(r->data.data());
            ASSERT_GE(h.last_offset(), from);
            auto first_after = seen_offsets.lower_bound(from);
            if (first_after != seen_offsets.end()) {
                ASSERT_GE(*first_after, h.base_offset()) << "read skipped offset " << *first_after;
            }
        }
    };

    auto compact = [&](const compaction_options& opt) {
        const bytes active = active_segment_bytes(env, dir);
        const int64_t end_before = log->log_end_offset().value();
        auto st = log->compact(now, opt);
        ASSERT_TRUE(st) << st.error();
        ASSERT_EQ(active_segment_bytes(env, dir), active) << "active segment changed";
        ASSERT_EQ(log->log_end_offset().value(), end_before);
        if (st->passes > 0) {
            ++compactions;
            removed += static_cast<int>(st->records_removed);
            horizon = std::max(horizon, now - cfg.delete_retention_ms.count());
            cleaned = std::max(cleaned, log->cleaner_checkpoint().value());
            ASSERT_LE(cleaned, flushed) << "cleaned above the high watermark";
        }
    };

    for (int step = 0; step < 1000; ++step) {
        const uint32_t op = rng() % 100;
        if (op < 50) {
            const int n = 1 + static_cast<int>(rng() % 4);
            std::vector<std::pair<std::string, std::optional<std::string>>> recs;
            for (int i = 0; i < n; ++i) {
                std::string k = "k" + std::to_string(rng() % keys);
                if (rng() % 100 < 15) {
                    recs.emplace_back(k, std::nullopt);
                } else {
                    recs.emplace_back(
                        k, "v" + std::to_string(next + i) + "-" + std::string(rng() % 40, 'x'));
                }
            }
            const uint32_t c = rng() % 10;
            const codec cd = c == 0 ? codec::gzip : c == 1 ? codec::lz4 : codec::none;
            auto a = log->append(make_keyed_batch(recs, now, cd), now);
            ASSERT_TRUE(a) << a.error();
            ASSERT_EQ(a->base_offset.value(), next) << "offsets must never be reused";
            for (int i = 0; i < n; ++i) {
                records.push_back(
                    {next + i, recs[i].first, recs[i].second, cfg.log_append_time ? now : now + i});
            }
            next += n;
            now += n;
        } else if (op < 60) {
            ASSERT_TRUE(log->flush());
            flushed = next;
        } else if (op < 64) {
            now += cfg.segment_ms.count();  // the next append rolls
        } else if (op < 70) {
            now += rng() % 300;
        } else if (op < 84) {
            compaction_options opt;
            opt.force = rng() % 2;
            // Small budgets (4..7 keys of this test) force several passes and pass ends inside
            // segments.
            const uint32_t b = rng() % 3;
            opt.dedupe_buffer_bytes = b == 0   ? 300 + rng() % 200
                                      : b == 1 ? 500 + rng() % 1500
                                               : 1u << 20;
            compact(opt);
            check(step);
        } else if (op < 88) {
            env.crash();
            log = open();
            std::erase_if(records, [&](const model_record& r) { return r.offset >= flushed; });
            next = flushed;
        } else if (op < 90) {
            log.reset();
            log = open();
            flushed = next;  // open() syncs what it recovered
        } else {
            check(step);
        }
        if (::testing::Test::HasFatalFailure()) {
            return;
        }
    }
    ASSERT_TRUE(log->flush());
    flushed = next;
    compact({.force = true});
    check(-1);
    EXPECT_GT(compactions, 0);
    EXPECT_GT(removed, 0);
}

INSTANTIATE_TEST_SUITE_P(seeds, compaction_model_test,
                         ::testing::Values(1u, 2u, 3u, 4u, 5u, 6u, 7u, 42u, 1234u, 99999u));

}  // namespace
}  // namespace otter::storage

// Unit tests of log compaction (partition_log::compact, log_cleaner, the swap recovery).
#include <map>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "model/record_batch.h"
#include "storage/log_cleaner.h"
#include "storage/log_config.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"
#include "storage/segment.h"
#include "storage/tests/compaction_util.h"
#include "storage/tests/test_util.h"

namespace otter::storage {
namespace {

using testing::active_segment_bytes;
using testing::consume;
using testing::make_keyed_batch;
using testing::seen_record;

const std::string dir = "/data/kafka/t/0";
using kv = std::pair<std::string, std::optional<std::string>>;

log_config compact_config() {
    log_config c;
    c.compact = true;
    c.delete_policy = false;
    c.segment_bytes = 300;  // a few batches per segment
    c.index_interval_bytes = 100;
    return c;
}

std::unique_ptr<partition_log> open_log(io::env& env, log_config cfg = compact_config()) {
    auto r = partition_log::open(env, dir, {"t", model::partition_id(0)}, cfg);
    EXPECT_TRUE(r) << (r ? "" : r.error());
    return r ? std::move(*r) : nullptr;
}

compaction_options forced() {
    compaction_options o;
    o.force = true;
    return o;
}

// The latest record per key as a consumer sees it.
std::map<std::string, seen_record> latest(const std::vector<seen_record>& recs) {
    std::map<std::string, seen_record> out;
    for (const auto& r : recs) {
        out.insert_or_assign(r.key, r);
    }
    return out;
}

// Appends `rounds` batches of 2 records over keys k0..k{keys-1} with values "v<offset>".
void produce(partition_log& log, int rounds, int keys, int64_t ts, codec c = codec::none) {
    for (int i = 0; i < rounds; ++i) {
        const int64_t o = log.log_end_offset().value();
        std::vector<kv> recs;
        for (int j = 0; j < 2; ++j) {
            recs.emplace_back("k" + std::to_string((2 * i + j) % keys),
                              "v" + std::to_string(o + j));
        }
        auto a = log.append(make_keyed_batch(recs, ts + i, c), ts + i);
        ASSERT_TRUE(a) << a.error();
    }
}

TEST(compaction_test, keeps_the_latest_record_per_key_with_offsets) {
    io::mem_env env;
    auto log = open_log(env);
    produce(*log, 40, 5, 1000);
    ASSERT_TRUE(log->flush());
    const auto before = consume(*log);
    const auto active_before = active_segment_bytes(env, dir);
    const uint64_t size_before = log->size_bytes();

    auto st = log->compact(2000, forced());
    ASSERT_TRUE(st) << st.error();
    EXPECT_GT(st->segments_rewritten, 0);
    EXPECT_GT(st->records_removed, 0);
    EXPECT_EQ(st->passes, 1);
    EXPECT_LT(log->size_bytes(), size_before);
    EXPECT_EQ(active_segment_bytes(env, dir), active_before) << "the active segment was touched";
    EXPECT_EQ(log->log_end_offset(), model::offset(80));
    EXPECT_EQ(log->log_start_offset(), model::offset(0));

    const auto after = consume(*log);
    EXPECT_LT(after.size(), before.size());
    // Same latest value per key, every record identical to the one at its offset before.
    auto lb = latest(before), la = latest(after);
    ASSERT_EQ(lb.size(), la.size());
    for (const auto& [k, r] : lb) {
        EXPECT_EQ(la[k].offset, r.offset);
        EXPECT_EQ(la[k].value, r.value);
    }
    std::map<int64_t, seen_record> by_offset;
    for (const auto& r : before) {
        by_offset[r.offset] = r;
    }
    const int64_t cleaned = log->cleaner_checkpoint().value();
    EXPECT_GT(cleaned, 0);
    std::map<std::string, int> below;
    for (const auto& r : after) {
        ASSERT_TRUE(by_offset.count(r.offset));
        EXPECT_EQ(by_offset[r.offset].key, r.key);
        EXPECT_EQ(by_offset[r.offset].value, r.value);
        EXPECT_EQ(by_offset[r.offset].timestamp, r.timestamp);
        if (r.offset < cleaned) {
            EXPECT_EQ(++below[r.key], 1) << "key " << r.key << " twice in the cleaned part";
        }
    }

    // Appends continue at the same offset; the result survives a reopen (recovery accepts the
    // gaps) and a crash.
    auto a = log->append(make_keyed_batch({{"k1", "new"}}, 3000), 3000);
    ASSERT_TRUE(a);
    EXPECT_EQ(a->base_offset, model::offset(80));
    ASSERT_TRUE(log->flush());
    log.reset();
    env.crash();
    log = open_log(env);
    EXPECT_EQ(log->log_end_offset(), model::offset(81));
    auto reopened = consume(*log);
    ASSERT_EQ(reopened.size(), after.size() + 1);
    EXPECT_EQ(latest(reopened)["k1"].value, "new");

    // Nothing new to clean: a second forced run over the same data rewrites nothing... after the
    // restart the whole log is dirty again, but every key is already unique there.
    auto st2 = log->compact(2000, forced());
    ASSERT_TRUE(st2) << st2.error();
    EXPECT_EQ(st2->records_removed, 0);
}

TEST(compaction_test, no_op_without_compact_policy_or_dirty_ratio) {
    io::mem_env env;
    auto cfg = compact_config();
    cfg.compact = false;
    auto log = open_log(env, cfg);
    produce(*log, 40, 5, 1000);
    ASSERT_TRUE(log->flush());
    auto st = log->compact(2000, forced());
    ASSERT_TRUE(st);
    EXPECT_EQ(st->passes, 0);

    cfg.compact = true;
    log->update_config(cfg);
    st = log->compact(2000, {});  // everything dirty: ratio 1 >= 0.5
    ASSERT_TRUE(st);
    EXPECT_EQ(st->passes, 1);
    // Little new data: the dirty ratio is below 0.5, nothing happens without force.
    produce(*log, 4, 5, 1100);
    ASSERT_TRUE(log->flush());
    cfg.min_cleanable_dirty_ratio = 0.9;
    log->update_config(cfg);
    st = log->compact(2000, {});
    ASSERT_TRUE(st);
    EXPECT_EQ(st->passes, 0);
    cfg.min_cleanable_dirty_ratio = 0.0;
    log->update_config(cfg);
    st = log->compact(2000, {});
    ASSERT_TRUE(st);
    EXPECT_EQ(st->passes, 1);
}

TEST(compaction_test, never_cleans_unflushed_or_young_segments) {
    io::mem_env env;
    auto log = open_log(env);
    produce(*log, 40, 5, 1000);
    const auto before = consume(*log);
    // Nothing flushed: every closed segment is above the high watermark.
    auto st = log->compact(2000, forced());
    ASSERT_TRUE(st);
    EXPECT_EQ(st->segments_rewritten, 0);
    EXPECT_EQ(consume(*log).size(), before.size());

    ASSERT_TRUE(log->flush());
    auto cfg = compact_config();
    cfg.min_compaction_lag_ms = std::chrono::milliseconds(500);
    log->update_config(cfg);
    st = log->compact(1200, forced());  // max timestamps ~1000..1040: younger than 500 ms
    ASSERT_TRUE(st);
    EXPECT_EQ(st->segments_rewritten, 0);
    st = log->compact(1600, forced());
    ASSERT_TRUE(st);
    EXPECT_GT(st->segments_rewritten, 0);
}

TEST(compaction_test, tombstones_are_kept_for_delete_retention) {
    io::mem_env env;
    auto cfg = compact_config();
    cfg.delete_retention_ms = std::chrono::milliseconds(1000);
    auto log = open_log(env, cfg);
    ASSERT_TRUE(log->append(make_keyed_batch({{"a", "1"}, {"b", "1"}}, 100), 100));
    ASSERT_TRUE(log->append(make_keyed_batch({{"a", std::nullopt}, {"c", "1"}}, 200), 200));
    // Fill segments so the tombstone's segment is closed.
    produce(*log, 30, 3, 300);  // keys k0..k2
    ASSERT_TRUE(log->flush());

    auto st = log->compact(1100, forced());  // tombstone (ts 200) is 900 ms old
    ASSERT_TRUE(st) << st.error();
    auto l = latest(consume(*log));
    ASSERT_TRUE(l.count("a"));
    EXPECT_EQ(l["a"].value, std::nullopt) << "the tombstone must stay";
    EXPECT_EQ(l["b"].value, "1");
    for (const auto& r : consume(*log)) {
        EXPECT_FALSE(r.key == "a" && r.value) << "the deleted value must be gone";
    }

    st = log->compact(1300, forced());  // now older than delete.retention.ms
    ASSERT_TRUE(st) << st.error();
    l = latest(consume(*log));
    EXPECT_FALSE(l.count("a")) << "the tombstone and the value are gone";
    EXPECT_EQ(l["b"].value, "1");
    EXPECT_EQ(l["c"].value, "1");
}

TEST(compaction_test, compressed_batches_keep_their_codec) {
    for (codec c : {codec::gzip, codec::snappy, codec::lz4, codec::zstd}) {
        io::mem_env env;
        auto log = open_log(env);
        produce(*log, 30, 3, 1000, c);
        ASSERT_TRUE(log->flush());
        auto before = latest(consume(*log));
        auto st = log->compact(2000, forced());
        ASSERT_TRUE(st) << st.error();
        EXPECT_GT(st->records_removed, 0) << codec_name(c);
        auto after = consume(*log);
        auto l = latest(after);
        ASSERT_EQ(l.size(), before.size());
        for (const auto& [k, r] : before) {
            EXPECT_EQ(l[k].value, r.value);
        }
        auto r = log->read(model::offset(0), SIZE_MAX, model::offset(INT64_MAX));
        ASSERT_TRUE(r);
        for (size_t pos = 0; pos < r->data.size();) {
            model::batch_header_view h(r->data.data() + pos);
            if (h.records_count() > 0) {
                EXPECT_EQ(h.compression(), c) << codec_name(c);
            }
            pos += h.size_bytes();
        }
    }
}

TEST(compaction_test, control_and_transactional_batches_are_kept_as_is) {
    io::mem_env env;
    auto log = open_log(env);
    auto view = [](const std::string& s) {
        return bytes_view(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    };
    std::string k = "a", v = "txn";
    model::batch_builder txn(codec::none, 10);
    txn.producer(7, 0, 0).transactional(true).add(view(k), view(v), 10);
    ASSERT_TRUE(log->append(txn.build(), 10));
    model::batch_builder ctrl(codec::none, 11);
    std::string ck("\0\0\0\0", 4), cv("\0\0\0\0\0\0", 6);
    ctrl.producer(7, 0, 1).transactional(true).control(true).add(view(ck), view(cv), 11);
    ASSERT_TRUE(log->append(ctrl.build(), 11));
    produce(*log, 30, 1, 100);  // key k0 only, then "a" is never superseded by a plain record
    ASSERT_TRUE(log->append(make_keyed_batch({{"a", "plain"}}, 200), 200));
    produce(*log, 10, 1, 300);
    ASSERT_TRUE(log->flush());
    auto st = log->compact(1000, forced());
    ASSERT_TRUE(st) << st.error();
    auto r = log->read(model::offset(0), SIZE_MAX, model::offset(INT64_MAX));
    ASSERT_TRUE(r);
    model::batch_header_view first(r->data.data());
    EXPECT_TRUE(first.is_transactional());
    EXPECT_EQ(first.records_count(), 1);
    model::batch_header_view second(r->data.data() + first.size_bytes());
    EXPECT_TRUE(second.is_control());
    EXPECT_EQ(second.base_offset(), 1);
}

TEST(compaction_test, small_dedupe_buffer_cleans_in_several_passes) {
    io::mem_env env;
    auto log = open_log(env);
    // Many distinct keys so that the map cannot hold them all.
    for (int i = 0; i < 60; ++i) {
        std::vector<kv> recs;
        for (int j = 0; j < 2; ++j) {
            recs.emplace_back("key" + std::to_string((i * 2 + j) % 40), "v" + std::to_string(i));
        }
        ASSERT_TRUE(log->append(make_keyed_batch(recs, 1000 + i), 1000 + i));
    }
    ASSERT_TRUE(log->flush());
    auto before = latest(consume(*log));
    compaction_options opt = forced();
    opt.dedupe_buffer_bytes = 10 * (64 + 6);  // about 10 keys
    auto st = log->compact(5000, opt);
    ASSERT_TRUE(st) << st.error();
    EXPECT_GT(st->passes, 2);
    auto after = consume(*log);
    auto l = latest(after);
    ASSERT_EQ(l.size(), before.size());
    for (const auto& [k, r] : before) {
        EXPECT_EQ(l[k].offset, r.offset);
    }
    std::map<std::string, int> seen;
    for (const auto& r : after) {
        if (r.offset < log->cleaner_checkpoint().value()) {
            EXPECT_EQ(++seen[r.key], 1) << r.key;
        }
    }
    // A buffer too small for one batch is an error, and leaves the log as it was.
    io::mem_env env2;
    auto log2 = open_log(env2);
    produce(*log2, 30, 5, 1000);
    ASSERT_TRUE(log2->flush());
    opt.dedupe_buffer_bytes = 10;
    auto bad = log2->compact(5000, opt);
    EXPECT_FALSE(bad);
    EXPECT_EQ(consume(*log2).size(), 60u);
}

TEST(compaction_test, failed_cleaning_leaves_the_log_intact) {
    io::mem_env env;
    auto log = open_log(env);
    produce(*log, 40, 5, 1000);
    ASSERT_TRUE(log->flush());
    const auto before = consume(*log);
    env.fail_next_sync();  // the sync of the first cleaned segment
    auto st = log->compact(2000, forced());
    EXPECT_FALSE(st);
    auto names = env.list_dir(dir);
    for (const auto& n : *names) {
        EXPECT_EQ(n.find(".cleaned"), std::string::npos) << n;
    }
    EXPECT_EQ(consume(*log).size(), before.size());
    env.crash();
    log = open_log(env);
    EXPECT_EQ(consume(*log).size(), before.size());
    ASSERT_TRUE(log->compact(2000, forced()));
    EXPECT_LT(consume(*log).size(), before.size());
}

// Builds the on-disk state of a swap interrupted at each step, then checks that open() finishes
// or rolls it back: the log reads either wholly old or wholly cleaned, never a mix or a cut.
TEST(compaction_test, recovery_finishes_or_rolls_back_an_interrupted_swap) {
    io::mem_env env;
    auto log = open_log(env);
    produce(*log, 40, 5, 1000);
    ASSERT_TRUE(log->flush());
    const auto old_records = consume(*log);
    const std::string b = dir + "/" + segment_file_name(model::offset(0), ".");
    std::map<std::string, bytes> old_files, new_files;
    for (const char* ext : {"log", "index", "timeindex"}) {
        old_files[ext] = *env.read_file(b + ext);
    }
    ASSERT_TRUE(log->compact(2000, forced()));
    const auto new_records = consume(*log);
    ASSERT_LT(new_records.size(), old_records.size());
    for (const char* ext : {"log", "index", "timeindex"}) {
        new_files[ext] = *env.read_file(b + ext);
    }
    ASSERT_NE(old_files["log"], new_files["log"]);
    int64_t seg0_end = 0;  // next offset of segment 0
    for (size_t pos = 0; pos < old_files["log"].size();) {
        model::batch_header_view h(old_files["log"].data() + pos);
        seg0_end = h.last_offset() + 1;
        pos += h.size_bytes();
    }
    ASSERT_GT(seg0_end, 0);
    log.reset();
    // The cleaned copies of the other segments are in place already; only segment 0 is
    // "in flight", so the expected result is computed from it alone.
    auto put = [&](const std::string& name, const bytes& data) {
        ASSERT_TRUE(env.write_file_atomic(name, data));
    };
    auto reset_to_old = [&] {
        for (const char* ext : {"log", "index", "timeindex"}) {
            put(b + ext, old_files[ext]);
        }
    };
    auto check = [&](bool cleaned, const char* state) {
        auto l = open_log(env);
        ASSERT_TRUE(l) << state;
        auto recs = consume(*l);
        size_t seg0_old = 0, seg0_new = 0, seg0 = 0;
        for (const auto& r : old_records) {
            seg0_old += r.offset < seg0_end;
        }
        for (const auto& r : new_records) {
            seg0_new += r.offset < seg0_end;
        }
        for (const auto& r : recs) {
            seg0 += r.offset < seg0_end;
        }
        EXPECT_EQ(seg0, cleaned ? seg0_new : seg0_old) << state;
        EXPECT_EQ(l->log_end_offset(), model::offset(80)) << state;
        auto names = env.list_dir(dir);
        for (const auto& n : *names) {
            EXPECT_EQ(n.find(".cleaned"), std::string::npos) << state << ": " << n;
            EXPECT_EQ(n.find(".swap"), std::string::npos) << state << ": " << n;
        }
        auto seg0_log = *env.read_file(b + "log");
        EXPECT_EQ(seg0_log, cleaned ? new_files["log"] : old_files["log"]) << state;
        if (cleaned) {
            EXPECT_EQ(*env.read_file(b + "index"), new_files["index"]) << state;
        }
    };

    // 1. Cleaned files written, not committed.
    reset_to_old();
    for (const char* ext : {"log", "index", "timeindex"}) {
        put(b + ext + ".cleaned", new_files[ext]);
    }
    check(false, "before commit");
    // 1b. A partial cleaned log only.
    reset_to_old();
    put(b + "log.cleaned", bytes(new_files["log"].begin(), new_files["log"].begin() + 10));
    check(false, "partial cleaned log");
    // 2. Committed: log.swap exists, indexes still .cleaned.
    reset_to_old();
    put(b + "log.swap", new_files["log"]);
    put(b + "index.cleaned", new_files["index"]);
    put(b + "timeindex.cleaned", new_files["timeindex"]);
    check(true, "after commit");
    // 3. Indexes moved, log not yet.
    reset_to_old();
    put(b + "log.swap", new_files["log"]);
    put(b + "index", new_files["index"]);
    put(b + "timeindex", new_files["timeindex"]);
    check(true, "indexes moved");
    // 3b. One index moved.
    reset_to_old();
    put(b + "log.swap", new_files["log"]);
    put(b + "index", new_files["index"]);
    put(b + "timeindex.cleaned", new_files["timeindex"]);
    check(true, "one index moved");
}

TEST(compaction_test, gapped_batches_validate_only_with_the_option) {
    io::mem_env env;
    auto log = open_log(env);
    produce(*log, 20, 1, 1000);  // one key: every batch but the last of each segment empties
    ASSERT_TRUE(log->flush());
    ASSERT_TRUE(log->compact(2000, forced()));
    auto r = log->read(model::offset(0), SIZE_MAX, model::offset(INT64_MAX));
    ASSERT_TRUE(r);
    bool saw_gap = false;
    for (size_t pos = 0; pos < r->data.size();) {
        model::batch_header_view h(r->data.data() + pos);
        bytes_view b(r->data.data() + pos, h.size_bytes());
        if (h.records_count() != h.last_offset_delta() + 1) {
            saw_gap = true;
            EXPECT_FALSE(model::validate_batch(b, {.max_batch_bytes = 1 << 20}));
        }
        EXPECT_TRUE(
            model::validate_batch(b, {.max_batch_bytes = 1 << 20, .allow_offset_gaps = true}));
        pos += h.size_bytes();
    }
    EXPECT_TRUE(saw_gap);
    // A corrupt gapped batch is still refused.
    bytes copy(r->data.begin(),
               r->data.begin() + model::batch_header_view(r->data.data()).size_bytes());
    copy.back() ^= 1;
    EXPECT_FALSE(
        model::validate_batch(copy, {.max_batch_bytes = 1 << 20, .allow_offset_gaps = true}));
}

TEST(compaction_test, config_keys_are_settable_and_validated) {
    auto c = make_log_config({{"cleanup.policy", "compact,delete"},
                              {"min.cleanable.dirty.ratio", "0.25"},
                              {"delete.retention.ms", "1000"},
                              {"min.compaction.lag.ms", "60000"}},
                             {});
    ASSERT_TRUE(c) << c.error();
    EXPECT_TRUE(c->compact);
    EXPECT_TRUE(c->delete_policy);
    EXPECT_DOUBLE_EQ(c->min_cleanable_dirty_ratio, 0.25);
    EXPECT_EQ(c->delete_retention_ms.count(), 1000);
    EXPECT_EQ(c->min_compaction_lag_ms.count(), 60000);
    auto d = make_log_config({}, {});
    ASSERT_TRUE(d);
    EXPECT_DOUBLE_EQ(d->min_cleanable_dirty_ratio, 0.5);
    EXPECT_EQ(d->delete_retention_ms.count(), 86400000);
    EXPECT_EQ(d->min_compaction_lag_ms.count(), 0);
    for (auto bad :
         std::vector<std::pair<std::string, std::string>>{{"min.cleanable.dirty.ratio", "1.5"},
                                                          {"min.cleanable.dirty.ratio", "-0.1"},
                                                          {"min.cleanable.dirty.ratio", "x"},
                                                          {"min.cleanable.dirty.ratio", ""},
                                                          {"delete.retention.ms", "-1"},
                                                          {"min.compaction.lag.ms", "abc"}}) {
        EXPECT_FALSE(make_log_config({bad}, {})) << bad.first << "=" << bad.second;
    }
    for (const auto& e : describe_config({{"delete.retention.ms", "5"}}, {})) {
        if (e.name == "delete.retention.ms" || e.name == "min.cleanable.dirty.ratio" ||
            e.name == "min.compaction.lag.ms") {
            EXPECT_FALSE(e.read_only) << e.name;
        }
        if (e.name == "delete.retention.ms") {
            EXPECT_EQ(e.value, "5");
        }
    }
}

TEST(compaction_test, log_cleaner_round_over_a_log_manager) {
    io::mem_env env;
    log_manager logs(env, "/data", {});
    ASSERT_TRUE(logs.load());
    ASSERT_TRUE(
        logs.create_topic("c", 1, {{"cleanup.policy", "compact"}, {"segment.bytes", "300"}}));
    ASSERT_TRUE(logs.create_topic("d", 1, {{"segment.bytes", "300"}}));
    for (auto* t : {"c", "d"}) {
        auto p = logs.partition(t, 0);
        produce(*p, 30, 3, 1000);
        ASSERT_TRUE(p->flush());
    }
    auto st = log_cleaner::run_once(logs, 5000, {});
    EXPECT_GT(st.records_removed, 0);
    EXPECT_EQ(consume(*logs.partition("d", 0)).size(), 60u);
    EXPECT_LT(consume(*logs.partition("c", 0)).size(), 60u);

    log_cleaner cleaner;
    cleaner.start(logs, std::chrono::milliseconds(1));
    cleaner.stop();
    cleaner.stop();
}

}  // namespace
}  // namespace otter::storage

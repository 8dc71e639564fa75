// The Iceberg sink under injected crashes at every step of the two-phase commit, restores, the
// open-file cap, size rolling and malformed committables.
//
// Exactly-once is checked from the table's own metadata: ids are unique, each sink subtask reads
// one split in order, and a partition's rows arrive in id order, so every committed data file
// holds a gap-free run of one (split, partition) sequence. Its id bounds and record count then
// say exactly which ids it holds; the runs must be disjoint and cover every id.
#include "connectors/iceberg_sink/iceberg_sink.h"

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "connectors/iceberg/commit.h"
#include "connectors/iceberg/data_writer.h"
#include "connectors/iceberg/table.h"
#include "stream/api.h"

namespace otter::connectors::iceberg_sink {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using namespace otter::stream;
using iceberg::value;

constexpr int64_t split_stride = 1'000'000;  // split s holds ids s*stride + [0, n)

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() / ("otter-iceberg-sink-test-" + iceberg::random_uuid());
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

bool wait_for(const std::function<bool()>& f) {
    for (int i = 0; i < 4000; ++i) {
        if (f())
            return true;
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

std::string make_table(const fs::path& root, const std::string& partition_text) {
    std::string dir = (root / "wh" / "db" / "t").string();
    iceberg::create_request req;
    req.table_schema = *iceberg::parse_schema_text("id long required, part string");
    if (!partition_text.empty()) {
        auto spec = iceberg::parse_partition_text(partition_text, req.table_schema);
        EXPECT_TRUE(spec.has_value());
        req.spec = *spec;
    }
    auto t = iceberg::create_table(dir, req);
    EXPECT_TRUE(t.has_value()) << t.error();
    return dir;
}

std::vector<std::vector<timed<int64_t>>> data(uint32_t splits, int64_t n) {
    std::vector<std::vector<timed<int64_t>>> out(splits);
    for (uint32_t s = 0; s < splits; ++s)
        for (int64_t i = 0; i < n; ++i)
            out[s].push_back({i, s * split_stride + i});
    return out;
}

// Rows: id and part = "p" + (id mod parts).
struct to_row {
    int64_t parts;
    std::vector<value> operator()(const int64_t& id) const {
        return {value{id}, value{"p" + std::to_string(id % parts)}};
    }
};

int64_t le64(const std::string& b) {
    int64_t v = 0;
    EXPECT_EQ(b.size(), 8u);
    std::memcpy(&v, b.data(), std::min<size_t>(8, b.size()));
    return v;
}

// Checks that the current snapshot holds every id of `splits` × [0, n) exactly once.
void expect_exactly_once(const std::string& dir, uint32_t splits, int64_t n, int64_t parts) {
    auto t = iceberg::load_table(dir);
    ASSERT_TRUE(t.has_value()) << t.error();
    ASSERT_NE(t->meta.current_snapshot(), nullptr);
    auto files = iceberg::list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value()) << files.error();
    // (split, residue) → [lo, hi] runs
    std::map<std::pair<int64_t, int64_t>, std::vector<std::pair<int64_t, int64_t>>> runs;
    int64_t total = 0;
    for (const auto& f : *files) {
        int64_t lo = le64(f.entry.lower_bounds.at(1));
        int64_t hi = le64(f.entry.upper_bounds.at(1));
        ASSERT_EQ(lo / split_stride, hi / split_stride) << f.entry.file_path;
        ASSERT_EQ(lo % parts, hi % parts) << f.entry.file_path;
        // A gap-free run of one sequence (stride `parts`) holds exactly this many ids.
        ASSERT_EQ(f.entry.record_count, (hi - lo) / parts + 1) << f.entry.file_path;
        runs[{lo / split_stride, lo % parts}].emplace_back(lo, hi);
        total += f.entry.record_count;
    }
    EXPECT_EQ(total, static_cast<int64_t>(splits) * n);
    for (auto& [key, r] : runs) {
        std::sort(r.begin(), r.end());
        int64_t next = key.first * split_stride + key.second;
        for (auto [lo, hi] : r) {
            ASSERT_EQ(lo, next) << "split " << key.first << " residue " << key.second
                                << ": a run starts at " << lo << ", expected " << next
                                << (lo < next ? " (duplicate rows)" : " (lost rows)");
            next = hi + parts;
        }
        EXPECT_GE(next, key.first * split_stride + n);
    }
    EXPECT_EQ(runs.size(), static_cast<size_t>(splits * std::min<int64_t>(parts, n)));
}

// Wraps the Iceberg sink with crash points: commits swallowed (the process "dies" after the
// checkpoint is complete but before the Iceberg commit) and a failure right after a precommit
// (the files are closed and listed, the checkpoint never completes).
template <typename T>
class faulty_sink final : public sink<T> {
  public:
    explicit faulty_sink(std::shared_ptr<sink<T>> inner) : inner_(std::move(inner)) {}
    std::unique_ptr<sink_writer<T>> create_writer(const operator_context& ctx) override {
        return std::make_unique<w>(inner_->create_writer(ctx), this);
    }
    void commit(uint32_t subtask, uint64_t checkpoint, bytes_view c) override {
        if (!drop_commits)
            inner_->commit(subtask, checkpoint, c);
    }
    std::atomic<bool> drop_commits{false};
    std::atomic<bool> fail_after_precommit{false};

  private:
    class w final : public sink_writer<T> {
      public:
        w(std::unique_ptr<sink_writer<T>> in, faulty_sink* s) : in_(std::move(in)), s_(s) {}
        void write(batch<T>&& b) override { in_->write(std::move(b)); }
        bytes precommit(uint64_t id) override {
            bytes b = in_->precommit(id);
            if (s_->fail_after_precommit)
                throw std::runtime_error("injected crash after precommit");
            return b;
        }
        void snapshot(writer& wr) override { in_->snapshot(wr); }
        bool restore(reader& r) override { return in_->restore(r); }
        void finish() override { in_->finish(); }

      private:
        std::unique_ptr<sink_writer<T>> in_;
        faulty_sink* s_;
    };
    std::shared_ptr<sink<T>> inner_;
};

struct run {
    std::shared_ptr<vector_source<int64_t>> src;
    std::shared_ptr<std::atomic<size_t>> limit;
    std::shared_ptr<iceberg_sink<int64_t, to_row>> ice;
    std::shared_ptr<faulty_sink<int64_t>> sink;
    std::unique_ptr<environment> env;  // owns the graph the job refers to
    std::unique_ptr<job> j;
    size_t base = 0;  // source position restored from (emitted() counts from here)
};

class sink_crash_test : public ::testing::Test {
  protected:
    static constexpr uint32_t splits = 2;
    int64_t n = 4000;
    static constexpr int64_t parts = 4;

    void SetUp() override {
        table_ = make_table(tmp_.path, "part");
        ckpt_ = (tmp_.path / "ckpt").string();
    }

    // Builds (and, with `restore`, restores) the job; the source stops at `limit` per split.
    run start(size_t limit, const std::string& restore, size_t base, size_t max_open = 32) {
        run r;
        r.base = base;
        r.limit = std::make_shared<std::atomic<size_t>>(limit);
        r.src = std::make_shared<vector_source<int64_t>>(data(splits, n), r.limit);
        iceberg_sink_config cfg;
        cfg.table_dir = table_;
        cfg.job_name = "crash-test";
        cfg.max_open_files = max_open;
        r.ice = make_iceberg_sink<int64_t>(cfg, to_row{parts});
        r.sink = std::make_shared<faulty_sink<int64_t>>(r.ice);
        job_config jc;
        jc.name = "crash-test";
        jc.parallelism = splits;
        jc.batch_size = 32;
        jc.checkpoint_dir = ckpt_;
        r.env = std::make_unique<environment>(jc);
        r.env->from_source<int64_t>(r.src, watermark_strategy<int64_t>{})
            .sink(std::static_pointer_cast<sink<int64_t>>(r.sink), "iceberg");
        auto j = r.env->create_job(run_options{restore});
        EXPECT_TRUE(j.has_value()) << j.error().message;
        if (j) {
            r.j = std::move(*j);
            r.j->start();
        }
        return r;
    }
    void advance(run& r, size_t to) {
        r.limit->store(to);
        ASSERT_TRUE(wait_for([&] { return r.src->emitted() >= splits * (to - r.base); }));
    }
    std::vector<iceberg::snapshot> snapshots() {
        auto t = iceberg::load_table(table_);
        EXPECT_TRUE(t.has_value());
        return t ? t->meta.snapshots : std::vector<iceberg::snapshot>{};
    }

    temp_dir tmp_;
    std::string table_;
    std::string ckpt_;
};

TEST_F(sink_crash_test, every_crash_point_keeps_each_row_once) {
    std::string job_id;
    {
        // Run A: checkpoint 1 is committed; checkpoint 2 completes but the process dies before
        // its Iceberg commit (the committer never sees it).
        run r = start(n / 8, "", 0);
        ASSERT_TRUE(r.j);
        job_id = r.ice->job_id();
        ASSERT_TRUE(
            wait_for([&] { return r.src->emitted() >= static_cast<size_t>(splits * (n / 8)); }));
        auto c1 = r.j->trigger_checkpoint();
        ASSERT_TRUE(c1) << c1.error().message;
        EXPECT_EQ(snapshots().size(), 1u);
        advance(r, n / 4);
        r.sink->drop_commits = true;
        auto c2 = r.j->trigger_checkpoint();
        ASSERT_TRUE(c2) << c2.error().message;
        advance(r, 3 * n / 8);  // written after checkpoint 2: lost with the crash
        r.j->cancel();
        EXPECT_FALSE(r.j->wait());
        EXPECT_EQ(snapshots().size(), 1u);  // checkpoint 2 is only in the checkpoint
    }
    {
        // Run B: the restore commits checkpoint 2's files; then the process dies right after a
        // precommit (files closed and listed, checkpoint never completes).
        run r = start(n / 4, "latest", n / 4);
        ASSERT_TRUE(r.j);
        EXPECT_EQ(r.ice->job_id(), job_id);
        auto snaps = snapshots();
        ASSERT_EQ(snaps.size(), 2u);
        EXPECT_EQ(snaps.back().summary.at("otter.checkpoint-id"), "2");
        EXPECT_EQ(r.ice->get_committer().get_stats().snapshots, 1);
        advance(r, n / 2);
        r.sink->fail_after_precommit = true;
        auto c = r.j->trigger_checkpoint();
        EXPECT_FALSE(c);
        EXPECT_FALSE(r.j->wait());
        EXPECT_EQ(snapshots().size(), 2u);
    }
    {
        // Run C: restores checkpoint 2 again; the table already has it, so nothing is
        // committed twice. Checkpoint 3+ is committed, then a crash after more writes.
        run r = start(n / 4, "latest", n / 4);
        ASSERT_TRUE(r.j);
        EXPECT_EQ(snapshots().size(), 2u);
        EXPECT_EQ(r.ice->get_committer().get_stats().checkpoints_skipped, 1);
        EXPECT_EQ(r.ice->get_committer().get_stats().snapshots, 0);
        advance(r, 5 * n / 8);
        auto c = r.j->trigger_checkpoint();
        ASSERT_TRUE(c) << c.error().message;
        EXPECT_EQ(snapshots().size(), 3u);
        advance(r, 3 * n / 4);
        r.j->cancel();
        EXPECT_FALSE(r.j->wait());
    }
    {
        // Run D: restore (the latest checkpoint is already committed: skipped), run to the end.
        run r = start(SIZE_MAX, "latest", 5 * n / 8);
        ASSERT_TRUE(r.j);
        EXPECT_EQ(r.ice->get_committer().get_stats().checkpoints_skipped, 1);
        auto res = r.j->wait();
        ASSERT_TRUE(res) << res.error().message;
    }
    expect_exactly_once(table_, splits, n, parts);
    auto snaps = snapshots();
    ASSERT_EQ(snaps.size(), 4u);
    uint64_t last = 0;
    for (const auto& s : snaps) {
        EXPECT_EQ(s.summary.at("otter.job-id"), job_id);
        uint64_t c = std::stoull(s.summary.at("otter.checkpoint-id"));
        EXPECT_GT(c, last);
        last = c;
    }
    EXPECT_EQ(snaps.back().summary.at("otter.end-of-input"), "true");
    {
        // Run E: a replay after the end (restore the last checkpoint again) commits nothing.
        run r = start(SIZE_MAX, "latest", 5 * n / 8);
        ASSERT_TRUE(r.j);
        auto res = r.j->wait();
        ASSERT_TRUE(res) << res.error().message;
        EXPECT_EQ(r.ice->get_committer().get_stats().snapshots, 0);
    }
    EXPECT_EQ(snapshots().size(), 4u);
    expect_exactly_once(table_, splits, n, parts);
}

TEST_F(sink_crash_test, random_kills_and_restores) {
    std::mt19937_64 rng(42);
    size_t ckpt_pos = 0;  // source position of the latest completed checkpoint
    for (int round = 0; round < 6; ++round) {
        run r = start(ckpt_pos, round == 0 ? "" : "latest", ckpt_pos);
        ASSERT_TRUE(r.j);
        size_t pos = ckpt_pos;
        int steps = 1 + static_cast<int>(rng() % 3);
        for (int s = 0; s < steps; ++s) {
            // Stay below n: a source at its end finishes the job (no more checkpoints).
            pos = std::min<size_t>(n - 1, pos + 1 + rng() % (n / 6));
            advance(r, pos);
            switch (rng() % 3) {
                case 0:
                    break;  // crash after write
                case 1: {
                    auto c = r.j->trigger_checkpoint();
                    ASSERT_TRUE(c) << c.error().message;
                    ckpt_pos = pos;
                    break;
                }
                case 2: {
                    r.sink->drop_commits = true;  // crash before the Iceberg commit
                    auto c = r.j->trigger_checkpoint();
                    ASSERT_TRUE(c) << c.error().message;
                    ckpt_pos = pos;
                    s = steps;
                    break;
                }
            }
        }
        r.j->cancel();
        (void)r.j->wait();
    }
    run r = start(SIZE_MAX, "latest", ckpt_pos);
    ASSERT_TRUE(r.j);
    auto res = r.j->wait();
    ASSERT_TRUE(res) << res.error().message;
    expect_exactly_once(table_, splits, n, parts);
}

// Four partitions in turn with room for two open files: every row closes a file (the worst
// case for the cap); a crash and restore in the middle still keep every row once.
TEST_F(sink_crash_test, partitioned_with_open_file_cap) {
    n = 300;
    {
        run r = start(n / 3, "", 0, /*max_open=*/2);
        ASSERT_TRUE(r.j);
        ASSERT_TRUE(
            wait_for([&] { return r.src->emitted() >= static_cast<size_t>(splits * (n / 3)); }));
        auto c = r.j->trigger_checkpoint();
        ASSERT_TRUE(c) << c.error().message;
        advance(r, 2 * n / 3);
        r.j->cancel();
        (void)r.j->wait();
    }
    run r = start(SIZE_MAX, "latest", n / 3, 2);
    ASSERT_TRUE(r.j);
    auto res = r.j->wait();
    ASSERT_TRUE(res) << res.error().message;
    expect_exactly_once(table_, splits, n, parts);
}

TEST(data_writer, open_file_cap_and_size_roll) {
    temp_dir tmp;
    std::string dir = make_table(tmp.path, "part");
    iceberg::data_writer_options o;
    o.max_open_files = 3;
    o.target_file_bytes = 2048;
    auto w = iceberg::data_writer::open(dir, o);
    ASSERT_TRUE(w.has_value()) << w.error();
    to_row f{8};
    for (int64_t id = 0; id < 200; ++id) {
        auto r = (*w)->append_row(f(id));
        ASSERT_TRUE(r.has_value()) << r.error();
        ASSERT_LE((*w)->open_files(), 3u);
    }
    EXPECT_GT((*w)->files_closed_by_cap(), 100);
    // Rows go to 8 partitions in turn, so the cap closes files before they grow; write one
    // partition only to see size rolling.
    for (int64_t id = 8; id < 20000; id += 8) {
        auto r = (*w)->append_row(f(id));
        ASSERT_TRUE(r.has_value()) << r.error();
    }
    EXPECT_GT((*w)->files_rolled_by_size(), 2);
    ASSERT_TRUE((*w)->close_all().has_value());
    EXPECT_EQ((*w)->open_files(), 0u);
    int64_t rows = 0;
    for (const auto& d : (*w)->take_closed()) {
        rows += d.summary.num_rows;
        EXPECT_TRUE(fs::exists(dir + d.uri.substr(d.uri.find("/data/"))));
    }
    EXPECT_EQ(rows, 200 + 2499);
    // Bad rows are errors, not crashes, and the writer stays usable.
    EXPECT_FALSE((*w)->append_row(std::vector<value>{value{int64_t{1}}}).has_value());
    EXPECT_FALSE((*w)->append_row(std::vector<value>{value{}, value{"x"}}).has_value());
    EXPECT_TRUE((*w)->append_row(f(1)).has_value());
}

TEST(committable, round_trip_and_garbage) {
    committable c;
    c.job_id = "job-1";
    iceberg::data_file f;
    f.uri = "file:///t/data/a.parquet";
    f.spec_id = 0;
    f.partition = {value{},
                   value{true},
                   value{int64_t{-5}},
                   value{2.5},
                   value{"x"},
                   value{parquet::decimal_value{-(static_cast<parquet::int128>(1) << 100)}}};
    f.summary.num_rows = 3;
    f.summary.file_size = 100;
    f.summary.row_group_offsets = {4};
    parquet::column_metrics m;
    m.field_id = 1;
    m.value_count = 3;
    m.has_bounds = true;
    m.lower_bound = std::string("\x01\0\0\0\0\0\0\0", 8);
    m.upper_bound = "zz";
    m.upper_bound_present = false;
    f.summary.columns = {m};
    c.epochs = {{7, {f, f}}, {final_epoch, {}}};
    bytes b = encode_committable(c);
    auto d = decode_committable(b);
    ASSERT_TRUE(d.has_value()) << d.error();
    EXPECT_EQ(d->job_id, "job-1");
    ASSERT_EQ(d->epochs.size(), 2u);
    EXPECT_EQ(d->epochs[1].epoch, final_epoch);
    const auto& g = d->epochs[0].files[1];
    EXPECT_EQ(g.uri, f.uri);
    ASSERT_EQ(g.partition.size(), f.partition.size());
    EXPECT_TRUE(std::holds_alternative<std::monostate>(g.partition[0]));
    EXPECT_EQ(std::get<bool>(g.partition[1]), true);
    EXPECT_EQ(std::get<int64_t>(g.partition[2]), -5);
    EXPECT_EQ(std::get<double>(g.partition[3]), 2.5);
    EXPECT_EQ(std::get<std::string>(g.partition[4]), "x");
    EXPECT_TRUE(std::get<parquet::decimal_value>(g.partition[5]).unscaled ==
                std::get<parquet::decimal_value>(f.partition[5]).unscaled);
    EXPECT_EQ(g.summary.columns[0].lower_bound, m.lower_bound);
    EXPECT_FALSE(g.summary.columns[0].upper_bound_present);
    // Every truncation and a bad version are errors.
    for (size_t len = 0; len < b.size(); ++len)
        EXPECT_FALSE(decode_committable(bytes_view(b.data(), len)).has_value()) << len;
    bytes bad = b;
    bad[0] = 9;
    EXPECT_FALSE(decode_committable(bad).has_value());
    std::mt19937 rng(1);
    for (int i = 0; i < 2000; ++i) {
        bytes junk = b;
        junk[rng() % junk.size()] ^= static_cast<uint8_t>(1 + rng() % 255);
        (void)decode_committable(junk);  // must not crash
    }
}

TEST(find_job_commit, newest_of_the_job_in_the_ancestry) {
    temp_dir tmp;
    std::string dir = make_table(tmp.path, "");
    auto commit = [&](const std::string& job, uint64_t chk) {
        auto w = iceberg::data_writer::open(dir, {});
        EXPECT_TRUE(w.has_value());
        EXPECT_TRUE((*w)->append_row(to_row{1}(static_cast<int64_t>(chk))).has_value());
        EXPECT_TRUE((*w)->close_all().has_value());
        iceberg::commit_request req;
        req.files = (*w)->take_closed();
        req.summary[iceberg::summary_job_id] = job;
        req.summary[iceberg::summary_checkpoint_id] = std::to_string(chk);
        auto r = iceberg::commit_files(dir, req);
        EXPECT_TRUE(r.has_value()) << r.error();
    };
    auto meta = [&] { return iceberg::load_table(dir)->meta; };
    EXPECT_FALSE(iceberg::find_job_commit(meta(), "a").has_value());
    commit("a", 1);
    commit("b", 7);
    commit("a", 2);
    commit("b", 8);
    auto a = iceberg::find_job_commit(meta(), "a");
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->checkpoint_id, 2u);
    EXPECT_FALSE(a->end_of_input);
    EXPECT_EQ(iceberg::find_job_commit(meta(), "b")->checkpoint_id, 8u);
    // A precondition that fails leaves the table as it was.
    iceberg::commit_request req;
    {
        auto w = iceberg::data_writer::open(dir, {});
        ASSERT_TRUE((*w)->append_row(to_row{1}(99)).has_value());
        ASSERT_TRUE((*w)->close_all().has_value());
        req.files = (*w)->take_closed();
    }
    req.precondition = [](const iceberg::loaded_table&) { return false; };
    auto before = meta().snapshots.size();
    auto r = iceberg::commit_files(dir, req);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->status, iceberg::commit_status::precondition_failed);
    EXPECT_EQ(meta().snapshots.size(), before);
    // An empty commit is an error.
    EXPECT_FALSE(iceberg::commit_files(dir, iceberg::commit_request{}).has_value());
}

}  // namespace
}  // namespace otter::connectors::iceberg_sink

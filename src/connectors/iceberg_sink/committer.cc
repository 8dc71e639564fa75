#include "connectors/iceberg_sink/committer.h"

#include <algorithm>
#include <cstring>

#include "connectors/iceberg/commit.h"
#include "connectors/iceberg/table.h"
#include "stream/serde.h"

namespace otter::connectors::iceberg_sink {

using otter::stream::reader;
using otter::stream::writer;
using err = unexpected<std::string>;

namespace {

constexpr uint64_t committable_version = 1;

enum class cell : uint8_t {
    null = 0,
    boolean = 1,
    int64 = 2,
    float64 = 3,
    string = 4,
    decimal = 5
};

void put_value(writer& w, const iceberg::value& v) {
    if (auto* b = std::get_if<bool>(&v)) {
        w.u64(static_cast<uint64_t>(cell::boolean));
        w.u64(*b ? 1 : 0);
    } else if (auto* i = std::get_if<int64_t>(&v)) {
        w.u64(static_cast<uint64_t>(cell::int64));
        w.i64(*i);
    } else if (auto* d = std::get_if<double>(&v)) {
        w.u64(static_cast<uint64_t>(cell::float64));
        w.raw(d, sizeof(double));
    } else if (auto* s = std::get_if<std::string>(&v)) {
        w.u64(static_cast<uint64_t>(cell::string));
        w.str(*s);
    } else if (auto* dec = std::get_if<parquet::decimal_value>(&v)) {
        w.u64(static_cast<uint64_t>(cell::decimal));
        auto u = static_cast<unsigned __int128>(dec->unscaled);
        w.u64(static_cast<uint64_t>(u >> 64));
        w.u64(static_cast<uint64_t>(u));
    } else {
        w.u64(static_cast<uint64_t>(cell::null));
    }
}

iceberg::value get_value(reader& r) {
    switch (static_cast<cell>(r.u64())) {
        case cell::null:
            return std::monostate{};
        case cell::boolean:
            return r.u64() != 0;
        case cell::int64:
            return r.i64();
        case cell::float64: {
            double d = 0;
            r.raw(&d, sizeof(d));
            return d;
        }
        case cell::string:
            return r.str();
        case cell::decimal: {
            unsigned __int128 hi = r.u64();
            unsigned __int128 lo = r.u64();
            return parquet::decimal_value{static_cast<parquet::int128>((hi << 64) | lo)};
        }
    }
    r.fail();
    return std::monostate{};
}

void put_file(writer& w, const iceberg::data_file& f) {
    w.str(f.uri);
    w.i64(f.spec_id);
    w.i64(f.schema_id);
    w.u64(f.partition.size());
    for (const auto& v : f.partition)
        put_value(w, v);
    w.i64(f.summary.num_rows);
    w.i64(f.summary.file_size);
    w.u64(f.summary.row_group_offsets.size());
    for (auto o : f.summary.row_group_offsets)
        w.i64(o);
    w.u64(f.summary.columns.size());
    for (const auto& c : f.summary.columns) {
        w.i64(c.field_id);
        w.i64(c.value_count);
        w.i64(c.null_count);
        w.i64(c.nan_count);
        w.u64((c.has_bounds ? 1u : 0u) | (c.upper_bound_present ? 2u : 0u));
        w.str(c.lower_bound);
        w.str(c.upper_bound);
        w.i64(c.compressed_size);
    }
}

void get_file(reader& r, iceberg::data_file& f) {
    f.uri = r.str();
    f.spec_id = static_cast<int32_t>(r.i64());
    f.schema_id = static_cast<int32_t>(r.i64());
    size_t n = r.length();
    for (size_t i = 0; i < n && r.ok(); ++i)
        f.partition.push_back(get_value(r));
    f.summary.num_rows = r.i64();
    f.summary.file_size = r.i64();
    n = r.length();
    for (size_t i = 0; i < n && r.ok(); ++i)
        f.summary.row_group_offsets.push_back(r.i64());
    n = r.length();
    for (size_t i = 0; i < n && r.ok(); ++i) {
        parquet::column_metrics c;
        c.field_id = static_cast<int32_t>(r.i64());
        c.value_count = r.i64();
        c.null_count = r.i64();
        c.nan_count = r.i64();
        uint64_t flags = r.u64();
        c.has_bounds = (flags & 1) != 0;
        c.upper_bound_present = (flags & 2) != 0;
        c.lower_bound = r.str();
        c.upper_bound = r.str();
        c.compressed_size = r.i64();
        f.summary.columns.push_back(std::move(c));
    }
}

}  // namespace

bytes encode_committable(const committable& c) {
    bytes out;
    writer w(out);
    w.u64(committable_version);
    w.str(c.job_id);
    w.u64(c.epochs.size());
    for (const auto& e : c.epochs) {
        w.u64(e.epoch);
        w.u64(e.files.size());
        for (const auto& f : e.files)
            put_file(w, f);
    }
    return out;
}

result<committable, std::string> decode_committable(bytes_view b) {
    reader r(b);
    uint64_t version = r.u64();
    if (r.ok() && version != committable_version)
        return err{"iceberg sink: committable version " + std::to_string(version) +
                   " is not supported (expected 1)"};
    committable c;
    c.job_id = r.str();
    size_t n = r.length();
    for (size_t i = 0; i < n && r.ok(); ++i) {
        epoch_files e;
        e.epoch = r.u64();
        size_t m = r.length();
        for (size_t j = 0; j < m && r.ok(); ++j) {
            iceberg::data_file f;
            get_file(r, f);
            e.files.push_back(std::move(f));
        }
        c.epochs.push_back(std::move(e));
    }
    if (!r.ok() || !r.at_end())
        return err{std::string("iceberg sink: truncated or corrupt committable")};
    if (c.job_id.empty())
        return err{std::string("iceberg sink: committable without a job id")};
    return c;
}

committer::committer(iceberg_sink_config cfg) : cfg_(std::move(cfg)) {
    job_id_ = cfg_.job_name + "-" + iceberg::random_uuid();
}

std::string committer::job_id() const {
    std::lock_guard lk(mu_);
    return job_id_;
}

void committer::adopt_job_id(const std::string& id) {
    std::lock_guard lk(mu_);
    job_id_ = id;
}

void committer::set_parallelism(uint32_t p) {
    std::lock_guard lk(mu_);
    parallelism_ = std::max<uint32_t>(p, 1);
}

std::optional<std::string> committer::failure() const {
    std::lock_guard lk(mu_);
    return failure_;
}

committer::stats committer::get_stats() const {
    std::lock_guard lk(mu_);
    return stats_;
}

void committer::commit(uint32_t subtask, uint64_t checkpoint, bytes_view c) {
    std::lock_guard clk(commit_mu_);
    auto decoded = decode_committable(c);
    if (!decoded) {
        std::lock_guard lk(mu_);
        failure_ = "checkpoint " + std::to_string(checkpoint) + ": " + decoded.error();
        return;
    }
    max_checkpoint_seen_ = std::max(max_checkpoint_seen_, checkpoint);
    auto& p = pending_[checkpoint];
    p.job = decoded->job_id;
    p.parts[subtask] = std::move(decoded->epochs);
    uint32_t parallelism;
    {
        std::lock_guard lk(mu_);
        parallelism = parallelism_;
    }
    if (p.parts.size() < parallelism)
        return;
    // Every subtask's part of `checkpoint` is in: commit it (and any older complete one first,
    // though the coordinator delivers checkpoints in order, one at a time).
    while (!pending_.empty() && pending_.begin()->first <= checkpoint) {
        auto node = pending_.extract(pending_.begin());
        if (node.mapped().parts.size() < parallelism)
            continue;  // an incomplete older set cannot complete any more: its epochs ride along
        std::vector<epoch_files> all;
        for (auto& [s, eps] : node.mapped().parts)
            for (auto& e : eps)
                all.push_back(std::move(e));
        if (auto r = commit_epochs(node.mapped().job, node.key(), all, false); !r) {
            std::lock_guard lk(mu_);
            failure_ = r.error();
            return;
        }
    }
}

result<void, std::string> committer::finish(uint32_t subtask, std::vector<epoch_files> epochs) {
    std::lock_guard clk(commit_mu_);
    finished_[subtask] = std::move(epochs);
    uint32_t parallelism;
    std::string job;
    {
        std::lock_guard lk(mu_);
        parallelism = parallelism_;
        job = job_id_;
        if (failure_)
            return err{*failure_};
    }
    if (finished_.size() < parallelism)
        return {};
    std::vector<epoch_files> all;
    for (auto& [s, eps] : finished_)
        for (auto& e : eps)
            all.push_back(std::move(e));
    finished_.clear();
    auto r = commit_epochs(job, max_checkpoint_seen_ + 1, all, true);
    if (!r) {
        std::lock_guard lk(mu_);
        failure_ = r.error();
    }
    return r;
}

result<void, std::string> committer::commit_epochs(const std::string& job, uint64_t checkpoint,
                                                   const std::vector<epoch_files>& epochs,
                                                   bool end_of_input) {
    // A lost race whose winner is this same job (another committer of it) changes what must be
    // committed: recompute from the new state. Other writers' commits just rebase.
    for (int round = 0; round < 3; ++round) {
        auto t = iceberg::load_table(cfg_.table_dir, "", cfg_.storage);
        if (!t)
            return err{"iceberg sink: " + t.error()};
        auto done = iceberg::find_job_commit(t->meta, job);
        uint64_t done_through = done ? done->checkpoint_id : 0;
        if (end_of_input)
            checkpoint = std::max(checkpoint, done_through + 1);
        if (done && (done->end_of_input || done->checkpoint_id >= checkpoint)) {
            // Already in the table: a replay after a crash (or after end of input).
            uint64_t seen = done->end_of_input ? UINT64_MAX : done->checkpoint_id;
            uint64_t cur = committed_through_.load();
            while (cur < seen && !committed_through_.compare_exchange_weak(cur, seen)) {
            }
            std::lock_guard lk(mu_);
            ++stats_.checkpoints_skipped;
            return {};
        }
        iceberg::commit_request req;
        int64_t rows = 0;
        for (const auto& e : epochs) {
            if (e.epoch <= done_through)
                continue;  // committed with an earlier checkpoint of this job
            for (const auto& f : e.files) {
                req.files.push_back(f);
                rows += f.summary.num_rows;
            }
        }
        auto advance = [&] {
            uint64_t cur = committed_through_.load();
            while (cur < checkpoint && !committed_through_.compare_exchange_weak(cur, checkpoint)) {
            }
        };
        if (req.files.empty()) {
            advance();
            return {};
        }
        req.max_attempts = cfg_.max_commit_attempts;
        req.io = t->io;  // the connection the state was just read through
        req.summary[iceberg::summary_job_id] = job;
        req.summary[iceberg::summary_checkpoint_id] = std::to_string(checkpoint);
        if (end_of_input)
            req.summary[iceberg::summary_end_of_input] = "true";
        std::optional<int64_t> expected =
            done ? std::optional<int64_t>(done->snapshot_id) : std::nullopt;
        req.precondition = [&](const iceberg::loaded_table& now) {
            auto c = iceberg::find_job_commit(now.meta, job);
            return (c ? std::optional<int64_t>(c->snapshot_id) : std::nullopt) == expected;
        };
        auto out = iceberg::commit_files(cfg_.table_dir, req);
        if (!out)
            return err{"iceberg sink: commit of checkpoint " + std::to_string(checkpoint) + ": " +
                       out.error()};
        if (out->status == iceberg::commit_status::precondition_failed)
            continue;
        advance();
        std::lock_guard lk(mu_);
        ++stats_.snapshots;
        stats_.files += static_cast<int64_t>(req.files.size());
        stats_.rows += rows;
        return {};
    }
    return err{"iceberg sink: checkpoint " + std::to_string(checkpoint) +
               ": the table kept changing under this job's own commits"};
}

}  // namespace otter::connectors::iceberg_sink

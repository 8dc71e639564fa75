// iceberg_sink<T>: an exactly-once Iceberg sink for the stream engine.
//
// Each sink subtask maps records to rows (the user function T → std::vector<iceberg::value> in
// table schema order) and writes them to Parquet data files, one open file per partition (at
// most `max_open_files`; the file with the most buffered bytes, else the oldest, is closed when
// another partition needs one), rolled at `target_file_bytes` and all closed at every
// checkpoint barrier. The files closed in an epoch are the subtask's committable for that
// checkpoint (stored in the checkpoint). Once the checkpoint is complete, the committer commits
// the files of every subtask as ONE snapshot whose summary carries otter.job-id and
// otter.checkpoint-id. Before committing checkpoint c it walks the current snapshot's ancestry
// for the newest snapshot of this job and skips c if that one's checkpoint id is >= c, so
// replays after a crash or a restore never commit a file twice; a restored job commits the
// committables stored in the checkpoint it restored (the engine hands them over again) unless
// the table already has them. At end of input the remaining files of all subtasks are committed
// as one snapshot marked otter.end-of-input.
//
// The protocol, its failure cases and what is left behind (orphan files): README.md and
// docs/formats/iceberg-table.md, "Streaming commits".
//
// Thread-safety: the sink and its committer are thread-safe; each writer belongs to its task.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "connectors/iceberg/data_writer.h"
#include "connectors/iceberg_sink/committer.h"
#include "stream/ops.h"

namespace otter::connectors::iceberg_sink {

// F: std::vector<iceberg::value>(const T&). A row the table rejects (arity, type, null in a
// required column) fails the job with a message naming the table and the reason: a sink never
// drops data silently. Map bad input to nulls or filter it upstream instead.
template <typename T, typename F>
class iceberg_sink final : public otter::stream::sink<T> {
  public:
    iceberg_sink(iceberg_sink_config cfg, F to_row)
        : committer_(std::make_shared<committer>(std::move(cfg))), to_row_(std::move(to_row)) {}

    std::unique_ptr<otter::stream::sink_writer<T>> create_writer(
        const otter::stream::operator_context& ctx) override {
        committer_->set_parallelism(ctx.parallelism);
        iceberg::data_writer_options o;
        o.target_file_bytes = committer_->config().target_file_bytes;
        o.max_open_files = committer_->config().max_open_files;
        o.file_prefix = std::to_string(ctx.subtask);
        o.storage = committer_->config().storage;
        auto w = iceberg::data_writer::open(committer_->config().table_dir, std::move(o));
        if (!w) {
            throw std::runtime_error("iceberg sink: " + w.error());
        }
        return std::make_unique<writer>(committer_, to_row_, ctx.subtask, std::move(*w));
    }

    void commit(uint32_t subtask, uint64_t checkpoint, bytes_view c) override {
        committer_->commit(subtask, checkpoint, c);
    }

    const committer& get_committer() const { return *committer_; }
    std::string job_id() const { return committer_->job_id(); }

  private:
    class writer final : public otter::stream::sink_writer<T> {
      public:
        // The committer is shared with the sink (its lifetime spans both).
        writer(std::shared_ptr<committer> c, F& to_row, uint32_t subtask,
               std::unique_ptr<iceberg::data_writer> w)
            : committer_(std::move(c)), to_row_(to_row), subtask_(subtask), w_(std::move(w)) {}

        void write(otter::stream::batch<T>&& b) override {
            check_committer();
            for (const auto& v : b.values) {
                std::vector<iceberg::value> row = to_row_(v);
                if (auto r = w_->append_row(row); !r) {
                    throw std::runtime_error("iceberg sink (" + committer_->config().table_dir +
                                             "): " + r.error());
                }
            }
        }

        bytes precommit(uint64_t id) override {
            check_committer();
            close_epoch(id);
            committable c;
            c.job_id = committer_->job_id();
            c.epochs = pending_;
            return encode_committable(c);
        }

        void snapshot(otter::stream::writer& w) override {
            w.u64(1);  // version
            w.str(committer_->job_id());
        }

        bool restore(otter::stream::reader& r) override {
            if (r.u64() != 1) {
                return false;
            }
            std::string id = r.str();
            if (!r.ok() || id.empty()) {
                return false;
            }
            committer_->adopt_job_id(id);
            return true;
        }

        void finish() override {
            check_committer();
            close_epoch(final_epoch);
            if (auto r = committer_->finish(subtask_, std::move(pending_)); !r) {
                throw std::runtime_error(r.error());
            }
            pending_.clear();
        }

      private:
        void check_committer() {
            if (auto f = committer_->failure()) {
                throw std::runtime_error("iceberg sink: committer failed: " + *f);
            }
        }
        void close_epoch(uint64_t id) {
            if (auto r = w_->close_all(); !r) {
                throw std::runtime_error("iceberg sink: " + r.error());
            }
            auto files = w_->take_closed();
            if (!files.empty()) {
                pending_.push_back(epoch_files{id, std::move(files)});
            }
            uint64_t done = committer_->committed_through();
            std::erase_if(pending_, [&](const epoch_files& e) { return e.epoch <= done; });
        }

        std::shared_ptr<committer> committer_;
        F& to_row_;
        uint32_t subtask_;
        std::unique_ptr<iceberg::data_writer> w_;
        std::vector<epoch_files> pending_;  // closed, not yet known committed
    };

    // shared_ptr: writers (owned by task threads) and the sink (owned by the graph) both use it.
    std::shared_ptr<committer> committer_;
    F to_row_;
};

template <typename T, typename F>
std::shared_ptr<iceberg_sink<T, F>> make_iceberg_sink(iceberg_sink_config cfg, F to_row) {
    return std::make_shared<iceberg_sink<T, F>>(std::move(cfg), std::move(to_row));
}

}  // namespace otter::connectors::iceberg_sink

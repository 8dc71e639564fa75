// The committing half of the exactly-once Iceberg sink (iceberg_sink.h): the committable format
// and the committer that turns each completed checkpoint into one Iceberg snapshot.
// Protocol and failure cases: README.md and docs/formats/iceberg-table.md, "Streaming commits".
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"
#include "connectors/iceberg/data_writer.h"

namespace otter::connectors::iceberg_sink {

struct iceberg_sink_config {
    std::string table_dir;           // the table's directory or s3:// location (create_table first)
    std::string job_name = "otter";  // job id prefix; a fresh (not restored) job adds a UUID
    size_t target_file_bytes = 128u << 20;  // roll data files at this many buffered bytes
    size_t max_open_files = 32;             // open data files (partitions) per subtask
    int max_commit_attempts = 10;           // lost commit races retried per commit
    iceberg::storage_options storage;       // for an s3:// table_dir
};

// Data files one subtask closed in one epoch. The epoch of the files pre-committed at the
// barrier of checkpoint c is c; files closed at end of input have epoch `final_epoch`.
struct epoch_files {
    uint64_t epoch = 0;
    std::vector<iceberg::data_file> files;
};
inline constexpr uint64_t final_epoch = UINT64_MAX;

// What one sink subtask stores in a checkpoint: the job id and every epoch it has not yet seen
// committed. Versioned serde encoding (format in docs/formats/iceberg-table.md).
struct committable {
    std::string job_id;
    std::vector<epoch_files> epochs;
};
bytes encode_committable(const committable& c);
// Fails (no crash) on truncated, corrupt or unknown-version input.
result<committable, std::string> decode_committable(bytes_view b);

// Receives committables from the checkpoint coordinator (one per sink subtask per completed
// checkpoint) and end-of-input hand-offs from writers, and commits each complete set as one
// snapshot stamped otter.job-id / otter.checkpoint-id, skipping what the table's snapshot
// ancestry shows this job already committed. Thread-safe (one mutex serialises commits).
class committer {
  public:
    explicit committer(iceberg_sink_config cfg);

    const iceberg_sink_config& config() const { return cfg_; }
    // The job id commits are stamped with; a restored writer adopts the one in its checkpoint.
    std::string job_id() const;
    void adopt_job_id(const std::string& id);
    void set_parallelism(uint32_t p);

    // Committables of `subtask` for completed checkpoint `checkpoint` (also on restore). When
    // every subtask's committable for the checkpoint is in, commits them as one snapshot.
    // Never throws: a failed commit is recorded in failure() (writers then fail the job).
    void commit(uint32_t subtask, uint64_t checkpoint, bytes_view c);
    // End of input of `subtask`: its uncommitted epochs. The last subtask to finish commits all
    // of them as one snapshot marked otter.end-of-input. Returns an error if that commit fails.
    result<void, std::string> finish(uint32_t subtask, std::vector<epoch_files> epochs);

    // Highest checkpoint id known to be committed (or skipped as already committed) for this
    // job: writers drop pending epochs at or below it.
    uint64_t committed_through() const { return committed_through_.load(); }
    std::optional<std::string> failure() const;

    struct stats {
        int64_t snapshots = 0;            // snapshots this process committed
        int64_t checkpoints_skipped = 0;  // already in the table (replay after a crash)
        int64_t files = 0;
        int64_t rows = 0;
    };
    stats get_stats() const;

  private:
    // Commits `epochs` for `checkpoint`: drops epochs at or below what the table shows this job
    // committed, then commits the rest as one snapshot. Caller holds commit_mu_.
    result<void, std::string> commit_epochs(const std::string& job, uint64_t checkpoint,
                                            const std::vector<epoch_files>& epochs,
                                            bool end_of_input);

    const iceberg_sink_config cfg_;
    mutable std::mutex mu_;
    std::string job_id_;                  // guarded by mu_
    uint32_t parallelism_ = 1;            // guarded by mu_
    std::optional<std::string> failure_;  // guarded by mu_
    stats stats_;                         // guarded by mu_
    std::atomic<uint64_t> committed_through_{0};

    std::mutex commit_mu_;  // serialises commits; taken before mu_
    struct pending {
        std::string job;
        std::map<uint32_t, std::vector<epoch_files>> parts;  // by subtask
    };
    std::map<uint64_t, pending> pending_;                    // guarded by commit_mu_
    std::map<uint32_t, std::vector<epoch_files>> finished_;  // guarded by commit_mu_
    uint64_t max_checkpoint_seen_ = 0;                       // guarded by commit_mu_
};

}  // namespace otter::connectors::iceberg_sink

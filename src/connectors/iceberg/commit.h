// Committing already-written data files as one Iceberg snapshot, and finding what a streaming job
// committed before (for exactly-once sinks, see src/connectors/iceberg_sink/ and
// docs/formats/iceberg-table.md "Streaming commits").
//
// commit_files() writes one manifest for the files, then the manifest list (the parent's
// manifests carried over: a fast append) and the next metadata version, created exclusively
// (file_io::create_exclusive). appender::commit() is this same function over its closed files. A
// lost race reloads the table, re-runs the caller's precondition on the new state and retries; so a
// precondition such as "this job has not yet committed checkpoint c" holds at the moment the commit
// wins.
//
// Thread-safety: free functions over plain values; concurrent commits to one table (threads or
// processes) are serialised by the exclusive metadata create.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "connectors/iceberg/data_writer.h"
#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/table.h"

namespace otter::iceberg {

// Snapshot summary keys a streaming committer stamps on its snapshots.
inline constexpr const char* summary_job_id = "otter.job-id";
inline constexpr const char* summary_checkpoint_id = "otter.checkpoint-id";
inline constexpr const char* summary_end_of_input = "otter.end-of-input";

struct commit_request {
    std::vector<data_file> files;                // all of one partition spec and schema
    std::map<std::string, std::string> summary;  // extra snapshot summary keys
    int max_attempts = 10;
    // Run on the freshly loaded table before every attempt; false abandons the commit with
    // commit_status::precondition_failed (nothing becomes visible). May be empty.
    std::function<bool(const loaded_table&)> precondition;
    storage_options storage;       // for s3:// tables (unused when `io` is set)
    std::shared_ptr<file_io> io;   // storage to commit through (e.g. an appender's); may be null
    bool require_current = false;  // also fail if the files' schema or spec is no longer the
                                   // table's current schema / default spec (appends)
    std::string what = "commit";   // error message prefix
    std::string table_uuid;        // when set, the table must still have this uuid
};

enum class commit_status : uint8_t {
    committed,            // the snapshot is the table's current snapshot now
    precondition_failed,  // the precondition said no: nothing was committed
};

struct commit_outcome {
    commit_status status = commit_status::committed;
    snapshot snap;  // the new snapshot when committed
};

// Commits `r.files` as one append snapshot of the table at `dir`. Fails (nothing visible; the
// manifest written may remain as an orphan) when the table cannot be read, its uuid changed, the
// files' spec or schema is unknown, or every attempt lost a race. An empty file list is an error.
result<commit_outcome, std::string> commit_files(const std::string& dir, const commit_request& r);

// The newest snapshot in the ancestry of the current snapshot (following parent-snapshot-id
// until a parent is missing, e.g. expired) whose summary names `job_id`.
struct job_commit {
    int64_t snapshot_id = 0;
    uint64_t checkpoint_id = 0;
    bool end_of_input = false;
};
std::optional<job_commit> find_job_commit(const table_metadata& meta, const std::string& job_id);

}  // namespace otter::iceberg

// Snapshot expiry: drops old snapshots from table metadata, then deletes the manifest lists,
// manifests and data/delete files that no remaining snapshot reaches.
//
// Order is what makes it safe: (1) choose snapshots to expire and prove every remaining snapshot's
// files can be listed; (2) commit the next metadata version without them (exclusive create,
// retried on a lost race, re-deciding against the newer metadata); (3) only then compute the files
// reachable from the snapshots that remain in the committed metadata and delete the files of
// expired snapshots that are not among them. A file referenced by an expired and a remaining
// snapshot stays. A crash after (2) leaves unreferenced files (orphans), never a dangling
// reference. See docs/formats/iceberg-table.md ("Snapshot expiry").
//
// Thread-safety: a free function. Concurrent appends are safe (they only reference the current
// snapshot's files, which is never expired, plus their own new files).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "connectors/iceberg/file_io.h"

namespace otter::iceberg {

using sys_milliseconds = std::chrono::sys_time<std::chrono::milliseconds>;

struct expire_options {
    // Snapshots with timestamp-ms strictly before this may expire. nullopt: now minus the table
    // property history.expire.max-snapshot-age-ms (default 5 days, as Java Iceberg).
    std::optional<sys_milliseconds> older_than;
    // The newest N snapshots of the current snapshot's ancestry (the current one included) are
    // kept whatever their age. nullopt: table property history.expire.min-snapshots-to-keep
    // (default 1). Must be >= 1.
    std::optional<int32_t> retain_last;
    // Decide and report, but commit nothing and delete nothing.
    bool dry_run = false;
    int max_commit_attempts = 10;
    storage_options storage;  // for s3:// tables
};

struct expire_result {
    std::vector<int64_t> expired_snapshot_ids;
    std::vector<int64_t> remaining_snapshot_ids;
    // Paths (local, or s3:// URIs) deleted (or, on a dry run, that would be deleted), by kind.
    std::vector<std::string> manifest_lists, manifests, content_files, metadata_files;
    // Files that could not be deleted after the commit (left as orphans), with the reason.
    std::vector<std::string> delete_errors;
    int64_t committed_version = 0;  // N of the vN.metadata.json written; 0 if none
    int64_t cutoff_ms = 0;          // the effective older-than, ms since the epoch
    int32_t retain_last = 0;        // the effective retain-last
};

// Expires snapshots of the table at `dir` as described above. Never expires the current
// snapshot, a snapshot any ref (branch or tag) points to, or the `retain_last` newest ancestors
// of the current snapshot. With nothing to expire it commits nothing.
//
// If the table property write.metadata.delete-after-commit.enabled is true, metadata-log is also
// trimmed to write.metadata.previous-versions-max entries (default 100) and the metadata files
// dropped from it are deleted after the commit.
//
// Errors (nothing committed, nothing deleted): unreadable table, retain_last < 1, a remaining
// snapshot whose manifest list or manifests cannot be read (its files could not be protected).
// Deletion failures after the commit are not errors: see expire_result::delete_errors.
result<expire_result, std::string> expire_snapshots(const std::string& dir,
                                                    const expire_options& options);

}  // namespace otter::iceberg

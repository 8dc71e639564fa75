// Metadata-only commits (schema changes, snapshot expiry) with the same protocol as appends:
// load the newest vN.metadata.json, derive v(N+1) from it, create v(N+1) exclusively
// (file_io::create_exclusive: link(2) locally, If-None-Match: * on S3); a writer that loses the
// race reloads and re-derives. See docs/formats/iceberg-table.md ("Commit protocol").
//
// Thread-safety: free functions, independent; concurrent committers (threads or processes) are
// serialised by the exclusive create of the next version.
#pragma once

#include <functional>
#include <string>

#include "base/result.h"
#include "connectors/iceberg/file_io.h"
#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/table.h"

namespace otter::iceberg {

// Edits `next` (a copy of base.meta.raw with last-updated-ms set and base's metadata file already
// appended to metadata-log) into the next metadata version. Called once per commit attempt with
// the table as it is then; must be a pure function of its inputs. An error aborts the commit.
using metadata_edit =
    std::function<result<void, std::string>(const loaded_table& base, ojson& next)>;

// Commits one metadata change and returns the table as committed (its new version). Fails if
// `edit` fails, on I/O errors, or after `max_attempts` lost races. Nothing is visible on failure.
// `dir` is a local directory or s3://bucket/prefix (settings from `storage`).
result<loaded_table, std::string> commit_metadata(const std::string& dir, const metadata_edit& edit,
                                                  int max_attempts = 10,
                                                  const storage_options& storage = {});

}  // namespace otter::iceberg

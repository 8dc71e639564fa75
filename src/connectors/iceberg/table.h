// Iceberg v2 tables in a filesystem ("hadoop") catalog: create, load, append in one atomic
// commit, and list a snapshot's data files.
//
// Layout: <warehouse>/<ns...>/<table>/{data,metadata}/; metadata/vN.metadata.json is the commit
// point, created exclusively (file_io::create_exclusive: link(2) locally, PUT with
// If-None-Match: * on S3) so a concurrent committer that loses the race reloads and retries;
// metadata/version-hint.text then names N. Readers never see a partial append because nothing
// references the new files before vN exists. The warehouse may be a local directory or
// s3://bucket/prefix (file_io.h). See docs/formats/iceberg-table.md.
//
// Thread-safety: functions are independent; an `appender` is owned by one thread. Several
// processes may append to one table concurrently (the exclusive create serialises them; on an
// S3 store that ignores If-None-Match the last writer wins, so use one writer there).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "connectors/iceberg/data_writer.h"
#include "connectors/iceberg/file_io.h"
#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/schema.h"
#include "connectors/parquet/writer.h"

namespace otter::iceberg {

// <warehouse>/<a>/<b>/<table> for identifier "a.b.table".
result<std::string, std::string> table_dir(const std::string& warehouse,
                                           const std::string& identifier);

struct create_request {
    schema table_schema;
    partition_spec spec;
    std::map<std::string, std::string> properties;
    storage_options storage;  // for s3:// table locations
};

// Creates metadata/v1.metadata.json (no snapshot) and version-hint.text. Fails if the table
// already has metadata.
result<table_metadata, std::string> create_table(const std::string& dir, const create_request& r);

struct loaded_table {
    std::string dir;  // local directory or s3://bucket/prefix
    // Storage the table was read from; list_files and appenders use it. Shared: copies of the
    // loaded table and appenders opened from it use the same connection.
    std::shared_ptr<file_io> io;
    int64_t version = 0;        // N of vN.metadata.json (0 when loaded from another name)
    std::string metadata_path;  // local path of the metadata file read
    table_metadata meta;
};

// Loads the newest version (version-hint.text, then any newer vN present), or
// `metadata_file` (a name under metadata/ or a path) when given.
// `dir` may be an s3://bucket/prefix location (storage settings from `storage`).
result<loaded_table, std::string> load_table(const std::string& dir,
                                             const std::string& metadata_file = "",
                                             const storage_options& storage = {});

// load_table on a given storage (appenders reuse their table's connection).
result<loaded_table, std::string> load_table_with(std::shared_ptr<file_io> io,
                                                  const std::string& dir,
                                                  const std::string& metadata_file = "");

// Maps a location recorded in metadata (file://..., or any URI under the table's location) to a
// local path, so tables written elsewhere (s3://...) can be read from a local copy.
std::string local_path(const loaded_table& t, const std::string& location);

// Data/delete files reachable from a snapshot, with the manifest they came from.
struct file_entry {
    std::string manifest_path;
    int64_t data_sequence_number = 0;  // inherited from the manifest list when null
    manifest_entry entry;
};
result<std::vector<file_entry>, std::string> list_files(const loaded_table& t, const snapshot& s);

struct append_options {
    // Codec etc. for data files; the codec defaults to the table property
    // write.parquet.compression-codec (zstd when unset) unless `codec_override` is set.
    parquet::writer_options parquet;
    bool codec_override = false;
    int64_t target_file_rows = 0;  // roll to a new data file after this many rows; 0: never
    // Memory bound over all open data files (one per partition): when their buffered row groups
    // exceed this, the largest file is closed (later rows of its partition start a new file).
    size_t max_buffered_bytes = 256u << 20;
    int max_commit_attempts = 10;
    std::map<std::string, std::string> extra_summary;  // custom snapshot summary keys
    storage_options storage;                           // for s3:// tables
};

// Appends rows to a table in one snapshot: rows are routed to one Parquet file per partition,
// then commit() writes the manifest, manifest list and next metadata version.
class appender {
  public:
    static result<std::unique_ptr<appender>, std::string> open(const std::string& dir,
                                                               append_options options);
    ~appender();

    const schema& table_schema() const { return layout_.table_schema; }
    // A row in schema order (see parquet::value for the accepted cell types).
    result<void, std::string> append_row(std::span<const value> row);
    int64_t rows() const { return rows_; }
    // Closes the data files and commits. On failure nothing is visible in the table (written
    // files may remain as orphans).
    result<snapshot, std::string> commit();

  private:
    appender() = default;
    result<partition_file*, std::string> writer_for(std::span<const value> row);
    result<void, std::string> close_file(partition_file& f);
    result<void, std::string> enforce_memory_bound();

    partition_layout layout_;  // its io is shared with the loaded table (loaded_table::io)
    append_options options_;
    std::map<std::string, std::unique_ptr<partition_file>> open_;
    std::vector<data_file> done_;  // closed files
    int64_t rows_ = 0;
    int64_t rows_since_memory_check_ = 0;
    bool committed_ = false;
};

// A random UUID (version 4) in canonical text form.
std::string random_uuid();

// Helpers shared by the module's commit paths (table.cc, commit.cc, metadata_commit.cc).
int64_t now_ms();                                 // wall clock, ms since the epoch
int64_t new_snapshot_id();                        // random, positive, < 2^53
std::string metadata_file_name(int64_t version);  // "v<version>.metadata.json"
inline bytes_view as_bytes(const std::string& s) {
    return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

}  // namespace otter::iceberg

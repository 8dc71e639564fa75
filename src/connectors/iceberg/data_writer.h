// Writes rows of an Iceberg table into Parquet data files without committing them: the first
// half of an append, for writers whose commit happens elsewhere (a stream sink's committer,
// see commit.h and src/connectors/iceberg_sink/).
//
// Rows are routed to one open data file per partition of the table's default spec. A file is
// closed ("rolled") when its buffered (uncompressed) bytes reach `target_file_bytes`, when more
// than `max_open_files` partitions are open (the file holding the most buffered bytes goes, ties
// broken by the oldest), or by close_all(). Closed files are handed out by take_closed() as
// `data_file` values that carry everything a manifest entry needs.
//
// Thread-safety: one thread owns a data_writer.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "connectors/iceberg/file_io.h"
#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/schema.h"
#include "connectors/parquet/writer.h"

namespace otter::iceberg {

// A written (closed) data file that is not yet part of any snapshot.
struct data_file {
    std::string uri;                // location recorded in the manifest (under the table location)
    int32_t spec_id = 0;            // partition spec the tuple belongs to
    int32_t schema_id = 0;          // schema the file was written with
    std::vector<value> partition;   // transform results, in spec field order
    parquet::file_summary summary;  // rows, size, split offsets, per-column metrics
};

// One open data file of one partition.
struct partition_file {
    std::vector<value> partition;  // transform results, in spec field order
    std::string path;              // storage path (local path or s3:// URI)
    std::string uri;               // location recorded in the manifest
    std::unique_ptr<parquet::file_writer> writer;
    uint64_t seq = 0;  // opening order: smaller is older
    int64_t rows = 0;
};

// A table opened for writing data files: its storage, current schema and default spec, and how
// rows map to partitions and Parquet files. Shared by data_writer and appender (table.h).
struct partition_layout {
    std::string dir;              // local directory or s3://bucket/prefix
    std::shared_ptr<file_io> io;  // the loaded table's storage
    std::string location;         // table location, no trailing '/'
    std::string table_uuid;
    schema table_schema;                        // the current schema
    partition_spec spec;                        // the default spec
    std::vector<parquet::column_spec> columns;  // one per schema field
    std::vector<size_t> source_index;           // per partition field: column of its source
    std::vector<std::string> result_types;      // per partition field: Iceberg result type

    // Loads the table at `dir` (format v2). Sets `options.iceberg_schema_json`, and
    // `options.codec` from write.parquet.compression-codec (zstd when unset) unless
    // `keep_codec`. `what` prefixes error messages.
    static result<partition_layout, std::string> load(const std::string& dir,
                                                      const storage_options& storage,
                                                      parquet::writer_options& options,
                                                      bool keep_codec, const std::string& what);
    // The partition tuple of a row in schema order; an error if the row has the wrong arity.
    result<std::vector<value>, std::string> partition_of(std::span<const value> row,
                                                         const std::string& what) const;
    // A map key, distinct for distinct tuples.
    std::string key(const std::vector<value>& partition) const;
    // Opens a new data file <dir>/data/<field>=<value>/.../<name>.
    result<std::unique_ptr<partition_file>, std::string> open_file(
        const std::vector<value>& partition, const std::string& name,
        const parquet::writer_options& options) const;
    // Closes `f` into a data_file (rows 0 when only rejected rows went there).
    result<data_file, std::string> close_file(partition_file& f) const;
};

struct data_writer_options {
    parquet::writer_options parquet;  // codec taken from write.parquet.compression-codec
    // Roll a file once its buffered row bytes (uncompressed estimate) reach this.
    size_t target_file_bytes = 128u << 20;
    size_t max_open_files = 32;  // at most this many partitions open at once (>= 1)
    // Data file names start with this (e.g. "<job>-<subtask>"), then a counter and a UUID.
    std::string file_prefix = "00000";
    storage_options storage;  // for s3:// tables
};

class data_writer {
  public:
    // Loads the table at `dir` (format v2, current schema and default spec) for writing.
    static result<std::unique_ptr<data_writer>, std::string> open(const std::string& dir,
                                                                  data_writer_options options);
    ~data_writer();

    const schema& table_schema() const { return layout_.table_schema; }
    const std::vector<parquet::column_spec>& columns() const { return layout_.columns; }

    // A row in schema order. A rejected row (wrong arity, bad type, null in a required column)
    // returns an error and leaves the writer usable; its file keeps the rows before it.
    result<void, std::string> append_row(std::span<const value> row);

    // Closes every open file (e.g. at a checkpoint barrier). Files with no rows are deleted.
    result<void, std::string> close_all();
    // Closed files not yet taken, oldest first; the writer forgets them.
    std::vector<data_file> take_closed();

    size_t open_files() const { return open_.size(); }
    int64_t files_rolled_by_size() const { return rolled_by_size_; }
    int64_t files_closed_by_cap() const { return closed_by_cap_; }

  private:
    data_writer() = default;
    result<partition_file*, std::string> writer_for(std::span<const value> row);
    result<void, std::string> close(const std::string& key);

    partition_layout layout_;
    data_writer_options options_;
    std::map<std::string, std::unique_ptr<partition_file>> open_;  // by partition key
    std::vector<data_file> closed_;
    uint64_t opened_ = 0;  // files opened so far (age order and file names)
    int64_t rolled_by_size_ = 0;
    int64_t closed_by_cap_ = 0;
};

}  // namespace otter::iceberg

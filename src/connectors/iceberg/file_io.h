// file_io: the storage seam of the Iceberg table code. Every read, write, listing and commit of
// table.cc goes through one, so a table lives on local disk or in S3 with the same code.
//
// Paths are full locations: a local path (/abs/dir/file) or an S3 URI (s3://bucket/key).
// `file_io_for(location)` picks the implementation: s3:// selects S3 (connectors/s3), anything
// else the local POSIX file system.
//
// Commit point: `create_exclusive` publishes an object only if none exists. Locally that is
// link(2) of a fully written temporary file (atomic, EEXIST on a lost race). On S3 it is a PUT
// with `If-None-Match: *` (HTTP 412 on a lost race), which AWS S3 honours; stores that ignore the
// header (e.g. s3rver) overwrite instead, so there the last writer wins and the catalog must
// have a single writer.
//
// Thread-safety: implementations are thread-safe (the S3 one serialises requests on one
// connection). Shared by a loaded table and its appenders, hence handed out as shared_ptr.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"
#include "connectors/parquet/writer.h"
#include "connectors/s3/client.h"

namespace otter::iceberg {

class file_io {
  public:
    virtual ~file_io() = default;

    // Whole object. Error if absent.
    virtual result<bytes, std::string> read(const std::string& path) = 0;
    // `length` bytes from `offset` (fewer at the end of the object).
    virtual result<bytes, std::string> read_range(const std::string& path, int64_t offset,
                                                  int64_t length) = 0;
    // Creates or replaces `path` with `data`, durably (local: temp + fsync + rename; parent
    // directories are created).
    virtual result<void, std::string> write(const std::string& path, bytes_view data) = 0;
    // Publishes `data` as `path` only if nothing exists there. False: somebody else won.
    virtual result<bool, std::string> create_exclusive(const std::string& path,
                                                       bytes_view data) = 0;
    virtual result<bool, std::string> exists(const std::string& path) = 0;
    // Full paths of all files under directory `dir` (recursively), sorted.
    virtual result<std::vector<std::string>, std::string> list(const std::string& dir) = 0;
    // True if removed, false if it did not exist.
    virtual result<bool, std::string> remove(const std::string& path) = 0;
    // A new file written as a stream (Parquet data files); visible once close() succeeds.
    virtual result<std::unique_ptr<parquet::output_stream>, std::string> open_output(
        const std::string& path) = 0;
    // Whether create_exclusive is a real conditional create on this store (false: an S3 store
    // known to ignore If-None-Match is not detectable, so S3 reports true; see the header).
    virtual bool conditional_create() const = 0;
};

// Settings for non-local storage. Unset S3 fields come from the environment
// (s3::config::fill_from_env).
struct storage_options {
    s3::config s3;
    bool s3_region_set = false;  // `s3.region` given explicitly (--s3-region)
};

bool is_s3_uri(const std::string& location);

// The local POSIX implementation.
std::shared_ptr<file_io> local_file_io();
// The S3 implementation over `client` (paths must be s3:// URIs).
std::shared_ptr<file_io> s3_file_io(std::shared_ptr<s3::client> client);
// The implementation for `location` (s3://... → S3, otherwise local).
result<std::shared_ptr<file_io>, std::string> file_io_for(const std::string& location,
                                                          const storage_options& options);

}  // namespace otter::iceberg

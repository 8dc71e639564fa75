// Env: the one door between Otter's storage and the operating system (LevelDB-style).
//
// Every file and directory operation that storage performs goes through an `env`, so that tests can
// swap in `mem_env` (in-memory, with crash simulation and fault injection) for the POSIX one.
// Errors are values: `result<T, io::error>`, where `errc` says what the caller can do about it.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"

namespace otter::io {

enum class errc {
    not_found,  // the path does not exist: create it, or treat as absent
    exists,     // the path already exists
    io_error,   // the device or kernel failed: data written since the last sync may be lost
    no_space,   // ENOSPC/EDQUOT: retry after freeing space
};

struct error {
    errc code = errc::io_error;
    std::string message;  // includes the path and the OS reason
};

// One open file, positioned for appends at its end.
// Thread-safety: append and truncate are serialised by the owner; pread, size and sync may run
// concurrently with an append (a reader sees either the old or the new size; a sync covers at
// least every append that completed before it started).
class file {
  public:
    virtual ~file() = default;
    // Appends all of `data` at the end of the file. On error the file may hold a prefix of `data`
    // beyond size(); the caller should truncate(size()) before appending again.
    virtual result<void, error> append(bytes_view data) = 0;
    // Reads up to out.size() bytes at `pos`; returns the count, short only at end of file.
    virtual result<size_t, error> pread(uint64_t pos, std::span<uint8_t> out) const = 0;
    // Makes every byte appended so far durable (fdatasync).
    virtual result<void, error> sync() = 0;
    // Cuts (or extends with zeros) the file to `size` bytes.
    virtual result<void, error> truncate(uint64_t size) = 0;
    // Bytes successfully appended (the logical end of the file).
    virtual uint64_t size() const = 0;
};

// File system access. Thread-safe. Paths are absolute or relative, '/'-separated, no trailing '/'.
class env {
  public:
    virtual ~env() = default;
    // Opens `path` for reading and appending; creates it (empty) if `create`, else not_found.
    virtual result<std::unique_ptr<file>, error> open(const std::string& path, bool create) = 0;
    // Replaces `path` with `data` atomically and durably: write `path`.tmp, fsync, rename, fsync
    // the directory. After a crash the file holds either the old or the new contents.
    virtual result<void, error> write_file_atomic(const std::string& path, bytes_view data) = 0;
    virtual result<bytes, error> read_file(const std::string& path) = 0;
    // Names (not paths) of the entries of a directory, without "." and "..", in no fixed order.
    virtual result<std::vector<std::string>, error> list_dir(const std::string& path) = 0;
    // mkdir -p. Succeeds if the directory already exists.
    virtual result<void, error> create_dirs(const std::string& path) = 0;
    virtual result<void, error> remove_file(const std::string& path) = 0;
    // rm -r. Succeeds if `path` does not exist.
    virtual result<void, error> remove_all(const std::string& path) = 0;
    // Renames a file or directory, replacing a file at `to`.
    virtual result<void, error> rename(const std::string& from, const std::string& to) = 0;
    // Makes the directory entries (creations, renames, removals) of `path` durable.
    virtual result<void, error> sync_dir(const std::string& path) = 0;
    virtual bool exists(const std::string& path) = 0;
};

// The real file system (POSIX: open/pwrite/pread/fdatasync).
std::unique_ptr<env> make_posix_env();

}  // namespace otter::io

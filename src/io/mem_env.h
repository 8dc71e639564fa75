// mem_env: an in-memory `env` for tests, with crash simulation and fault injection.
//
// Every file remembers how many of its bytes were synced. crash() models power loss: each file's
// content is cut to its synced length (files and directories themselves survive, as if every
// directory had been synced). write_file_atomic counts as synced. Open `file` objects stay usable
// after crash() but see the cut content; tests normally reopen.
// Thread-safe: one mutex guards the whole tree.
#pragma once

#include <cstdint>
#include <memory>

#include "io/env.h"

namespace otter::io {

struct mem_state;

class mem_env : public env {
  public:
    mem_env();
    ~mem_env() override;

    result<std::unique_ptr<file>, error> open(const std::string& path, bool create) override;
    result<void, error> write_file_atomic(const std::string& path, bytes_view data) override;
    result<bytes, error> read_file(const std::string& path) override;
    result<std::vector<std::string>, error> list_dir(const std::string& path) override;
    result<void, error> create_dirs(const std::string& path) override;
    result<void, error> remove_file(const std::string& path) override;
    result<void, error> remove_all(const std::string& path) override;
    result<void, error> rename(const std::string& from, const std::string& to) override;
    result<void, error> sync_dir(const std::string& path) override;
    bool exists(const std::string& path) override;

    // Drops every byte not yet synced, in every file.
    void crash();
    // The next file append (or write_file_atomic) fails with io_error and writes nothing.
    void fail_next_write();
    // The next file sync fails with io_error and syncs nothing.
    void fail_next_sync();
    // Number of successful file syncs so far (for group-commit tests).
    uint64_t sync_count() const;

  private:
    // shared_ptr: open files keep the tree alive and share its mutex.
    std::shared_ptr<mem_state> s_;
};

}  // namespace otter::io

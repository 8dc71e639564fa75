// Checkpoint storage: the on-disk format of checkpoints and savepoints.
//
// Format (versioned, documented in docs/formats/checkpoint.md):
//   <base>/chk-<id>/<task>-<subtask>.state   one binary file per subtask (sections + CRC-32C)
//   <base>/chk-<id>/_manifest                 written last with an atomic rename; its presence
//                                             is what makes the checkpoint complete
// A savepoint has the same layout in a directory the user chose. Reading verifies the manifest
// CRC, the format version, the job fingerprint (topology and parallelism) and every state file's
// size and CRC, and refuses the checkpoint with a clear error otherwise.
// Functions here are stateless and thread-safe (all I/O goes through an io::env).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"
#include "io/env.h"

namespace otter::stream {

enum class errc {
    io_error,      // the file system failed; see message
    not_found,     // no such checkpoint (or no completed checkpoint in the directory)
    corrupt,       // a checksum, magic or length does not match: the checkpoint is damaged
    incompatible,  // written by another format version or another job topology/parallelism
    declined,      // a checkpoint could not be taken now (a task finished, one is in flight)
    cancelled,     // the job was cancelled
    failed,        // a user function or operator failed; see message
};

struct error {
    errc code = errc::failed;
    std::string message;
};

inline constexpr uint32_t checkpoint_format_version = 1;

enum class section_kind : uint8_t {
    state = 0,        // an operator's keyed/operator state
    committable = 1,  // a sink's pre-committed output, committed once the checkpoint completes
    source = 2,       // a source reader's positions and per-split watermark state
};

struct state_section {
    uint32_t node = 0;  // graph node id
    section_kind kind = section_kind::state;
    bytes data;
};

// Everything one subtask of one task contributes to a checkpoint.
struct task_snapshot {
    std::string task;  // "t<root node id>"
    uint32_t subtask = 0;
    std::vector<state_section> sections;
};

struct checkpoint_info {
    uint64_t id = 0;
    std::string kind;  // "checkpoint" or "savepoint"
    std::string path;  // the directory holding _manifest
    std::string job;
    std::string fingerprint;
    int64_t created_ms = 0;
    uint64_t total_bytes = 0;
};

struct loaded_checkpoint {
    checkpoint_info info;
    std::vector<task_snapshot> tasks;
};

// Encodes / decodes one subtask's state file (magic, version, sections, CRC-32C).
bytes encode_task_state(const task_snapshot& s);
result<task_snapshot, error> decode_task_state(bytes_view data, const std::string& task,
                                               uint32_t subtask);

// Writes `tasks` into `dir` (created), manifest last. Returns total bytes written.
result<uint64_t, error> write_checkpoint(io::env& env, const std::string& dir,
                                         const checkpoint_info& info,
                                         const std::vector<task_snapshot>& tasks);

// Reads and verifies the checkpoint in `dir`. `fingerprint` must match the job's.
result<loaded_checkpoint, error> read_checkpoint(io::env& env, const std::string& dir,
                                                 const std::string& fingerprint);

// The directory of the completed checkpoint with the highest id under `base` (one whose
// _manifest exists), or not_found.
result<std::string, error> latest_checkpoint(io::env& env, const std::string& base);

// Keeps the `keep` newest completed checkpoints under `base`; removes older ones and any
// incomplete chk-* directory older than the newest completed one.
void retain_checkpoints(io::env& env, const std::string& base, size_t keep);

std::string checkpoint_dir_name(uint64_t id);

// The highest id of any chk-<id> directory under `base` (complete or not), 0 if none. New
// checkpoint ids start above it so a restarted job never reuses an id.
uint64_t max_checkpoint_id(io::env& env, const std::string& base);

}  // namespace otter::stream

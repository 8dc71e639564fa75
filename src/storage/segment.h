// segment: one log file of a partition plus its sparse offset index and time index.
// Internal to storage. Format: docs/formats/log-segment.md.
//
// Not thread-safe for mutation: partition_log calls every mutating method under its mutex.
// log() may be pread concurrently with append() (io::file guarantees it); lookups read the
// in-memory indexes and therefore also need the partition mutex.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"
#include "io/env.h"
#include "model/fundamental.h"

namespace otter::storage {

struct offset_index_entry {
    uint32_t relative_offset;  // base offset of the indexed batch, minus the segment base
    uint32_t position;         // byte position of that batch in the log file
};

struct time_index_entry {
    int64_t timestamp;         // max timestamp of the segment up to and including the batch below
    uint32_t relative_offset;  // base offset (relative) of the batch holding that timestamp
};

inline constexpr size_t offset_index_entry_size = 8;
inline constexpr size_t time_index_entry_size = 12;

// "<20-digit zero-padded base><ext>", e.g. "00000000000000000042.log".
std::string segment_file_name(model::offset base, const char* ext);
// Parses "<20 digits>.log"; nullopt for any other name.
std::optional<model::offset> parse_segment_log_name(const std::string& name);

class segment {
  public:
    // Creates an empty segment (three empty files) at `base`. With a `suffix` (the compactor
    // uses ".cleaned"), every file name gets it appended: "<base>.log.cleaned", ...
    static result<std::shared_ptr<segment>, std::string> create(io::env& env,
                                                                const std::string& dir,
                                                                model::offset base,
                                                                const char* suffix = "");

    struct recovered {
        std::shared_ptr<segment> seg;
        bool truncated = false;  // a torn or corrupt tail was cut off
    };
    // Opens an existing segment: loads and checks both indexes (rebuilding what is missing or
    // invalid), scans from the last offset index entry to the end checking each batch's framing,
    // magic, base offset continuity and CRC-32C, and truncates the log at the first bad batch.
    static result<recovered, std::string> recover(io::env& env, const std::string& dir,
                                                  model::offset base, uint32_t index_interval);

    // Appends a batch whose base offset is already set. Adds index entries as needed.
    result<void, std::string> append(bytes_view batch, uint32_t index_interval);
    // Writes the final time index entry; no more appends follow.
    void seal();
    // fdatasync of the log, and of the index files if `indexes`.
    result<void, std::string> sync(bool indexes);
    // Cuts a partial append back to size() after a failed write.
    result<void, std::string> undo_partial_append();
    // Removes the three files (errors are logged and ignored: a leftover file is harmless).
    void remove_files(io::env& env) const;
    // For a segment created with the ".cleaned" suffix, complete and sealed: makes it durable and
    // atomically replaces the segment files of the same base with it (protocol and recovery in
    // docs/formats/log-segment.md, "Compaction"). Afterwards the segment has the plain names.
    // Open file handles on the replaced files stay readable. `committed` tells whether the commit
    // point was reached. Errors: I/O failures. Before the commit point the cleaned files are
    // removed and the original is intact; after it, the files are left for recover_cleaner_files
    // to finish the swap at the next open.
    result<void, std::string> install_cleaned(io::env& env, bool& committed);

    model::offset base() const { return base_; }
    model::offset next_offset() const { return next_; }
    uint64_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    int64_t max_timestamp() const { return max_ts_; }
    bool sealed() const { return sealed_; }
    const io::file& log() const { return *log_; }

    // Byte position from which to scan for offset `o`: the indexed batch with the largest base
    // offset <= o, or 0.
    uint64_t position_for(model::offset o) const;
    // Position from which a scan finds the first batch whose max timestamp >= ts, or nullopt if
    // the segment holds none.
    std::optional<uint64_t> position_for_timestamp(int64_t ts) const;

    uint64_t synced_size = 0;     // bytes known durable; owned by partition_log
    bool indexes_synced = false;  // owned by partition_log

  private:
    segment(model::offset base, std::string dir) : base_(base), dir_(std::move(dir)) {}
    static result<recovered, std::string> recover_pass(io::env& env, const std::string& dir,
                                                       model::offset base, uint32_t index_interval,
                                                       bool use_indexes);
    // Bookkeeping for the batch at `pos` whose bytes are already in the log: size, next offset,
    // max timestamp, index entries. Index write failures are logged, not returned: the in-memory
    // index stays right and recovery repairs the file.
    void track(uint64_t pos, const uint8_t* header, uint32_t index_interval);
    void add_time_entry();

    std::string path(const char* ext) const;

    model::offset base_;
    std::string dir_;
    std::string suffix_;  // "" or ".cleaned" (see create)
    std::unique_ptr<io::file> log_, index_, time_index_;
    std::vector<offset_index_entry> index_entries_;
    std::vector<time_index_entry> time_entries_;
    model::offset next_;
    uint64_t size_ = 0;
    uint64_t bytes_since_index_ = 0;
    int64_t max_ts_ = -1;
    model::offset max_ts_offset_;
    bool sealed_ = false;
};

// Finishes or rolls back a compaction swap interrupted by a crash, given the names in `dir`: a
// "<base>.log.swap" (the commit point) completes the swap, every other "*.cleaned" file is
// removed. Called by partition_log::open before it looks at segments.
result<void, std::string> recover_cleaner_files(io::env& env, const std::string& dir,
                                                const std::vector<std::string>& names);

enum class header_status { ok, invalid, io_error };
// Reads the 61-byte header of the batch at `pos` into `header` and checks that the batch is framed
// as a v2 batch within [pos, limit): length >= header size, end <= limit, magic 2.
header_status read_batch_header(const io::file& f, uint64_t pos, uint64_t limit, uint8_t* header);

}  // namespace otter::storage

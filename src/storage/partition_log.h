// partition_log: the segmented log of one partition. Holds Kafka v2 record batches exactly as
// produced, with the broker-assigned base offset written in. Format and recovery rules:
// docs/formats/log-segment.md.
//
// Offsets: log_start_offset() <= high_watermark() <= log_end_offset(). Offsets below the high
// watermark are durable (fdatasync'ed); the rest may be lost by a crash.
//
// Thread-safe (one internal mutex). Appends serialise with each other; reads, flush() and
// offset_for_timestamp() do their file I/O outside the mutex and so run concurrently with appends.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"
#include "model/fundamental.h"
#include "storage/log_config.h"

namespace otter::io {
class env;
}

namespace otter::storage {

class segment;

struct append_result {
    model::offset base_offset;
    model::offset last_offset;
    int64_t log_append_time = -1;  // the time written into the batch, or -1 for CreateTime
};

// Knobs of one compaction run (the broker-wide cleaner settings; per-topic ones are in log_config).
struct compaction_options {
    // Cap on the memory of the key -> latest offset map (Kafka's log.cleaner.dedupe.buffer.size).
    // When the dirty part has more keys, it is cleaned in several passes.
    size_t dedupe_buffer_bytes = 128u << 20;
    // Bound on what one compressed batch may expand to while it is filtered.
    size_t max_decompressed_bytes = 64u << 20;
    // Clean even if the dirty ratio is below min.cleanable.dirty.ratio (tests, admin tools).
    bool force = false;
};

struct compaction_stats {
    int passes = 0;              // map-build + rewrite rounds
    int segments_rewritten = 0;  // segments swapped for a cleaned copy
    uint64_t bytes_before = 0;   // size of the rewritten segments before...
    uint64_t bytes_after = 0;    // ...and after
    int64_t records_removed = 0;
};

struct read_result {
    bytes data;                 // whole batches, concatenated, in offset order
    model::offset next_offset;  // offset after the last returned batch (`from` if none)
};

class partition_log {
  public:
    // Opens the log in `dir` (created if missing) and recovers it: loads or rebuilds each
    // segment's indexes, checks the tail of every segment, cuts a torn or corrupt tail and drops
    // the segments after it, and fsyncs what is left, so high_watermark() == log_end_offset().
    // Errors: I/O failures (the message names the file).
    static result<std::unique_ptr<partition_log>, std::string> open(io::env& env, std::string dir,
                                                                    model::topic_partition tp,
                                                                    log_config config);
    ~partition_log();
    partition_log(const partition_log&) = delete;
    partition_log& operator=(const partition_log&) = delete;

    // Appends one batch that the caller validated (model::validate_batch). Writes the next offset
    // into its base_offset, and the append time if the topic uses LogAppendTime. Rolls a new
    // segment first when the active one would exceed segment_bytes or is older than segment_ms.
    // Does not sync. Errors: I/O failures; after a failed sync the log refuses appends until
    // reopened.
    result<append_result, std::string> append(bytes batch, int64_t now_ms);

    // fdatasyncs every segment with unsynced data, then raises high_watermark() to the
    // log_end_offset() seen at the start of the call. Safe to call while appends continue;
    // concurrent flushes serialise. On error the high watermark is not raised and the log is
    // marked failed (after a failed fdatasync the page cache can no longer be trusted).
    result<void, std::string> flush();

    model::offset log_start_offset() const;
    model::offset log_end_offset() const;  // next offset to be assigned
    model::offset high_watermark() const;  // offsets < this are durable
    bool has_unflushed() const;

    // Whole batches starting with the one that contains `from`, stopping before a batch whose
    // base offset >= `upto`, adding batches while the total stays <= max_bytes but always at
    // least one if there is one. Empty data if from >= upto or from >= log_end_offset().
    // Errors: from < log_start_offset() (caller: OFFSET_OUT_OF_RANGE), I/O failures.
    result<read_result, std::string> read(model::offset from, size_t max_bytes,
                                          model::offset upto) const;

    // The first batch whose max timestamp >= ts: its base offset and max timestamp.
    // nullopt if no batch qualifies (or on I/O error, which is logged).
    std::optional<std::pair<model::offset, int64_t>> offset_for_timestamp(int64_t ts) const;

    // Deletes whole non-active, fully flushed segments from the front: those whose max timestamp
    // is older than retention.ms, and those whose removal keeps the log at least retention.bytes
    // large (Kafka's rule). Only with cleanup.policy containing delete, and not on a failed log.
    // Advances log_start_offset(). Returns the bytes freed.
    uint64_t apply_retention(int64_t now_ms);

    // Log compaction (cleanup.policy contains compact; a no-op otherwise). Cleans the closed,
    // fully flushed segments whose max timestamp is at least min.compaction.lag.ms old, if their
    // dirty part (offsets >= cleaner_checkpoint()) is at least min.cleanable.dirty.ratio of their
    // bytes: keeps only the latest record of each key, drops keyless records and tombstones whose
    // timestamp is older than now_ms - delete.retention.ms, keeps control and transactional batches
    // as they are. Records keep their offsets and timestamps; a rewritten batch keeps its base
    // offset and last offset delta (so it may have gaps), a batch left with no record is dropped
    // unless it ends its segment (then it stays as an empty batch, keeping the offset range). The
    // active segment is never touched. Each segment is swapped crash-safely
    // (docs/formats/log-segment.md). Serialised with apply_retention. Errors: I/O failures,
    // unreadable batches, a dedupe buffer too small for one batch; the log stays consistent.
    result<compaction_stats, std::string> compact(int64_t now_ms, const compaction_options& opt);
    // Offsets below this were cleaned since the log was opened (a restart makes the whole log
    // dirty again, which costs a rewrite but is always correct).
    model::offset cleaner_checkpoint() const;

    void update_config(log_config config);
    log_config config() const;
    uint64_t size_bytes() const;
    const model::topic_partition& tp() const { return tp_; }
    const std::string& dir() const { return dir_; }

  private:
    partition_log(io::env& env, std::string dir, model::topic_partition tp, log_config config);
    // Requires mu_. Seals the active segment and starts a new one at log_end_.
    result<void, std::string> roll();
    // compaction.cc; require maintenance_mu_.
    struct key_map;
    result<model::offset, std::string> build_key_map(
        const std::vector<std::shared_ptr<segment>>& segs, model::offset first_dirty,
        model::offset limit, key_map& map, const compaction_options& opt) const;
    result<void, std::string> clean_segment(const std::shared_ptr<segment>& seg, const key_map& map,
                                            model::offset end, int64_t tombstone_horizon,
                                            uint32_t index_interval, const compaction_options& opt,
                                            compaction_stats& stats);

    io::env& env_;
    const std::string dir_;
    const model::topic_partition tp_;

    mutable std::mutex mu_;
    log_config config_;  // guarded by mu_
    // guarded by mu_; never empty, the last one is active. shared_ptr: readers and flush keep a
    // segment alive (and its file open) while retention removes it from the list.
    std::vector<std::shared_ptr<segment>> segments_;
    model::offset log_start_;              // guarded by mu_
    model::offset log_end_;                // guarded by mu_
    model::offset hwm_;                    // guarded by mu_
    int64_t active_first_append_ms_ = -1;  // guarded by mu_; wall clock of the first append
    bool dir_dirty_ = false;               // guarded by mu_; a segment file was created
    bool failed_ = false;                  // guarded by mu_
    model::offset clean_end_;              // guarded by mu_; see cleaner_checkpoint()

    // Serialises apply_retention and compact: both replace or remove closed segments (and their
    // files), and compaction keeps a view of the segment list across its file I/O.
    std::mutex maintenance_mu_;

    std::mutex flush_mu_;  // serialises flush()
};

}  // namespace otter::storage

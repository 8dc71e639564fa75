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
    // large (Kafka's rule). Only with cleanup.policy containing delete. Advances
    // log_start_offset(). Returns the bytes freed.
    uint64_t apply_retention(int64_t now_ms);

    void update_config(log_config config);
    log_config config() const;
    uint64_t size_bytes() const;
    const model::topic_partition& tp() const { return tp_; }
    const std::string& dir() const { return dir_; }

  private:
    partition_log(io::env& env, std::string dir, model::topic_partition tp, log_config config);
    // Requires mu_. Seals the active segment and starts a new one at log_end_.
    result<void, std::string> roll();

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

    std::mutex flush_mu_;  // serialises flush()
};

}  // namespace otter::storage

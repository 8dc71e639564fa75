// Kafka record batch v2 ("magic 2"): a read-only view over the bytes, a validator for
// untrusted input, and a builder for batches Otter writes itself (tests, control batches).
//
// Layout (big-endian; see docs/formats/log-segment.md and Kafka's DefaultRecordBatch):
//   0 base_offset i64 | 8 batch_length i32 | 12 partition_leader_epoch i32 | 16 magic i8
//   17 crc u32 (CRC-32C of bytes [21, end)) | 21 attributes i16 | 23 last_offset_delta i32
//   27 base_timestamp i64 | 35 max_timestamp i64 | 43 producer_id i64 | 51 producer_epoch i16
//   53 base_sequence i32 | 57 records_count i32 | 61 records...
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "bytes/bytes.h"
#include "bytes/compression.h"
#include "model/fundamental.h"

namespace otter::model {

inline constexpr size_t batch_header_size = 61;
inline constexpr size_t batch_log_overhead = 12;  // base_offset + batch_length
inline constexpr size_t batch_crc_start = 21;

// Field accessors over a batch whose header was already checked to be present.
class batch_header_view {
  public:
    explicit batch_header_view(const uint8_t* p) : p_(p) {}
    int64_t base_offset() const { return load_be<int64_t>(p_); }
    int32_t batch_length() const { return load_be<int32_t>(p_ + 8); }
    size_t size_bytes() const { return static_cast<size_t>(batch_length()) + batch_log_overhead; }
    int8_t magic() const { return static_cast<int8_t>(p_[16]); }
    uint32_t crc() const { return load_be<uint32_t>(p_ + 17); }
    int16_t attributes() const { return load_be<int16_t>(p_ + 21); }
    codec compression() const { return static_cast<codec>(attributes() & 0x7); }
    bool log_append_time() const { return attributes() & 0x8; }
    bool is_transactional() const { return attributes() & 0x10; }
    bool is_control() const { return attributes() & 0x20; }
    int32_t last_offset_delta() const { return load_be<int32_t>(p_ + 23); }
    int64_t last_offset() const { return base_offset() + last_offset_delta(); }
    int64_t base_timestamp() const { return load_be<int64_t>(p_ + 27); }
    int64_t max_timestamp() const { return load_be<int64_t>(p_ + 35); }
    int64_t producer_id() const { return load_be<int64_t>(p_ + 43); }
    int16_t producer_epoch() const { return load_be<int16_t>(p_ + 51); }
    int32_t base_sequence() const { return load_be<int32_t>(p_ + 53); }
    int32_t records_count() const { return load_be<int32_t>(p_ + 57); }

  private:
    const uint8_t* p_;
};

// Writes fields that the broker owns into a batch in place.
void set_base_offset(uint8_t* batch, int64_t base_offset);
// Sets max_timestamp and the LogAppendTime attribute bit, then recomputes the CRC
// (both fields are inside the CRC).
void set_log_append_time(uint8_t* batch, int64_t ts);

// Why a batch was refused; maps onto Kafka error codes at the protocol layer.
enum class batch_error {
    corrupt,         // bad length, magic or CRC: CORRUPT_MESSAGE
    invalid_record,  // well-framed batch whose records are malformed: INVALID_RECORD
    too_large,       // exceeds the size limit: MESSAGE_TOO_LARGE
};

struct batch_problem {
    batch_error kind;
    std::string detail;
};

struct validate_options {
    size_t max_batch_bytes = 1 << 20;          // max.message.bytes
    size_t max_decompressed_bytes = 64 << 20;  // bound on what a compressed batch may expand to
    bool require_keys = false;                 // compacted topics refuse keyless records
    // Batches rewritten by log compaction keep base_offset and last_offset_delta but may have
    // dropped records: offset deltas must then only strictly increase within
    // [0, last_offset_delta], and records_count may be 0..last_offset_delta+1 (0: an empty batch
    // that only keeps its offset range). Off by default: producers must send contiguous deltas.
    bool allow_offset_gaps = false;
};

// Facts learned while validating, used by the broker to index and account the batch.
struct batch_summary {
    int64_t max_timestamp = -1;
    int32_t record_count = 0;
    int32_t last_offset_delta = 0;
};

// Checks that `data` is exactly one well-formed v2 batch: framing, magic, CRC-32C, and every
// record (decompressing if needed): lengths, offset deltas 0..n-1 in order, count matching
// records_count and last_offset_delta (see validate_options::allow_offset_gaps for compacted
// batches). Never reads outside `data`.
result<batch_summary, batch_problem> validate_batch(bytes_view data, const validate_options& opt);

// One decoded record. Views point into the (possibly decompressed) buffer the iterator owns.
struct record_view {
    int64_t offset_delta = 0;
    int64_t timestamp_delta = 0;
    std::optional<bytes_view> key;
    std::optional<bytes_view> value;
    std::vector<std::pair<bytes_view, std::optional<bytes_view>>> headers;
};

// Decodes all records of a validated batch. Returns an error for malformed records.
result<std::vector<record_view>, std::string> decode_records(bytes_view batch, bytes& scratch);

// Builds a v2 batch. Offsets and timestamps are relative to the first record appended.
class batch_builder {
  public:
    batch_builder(codec c = codec::none, int64_t base_timestamp = 0)
        : codec_(c), base_ts_(base_timestamp) {}
    batch_builder& producer(int64_t id, int16_t epoch, int32_t base_sequence);
    batch_builder& transactional(bool v);
    batch_builder& control(bool v);
    batch_builder& add(std::optional<bytes_view> key, std::optional<bytes_view> value,
                       int64_t timestamp,
                       std::vector<std::pair<std::string, std::string>> headers = {});
    // Returns the finished batch with base_offset 0 and a valid CRC.
    bytes build() const;
    int32_t count() const { return count_; }

  private:
    codec codec_;
    int64_t base_ts_;
    int64_t max_ts_ = -1;
    int64_t producer_id_ = -1;
    int16_t producer_epoch_ = -1;
    int32_t base_sequence_ = -1;
    bool transactional_ = false;
    bool control_ = false;
    int32_t count_ = 0;
    bytes records_;
};

}  // namespace otter::model

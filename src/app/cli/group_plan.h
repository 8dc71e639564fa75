// Pure helpers of `otter group`: the offset-reset plan (`otter group reset-offsets`), consumer lag,
// and the text of partition lists.
//
// Nothing here talks to Kafka or does I/O, so all of it is unit-tested in tests/group_plan_test.cc.
// Every function is thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/cli/format.h"
#include "base/result.h"

namespace otter::cli {

// Where `otter group reset-offsets` moves a group's committed offsets.
struct reset_spec {
    enum class kind { earliest, latest, datetime, offset, shift };
    kind to = kind::earliest;
    int64_t value = 0;  // ms since the epoch (datetime), the offset (offset), the delta (shift)
};

// What the cluster says about one partition the plan covers.
struct partition_state {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> committed;  // nullopt: the group has no committed offset here
    int64_t low = 0;                   // log start offset
    int64_t high = 0;                  // high watermark (log end offset)
    // For `datetime`: the offset of the first record with a timestamp at or after the time, or
    // nullopt when there is none (then the target is the log end).
    std::optional<int64_t> offset_at_time;
};

// One line of the plan.
struct reset_row {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> current;  // the committed offset now, if any
    int64_t target = 0;              // the offset to commit
};

// The offset `spec` gives for `p`, clamped into [low, high]. Fails for `shift` when the partition
// has no committed offset to shift from.
result<int64_t, cli_error> reset_target(const reset_spec& spec, const partition_state& p);

// The plan for every partition in `partitions`, sorted by topic and partition. Fails on the first
// partition reset_target() refuses.
result<std::vector<reset_row>, cli_error> plan_reset(
    const reset_spec& spec, const std::vector<partition_state>& partitions);

// The plan as a table: TOPIC PARTITION CURRENT NEW ("-" for no current offset).
std::string format_plan(const std::vector<reset_row>& plan);

// Messages the group has still to read: high - committed, never negative; nullopt without a
// committed offset.
std::optional<int64_t> consumer_lag(std::optional<int64_t> committed, int64_t high);

// "-" for nullopt, the number otherwise.
std::string offset_text(std::optional<int64_t> offset);

// A member's assignment as text: "orders:0,1,2 clicks:3" (topics in first-seen order, partitions
// sorted), or "-" when empty.
struct topic_partition {
    std::string topic;
    int32_t partition = 0;
};
std::string format_assignment(const std::vector<topic_partition>& partitions);

// Parses the argument of --shift-by: a signed integer ("-5", "+10", "3").
result<int64_t, cli_error> parse_shift(std::string_view text);

// Parses the argument of --to-offset: a non-negative integer.
result<int64_t, cli_error> parse_reset_offset(std::string_view text);

}  // namespace otter::cli

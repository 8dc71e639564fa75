#include "app/cli/group_plan.h"

#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace otter::cli {
namespace {

partition_state part(std::string topic, int32_t partition, std::optional<int64_t> committed,
                     int64_t low, int64_t high) {
    partition_state p;
    p.topic = std::move(topic);
    p.partition = partition;
    p.committed = committed;
    p.low = low;
    p.high = high;
    return p;
}

int64_t target(reset_spec spec, const partition_state& p) {
    auto t = reset_target(spec, p);
    EXPECT_TRUE(t) << t.error();
    return t ? *t : -1;
}

TEST(reset_target, earliest_and_latest_are_the_watermarks) {
    const auto p = part("t", 0, 50, 10, 100);
    EXPECT_EQ(target({reset_spec::kind::earliest, 0}, p), 10);
    EXPECT_EQ(target({reset_spec::kind::latest, 0}, p), 100);
}

TEST(reset_target, to_offset_is_clamped_into_the_log) {
    const auto p = part("t", 0, std::nullopt, 10, 100);
    EXPECT_EQ(target({reset_spec::kind::offset, 42}, p), 42);
    EXPECT_EQ(target({reset_spec::kind::offset, 0}, p), 10);
    EXPECT_EQ(target({reset_spec::kind::offset, 10}, p), 10);
    EXPECT_EQ(target({reset_spec::kind::offset, 100}, p), 100);
    EXPECT_EQ(target({reset_spec::kind::offset, 1000}, p), 100);
}

TEST(reset_target, shift_moves_from_the_committed_offset_and_clamps) {
    const auto p = part("t", 0, 50, 10, 100);
    EXPECT_EQ(target({reset_spec::kind::shift, -5}, p), 45);
    EXPECT_EQ(target({reset_spec::kind::shift, 7}, p), 57);
    EXPECT_EQ(target({reset_spec::kind::shift, 0}, p), 50);
    EXPECT_EQ(target({reset_spec::kind::shift, -100}, p), 10);
    EXPECT_EQ(target({reset_spec::kind::shift, 100}, p), 100);
    EXPECT_EQ(target({reset_spec::kind::shift, std::numeric_limits<int64_t>::max()}, p), 100);
    EXPECT_EQ(target({reset_spec::kind::shift, std::numeric_limits<int64_t>::min()}, p), 10);
}

TEST(reset_target, shift_without_a_committed_offset_is_refused) {
    auto t = reset_target({reset_spec::kind::shift, 1}, part("orders", 3, std::nullopt, 0, 9));
    ASSERT_FALSE(t);
    EXPECT_NE(t.error().find("partition 3 of topic 'orders' has no committed offset"),
              std::string::npos)
        << t.error();
}

TEST(reset_target, datetime_uses_the_offset_found_or_the_log_end) {
    auto p = part("t", 0, 5, 10, 100);
    p.offset_at_time = 60;
    EXPECT_EQ(target({reset_spec::kind::datetime, 1}, p), 60);
    p.offset_at_time = std::nullopt;  // no record at or after the time
    EXPECT_EQ(target({reset_spec::kind::datetime, 1}, p), 100);
    p.offset_at_time = 3;  // below the log start (e.g. deleted meanwhile): clamped
    EXPECT_EQ(target({reset_spec::kind::datetime, 1}, p), 10);
}

TEST(reset_target, empty_partition) {
    const auto p = part("t", 0, std::nullopt, 0, 0);
    EXPECT_EQ(target({reset_spec::kind::earliest, 0}, p), 0);
    EXPECT_EQ(target({reset_spec::kind::latest, 0}, p), 0);
    EXPECT_EQ(target({reset_spec::kind::offset, 7}, p), 0);
}

TEST(plan_reset, sorted_by_topic_and_partition_with_current_offsets) {
    std::vector<partition_state> parts{part("b", 1, 4, 0, 10), part("a", 2, std::nullopt, 0, 20),
                                       part("b", 0, 9, 0, 10), part("a", 0, 3, 0, 5)};
    auto plan = plan_reset({reset_spec::kind::earliest, 0}, parts);
    ASSERT_TRUE(plan) << plan.error();
    ASSERT_EQ(plan->size(), 4u);
    EXPECT_EQ((*plan)[0].topic, "a");
    EXPECT_EQ((*plan)[0].partition, 0);
    EXPECT_EQ((*plan)[0].current, 3);
    EXPECT_EQ((*plan)[1].topic, "a");
    EXPECT_EQ((*plan)[1].partition, 2);
    EXPECT_EQ((*plan)[1].current, std::nullopt);
    EXPECT_EQ((*plan)[2].partition, 0);
    EXPECT_EQ((*plan)[3].partition, 1);
    EXPECT_EQ(format_plan(*plan),
              "TOPIC  PARTITION  CURRENT  NEW\n"
              "a      0          3        0\n"
              "a      2          -        0\n"
              "b      0          9        0\n"
              "b      1          4        0\n");
}

TEST(plan_reset, fails_when_one_partition_cannot_be_planned) {
    std::vector<partition_state> parts{part("a", 0, 3, 0, 5), part("a", 1, std::nullopt, 0, 5)};
    EXPECT_FALSE(plan_reset({reset_spec::kind::shift, -1}, parts));
    EXPECT_TRUE(plan_reset({reset_spec::kind::latest, 0}, parts));
}

TEST(consumer_lag, is_high_minus_committed_never_negative) {
    EXPECT_EQ(consumer_lag(40, 100), 60);
    EXPECT_EQ(consumer_lag(100, 100), 0);
    EXPECT_EQ(consumer_lag(120, 100), 0);
    EXPECT_EQ(consumer_lag(std::nullopt, 100), std::nullopt);
    EXPECT_EQ(offset_text(std::nullopt), "-");
    EXPECT_EQ(offset_text(12), "12");
}

TEST(format_assignment, groups_partitions_by_topic) {
    EXPECT_EQ(format_assignment({}), "-");
    EXPECT_EQ(format_assignment({{"orders", 2}, {"clicks", 1}, {"orders", 0}, {"orders", 1}}),
              "orders:0,1,2 clicks:1");
}

TEST(parse_shift, signed_whole_numbers) {
    EXPECT_EQ(*parse_shift("-5"), -5);
    EXPECT_EQ(*parse_shift("+10"), 10);
    EXPECT_EQ(*parse_shift("3"), 3);
    EXPECT_EQ(*parse_shift("0"), 0);
    for (const char* bad :
         {"", "-", "+", "1.5", "abc", " 1", "1 ", "+-1", "99999999999999999999"}) {
        EXPECT_FALSE(parse_shift(bad)) << bad;
    }
}

TEST(parse_reset_offset, non_negative_offsets) {
    EXPECT_EQ(*parse_reset_offset("0"), 0);
    EXPECT_EQ(*parse_reset_offset("1234"), 1234);
    for (const char* bad : {"", "-1", "+1", "x", "1e3"}) {
        EXPECT_FALSE(parse_reset_offset(bad)) << bad;
    }
}

}  // namespace
}  // namespace otter::cli

#include "app/cli/group_plan.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include <fmt/format.h>

namespace otter::cli {

namespace {

// Parses an optionally signed decimal; rejects spaces, other characters and overflow.
std::optional<int64_t> parse_signed(std::string_view text) {
    if (!text.empty() && text.front() == '+') {
        text.remove_prefix(1);
        if (!text.empty() && text.front() == '-') {
            return std::nullopt;
        }
    }
    if (text.empty()) {
        return std::nullopt;
    }
    int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// a + b, saturating at the int64 limits.
int64_t saturating_add(int64_t a, int64_t b) {
    if (b > 0 && a > std::numeric_limits<int64_t>::max() - b) {
        return std::numeric_limits<int64_t>::max();
    }
    if (b < 0 && a < std::numeric_limits<int64_t>::min() - b) {
        return std::numeric_limits<int64_t>::min();
    }
    return a + b;
}

}  // namespace

result<int64_t, cli_error> reset_target(const reset_spec& spec, const partition_state& p) {
    int64_t target = 0;
    switch (spec.to) {
        case reset_spec::kind::earliest:
            target = p.low;
            break;
        case reset_spec::kind::latest:
            target = p.high;
            break;
        case reset_spec::kind::datetime:
            target = p.offset_at_time.value_or(p.high);
            break;
        case reset_spec::kind::offset:
            target = spec.value;
            break;
        case reset_spec::kind::shift:
            if (!p.committed) {
                return unexpected(fmt::format(
                    "partition {} of topic '{}' has no committed offset to shift from; reset it "
                    "with --to-earliest, --to-latest, --to-datetime or --to-offset instead",
                    p.partition, p.topic));
            }
            target = saturating_add(*p.committed, spec.value);
            break;
    }
    // high < low cannot happen on a sane cluster; prefer the log end then.
    return std::max(std::min(target, p.high), std::min(p.low, p.high));
}

result<std::vector<reset_row>, cli_error> plan_reset(
    const reset_spec& spec, const std::vector<partition_state>& partitions) {
    std::vector<reset_row> plan;
    plan.reserve(partitions.size());
    for (const auto& p : partitions) {
        auto target = reset_target(spec, p);
        if (!target) {
            return unexpected(target.error());
        }
        plan.push_back({p.topic, p.partition, p.committed, *target});
    }
    std::sort(plan.begin(), plan.end(), [](const reset_row& a, const reset_row& b) {
        return a.topic != b.topic ? a.topic < b.topic : a.partition < b.partition;
    });
    return plan;
}

std::string format_plan(const std::vector<reset_row>& plan) {
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "CURRENT", "NEW"}};
    for (const auto& r : plan) {
        rows.push_back({r.topic, std::to_string(r.partition), offset_text(r.current),
                        std::to_string(r.target)});
    }
    return format_table(rows);
}

std::optional<int64_t> consumer_lag(std::optional<int64_t> committed, int64_t high) {
    if (!committed) {
        return std::nullopt;
    }
    return std::max<int64_t>(0, high - *committed);
}

std::string offset_text(std::optional<int64_t> offset) {
    return offset ? std::to_string(*offset) : "-";
}

std::string format_assignment(const std::vector<topic_partition>& partitions) {
    std::vector<std::string> order;
    std::map<std::string, std::vector<int32_t>> by_topic;
    for (const auto& tp : partitions) {
        auto [it, inserted] = by_topic.try_emplace(tp.topic);
        if (inserted) {
            order.push_back(tp.topic);
        }
        it->second.push_back(tp.partition);
    }
    std::string out;
    for (const auto& topic : order) {
        auto& ids = by_topic[topic];
        std::sort(ids.begin(), ids.end());
        if (!out.empty()) {
            out += ' ';
        }
        out += topic + ':';
        for (size_t i = 0; i < ids.size(); ++i) {
            out += (i > 0 ? "," : "") + std::to_string(ids[i]);
        }
    }
    return out.empty() ? "-" : out;
}

result<int64_t, cli_error> parse_shift(std::string_view text) {
    if (auto v = parse_signed(text)) {
        return *v;
    }
    return unexpected(
        fmt::format("invalid --shift-by '{}': expected a whole number such as -10 or 5", text));
}

result<int64_t, cli_error> parse_reset_offset(std::string_view text) {
    if (!text.empty() && text.front() != '-' && text.front() != '+') {
        if (auto v = parse_signed(text); v && *v >= 0) {
            return *v;
        }
    }
    return unexpected(fmt::format("invalid --to-offset '{}': expected an offset N >= 0", text));
}

}  // namespace otter::cli

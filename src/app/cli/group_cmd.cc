// `otter group list|describe|reset-offsets|delete`: consumer group administration through the
// Kafka Admin API (ListGroups, DescribeGroups, OffsetFetch, OffsetCommit, DeleteGroups), with
// ListOffsets for the log end offsets and for offsets by time.
#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "app/cli/commands.h"
#include "app/cli/group_plan.h"

namespace otter::cli {

namespace {

struct list_args {
    client_options client;
};

struct describe_args {
    client_options client;
    std::string group;
};

struct reset_args {
    client_options client;
    std::string group;
    bool to_earliest = false;
    bool to_latest = false;
    std::string to_datetime;
    std::string to_offset;
    std::string shift_by;
    std::vector<std::string> topics;
    bool execute = false;
};

struct delete_args {
    client_options client;
    std::vector<std::string> groups;
};

struct member_info {
    std::string member_id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string host;
    std::vector<topic_partition> assignment;
};

struct group_info {
    std::string id;
    rd_kafka_consumer_group_state_t state = RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN;
    std::string assignor;
    bool simple = false;
    int coordinator = -1;
    std::vector<member_info> members;
};

struct committed_offset {
    std::string topic;
    int32_t partition = 0;
    std::optional<int64_t> offset;  // nullopt: nothing committed
};

std::string state_name(rd_kafka_consumer_group_state_t state) {
    return rd_kafka_consumer_group_state_name(state);
}

std::string text_or(const char* s, std::string_view fallback) {
    return s != nullptr && *s != '\0' ? std::string(s) : std::string(fallback);
}

// A sentence for a group-level error of DescribeGroups, OffsetFetch, OffsetCommit or DeleteGroups.
std::string group_error(const kafka_client& client, std::string_view action, std::string_view group,
                        rd_kafka_resp_err_t err, const char* detail) {
    switch (err) {
        case RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND:
            return fmt::format("group '{}' does not exist; see `otter group list`", group);
        case RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP:
            return fmt::format(
                "cannot {} group '{}': it still has active members; stop its consumers first",
                action, group);
        case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
            return fmt::format("not authorized to {} group '{}'", action, group);
        case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
        case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
            return fmt::format("cannot {} group '{}': its coordinator is not ready ({}); try again",
                               action, group, rd_kafka_err2str(err));
        default:
            return client.explain(fmt::format("the request to {} group '{}'", action, group), err,
                                  detail != nullptr ? detail : "");
    }
}

// A sentence for a per-partition error of OffsetFetch/OffsetCommit/ListOffsets.
std::string partition_error(std::string_view action, std::string_view topic, int32_t partition,
                            rd_kafka_resp_err_t err) {
    if (err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return fmt::format("cannot {} partition {} of topic '{}': the partition does not exist",
                           action, partition, topic);
    }
    return fmt::format("cannot {} partition {} of topic '{}': {}", action, partition, topic,
                       rd_kafka_err2str(err));
}

// A consumer handle reading uncommitted data, so that the high watermark is the log end and not
// the last stable offset. It has no group.id and never joins a group.
result<kafka_client, cli_error> group_client(const client_options& options) {
    return kafka_client::create(RD_KAFKA_CONSUMER, options,
                                {{"isolation.level", "read_uncommitted"}});
}

std::vector<topic_partition> to_partitions(const rd_kafka_topic_partition_list_t* list) {
    std::vector<topic_partition> out;
    if (list == nullptr) {
        return out;
    }
    for (int i = 0; i < list->cnt; ++i) {
        out.push_back({list->elems[i].topic, list->elems[i].partition});
    }
    return out;
}

group_info to_group_info(const rd_kafka_ConsumerGroupDescription_t* d) {
    group_info info;
    info.id = rd_kafka_ConsumerGroupDescription_group_id(d);
    info.state = rd_kafka_ConsumerGroupDescription_state(d);
    info.assignor = text_or(rd_kafka_ConsumerGroupDescription_partition_assignor(d), "-");
    info.simple = rd_kafka_ConsumerGroupDescription_is_simple_consumer_group(d) != 0;
    if (const rd_kafka_Node_t* node = rd_kafka_ConsumerGroupDescription_coordinator(d);
        node != nullptr) {
        info.coordinator = rd_kafka_Node_id(node);
    }
    const size_t count = rd_kafka_ConsumerGroupDescription_member_count(d);
    for (size_t i = 0; i < count; ++i) {
        const rd_kafka_MemberDescription_t* m = rd_kafka_ConsumerGroupDescription_member(d, i);
        if (m == nullptr) {
            continue;
        }
        member_info member;
        member.member_id = text_or(rd_kafka_MemberDescription_consumer_id(m), "");
        if (const char* instance = rd_kafka_MemberDescription_group_instance_id(m);
            instance != nullptr && *instance != '\0') {
            member.instance_id = instance;
        }
        member.client_id = text_or(rd_kafka_MemberDescription_client_id(m), "");
        member.host = text_or(rd_kafka_MemberDescription_host(m), "");
        if (const rd_kafka_MemberAssignment_t* a = rd_kafka_MemberDescription_assignment(m);
            a != nullptr) {
            member.assignment = to_partitions(rd_kafka_MemberAssignment_partitions(a));
        }
        info.members.push_back(std::move(member));
    }
    std::sort(info.members.begin(), info.members.end(),
              [](const member_info& a, const member_info& b) {
                  return std::tie(a.client_id, a.member_id) < std::tie(b.client_id, b.member_id);
              });
    return info;
}

// DescribeGroups for `groups`, in the order the cluster answers.
result<std::vector<group_info>, cli_error> describe_groups(const kafka_client& client,
                                                           const std::vector<std::string>& groups) {
    std::vector<const char*> names;
    for (const auto& g : groups) {
        names.push_back(g.c_str());
    }
    auto event = client.admin_call(
        RD_KAFKA_ADMIN_OP_DESCRIBECONSUMERGROUPS,
        groups.size() == 1 ? fmt::format("describing group '{}'", groups[0])
                           : fmt::format("describing {} groups", groups.size()),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_DescribeConsumerGroups(rk, names.data(), names.size(), options, queue);
        });
    if (!event) {
        return unexpected(event.error());
    }
    const auto* res = rd_kafka_event_DescribeConsumerGroups_result(event->get());
    size_t count = 0;
    const rd_kafka_ConsumerGroupDescription_t** descs =
        res != nullptr ? rd_kafka_DescribeConsumerGroups_result_groups(res, &count) : nullptr;
    std::vector<group_info> out;
    for (size_t i = 0; i < count; ++i) {
        const rd_kafka_ConsumerGroupDescription_t* d = descs[i];
        if (const rd_kafka_error_t* e = rd_kafka_ConsumerGroupDescription_error(d);
            e != nullptr && rd_kafka_error_code(e) != 0) {
            return unexpected(group_error(client, "describe",
                                          rd_kafka_ConsumerGroupDescription_group_id(d),
                                          rd_kafka_error_code(e), rd_kafka_error_string(e)));
        }
        out.push_back(to_group_info(d));
    }
    if (out.size() != groups.size()) {
        return unexpected(fmt::format("describing groups failed: the cluster answered for {} of {}",
                                      out.size(), groups.size()));
    }
    return out;
}

result<group_info, cli_error> describe_group(const kafka_client& client, const std::string& group) {
    auto groups = describe_groups(client, {group});
    if (!groups) {
        return unexpected(groups.error());
    }
    return std::move((*groups)[0]);
}

// Every committed offset of `group` on the topics in `md` (internal `__` topics excluded), sorted.
//
// OffsetFetch could ask for "all topics" (a null topic array, v2+), but librdkafka 2.0.2 sends an
// empty array instead when given no partitions, which a broker answers with nothing. So ask for
// every partition the metadata lists; the broker answers -1 where the group has no offset.
result<std::vector<committed_offset>, cli_error> committed_offsets(const kafka_client& client,
                                                                   const std::string& group,
                                                                   const rd_kafka_metadata_t& md) {
    auto request_list = make_partition_list(16);
    for (int i = 0; i < md.topic_cnt; ++i) {
        const auto& t = md.topics[i];
        if (t.err != 0 || std::string_view(t.topic).substr(0, 2) == "__") {
            continue;
        }
        for (int j = 0; j < t.partition_cnt; ++j) {
            rd_kafka_topic_partition_list_add(request_list.get(), t.topic, t.partitions[j].id);
        }
    }
    std::vector<committed_offset> out;
    if (request_list->cnt == 0) {
        return out;
    }
    list_group_offsets_ptr request(
        rd_kafka_ListConsumerGroupOffsets_new(group.c_str(), request_list.get()));
    auto event = client.admin_call(
        RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPOFFSETS,
        fmt::format("reading the committed offsets of group '{}'", group),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_ListConsumerGroupOffsets_t* requests[] = {request.get()};
            rd_kafka_ListConsumerGroupOffsets(rk, requests, 1, options, queue);
        });
    if (!event) {
        return unexpected(event.error());
    }
    const auto* res = rd_kafka_event_ListConsumerGroupOffsets_result(event->get());
    size_t count = 0;
    const rd_kafka_group_result_t** results =
        res != nullptr ? rd_kafka_ListConsumerGroupOffsets_result_groups(res, &count) : nullptr;
    if (count != 1) {
        return unexpected(fmt::format(
            "reading the committed offsets of group '{}' failed: the cluster returned {} results "
            "instead of 1",
            group, count));
    }
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(results[0]);
        e != nullptr && rd_kafka_error_code(e) != 0) {
        return unexpected(group_error(client, "read the committed offsets of", group,
                                      rd_kafka_error_code(e), rd_kafka_error_string(e)));
    }
    const rd_kafka_topic_partition_list_t* list = rd_kafka_group_result_partitions(results[0]);
    for (int i = 0; list != nullptr && i < list->cnt; ++i) {
        const auto& p = list->elems[i];
        if (p.err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            continue;  // deleted since the metadata was read
        }
        if (p.err != 0) {
            return unexpected(
                partition_error("read the committed offset of", p.topic, p.partition, p.err));
        }
        if (p.offset >= 0) {
            out.push_back({p.topic, p.partition, p.offset});
        }
    }
    std::sort(out.begin(), out.end(), [](const committed_offset& a, const committed_offset& b) {
        return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition);
    });
    return out;
}

struct watermark_pair {
    int64_t low = 0;
    int64_t high = 0;
};

result<watermark_pair, cli_error> query_watermarks(const kafka_client& client,
                                                   const std::string& topic, int32_t partition) {
    watermark_pair w;
    const auto err = rd_kafka_query_watermark_offsets(
        client.get(), topic.c_str(), partition, &w.low, &w.high, client.options().timeout_ms());
    if (err != 0) {
        return unexpected(client.explain(
            fmt::format("reading the offsets of partition {} of topic '{}'", partition, topic),
            err));
    }
    return w;
}

// The partitions of `topic` from `md`, or an error for an unknown topic.
result<std::vector<int32_t>, cli_error> topic_partition_ids(const rd_kafka_metadata_t& md,
                                                            const std::string& topic) {
    const rd_kafka_metadata_topic_t* t = find_topic(md, topic);
    if (t == nullptr || t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return unexpected(fmt::format("topic '{}' does not exist; see `otter topic list`", topic));
    }
    std::vector<int32_t> ids;
    for (int i = 0; i < t->partition_cnt; ++i) {
        ids.push_back(t->partitions[i].id);
    }
    std::sort(ids.begin(), ids.end());
    return ids;
}

int run_list(const list_args& args) {
    auto client = group_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    auto event = client->admin_call(
        RD_KAFKA_ADMIN_OP_LISTCONSUMERGROUPS, "listing groups",
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_ListConsumerGroups(rk, options, queue);
        });
    if (!event) {
        return fail(event.error());
    }
    const auto* res = rd_kafka_event_ListConsumerGroups_result(event->get());
    int status = 0;
    size_t error_count = 0;
    const rd_kafka_error_t** errors =
        res != nullptr ? rd_kafka_ListConsumerGroups_result_errors(res, &error_count) : nullptr;
    size_t count = 0;
    const rd_kafka_ConsumerGroupListing_t** listings =
        res != nullptr ? rd_kafka_ListConsumerGroups_result_valid(res, &count) : nullptr;
    // Errors are per broker: with nothing listed they are the answer, otherwise the list is
    // partial.
    for (size_t i = 0; i < error_count; ++i) {
        const cli_error message = client->explain("listing groups", rd_kafka_error_code(errors[i]),
                                                  rd_kafka_error_string(errors[i]));
        if (count == 0) {
            return fail(message);
        }
        fmt::print(stderr, "error: {} (the list below is incomplete)\n", message);
        status = 1;
    }
    struct listed {
        std::string id;
        rd_kafka_consumer_group_state_t state;
        bool simple;
    };
    std::vector<listed> groups;
    std::vector<std::string> unknown_state;
    for (size_t i = 0; i < count; ++i) {
        listed g{rd_kafka_ConsumerGroupListing_group_id(listings[i]),
                 rd_kafka_ConsumerGroupListing_state(listings[i]),
                 rd_kafka_ConsumerGroupListing_is_simple_consumer_group(listings[i]) != 0};
        if (g.state == RD_KAFKA_CONSUMER_GROUP_STATE_UNKNOWN) {
            unknown_state.push_back(g.id);
        }
        groups.push_back(std::move(g));
    }
    // ListGroups before v4 carries no state: ask DescribeGroups for it.
    if (!unknown_state.empty()) {
        auto described = describe_groups(*client, unknown_state);
        if (described) {
            std::map<std::string, rd_kafka_consumer_group_state_t> states;
            for (const auto& d : *described) {
                states[d.id] = d.state;
            }
            for (auto& g : groups) {
                if (auto it = states.find(g.id); it != states.end()) {
                    g.state = it->second;
                }
            }
        } else {
            fmt::print(stderr, "warning: {}; states are shown as Unknown\n", described.error());
        }
    }
    std::sort(groups.begin(), groups.end(),
              [](const listed& a, const listed& b) { return a.id < b.id; });
    std::vector<std::vector<std::string>> rows{{"GROUP", "STATE", "TYPE"}};
    for (const auto& g : groups) {
        rows.push_back({g.id, state_name(g.state), g.simple ? "simple" : "consumer"});
    }
    fmt::print("{}", format_table(rows));
    return status;
}

int run_describe(const describe_args& args) {
    auto client = group_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    auto group = describe_group(*client, args.group);
    if (!group) {
        return fail(group.error());
    }
    auto md = client->metadata(fmt::format("describing group '{}'", args.group));
    if (!md) {
        return fail(md.error());
    }
    auto committed = committed_offsets(*client, args.group, **md);
    if (!committed) {
        return fail(committed.error());
    }
    if (group->state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD && group->members.empty() &&
        committed->empty()) {
        return fail(fmt::format("group '{}' does not exist; see `otter group list`", args.group));
    }

    fmt::print(
        "{}", format_table({{"GROUP", group->id},
                            {"STATE", state_name(group->state)},
                            {"ASSIGNOR", group->assignor},
                            {"MEMBERS", std::to_string(group->members.size())},
                            {"COORDINATOR",
                             group->coordinator >= 0 ? std::to_string(group->coordinator) : "-"}}));

    // Who owns each partition, from the members' assignments.
    std::map<std::pair<std::string, int32_t>, const member_info*> owner;
    if (!group->members.empty()) {
        std::vector<std::vector<std::string>> rows{
            {"MEMBER-ID", "CLIENT-ID", "HOST", "INSTANCE-ID", "ASSIGNMENT"}};
        for (const auto& m : group->members) {
            rows.push_back({m.member_id, m.client_id, m.host, m.instance_id.value_or("-"),
                            format_assignment(m.assignment)});
            for (const auto& tp : m.assignment) {
                owner[{tp.topic, tp.partition}] = &m;
            }
        }
        fmt::print("\n{}", format_table(rows));
    }

    std::map<std::pair<std::string, int32_t>, std::optional<int64_t>> partitions;
    for (const auto& c : *committed) {
        partitions[{c.topic, c.partition}] = c.offset;
    }
    for (const auto& [tp, member] : owner) {
        partitions.try_emplace(tp, std::nullopt);
    }
    int status = 0;
    std::vector<std::vector<std::string>> rows{{"TOPIC", "PARTITION", "CURRENT-OFFSET",
                                                "LOG-END-OFFSET", "LAG", "MEMBER-ID", "CLIENT-ID"}};
    for (const auto& [tp, offset] : partitions) {
        std::string end_text = "-";
        std::string lag_text = "-";
        if (auto w = query_watermarks(*client, tp.first, tp.second)) {
            end_text = std::to_string(w->high);
            lag_text = offset_text(consumer_lag(offset, w->high));
        } else {
            fmt::print(stderr, "error: {}\n", w.error());
            status = 1;
        }
        const auto it = owner.find(tp);
        rows.push_back({tp.first, std::to_string(tp.second), offset_text(offset), end_text,
                        lag_text, it != owner.end() ? it->second->member_id : "-",
                        it != owner.end() ? it->second->client_id : "-"});
    }
    fmt::print("\n{}", format_table(rows));
    return status;
}

// The single reset mode of `args`, parsed.
result<reset_spec, cli_error> reset_mode(const reset_args& args) {
    const int modes = int{args.to_earliest} + int{args.to_latest} + int{!args.to_datetime.empty()} +
                      int{!args.to_offset.empty()} + int{!args.shift_by.empty()};
    if (modes != 1) {
        return unexpected(std::string(
            "give exactly one of --to-earliest, --to-latest, --to-datetime, --to-offset and "
            "--shift-by"));
    }
    if (args.to_earliest) {
        return reset_spec{reset_spec::kind::earliest, 0};
    }
    if (args.to_latest) {
        return reset_spec{reset_spec::kind::latest, 0};
    }
    if (!args.to_datetime.empty()) {
        auto ts = parse_timestamp_ms(args.to_datetime);
        if (!ts) {
            return unexpected(fmt::format("--to-datetime: {}", ts.error()));
        }
        return reset_spec{reset_spec::kind::datetime, *ts};
    }
    if (!args.to_offset.empty()) {
        auto offset = parse_reset_offset(args.to_offset);
        if (!offset) {
            return unexpected(offset.error());
        }
        return reset_spec{reset_spec::kind::offset, *offset};
    }
    auto shift = parse_shift(args.shift_by);
    if (!shift) {
        return unexpected(shift.error());
    }
    return reset_spec{reset_spec::kind::shift, *shift};
}

// Fills offset_at_time of every partition with ListOffsets by time.
result<void, cli_error> lookup_times(const kafka_client& client, int64_t time_ms,
                                     std::vector<partition_state>& partitions) {
    auto list = make_partition_list(static_cast<int>(partitions.size()));
    for (const auto& p : partitions) {
        rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset =
            time_ms;
    }
    const auto err =
        rd_kafka_offsets_for_times(client.get(), list.get(), client.options().timeout_ms());
    if (err != 0) {
        return unexpected(client.explain("looking up offsets by time", err));
    }
    for (auto& p : partitions) {
        const rd_kafka_topic_partition_t* found =
            rd_kafka_topic_partition_list_find(list.get(), p.topic.c_str(), p.partition);
        if (found == nullptr) {
            return unexpected(fmt::format(
                "looking up offsets by time failed: no answer for partition {} of topic '{}'",
                p.partition, p.topic));
        }
        if (found->err != 0) {
            return unexpected(
                partition_error("look up the offset by time of", p.topic, p.partition, found->err));
        }
        if (found->offset >= 0) {
            p.offset_at_time = found->offset;
        }
    }
    return {};
}

int run_reset(const reset_args& args) {
    auto spec = reset_mode(args);
    if (!spec) {
        return fail(spec.error());
    }
    auto client = group_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    auto group = describe_group(*client, args.group);
    if (!group) {
        return fail(group.error());
    }
    auto md = client->metadata("reading topic metadata");
    if (!md) {
        return fail(md.error());
    }
    auto committed = committed_offsets(*client, args.group, **md);
    if (!committed) {
        return fail(committed.error());
    }
    std::map<std::pair<std::string, int32_t>, std::optional<int64_t>> current;
    for (const auto& c : *committed) {
        current[{c.topic, c.partition}] = c.offset;
    }

    // The partitions to reset: every partition of each --topic, or else every partition the
    // group has committed offsets for.
    std::vector<partition_state> partitions;
    if (!args.topics.empty()) {
        const std::set<std::string> topics(args.topics.begin(), args.topics.end());
        for (const auto& topic : topics) {
            auto ids = topic_partition_ids(**md, topic);
            if (!ids) {
                return fail(ids.error());
            }
            for (int32_t id : *ids) {
                partition_state p;
                p.topic = topic;
                p.partition = id;
                if (auto it = current.find({topic, id}); it != current.end()) {
                    p.committed = it->second;
                }
                partitions.push_back(std::move(p));
            }
        }
    } else {
        for (const auto& [tp, offset] : current) {
            partition_state p;
            p.topic = tp.first;
            p.partition = tp.second;
            p.committed = offset;
            partitions.push_back(std::move(p));
        }
        if (partitions.empty()) {
            return fail(fmt::format(
                "group '{}' has no committed offsets; name the topics to reset with --topic",
                args.group));
        }
    }
    for (auto& p : partitions) {
        auto w = query_watermarks(*client, p.topic, p.partition);
        if (!w) {
            return fail(w.error());
        }
        p.low = w->low;
        p.high = w->high;
    }
    if (spec->to == reset_spec::kind::datetime) {
        if (auto r = lookup_times(*client, spec->value, partitions); !r) {
            return fail(r.error());
        }
    }
    auto plan = plan_reset(*spec, partitions);
    if (!plan) {
        return fail(plan.error());
    }
    fmt::print("{}", format_plan(*plan));
    std::fflush(stdout);

    const bool empty =
        group->members.empty() && (group->state == RD_KAFKA_CONSUMER_GROUP_STATE_EMPTY ||
                                   group->state == RD_KAFKA_CONSUMER_GROUP_STATE_DEAD);
    if (!empty) {
        const std::string message = fmt::format(
            "group '{}' is {} with {} member(s); offsets can only be reset while it has no "
            "members: stop its consumers, then run this again",
            args.group, state_name(group->state), group->members.size());
        if (args.execute) {
            return fail(message);
        }
        fmt::print(stderr, "warning: {}\n", message);
    }
    if (!args.execute) {
        fmt::print(stderr, "dry run: nothing changed; add --execute to commit these offsets\n");
        return 0;
    }

    auto list = make_partition_list(static_cast<int>(plan->size()));
    for (const auto& r : *plan) {
        rd_kafka_topic_partition_list_add(list.get(), r.topic.c_str(), r.partition)->offset =
            r.target;
    }
    alter_group_offsets_ptr request(
        rd_kafka_AlterConsumerGroupOffsets_new(args.group.c_str(), list.get()));
    auto event = client->admin_call(
        RD_KAFKA_ADMIN_OP_ALTERCONSUMERGROUPOFFSETS,
        fmt::format("committing the new offsets of group '{}'", args.group),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_AlterConsumerGroupOffsets_t* requests[] = {request.get()};
            rd_kafka_AlterConsumerGroupOffsets(rk, requests, 1, options, queue);
        });
    if (!event) {
        return fail(event.error());
    }
    const auto* res = rd_kafka_event_AlterConsumerGroupOffsets_result(event->get());
    size_t count = 0;
    const rd_kafka_group_result_t** results =
        res != nullptr ? rd_kafka_AlterConsumerGroupOffsets_result_groups(res, &count) : nullptr;
    if (count != 1) {
        return fail(fmt::format(
            "committing the new offsets of group '{}' failed: the cluster returned {} results "
            "instead of 1",
            args.group, count));
    }
    if (const rd_kafka_error_t* e = rd_kafka_group_result_error(results[0]);
        e != nullptr && rd_kafka_error_code(e) != 0) {
        return fail(group_error(*client, "reset the offsets of", args.group, rd_kafka_error_code(e),
                                rd_kafka_error_string(e)));
    }
    int status = 0;
    size_t done = 0;
    const rd_kafka_topic_partition_list_t* answered = rd_kafka_group_result_partitions(results[0]);
    for (int i = 0; answered != nullptr && i < answered->cnt; ++i) {
        const auto& p = answered->elems[i];
        if (p.err != 0) {
            fmt::print(stderr, "error: {}\n",
                       partition_error("commit the new offset of", p.topic, p.partition, p.err));
            status = 1;
        } else {
            ++done;
        }
    }
    fmt::print(stderr, "committed new offsets for {} of {} partitions of group {}\n", done,
               plan->size(), args.group);
    return status;
}

int run_delete(const delete_args& args) {
    auto client = group_client(args.client);
    if (!client) {
        return fail(client.error());
    }
    std::vector<delete_group_ptr> owned;
    std::vector<rd_kafka_DeleteGroup_t*> groups;
    for (const auto& name : args.groups) {
        owned.emplace_back(rd_kafka_DeleteGroup_new(name.c_str()));
        groups.push_back(owned.back().get());
    }
    auto event = client->admin_call(
        RD_KAFKA_ADMIN_OP_DELETEGROUPS,
        args.groups.size() == 1 ? fmt::format("deleting group '{}'", args.groups[0])
                                : fmt::format("deleting {} groups", args.groups.size()),
        [&](rd_kafka_t* rk, const rd_kafka_AdminOptions_t* options, rd_kafka_queue_t* queue) {
            rd_kafka_DeleteGroups(rk, groups.data(), groups.size(), options, queue);
        });
    if (!event) {
        return fail(event.error());
    }
    size_t count = 0;
    const auto* res = rd_kafka_event_DeleteGroups_result(event->get());
    const rd_kafka_group_result_t** results =
        res != nullptr ? rd_kafka_DeleteGroups_result_groups(res, &count) : nullptr;
    int status = count == args.groups.size() ? 0 : 1;
    if (status != 0) {
        fmt::print(stderr, "error: the cluster answered for {} of {} groups\n", count,
                   args.groups.size());
    }
    for (size_t i = 0; i < count; ++i) {
        const char* name = rd_kafka_group_result_name(results[i]);
        if (const rd_kafka_error_t* e = rd_kafka_group_result_error(results[i]);
            e != nullptr && rd_kafka_error_code(e) != 0) {
            fmt::print(stderr, "error: {}\n",
                       group_error(*client, "delete", name, rd_kafka_error_code(e),
                                   rd_kafka_error_string(e)));
            status = 1;
        } else {
            fmt::print("deleted group {}\n", name);
        }
    }
    return status;
}

}  // namespace

void add_group_commands(CLI::App& root, action_slot& action) {
    CLI::App* group = root.add_subcommand(
        "group", "List, describe, reset the offsets of, and delete consumer groups");
    group->require_subcommand(1);

    {
        auto args = std::make_shared<list_args>();
        CLI::App* cmd = group->add_subcommand("list", "List consumer groups with their state");
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_list);
    }
    {
        auto args = std::make_shared<describe_args>();
        CLI::App* cmd = group->add_subcommand(
            "describe",
            "Show a group's state, members and assignments, and per partition the committed "
            "offset, log end offset and lag");
        cmd->add_option("group", args->group, "Group id")->required();
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_describe);
    }
    {
        auto args = std::make_shared<reset_args>();
        CLI::App* cmd = group->add_subcommand(
            "reset-offsets",
            "Plan (and with --execute, commit) new offsets for a group that has no members");
        cmd->add_option("group", args->group, "Group id")->required();
        cmd->add_flag("--to-earliest", args->to_earliest, "Reset to the log start offset");
        cmd->add_flag("--to-latest", args->to_latest, "Reset to the log end offset");
        cmd->add_option("--to-datetime", args->to_datetime,
                        "Reset to the first record at or after TIME (ms since the epoch or "
                        "ISO-8601 with a zone, e.g. 2026-11-25T10:00:00Z)")
            ->type_name("TIME");
        cmd->add_option("--to-offset", args->to_offset, "Reset to offset N (clamped to the log)")
            ->type_name("N");
        cmd->add_option("--shift-by", args->shift_by,
                        "Move the committed offset by N (negative: back), clamped to the log")
            ->type_name("N");
        cmd->add_option("--topic", args->topics,
                        "Reset every partition of this topic, repeatable (default: the topics "
                        "the group has committed offsets for)")
            ->type_name("TOPIC")
            ->allow_extra_args(false);
        cmd->add_flag("--execute", args->execute,
                      "Commit the plan (otherwise only print it); the group must have no members");
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_reset);
    }
    {
        auto args = std::make_shared<delete_args>();
        CLI::App* cmd = group->add_subcommand(
            "delete", "Delete groups that have no members, with their committed offsets");
        cmd->add_option("groups", args->groups, "Group ids")->required();
        add_client_options(*cmd, args->client);
        bind_action(*cmd, action, args, run_delete);
    }
}

}  // namespace otter::cli

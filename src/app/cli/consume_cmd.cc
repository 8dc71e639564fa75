// `otter consume TOPIC`: read records with an explicit partition assignment (no group
// membership, no offset commits) and print them, until a count, the end of the data that existed
// at start, or Ctrl-C with --follow.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "app/cli/commands.h"

namespace otter::cli {

namespace {

struct consume_args {
    client_options client;
    std::string topic;
    std::string offset = "beginning";
    std::string from_timestamp;
    int64_t count = -1;  // -1: no limit
    int partition = -1;  // -1: all partitions
    std::string format;
    bool follow = false;
};

// What the command knows about one assigned partition.
struct partition_state {
    int64_t low = 0;
    int64_t end = 0;    // high watermark (last stable offset under read_committed) at start
    int64_t start = 0;  // offset or logical offset (RD_KAFKA_OFFSET_*) to assign
    bool done = false;  // reached `end` (only tracked without --follow)
};

// Turns a librdkafka message into the formatter's view. Valid while `msg` lives.
record_view view_of(const rd_kafka_message_t& msg, std::string_view topic) {
    record_view r;
    r.topic = topic;
    r.partition = msg.partition;
    r.offset = msg.offset;
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    const int64_t ts = rd_kafka_message_timestamp(&msg, &type);
    if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ts >= 0) {
        r.timestamp_ms = ts;
    }
    if (msg.key != nullptr) {
        r.key = std::string_view(static_cast<const char*>(msg.key), msg.key_len);
    }
    if (msg.payload != nullptr) {
        r.value = std::string_view(static_cast<const char*>(msg.payload), msg.len);
    }
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(&msg, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
        headers != nullptr) {
        const char* name = nullptr;
        const void* value = nullptr;
        size_t size = 0;
        for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) ==
                           RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
            header_view h{name, std::nullopt};
            if (value != nullptr) {
                h.value = std::string_view(static_cast<const char*>(value), size);
            }
            r.headers.push_back(h);
        }
    }
    return r;
}

// Errors after which consuming cannot make progress; anything else is retried by librdkafka.
bool is_fatal_consume_error(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
        case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
        case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
        case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
        case RD_KAFKA_RESP_ERR__AUTHENTICATION:
        case RD_KAFKA_RESP_ERR__FATAL:
        case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
        case RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE:
        case RD_KAFKA_RESP_ERR__INVALID_ARG:
            return true;
        default:
            return false;
    }
}

// Resolves where each partition starts. `parts` has low/end filled in.
result<void, cli_error> resolve_start(const kafka_client& client, const std::string& topic,
                                      const offset_spec& spec,
                                      std::map<int32_t, partition_state>& parts) {
    switch (spec.from) {
        case offset_spec::kind::beginning:
            for (auto& [id, p] : parts) {
                p.start = RD_KAFKA_OFFSET_BEGINNING;
            }
            return {};
        case offset_spec::kind::end:
            for (auto& [id, p] : parts) {
                p.start = RD_KAFKA_OFFSET_END;
            }
            return {};
        case offset_spec::kind::absolute:
            for (auto& [id, p] : parts) {
                // Clamp into the partition's range rather than let auto.offset.reset decide.
                p.start = std::clamp(spec.value, p.low, std::max(p.low, p.end));
            }
            return {};
        case offset_spec::kind::timestamp: {
            partition_list_ptr list = make_partition_list(static_cast<int>(parts.size()));
            for (const auto& [id, p] : parts) {
                rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), id)->offset =
                    spec.value;
            }
            const auto err =
                rd_kafka_offsets_for_times(client.get(), list.get(), client.options().timeout_ms());
            if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                return unexpected(client.explain("looking up offsets by time", err));
            }
            for (int i = 0; i < list->cnt; ++i) {
                const auto& tp = list->elems[i];
                if (tp.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                    return unexpected(client.explain(
                        fmt::format("looking up the offset by time of partition {}", tp.partition),
                        tp.err));
                }
                // -1 (OFFSET_END): no record at or after the time; start at the end.
                parts[tp.partition].start = tp.offset >= 0 ? tp.offset : RD_KAFKA_OFFSET_END;
            }
            return {};
        }
    }
    return {};
}

int run_consume(const consume_args& args) {
    result<record_formatter, cli_error> formatter = record_formatter::value_per_line();
    if (!args.format.empty()) {
        formatter = record_formatter::parse(args.format);
        if (!formatter) {
            return fail(formatter.error());
        }
    }
    result<offset_spec, cli_error> spec = parse_offset_spec(args.offset);
    if (!args.from_timestamp.empty()) {
        auto ts = parse_timestamp_ms(args.from_timestamp);
        if (!ts) {
            return fail(ts.error());
        }
        spec = offset_spec{offset_spec::kind::timestamp, *ts};
    }
    if (!spec) {
        return fail(spec.error());
    }
    if (args.count == 0) {
        return 0;
    }

    // librdkafka's assign() needs a group id, but nothing joins the group or commits to it.
    auto client = kafka_client::create(RD_KAFKA_CONSUMER, args.client,
                                       {{"group.id", "otter-cli"},
                                        {"enable.auto.commit", "false"},
                                        {"enable.auto.offset.store", "false"},
                                        {"enable.partition.eof", "true"},
                                        {"isolation.level", "read_committed"},
                                        {"auto.offset.reset", "earliest"}});
    if (!client) {
        return fail(client.error());
    }
    rd_kafka_t* rk = client->get();
    if (const auto err = rd_kafka_poll_set_consumer(rk); err != 0) {
        return fail(client->explain("setting up the consumer", err));
    }

    auto md = client->metadata(fmt::format("looking up topic '{}'", args.topic));
    if (!md) {
        return fail(md.error());
    }
    const rd_kafka_metadata_topic_t* topic = find_topic(**md, args.topic);
    if (topic == nullptr || topic->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
        return fail(fmt::format("topic '{}' does not exist; see `otter topic list`", args.topic));
    }
    if (args.partition >= topic->partition_cnt) {
        return fail(fmt::format("topic '{}' has {} partitions, so --partition must be below {}",
                                args.topic, topic->partition_cnt, topic->partition_cnt));
    }

    std::map<int32_t, partition_state> parts;
    for (int i = 0; i < topic->partition_cnt; ++i) {
        const int32_t id = topic->partitions[i].id;
        if (args.partition < 0 || id == args.partition) {
            parts[id] = partition_state{};
        }
    }
    for (auto& [id, p] : parts) {
        // Under read_committed the "high" offset the broker reports is the last stable offset.
        const auto err = rd_kafka_query_watermark_offsets(rk, args.topic.c_str(), id, &p.low,
                                                          &p.end, args.client.timeout_ms());
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return fail(client->explain(
                fmt::format("reading the offsets of partition {} of '{}'", id, args.topic), err));
        }
    }
    if (auto r = resolve_start(*client, args.topic, *spec, parts); !r) {
        return fail(r.error());
    }

    // Without --follow, a partition is finished once its position reaches `end`.
    size_t pending = 0;
    for (auto& [id, p] : parts) {
        const int64_t first = p.start == RD_KAFKA_OFFSET_BEGINNING ? p.low
                              : p.start == RD_KAFKA_OFFSET_END     ? p.end
                                                                   : p.start;
        p.done = !args.follow && first >= p.end;
        pending += p.done ? 0 : 1;
    }
    if (pending == 0) {
        return 0;  // nothing between the start and the end
    }

    partition_list_ptr assignment = make_partition_list(static_cast<int>(parts.size()));
    for (const auto& [id, p] : parts) {
        if (!p.done) {
            rd_kafka_topic_partition_list_add(assignment.get(), args.topic.c_str(), id)->offset =
                p.start;
        }
    }
    if (const auto err = rd_kafka_assign(rk, assignment.get()); err != 0) {
        return fail(
            client->explain(fmt::format("assigning the partitions of '{}'", args.topic), err));
    }

    const auto mark_done = [&](int32_t id) {
        auto it = parts.find(id);
        if (it == parts.end() || it->second.done) {
            return;
        }
        it->second.done = true;
        --pending;
        // Stop fetching beyond the end, so the remaining partitions are not slowed down.
        partition_list_ptr list = make_partition_list(1);
        rd_kafka_topic_partition_list_add(list.get(), args.topic.c_str(), id);
        rd_kafka_pause_partitions(rk, list.get());
    };

    interrupt_guard guard;
    int status = 0;
    int64_t printed = 0;
    std::string out;
    std::string last_warning;
    const auto idle_limit = args.client.timeout();
    auto last_progress = std::chrono::steady_clock::now();
    while (!interrupt_guard::interrupted()) {
        message_ptr msg(rd_kafka_consumer_poll(rk, 200));
        if (!msg) {
            std::fflush(stdout);
            if (!args.follow && std::chrono::steady_clock::now() - last_progress > idle_limit) {
                status = fail(
                    client->explain(fmt::format("reading '{}' ({} partitions not at their end yet)",
                                                args.topic, pending),
                                    RD_KAFKA_RESP_ERR__TIMED_OUT));
                break;
            }
            continue;
        }
        if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            last_progress = std::chrono::steady_clock::now();
            if (!args.follow && msg->offset >= parts[msg->partition].end) {
                mark_done(msg->partition);
            }
        } else if (msg->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            const std::string text = rd_kafka_message_errstr(msg.get());
            if (is_fatal_consume_error(msg->err)) {
                status = fail(fmt::format("reading '{}' failed: {}", args.topic, text));
                break;
            }
            if (args.follow && text != last_warning) {
                fmt::print(stderr, "warning: {} (retrying)\n", text);
                last_warning = text;
            }
        } else {
            last_progress = std::chrono::steady_clock::now();
            const int32_t id = msg->partition;
            const bool beyond_end = !args.follow && msg->offset >= parts[id].end;
            if (!beyond_end) {
                out.clear();
                formatter->format(view_of(*msg, args.topic), out);
                std::fwrite(out.data(), 1, out.size(), stdout);
                ++printed;
                if (args.follow) {
                    std::fflush(stdout);
                }
            }
            if (!args.follow && msg->offset + 1 >= parts[id].end) {
                mark_done(id);
            }
            if (args.count > 0 && printed >= args.count) {
                break;
            }
        }
        if (!args.follow && pending == 0) {
            break;
        }
    }
    std::fflush(stdout);
    rd_kafka_consumer_close(rk);
    if (std::ferror(stdout) != 0 && status == 0) {
        return fail("writing to stdout failed");
    }
    return status;
}

}  // namespace

void add_consume_command(CLI::App& root, action_slot& action) {
    auto args = std::make_shared<consume_args>();
    CLI::App* cmd = root.add_subcommand(
        "consume",
        "Print the records of a topic, without joining a consumer group or committing offsets");
    cmd->add_option("topic", args->topic, "Topic to read")->required();
    CLI::Option* offset =
        cmd->add_option("-o,--offset", args->offset,
                        "Where to start in each partition: beginning, end, an offset N, or "
                        "@TIME (ms since epoch or ISO-8601)")
            ->capture_default_str();
    cmd->add_option("--from-timestamp", args->from_timestamp,
                    "Start at the first record at or after this time: ms since the epoch or "
                    "ISO-8601 such as 2026-11-25T10:00:00Z")
        ->type_name("TIME")
        ->excludes(offset);
    cmd->add_option("-n,--count", args->count, "Stop after N records")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-p,--partition", args->partition, "Read only this partition (default: all)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("-f,--format", args->format,
                    "Output per record: json, or a pattern with %t topic, %p partition, %o "
                    "offset, %k key, %v value, %T timestamp, %h headers, \\n, \\t (default: "
                    "the value and a newline)")
        ->type_name("FORMAT");
    cmd->add_flag("--follow", args->follow,
                  "Keep waiting for new records instead of stopping at the end of the topic");
    add_client_options(*cmd, args->client);
    bind_action(*cmd, action, args, run_consume);
}

}  // namespace otter::cli

// `otter produce TOPIC`: one record per line of stdin, then wait for every delivery report.
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "app/cli/commands.h"

namespace otter::cli {

namespace {

struct produce_args {
    client_options client;
    std::string topic;
    std::string key_separator;
    std::vector<std::string> headers;
    int partition = -1;  // -1: let the partitioner choose (by key hash, or sticky for null keys)
    std::string acks = "all";
    std::string compression = "none";
};

// Delivery accounting, written by the delivery-report callback on the main thread.
struct delivery_stats {
    int64_t sent = 0;       // records accepted into librdkafka's queue
    int64_t reports = 0;    // delivery reports received, successful or not
    int64_t delivered = 0;  // records the cluster acknowledged
    int64_t failed = 0;     // records not delivered, whatever the reason
    rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string first_error_text;

    void record_failure(int64_t line, rd_kafka_resp_err_t err, std::string_view text) {
        ++failed;
        if (first_error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            first_error = err;
            first_error_text = text;
        }
        constexpr int64_t max_reported = 10;
        if (failed <= max_reported) {
            fmt::print(stderr, "error: record from line {} was not delivered: {}\n", line, text);
        } else if (failed == max_reported + 1) {
            fmt::print(stderr, "error: more records failed; only the first {} are listed\n",
                       max_reported);
        }
    }
};

struct free_deleter {
    void operator()(char* p) const { std::free(p); }
};

// The delivery timeout the client ended up with (a -X message.timeout.ms wins over --timeout).
std::chrono::milliseconds message_timeout(rd_kafka_t* rk) {
    char value[64];
    size_t size = sizeof value;
    if (rd_kafka_conf_get(rd_kafka_conf(rk), "message.timeout.ms", value, &size) !=
        RD_KAFKA_CONF_OK) {
        return std::chrono::milliseconds(300000);  // librdkafka's default
    }
    return std::chrono::milliseconds(std::strtoll(value, nullptr, 10));
}

int run_produce(const produce_args& args) {
    auto headers = parse_key_values(args.headers, "-H/--header");
    if (!headers) {
        return fail(headers.error());
    }
    auto client = kafka_client::create(
        RD_KAFKA_PRODUCER, args.client,
        {{"acks", args.acks},
         {"compression.codec", args.compression},
         {"message.timeout.ms", std::to_string(args.client.timeout().count())}});
    if (!client) {
        return fail(client.error());
    }
    rd_kafka_t* rk = client->get();

    // Fail before reading any input when the topic or partition does not exist, instead of
    // failing every record after the delivery timeout.
    {
        auto md = client->metadata(fmt::format("looking up topic '{}'", args.topic));
        if (!md) {
            return fail(md.error());
        }
        const rd_kafka_metadata_topic_t* topic = find_topic(**md, args.topic);
        if (topic == nullptr || topic->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            return fail(
                fmt::format("topic '{}' does not exist; create it with `otter topic create {}`",
                            args.topic, args.topic));
        }
        if (args.partition >= topic->partition_cnt) {
            return fail(fmt::format("topic '{}' has {} partitions, so --partition must be below {}",
                                    args.topic, topic->partition_cnt, topic->partition_cnt));
        }
    }

    delivery_stats stats;
    client->state().on_delivery = [&stats](const rd_kafka_message_t& msg) {
        // _private carries the per-message opaque: the input line number.
        const auto line = static_cast<int64_t>(reinterpret_cast<intptr_t>(msg._private));
        ++stats.reports;
        if (msg.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            stats.record_failure(line, msg.err, rd_kafka_message_errstr(&msg));
        } else {
            ++stats.delivered;
        }
    };

    const auto partition = args.partition >= 0 ? args.partition : RD_KAFKA_PARTITION_UA;
    bool read_error = false;
    int read_errno = 0;
    int64_t line_count = 0;
    {
        interrupt_guard guard;  // Ctrl-C ends the input; what was read is still delivered
        char* raw = nullptr;
        size_t capacity = 0;
        std::unique_ptr<char, free_deleter> buffer;
        while (!interrupt_guard::interrupted()) {
            errno = 0;
            const ssize_t n = ::getline(&raw, &capacity, stdin);
            buffer.release();
            buffer.reset(raw);
            if (n < 0) {
                if (errno == EINTR && !interrupt_guard::interrupted()) {
                    std::clearerr(stdin);
                    continue;
                }
                read_errno = errno;
                read_error = std::ferror(stdin) != 0 && errno != EINTR;
                break;
            }
            const int64_t line_no = ++line_count;
            std::string_view line(raw, static_cast<size_t>(n));
            if (!line.empty() && line.back() == '\n') {
                line.remove_suffix(1);
            }
            const split_line record = split_key(line, args.key_separator);

            std::vector<rd_kafka_vu_t> vus;
            vus.reserve(6 + headers->size());
            auto add = [&vus](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
                vus.push_back(rd_kafka_vu_t{});
                vus.back().vtype = type;
                return vus.back();
            };
            add(RD_KAFKA_VTYPE_TOPIC).u.cstr = args.topic.c_str();
            add(RD_KAFKA_VTYPE_PARTITION).u.i32 = partition;
            add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
            add(RD_KAFKA_VTYPE_OPAQUE).u.ptr =
                reinterpret_cast<void*>(static_cast<intptr_t>(line_no));
            auto& value = add(RD_KAFKA_VTYPE_VALUE);
            value.u.mem.ptr = const_cast<char*>(record.value.data());  // copied (F_COPY)
            value.u.mem.size = record.value.size();
            if (record.key) {
                auto& key = add(RD_KAFKA_VTYPE_KEY);
                key.u.mem.ptr = const_cast<char*>(record.key->data());
                key.u.mem.size = record.key->size();
            }
            for (const auto& h : *headers) {
                auto& header = add(RD_KAFKA_VTYPE_HEADER);
                header.u.header.name = h.key.c_str();
                header.u.header.val = h.value.data();
                header.u.header.size = static_cast<ssize_t>(h.value.size());
            }

            while (true) {
                error_ptr error(rd_kafka_produceva(rk, vus.data(), vus.size()));
                if (!error) {
                    ++stats.sent;
                    break;
                }
                if (rd_kafka_error_code(error.get()) == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    rd_kafka_poll(rk, 100);  // let deliveries drain the local queue
                    continue;
                }
                stats.record_failure(line_no, rd_kafka_error_code(error.get()),
                                     rd_kafka_error_string(error.get()));
                break;
            }
            rd_kafka_poll(rk, 0);  // serve delivery reports as we go
        }
    }

    // Every queued record gets a delivery report within message.timeout.ms, so this is bounded
    // by the delivery timeout (unless the user set it to 0, meaning infinite).
    const auto delivery_timeout = message_timeout(rk);
    const int flush_ms =
        delivery_timeout.count() > 0 ? static_cast<int>(delivery_timeout.count()) + 5000 : -1;
    rd_kafka_flush(rk, flush_ms);
    const int64_t unreported = stats.sent - stats.reports;
    if (unreported > 0) {
        stats.failed += unreported;
        if (stats.first_error == RD_KAFKA_RESP_ERR_NO_ERROR) {
            stats.first_error = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT;
            stats.first_error_text = rd_kafka_err2str(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
        }
        fmt::print(stderr, "error: {} records were still awaiting delivery when flushing gave up\n",
                   unreported);
    }

    fmt::print(stderr, "produced {} records\n", stats.delivered);
    if (read_error) {
        return fail(fmt::format("reading stdin failed after {} lines: {}", line_count,
                                std::strerror(read_errno)));
    }
    if (stats.failed > 0) {
        return fail(
            client->explain(fmt::format("delivering {} of {} records", stats.failed, line_count),
                            stats.first_error, stats.first_error_text));
    }
    return 0;
}

}  // namespace

void add_produce_command(CLI::App& root, action_slot& action) {
    auto args = std::make_shared<produce_args>();
    CLI::App* cmd =
        root.add_subcommand("produce", "Produce records to a topic: one record per line of stdin");
    cmd->add_option("topic", args->topic, "Topic to produce to")->required();
    cmd->add_option("-k,--key-separator", args->key_separator,
                    "Split each line at the first SEP into key and value (no SEP: null key)")
        ->type_name("SEP");
    cmd->add_option("-H,--header", args->headers,
                    "Header key=value added to every record, repeatable")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    cmd->add_option("-p,--partition", args->partition,
                    "Partition to write to (default: chosen by the key's hash)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--acks", args->acks, "Acknowledgements to wait for")
        ->check(CLI::IsMember({"all", "1", "0"}))
        ->capture_default_str();
    cmd->add_option("-z,--compression", args->compression, "Compression codec of record batches")
        ->check(CLI::IsMember({"none", "gzip", "snappy", "lz4", "zstd"}))
        ->capture_default_str();
    add_client_options(*cmd, args->client);
    bind_action(*cmd, action, args, run_produce);
}

}  // namespace otter::cli

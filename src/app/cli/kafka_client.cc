#include "app/cli/kafka_client.h"

#include <cmath>
#include <cstdio>

#include <fmt/format.h>

namespace otter::cli {

namespace {

client_state* state_of(const rd_kafka_t* rk) {
    return static_cast<client_state*>(rd_kafka_opaque(rk));
}

// Drops librdkafka's "[thrd:...]: " prefix and "(after 0ms in state ...)" suffix from a log line.
std::string tidy_log_line(std::string_view line) {
    if (line.starts_with("[thrd:")) {
        if (const size_t end = line.find("]: "); end != std::string_view::npos) {
            line.remove_prefix(end + 3);
        }
    }
    if (const size_t after = line.find(" (after "); after != std::string_view::npos) {
        line = line.substr(0, after);
    }
    return std::string(line);
}

// Runs on librdkafka's threads.
void log_callback(const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
    client_state* state = state_of(rk);
    if (state == nullptr) {
        return;
    }
    if (level <= 3) {  // LOG_ERR and worse: remember it to explain a later timeout
        std::lock_guard lock(state->mu);
        state->last_broker_error = tidy_log_line(buf);
    }
    if (state->verbose) {
        fmt::print(stderr, "rdkafka[{}] {}: {}\n", level, fac, buf);
    }
}

// Runs on the thread calling rd_kafka_poll().
void error_callback(rd_kafka_t* rk, int err, const char* reason, void* /*opaque*/) {
    client_state* state = state_of(rk);
    if (state == nullptr) {
        return;
    }
    // "N/N brokers are down" says less than the connect failure logged just before it.
    if (err != RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN) {
        std::lock_guard lock(state->mu);
        state->last_broker_error = tidy_log_line(reason);
    }
    if (state->verbose) {
        fmt::print(stderr, "rdkafka error {}: {}\n",
                   rd_kafka_err2name(static_cast<rd_kafka_resp_err_t>(err)), reason);
    }
}

// Runs on the thread calling rd_kafka_poll()/rd_kafka_flush().
void delivery_callback(rd_kafka_t* rk, const rd_kafka_message_t* msg, void* /*opaque*/) {
    client_state* state = state_of(rk);
    if (state != nullptr && state->on_delivery) {
        state->on_delivery(*msg);
    }
}

bool is_connectivity_error(rd_kafka_resp_err_t err) {
    switch (err) {
        case RD_KAFKA_RESP_ERR__TIMED_OUT:
        case RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE:
        case RD_KAFKA_RESP_ERR__TRANSPORT:
        case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
        case RD_KAFKA_RESP_ERR__RESOLVE:
        case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
        case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
        case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
        case RD_KAFKA_RESP_ERR_BROKER_NOT_AVAILABLE:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::chrono::milliseconds client_options::timeout() const {
    const auto ms = static_cast<int64_t>(std::llround(timeout_s * 1000.0));
    return std::chrono::milliseconds(std::max<int64_t>(ms, 1));
}

config_builder::config_builder() : conf_(rd_kafka_conf_new()) {}

result<void, cli_error> config_builder::set(std::string_view key, std::string_view value) {
    char errstr[512];
    const std::string k(key);
    const std::string v(value);
    if (rd_kafka_conf_set(conf_.get(), k.c_str(), v.c_str(), errstr, sizeof errstr) !=
        RD_KAFKA_CONF_OK) {
        return unexpected(fmt::format("cannot set client property {}={}: {}", k, v, errstr));
    }
    return {};
}

result<void, cli_error> config_builder::set_all(const std::vector<key_value>& properties) {
    for (const auto& p : properties) {
        if (auto r = set(p.key, p.value); !r) {
            return r;
        }
    }
    return {};
}

result<kafka_client, cli_error> kafka_client::create(rd_kafka_type_t type,
                                                     const client_options& options,
                                                     const std::vector<key_value>& defaults) {
    auto user = parse_key_values(options.properties, "-X");
    if (!user) {
        return unexpected(user.error());
    }
    auto state = std::make_unique<client_state>();
    state->brokers = options.brokers;
    state->verbose = options.verbose;
    for (const auto& p : *user) {
        if (p.key == "debug") {
            state->verbose = true;  // asking for debug contexts means wanting to see them
        }
    }

    config_builder conf;
    // librdkafka defaults that a short-lived command-line client wants different.
    for (const auto& [k, v] : std::vector<key_value>{{"client.id", "otter-cli"},
                                                     {"allow.auto.create.topics", "false"}}) {
        if (auto r = conf.set(k, v); !r) {
            return unexpected(r.error());
        }
    }
    if (auto r = conf.set_all(defaults); !r) {
        return unexpected(r.error());
    }
    if (auto r = conf.set("bootstrap.servers", options.brokers); !r) {
        return unexpected(r.error());
    }
    if (auto r = conf.set_all(*user); !r) {
        return unexpected(r.error());
    }
    rd_kafka_conf_set_opaque(conf.get(), state.get());
    rd_kafka_conf_set_log_cb(conf.get(), log_callback);
    rd_kafka_conf_set_error_cb(conf.get(), error_callback);
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set_dr_msg_cb(conf.get(), delivery_callback);
    }

    char errstr[512];
    conf_ptr owned = conf.release();
    rd_kafka_t* rk = rd_kafka_new(type, owned.get(), errstr, sizeof errstr);
    if (rk == nullptr) {
        return unexpected(fmt::format("cannot create the Kafka client: {}", errstr));
    }
    (void)owned.release();  // rd_kafka_new() took ownership of the configuration
    return kafka_client(std::move(state), handle_ptr(rk), options);
}

cli_error kafka_client::explain(std::string_view what, rd_kafka_resp_err_t err,
                                std::string_view detail) const {
    std::string reason = detail.empty() ? std::string(rd_kafka_err2str(err)) : std::string(detail);
    if (!is_connectivity_error(err)) {
        return fmt::format("{} failed: {}", what, reason);
    }
    std::string last;
    {
        std::lock_guard lock(state_->mu);
        last = state_->last_broker_error;
    }
    const bool timed_out =
        err == RD_KAFKA_RESP_ERR__TIMED_OUT || err == RD_KAFKA_RESP_ERR__TIMED_OUT_QUEUE;
    std::string msg = timed_out ? fmt::format("{} timed out after {}", what,
                                              describe_duration(options_.timeout()))
                                : fmt::format("{} failed ({})", what, reason);
    if (!last.empty()) {
        msg +=
            fmt::format(": could not reach a broker at {} ({}); check --brokers or OTTER_BROKERS",
                        options_.brokers, last);
    } else {
        msg += fmt::format(
            ": no answer from the cluster at {}; check that it is reachable and supports this "
            "request, or raise --timeout",
            options_.brokers);
    }
    return msg;
}

result<metadata_ptr, cli_error> kafka_client::metadata(std::string_view what) const {
    const rd_kafka_metadata_t* md = nullptr;
    const rd_kafka_resp_err_t err =
        rd_kafka_metadata(get(), 1, nullptr, &md, options_.timeout_ms());
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return unexpected(explain(what, err));
    }
    return metadata_ptr(md);
}

result<event_ptr, cli_error> kafka_client::admin_call(rd_kafka_admin_op_t op, std::string_view what,
                                                      const admin_submit& submit) const {
    admin_options_ptr admin_options(rd_kafka_AdminOptions_new(get(), op));
    char errstr[512];
    if (rd_kafka_AdminOptions_set_request_timeout(admin_options.get(), options_.timeout_ms(),
                                                  errstr, sizeof errstr) != 0) {
        return unexpected(fmt::format("{} failed: invalid --timeout: {}", what, errstr));
    }
    if (op == RD_KAFKA_ADMIN_OP_CREATETOPICS || op == RD_KAFKA_ADMIN_OP_DELETETOPICS) {
        if (rd_kafka_AdminOptions_set_operation_timeout(admin_options.get(), options_.timeout_ms(),
                                                        errstr, sizeof errstr) != 0) {
            return unexpected(fmt::format("{} failed: invalid --timeout: {}", what, errstr));
        }
    }
    queue_ptr queue(rd_kafka_queue_new(get()));
    submit(get(), admin_options.get(), queue.get());
    // The request timeout bounds the call; the margin only covers delivering the result event.
    event_ptr event(rd_kafka_queue_poll(queue.get(), options_.timeout_ms() + 2000));
    if (!event) {
        return unexpected(explain(what, RD_KAFKA_RESP_ERR__TIMED_OUT));
    }
    if (const rd_kafka_resp_err_t err = rd_kafka_event_error(event.get()); err != 0) {
        const char* detail = rd_kafka_event_error_string(event.get());
        return unexpected(explain(what, err, detail != nullptr ? detail : ""));
    }
    return event;
}

const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t& md, std::string_view topic) {
    for (int i = 0; i < md.topic_cnt; ++i) {
        if (topic == md.topics[i].topic) {
            return &md.topics[i];
        }
    }
    return nullptr;
}

std::string describe_duration(std::chrono::milliseconds d) {
    if (d.count() < 1000) {
        return fmt::format("{} ms", d.count());
    }
    return fmt::format("{:g} s", static_cast<double>(d.count()) / 1000.0);
}

}  // namespace otter::cli

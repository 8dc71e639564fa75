// Small RAII layer over the librdkafka C API for the `otter` client commands.
//
// Each librdkafka object the commands use has an owning handle (unique_ptr with the matching
// destroy function). config_builder collects configuration; kafka_client owns one rd_kafka_t
// together with the state its callbacks write to, and turns librdkafka failures into one
// sentence a user can act on ("... no broker answered at 127.0.0.1:9092 ...").
//
// Threads: librdkafka runs its own broker threads. The log callback runs on them and writes
// client_state under its mutex; delivery-report and error callbacks run on the thread that calls
// rd_kafka_poll()/rd_kafka_flush(), which in the CLI is always the main thread.
// A kafka_client is not thread-safe: one thread uses it (the CLI is single-threaded).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "app/cli/format.h"
#include "base/result.h"
#include "kafka/rdkafka/handles.h"

namespace otter::cli {

// Owning handles for librdkafka objects (shared with the Kafka connector).
using rdkafka::admin_options_ptr;
using rdkafka::alter_group_offsets_ptr;
using rdkafka::conf_ptr;
using rdkafka::config_resource_ptr;
using rdkafka::delete_group_ptr;
using rdkafka::delete_topic_ptr;
using rdkafka::error_ptr;
using rdkafka::event_ptr;
using rdkafka::handle_ptr;
using rdkafka::headers_ptr;
using rdkafka::list_group_offsets_ptr;
using rdkafka::make_partition_list;
using rdkafka::message_ptr;
using rdkafka::metadata_ptr;
using rdkafka::new_topic_ptr;
using rdkafka::partition_list_ptr;
using rdkafka::queue_ptr;

// The connection options every client command takes.
struct client_options {
    std::string brokers = "127.0.0.1:9092";  // --brokers / OTTER_BROKERS
    std::vector<std::string> properties;     // -X key=value, in command-line order
    double timeout_s = 10.0;                 // --timeout, seconds
    bool verbose = false;                    // --verbose: show librdkafka's log

    std::chrono::milliseconds timeout() const;
    int timeout_ms() const { return static_cast<int>(timeout().count()); }
};

// Accumulates librdkafka configuration. Not thread-safe.
class config_builder {
  public:
    config_builder();

    // Sets one property; fails with librdkafka's explanation for an unknown key or bad value.
    result<void, cli_error> set(std::string_view key, std::string_view value);

    // Sets every `-X key=value` in order (later ones win).
    result<void, cli_error> set_all(const std::vector<key_value>& properties);

    rd_kafka_conf_t* get() const { return conf_.get(); }

    // Hands the configuration over, e.g. to rd_kafka_new(). The builder is empty afterwards.
    conf_ptr release() { return std::move(conf_); }

  private:
    conf_ptr conf_;
};

// What librdkafka callbacks report back to the command. Lives on the heap at a fixed address
// because librdkafka holds a raw pointer to it (the configuration's opaque).
struct client_state {
    std::string brokers;
    bool verbose = false;

    std::mutex mu;
    std::string last_broker_error;  // guarded by mu; last error-level log line, if any

    // Set by `otter produce`; called from rd_kafka_poll()/rd_kafka_flush() on the polling thread.
    std::function<void(const rd_kafka_message_t&)> on_delivery;
};

// One librdkafka client instance plus its callback state. Movable, not copyable.
// The rd_kafka_t is destroyed before the state its callbacks use.
class kafka_client {
  public:
    // Builds a client of `type`: first `defaults` (the command's own choices), then
    // bootstrap.servers from --brokers, then the user's -X properties, so the user has the last
    // word. Installs log, error and delivery-report callbacks (librdkafka's log stays quiet
    // unless --verbose or -X debug=... is given).
    static result<kafka_client, cli_error> create(rd_kafka_type_t type,
                                                  const client_options& options,
                                                  const std::vector<key_value>& defaults);

    rd_kafka_t* get() const { return handle_.get(); }
    client_state& state() { return *state_; }
    const client_options& options() const { return options_; }

    // A sentence describing why `what` failed with `err`, with a hint for connectivity errors,
    // e.g. "listing topics timed out after 10 s: no broker answered at 127.0.0.1:9092 (last
    // error: Connect to ipv4#127.0.0.1:9092 failed: Connection refused); check --brokers".
    cli_error explain(std::string_view what, rd_kafka_resp_err_t err,
                      std::string_view detail = {}) const;

    // Fetches cluster metadata for all topics, bounded by the timeout.
    result<metadata_ptr, cli_error> metadata(std::string_view what) const;

    // Runs one Admin API call: creates admin options for `op` with the request timeout (and the
    // operation timeout, where the API has one), lets `submit` issue the request on a private
    // queue, and waits for the result event. Fails when the event is missing or carries a
    // request-level error; per-resource errors are left to the caller.
    using admin_submit =
        std::function<void(rd_kafka_t*, const rd_kafka_AdminOptions_t*, rd_kafka_queue_t*)>;
    result<event_ptr, cli_error> admin_call(rd_kafka_admin_op_t op, std::string_view what,
                                            const admin_submit& submit) const;

  private:
    kafka_client(std::unique_ptr<client_state> state, handle_ptr handle, client_options options)
        : options_(std::move(options)), state_(std::move(state)), handle_(std::move(handle)) {}

    client_options options_;
    std::unique_ptr<client_state> state_;
    handle_ptr handle_;  // declared after state_: destroyed first
};

// Finds `topic` in `md`, or nullptr.
const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t& md, std::string_view topic);

// "10 s", "1.5 s", "250 ms": for messages.
std::string describe_duration(std::chrono::milliseconds d);

}  // namespace otter::cli

// The Kafka API handlers: one file per API under handlers/, one table in dispatch.cc.
//
// A handler decodes its request from `body` at `hdr.version`, does the work through the broker
// context and returns the encoded response body (the connection adds the response header).
// Decoding failures close the connection; protocol-level problems are Kafka error codes in the
// response. Handlers run on an I/O thread and must not block on disk sync or long waits:
// Produce with acks=all returns a deferred body completed by the flusher, and Fetch is a
// fetch_op the connection polls.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "kafka/protocol/header.h"
#include "kafka/protocol/wire.h"
#include "kafka/server/broker_context.h"
#include "kafka/server/response.h"

namespace otter::storage {
class partition_log;
}

namespace otter::kafka {

struct request_ctx {
    broker_context& broker;
    const request_header& hdr;
    reader& body;
    const std::string& client_host;  // the peer's address, for group membership
};

template <typename Msg>
bytes encode_body(const Msg& m, int16_t version) {
    writer w;
    m.encode(w, version);
    return w.take();
}

handler_response handle_api_versions(request_ctx& ctx);
handler_response handle_metadata(request_ctx& ctx);
handler_response handle_produce(request_ctx& ctx);
handler_response handle_list_offsets(request_ctx& ctx);
handler_response handle_create_topics(request_ctx& ctx);
handler_response handle_delete_topics(request_ctx& ctx);
handler_response handle_create_partitions(request_ctx& ctx);
handler_response handle_describe_configs(request_ctx& ctx);
handler_response handle_alter_configs(request_ctx& ctx);
handler_response handle_incremental_alter_configs(request_ctx& ctx);
handler_response handle_find_coordinator(request_ctx& ctx);
handler_response handle_join_group(request_ctx& ctx);
handler_response handle_sync_group(request_ctx& ctx);
handler_response handle_heartbeat(request_ctx& ctx);
handler_response handle_leave_group(request_ctx& ctx);
handler_response handle_offset_commit(request_ctx& ctx);
handler_response handle_offset_fetch(request_ctx& ctx);
handler_response handle_describe_groups(request_ctx& ctx);
handler_response handle_list_groups(request_ctx& ctx);
handler_response handle_delete_groups(request_ctx& ctx);
handler_response handle_offset_delete(request_ctx& ctx);

// Wraps a response that a callback will produce later into a deferred body.
template <typename Msg>
struct deferred_encoder {
    std::shared_ptr<deferred_body> body = std::make_shared<deferred_body>();
    int16_t version;
    void operator()(const Msg& m) const { body->complete(encode_body(m, version)); }
};

inline handler_response deferred(std::shared_ptr<deferred_body> body) {
    handler_response r;
    r.what = handler_response::kind::deferred;
    r.later = std::move(body);
    return r;
}

// A Fetch in progress. The connection calls poll() when the request arrives, whenever one of
// partitions() advances, and once more at the deadline with final=true.
class fetch_op {
  public:
    virtual ~fetch_op() = default;
    // Returns a response once enough bytes are available (min_bytes), an error must be
    // reported, or `final` is set; nullptr while the fetch should keep waiting.
    virtual std::unique_ptr<handler_response> poll(bool final) = 0;
    virtual std::chrono::steady_clock::time_point deadline() const = 0;
    virtual std::vector<const storage::partition_log*> partitions() const = 0;
};

// Decodes a Fetch; on a malformed request returns nullptr and sets `out` to close.
std::unique_ptr<fetch_op> start_fetch(request_ctx& ctx, handler_response& out);

}  // namespace otter::kafka

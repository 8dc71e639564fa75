// libFuzzer target: the input is a Kafka request frame body (request header + request body,
// without the int32 size). Decodes the header, then the matching request at that version if Otter
// supports it, and also tries the response decoder on the same body. Anything that decodes must
// re-encode to bytes that decode to an equal message and re-encode identically. Must never crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "kafka/protocol/api_versions_table.h"
#include "kafka/protocol/header.h"
#include "kafka/protocol/messages/all.h"

namespace otter::kafka {
namespace {

template <typename T>
void round_trip(bytes_view body, int16_t version) {
    reader r(body);
    T first;
    if (!first.decode(r, version))
        return;
    writer w1;
    first.encode(w1, version);
    const bytes enc1 = w1.take();
    reader r2(enc1);
    T second;
    if (!second.decode(r2, version) || r2.remaining() != 0)
        std::abort();
    if (!(second == first))
        std::abort();
    writer w2;
    second.encode(w2, version);
    if (w2.buf() != enc1)
        std::abort();
}

template <typename Req, typename Resp>
void check(bytes_view body, int16_t version) {
    round_trip<Req>(body, version);
    round_trip<Resp>(body, version);
}

}  // namespace
}  // namespace otter::kafka

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace otter;
    using namespace otter::kafka;
    bytes_view frame(data, size);
    reader r(frame);
    request_header h;
    if (!decode_request_header(r, h))
        return 0;
    if (!is_supported(h.key, h.version))
        return 0;
    bytes_view body = frame.subspan(size - r.remaining());
    switch (h.key) {
        case api_key::api_versions:
            check<api_versions_request, api_versions_response>(body, h.version);
            break;
        case api_key::metadata:
            check<metadata_request, metadata_response>(body, h.version);
            break;
        case api_key::produce:
            check<produce_request, produce_response>(body, h.version);
            break;
        case api_key::fetch:
            check<fetch_request, fetch_response>(body, h.version);
            break;
        case api_key::list_offsets:
            check<list_offsets_request, list_offsets_response>(body, h.version);
            break;
        case api_key::create_topics:
            check<create_topics_request, create_topics_response>(body, h.version);
            break;
        case api_key::delete_topics:
            check<delete_topics_request, delete_topics_response>(body, h.version);
            break;
        case api_key::create_partitions:
            check<create_partitions_request, create_partitions_response>(body, h.version);
            break;
        case api_key::describe_configs:
            check<describe_configs_request, describe_configs_response>(body, h.version);
            break;
        case api_key::alter_configs:
            check<alter_configs_request, alter_configs_response>(body, h.version);
            break;
        case api_key::incremental_alter_configs:
            check<incremental_alter_configs_request, incremental_alter_configs_response>(body,
                                                                                         h.version);
            break;
        case api_key::find_coordinator:
            check<find_coordinator_request, find_coordinator_response>(body, h.version);
            break;
        case api_key::join_group:
            check<join_group_request, join_group_response>(body, h.version);
            break;
        case api_key::sync_group:
            check<sync_group_request, sync_group_response>(body, h.version);
            break;
        case api_key::heartbeat:
            check<heartbeat_request, heartbeat_response>(body, h.version);
            break;
        case api_key::leave_group:
            check<leave_group_request, leave_group_response>(body, h.version);
            break;
        case api_key::offset_commit:
            check<offset_commit_request, offset_commit_response>(body, h.version);
            break;
        case api_key::offset_fetch:
            check<offset_fetch_request, offset_fetch_response>(body, h.version);
            break;
        case api_key::offset_delete:
            check<offset_delete_request, offset_delete_response>(body, h.version);
            break;
        case api_key::describe_groups:
            check<describe_groups_request, describe_groups_response>(body, h.version);
            break;
        case api_key::list_groups:
            check<list_groups_request, list_groups_response>(body, h.version);
            break;
        case api_key::delete_groups:
            check<delete_groups_request, delete_groups_response>(body, h.version);
            break;
        case api_key::init_producer_id:
            check<init_producer_id_request, init_producer_id_response>(body, h.version);
            break;
        case api_key::sasl_handshake:
            check<sasl_handshake_request, sasl_handshake_response>(body, h.version);
            break;
    }
    return 0;
}

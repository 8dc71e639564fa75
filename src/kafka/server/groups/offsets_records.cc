#include "kafka/server/groups/offsets_records.h"

#include <cstdlib>

#include "kafka/protocol/wire.h"

namespace otter::kafka::groups {

bytes encode_key(const offset_key& k) {
    writer w;
    w.i16(1);
    w.string(k.group, false);
    w.string(k.topic, false);
    w.i32(k.partition);
    return w.take();
}

bytes encode_key(const group_key& k) {
    writer w;
    w.i16(2);
    w.string(k.group, false);
    return w.take();
}

bytes encode_value(const offset_value& v) {
    writer w;
    w.i16(3);
    w.i64(v.offset);
    w.i32(v.leader_epoch);
    w.string(v.metadata, false);
    w.i64(v.commit_timestamp);
    return w.take();
}

bytes encode_value(const group_value& v) {
    writer w;
    w.i16(3);
    w.string(v.protocol_type, false);
    w.i32(v.generation);
    w.nullable_string(v.protocol, false);
    w.nullable_string(v.leader, false);
    w.i64(v.current_state_timestamp);
    w.array_len(static_cast<int32_t>(v.members.size()), false);
    for (const auto& m : v.members) {
        w.string(m.member_id, false);
        w.nullable_string(m.group_instance_id, false);
        w.string(m.client_id, false);
        w.string(m.client_host, false);
        w.i32(m.rebalance_timeout_ms);
        w.i32(m.session_timeout_ms);
        w.bytes_field(m.subscription, false);
        w.bytes_field(m.assignment, false);
    }
    return w.take();
}

std::optional<any_key> decode_key(bytes_view b) {
    reader r(b);
    int16_t version = r.i16();
    if (!r.ok())
        return std::nullopt;
    if (version == 0 || version == 1) {
        offset_key k;
        k.group = r.string(false);
        k.topic = r.string(false);
        k.partition = r.i32();
        if (!r.ok())
            return std::nullopt;
        return k;
    }
    if (version == 2) {
        group_key k;
        k.group = r.string(false);
        if (!r.ok())
            return std::nullopt;
        return k;
    }
    return std::nullopt;
}

std::optional<offset_value> decode_offset_value(bytes_view b) {
    reader r(b);
    int16_t version = r.i16();
    offset_value v;
    v.offset = r.i64();
    if (version >= 3)
        v.leader_epoch = r.i32();
    v.metadata = r.string(false);
    v.commit_timestamp = r.i64();
    if (version == 1)
        r.i64();  // expire timestamp
    if (!r.ok() || version < 0 || version > 3)
        return std::nullopt;
    return v;
}

std::optional<group_value> decode_group_value(bytes_view b) {
    reader r(b);
    int16_t version = r.i16();
    if (!r.ok() || version < 0 || version > 3)
        return std::nullopt;
    group_value v;
    v.protocol_type = r.string(false);
    v.generation = r.i32();
    v.protocol = r.nullable_string(false);
    v.leader = r.nullable_string(false);
    if (version >= 2)
        v.current_state_timestamp = r.i64();
    int32_t n = r.array_len(false);
    for (int32_t i = 0; i < n && r.ok(); ++i) {
        member_record m;
        m.member_id = r.string(false);
        if (version >= 3)
            m.group_instance_id = r.nullable_string(false);
        m.client_id = r.string(false);
        m.client_host = r.string(false);
        if (version >= 1)
            m.rebalance_timeout_ms = r.i32();
        m.session_timeout_ms = r.i32();
        m.subscription = r.bytes_field(false);
        m.assignment = r.bytes_field(false);
        if (version == 0)
            m.rebalance_timeout_ms = m.session_timeout_ms;
        v.members.push_back(std::move(m));
    }
    if (!r.ok())
        return std::nullopt;
    return v;
}

int32_t offsets_partition_for(const std::string& group, int32_t partitions) {
    uint32_t u = 0;  // unsigned: Java's int overflow wraps, C++'s signed overflow is undefined
    for (unsigned char c : group)
        u = 31 * u + c;
    auto h = static_cast<int32_t>(u);
    // Kafka: Utils.abs(hashCode) % n, where abs(MIN_VALUE) is 0.
    int32_t a = h == INT32_MIN ? 0 : std::abs(h);
    return a % partitions;
}

}  // namespace otter::kafka::groups

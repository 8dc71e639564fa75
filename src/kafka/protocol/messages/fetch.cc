#include "kafka/protocol/messages/fetch.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t version, bool flex, fetch_request::fetch_partition& x) {
    x.partition = r.i32();
    if (version >= 9) {
        x.current_leader_epoch = r.i32();
    }
    x.fetch_offset = r.i64();
    if (version >= 5) {
        x.log_start_offset = r.i64();
    }
    x.partition_max_bytes = r.i32();
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const fetch_request::fetch_partition& x) {
    w.i32(x.partition);
    if (version >= 9) {
        w.i32(x.current_leader_epoch);
    }
    w.i64(x.fetch_offset);
    if (version >= 5) {
        w.i64(x.log_start_offset);
    }
    w.i32(x.partition_max_bytes);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, fetch_request::fetch_topic& x) {
    x.topic = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const fetch_request::fetch_topic& x) {
    w.string(x.topic, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, fetch_request::forgotten_topic& x) {
    if (version >= 7) {
        x.topic = r.string(flex);
    }
    if (version >= 7) {
        read_array(r, flex, x.partitions, [&](int32_t& e) { e = r.i32(); });
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const fetch_request::forgotten_topic& x) {
    if (version >= 7) {
        w.string(x.topic, flex);
    }
    if (version >= 7) {
        write_array(w, flex, x.partitions, [&](int32_t e) { w.i32(e); });
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t /*version*/, bool flex, fetch_response::aborted_transaction& x) {
    x.producer_id = r.i64();
    x.first_offset = r.i64();
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const fetch_response::aborted_transaction& x) {
    w.i64(x.producer_id);
    w.i64(x.first_offset);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, fetch_response::partition_data& x) {
    x.partition_index = r.i32();
    x.error_code = read_error_code(r);
    x.high_watermark = r.i64();
    x.last_stable_offset = r.i64();
    if (version >= 5) {
        x.log_start_offset = r.i64();
    }
    read_nullable_array(r, flex, true, x.aborted_transactions,
                        [&](auto& e) { read(r, version, flex, e); });
    if (version >= 11) {
        x.preferred_read_replica = r.i32();
    }
    x.records = read_records(r, flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const fetch_response::partition_data& x) {
    w.i32(x.partition_index);
    write_error_code(w, x.error_code);
    w.i64(x.high_watermark);
    w.i64(x.last_stable_offset);
    if (version >= 5) {
        w.i64(x.log_start_offset);
    }
    write_nullable_array(w, flex, true, x.aborted_transactions,
                         [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 11) {
        w.i32(x.preferred_read_replica);
    }
    w.bytes_field(x.records, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, fetch_response::fetchable_topic_response& x) {
    x.topic = r.string(flex);
    read_array(r, flex, x.partitions, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const fetch_response::fetchable_topic_response& x) {
    w.string(x.topic, flex);
    write_array(w, flex, x.partitions, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool fetch_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::fetch, version);
    auto& x = *this;
    x.replica_id = r.i32();
    x.max_wait_ms = r.i32();
    x.min_bytes = r.i32();
    x.max_bytes = r.i32();
    x.isolation_level = r.i8();
    if (version >= 7) {
        x.session_id = r.i32();
    }
    if (version >= 7) {
        x.session_epoch = r.i32();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 7) {
        read_array(r, flex, x.forgotten_topics_data, [&](auto& e) { read(r, version, flex, e); });
    }
    if (version >= 11) {
        x.rack_id = r.string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void fetch_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::fetch, version);
    const auto& x = *this;
    w.i32(x.replica_id);
    w.i32(x.max_wait_ms);
    w.i32(x.min_bytes);
    w.i32(x.max_bytes);
    w.i8(x.isolation_level);
    if (version >= 7) {
        w.i32(x.session_id);
    }
    if (version >= 7) {
        w.i32(x.session_epoch);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 7) {
        write_array(w, flex, x.forgotten_topics_data,
                    [&](const auto& e) { write(w, version, flex, e); });
    }
    if (version >= 11) {
        w.string(x.rack_id, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool fetch_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::fetch, version);
    auto& x = *this;
    x.throttle_time_ms = r.i32();
    if (version >= 7) {
        x.error_code = read_error_code(r);
    }
    if (version >= 7) {
        x.session_id = r.i32();
    }
    read_array(r, flex, x.responses, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void fetch_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::fetch, version);
    const auto& x = *this;
    w.i32(x.throttle_time_ms);
    if (version >= 7) {
        write_error_code(w, x.error_code);
    }
    if (version >= 7) {
        w.i32(x.session_id);
    }
    write_array(w, flex, x.responses, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

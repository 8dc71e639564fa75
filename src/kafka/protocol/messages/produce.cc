#include "kafka/protocol/messages/produce.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex, produce_request::partition_produce_data& x) {
    x.index = r.i32();
    x.records = r.nullable_bytes_view(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const produce_request::partition_produce_data& x) {
    w.i32(x.index);
    w.nullable_bytes(x.records, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, produce_request::topic_produce_data& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partition_data, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const produce_request::topic_produce_data& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partition_data, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, produce_response::partition_produce_response& x) {
    x.index = r.i32();
    x.error_code = read_error_code(r);
    x.base_offset = r.i64();
    x.log_append_time_ms = r.i64();
    if (version >= 5) {
        x.log_start_offset = r.i64();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const produce_response::partition_produce_response& x) {
    w.i32(x.index);
    write_error_code(w, x.error_code);
    w.i64(x.base_offset);
    w.i64(x.log_append_time_ms);
    if (version >= 5) {
        w.i64(x.log_start_offset);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, produce_response::topic_produce_response& x) {
    x.name = r.string(flex);
    read_array(r, flex, x.partition_responses, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const produce_response::topic_produce_response& x) {
    w.string(x.name, flex);
    write_array(w, flex, x.partition_responses, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool produce_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::produce, version);
    auto& x = *this;
    x.transactional_id = r.nullable_string(flex);
    x.acks = r.i16();
    x.timeout_ms = r.i32();
    read_array(r, flex, x.topic_data, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void produce_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::produce, version);
    const auto& x = *this;
    w.nullable_string(x.transactional_id, flex);
    w.i16(x.acks);
    w.i32(x.timeout_ms);
    write_array(w, flex, x.topic_data, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool produce_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::produce, version);
    auto& x = *this;
    read_array(r, flex, x.responses, [&](auto& e) { read(r, version, flex, e); });
    x.throttle_time_ms = r.i32();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void produce_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::produce, version);
    const auto& x = *this;
    write_array(w, flex, x.responses, [&](const auto& e) { write(w, version, flex, e); });
    w.i32(x.throttle_time_ms);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

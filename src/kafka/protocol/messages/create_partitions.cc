#include "kafka/protocol/messages/create_partitions.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          create_partitions_request::create_partitions_assignment& x) {
    read_array(r, flex, x.broker_ids, [&](int32_t& e) { e = r.i32(); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const create_partitions_request::create_partitions_assignment& x) {
    write_array(w, flex, x.broker_ids, [&](int32_t e) { w.i32(e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          create_partitions_request::create_partitions_topic& x) {
    x.name = r.string(flex);
    x.count = r.i32();
    read_nullable_array(r, flex, true, x.assignments, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const create_partitions_request::create_partitions_topic& x) {
    w.string(x.name, flex);
    w.i32(x.count);
    write_nullable_array(w, flex, true, x.assignments,
                         [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t /*version*/, bool flex,
          create_partitions_response::create_partitions_topic_result& x) {
    x.name = r.string(flex);
    x.error_code = read_error_code(r);
    x.error_message = r.nullable_string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const create_partitions_response::create_partitions_topic_result& x) {
    w.string(x.name, flex);
    write_error_code(w, x.error_code);
    w.nullable_string(x.error_message, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool create_partitions_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::create_partitions, version);
    auto& x = *this;
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    x.timeout_ms = r.i32();
    x.validate_only = r.boolean();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void create_partitions_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::create_partitions, version);
    const auto& x = *this;
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    w.i32(x.timeout_ms);
    w.boolean(x.validate_only);
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool create_partitions_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::create_partitions, version);
    auto& x = *this;
    x.throttle_time_ms = r.i32();
    read_array(r, flex, x.results, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void create_partitions_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::create_partitions, version);
    const auto& x = *this;
    w.i32(x.throttle_time_ms);
    write_array(w, flex, x.results, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

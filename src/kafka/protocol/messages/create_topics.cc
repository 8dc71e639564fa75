#include "kafka/protocol/messages/create_topics.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          create_topics_request::creatable_replica_assignment& x) {
    x.partition_index = r.i32();
    read_array(r, flex, x.broker_ids, [&](int32_t& e) { e = r.i32(); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const create_topics_request::creatable_replica_assignment& x) {
    w.i32(x.partition_index);
    write_array(w, flex, x.broker_ids, [&](int32_t e) { w.i32(e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t /*version*/, bool flex,
          create_topics_request::creatable_topic_config& x) {
    x.name = r.string(flex);
    x.value = r.nullable_string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const create_topics_request::creatable_topic_config& x) {
    w.string(x.name, flex);
    w.nullable_string(x.value, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex, create_topics_request::creatable_topic& x) {
    x.name = r.string(flex);
    x.num_partitions = r.i32();
    x.replication_factor = r.i16();
    read_array(r, flex, x.assignments, [&](auto& e) { read(r, version, flex, e); });
    read_array(r, flex, x.configs, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex, const create_topics_request::creatable_topic& x) {
    w.string(x.name, flex);
    w.i32(x.num_partitions);
    w.i16(x.replication_factor);
    write_array(w, flex, x.assignments, [&](const auto& e) { write(w, version, flex, e); });
    write_array(w, flex, x.configs, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          create_topics_response::creatable_topic_result& x) {
    x.name = r.string(flex);
    x.error_code = read_error_code(r);
    if (version >= 1) {
        x.error_message = r.nullable_string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const create_topics_response::creatable_topic_result& x) {
    w.string(x.name, flex);
    write_error_code(w, x.error_code);
    if (version >= 1) {
        w.nullable_string(x.error_message, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool create_topics_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::create_topics, version);
    auto& x = *this;
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    x.timeout_ms = r.i32();
    if (version >= 1) {
        x.validate_only = r.boolean();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void create_topics_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::create_topics, version);
    const auto& x = *this;
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    w.i32(x.timeout_ms);
    if (version >= 1) {
        w.boolean(x.validate_only);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool create_topics_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::create_topics, version);
    auto& x = *this;
    if (version >= 2) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.topics, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void create_topics_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::create_topics, version);
    const auto& x = *this;
    if (version >= 2) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.topics, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

#include "kafka/protocol/messages/delete_topics.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          delete_topics_response::deletable_topic_result& x) {
    x.name = r.string(flex);
    x.error_code = read_error_code(r);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const delete_topics_response::deletable_topic_result& x) {
    w.string(x.name, flex);
    write_error_code(w, x.error_code);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool delete_topics_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::delete_topics, version);
    auto& x = *this;
    read_array(r, flex, x.topic_names, [&](std::string& e) { e = r.string(flex); });
    x.timeout_ms = r.i32();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void delete_topics_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::delete_topics, version);
    const auto& x = *this;
    write_array(w, flex, x.topic_names, [&](const std::string& e) { w.string(e, flex); });
    w.i32(x.timeout_ms);
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool delete_topics_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::delete_topics, version);
    auto& x = *this;
    if (version >= 1) {
        x.throttle_time_ms = r.i32();
    }
    read_array(r, flex, x.responses, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void delete_topics_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::delete_topics, version);
    const auto& x = *this;
    if (version >= 1) {
        w.i32(x.throttle_time_ms);
    }
    write_array(w, flex, x.responses, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

#include "kafka/protocol/messages/delete_groups.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          delete_groups_response::deletable_group_result& x) {
    x.group_id = r.string(flex);
    x.error_code = read_error_code(r);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const delete_groups_response::deletable_group_result& x) {
    w.string(x.group_id, flex);
    write_error_code(w, x.error_code);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool delete_groups_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::delete_groups, version);
    auto& x = *this;
    read_array(r, flex, x.groups_names, [&](std::string& e) { e = r.string(flex); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void delete_groups_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::delete_groups, version);
    const auto& x = *this;
    write_array(w, flex, x.groups_names, [&](const std::string& e) { w.string(e, flex); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool delete_groups_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::delete_groups, version);
    auto& x = *this;
    x.throttle_time_ms = r.i32();
    read_array(r, flex, x.results, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void delete_groups_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::delete_groups, version);
    const auto& x = *this;
    w.i32(x.throttle_time_ms);
    write_array(w, flex, x.results, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

#include "kafka/protocol/messages/incremental_alter_configs.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          incremental_alter_configs_request::alterable_config& x) {
    x.name = r.string(flex);
    x.config_operation = r.i8();
    x.value = r.nullable_string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const incremental_alter_configs_request::alterable_config& x) {
    w.string(x.name, flex);
    w.i8(x.config_operation);
    w.nullable_string(x.value, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          incremental_alter_configs_request::alter_configs_resource& x) {
    x.resource_type = r.i8();
    x.resource_name = r.string(flex);
    read_array(r, flex, x.configs, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const incremental_alter_configs_request::alter_configs_resource& x) {
    w.i8(x.resource_type);
    w.string(x.resource_name, flex);
    write_array(w, flex, x.configs, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t /*version*/, bool flex,
          incremental_alter_configs_response::alter_configs_resource_response& x) {
    x.error_code = read_error_code(r);
    x.error_message = r.nullable_string(flex);
    x.resource_type = r.i8();
    x.resource_name = r.string(flex);
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const incremental_alter_configs_response::alter_configs_resource_response& x) {
    write_error_code(w, x.error_code);
    w.nullable_string(x.error_message, flex);
    w.i8(x.resource_type);
    w.string(x.resource_name, flex);
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool incremental_alter_configs_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::incremental_alter_configs, version);
    auto& x = *this;
    read_array(r, flex, x.resources, [&](auto& e) { read(r, version, flex, e); });
    x.validate_only = r.boolean();
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void incremental_alter_configs_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::incremental_alter_configs, version);
    const auto& x = *this;
    write_array(w, flex, x.resources, [&](const auto& e) { write(w, version, flex, e); });
    w.boolean(x.validate_only);
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool incremental_alter_configs_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::incremental_alter_configs, version);
    auto& x = *this;
    x.throttle_time_ms = r.i32();
    read_array(r, flex, x.responses, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void incremental_alter_configs_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::incremental_alter_configs, version);
    const auto& x = *this;
    w.i32(x.throttle_time_ms);
    write_array(w, flex, x.responses, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

#include "kafka/protocol/messages/describe_configs.h"

#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

namespace {

void read(reader& r, int16_t /*version*/, bool flex,
          describe_configs_request::describe_configs_resource& x) {
    x.resource_type = r.i8();
    x.resource_name = r.string(flex);
    read_nullable_array(r, flex, true, x.configuration_keys,
                        [&](std::string& e) { e = r.string(flex); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t /*version*/, bool flex,
           const describe_configs_request::describe_configs_resource& x) {
    w.i8(x.resource_type);
    w.string(x.resource_name, flex);
    write_nullable_array(w, flex, true, x.configuration_keys,
                         [&](const std::string& e) { w.string(e, flex); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          describe_configs_response::describe_configs_synonym& x) {
    if (version >= 1) {
        x.name = r.string(flex);
    }
    if (version >= 1) {
        x.value = r.nullable_string(flex);
    }
    if (version >= 1) {
        x.source = r.i8();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const describe_configs_response::describe_configs_synonym& x) {
    if (version >= 1) {
        w.string(x.name, flex);
    }
    if (version >= 1) {
        w.nullable_string(x.value, flex);
    }
    if (version >= 1) {
        w.i8(x.source);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          describe_configs_response::describe_configs_resource_result& x) {
    x.name = r.string(flex);
    x.value = r.nullable_string(flex);
    x.read_only = r.boolean();
    if (version == 0) {
        x.is_default = r.boolean();
    }
    if (version >= 1) {
        x.config_source = r.i8();
    }
    x.is_sensitive = r.boolean();
    if (version >= 1) {
        read_array(r, flex, x.synonyms, [&](auto& e) { read(r, version, flex, e); });
    }
    if (version >= 3) {
        x.config_type = r.i8();
    }
    if (version >= 3) {
        x.documentation = r.nullable_string(flex);
    }
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const describe_configs_response::describe_configs_resource_result& x) {
    w.string(x.name, flex);
    w.nullable_string(x.value, flex);
    w.boolean(x.read_only);
    if (version == 0) {
        w.boolean(x.is_default);
    }
    if (version >= 1) {
        w.i8(x.config_source);
    }
    w.boolean(x.is_sensitive);
    if (version >= 1) {
        write_array(w, flex, x.synonyms, [&](const auto& e) { write(w, version, flex, e); });
    }
    if (version >= 3) {
        w.i8(x.config_type);
    }
    if (version >= 3) {
        w.nullable_string(x.documentation, flex);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

void read(reader& r, int16_t version, bool flex,
          describe_configs_response::describe_configs_result& x) {
    x.error_code = read_error_code(r);
    x.error_message = r.nullable_string(flex);
    x.resource_type = r.i8();
    x.resource_name = r.string(flex);
    read_array(r, flex, x.configs, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
}

void write(writer& w, int16_t version, bool flex,
           const describe_configs_response::describe_configs_result& x) {
    write_error_code(w, x.error_code);
    w.nullable_string(x.error_message, flex);
    w.i8(x.resource_type);
    w.string(x.resource_name, flex);
    write_array(w, flex, x.configs, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace

bool describe_configs_request::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::describe_configs, version);
    auto& x = *this;
    read_array(r, flex, x.resources, [&](auto& e) { read(r, version, flex, e); });
    if (version >= 1) {
        x.include_synonyms = r.boolean();
    }
    if (version >= 3) {
        x.include_documentation = r.boolean();
    }
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void describe_configs_request::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::describe_configs, version);
    const auto& x = *this;
    write_array(w, flex, x.resources, [&](const auto& e) { write(w, version, flex, e); });
    if (version >= 1) {
        w.boolean(x.include_synonyms);
    }
    if (version >= 3) {
        w.boolean(x.include_documentation);
    }
    if (flex) {
        w.empty_tagged_fields();
    }
}

bool describe_configs_response::decode(reader& r, int16_t version) {
    const bool flex = is_flexible(api_key::describe_configs, version);
    auto& x = *this;
    x.throttle_time_ms = r.i32();
    read_array(r, flex, x.results, [&](auto& e) { read(r, version, flex, e); });
    if (flex) {
        r.skip_tagged_fields();
    }
    return r.ok();
}

void describe_configs_response::encode(writer& w, int16_t version) const {
    const bool flex = is_flexible(api_key::describe_configs, version);
    const auto& x = *this;
    w.i32(x.throttle_time_ms);
    write_array(w, flex, x.results, [&](const auto& e) { write(w, version, flex, e); });
    if (flex) {
        w.empty_tagged_fields();
    }
}

}  // namespace otter::kafka

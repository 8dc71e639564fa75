// json_record: the record type for schemaless data (a JSON value, nlohmann::json), with serde
// (checkpointed as its compact text) so it can sit in state and collecting sinks.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "stream/serde.h"

namespace otter::stream {

using json_record = nlohmann::json;

template <>
struct serde<json_record> {
    static void write(writer& w, const json_record& v) { w.str(v.dump()); }
    static void read(reader& r, json_record& v) {
        std::string s = r.str();
        if (!r.ok()) {
            return;
        }
        v = json_record::parse(s, nullptr, false);
        if (v.is_discarded()) {
            r.fail();
        }
    }
};

}  // namespace otter::stream

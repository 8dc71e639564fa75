#include "connectors/iceberg/metadata.h"

#include <set>

namespace otter::iceberg {

namespace {

using err = unexpected<std::string>;

// Typed getters that fail politely on missing keys or wrong JSON types.
result<int64_t, std::string> get_long(const ojson& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer())
        return err{std::string("metadata: \"") + key + "\" missing or not an integer"};
    if (it->is_number_unsigned() && it->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
        return err{std::string("metadata: \"") + key + "\" out of range"};
    return it->get<int64_t>();
}

std::optional<int64_t> opt_long(const ojson& j, const char* key) {
    auto r = get_long(j, key);
    if (!r)
        return std::nullopt;
    return *r;
}

result<int32_t, std::string> get_int(const ojson& j, const char* key) {
    auto r = get_long(j, key);
    if (!r)
        return err{r.error()};
    if (*r < INT32_MIN || *r > INT32_MAX)
        return err{std::string("metadata: \"") + key + "\" out of range"};
    return static_cast<int32_t>(*r);
}

result<std::string, std::string> get_string(const ojson& j, const char* key) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string())
        return err{std::string("metadata: \"") + key + "\" missing or not a string"};
    return it->get<std::string>();
}

#define TRY_ASSIGN(lhs, expr)       \
    do {                            \
        auto _r = (expr);           \
        if (!_r)                    \
            return err{_r.error()}; \
        lhs = std::move(*_r);       \
    } while (0)

std::string to_plain_string(const ojson& v) {
    return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

const schema* table_metadata::current_schema() const {
    for (auto& s : schemas)
        if (s.schema_id == current_schema_id)
            return &s;
    return schemas.empty() ? nullptr : &schemas.back();
}

const partition_spec* table_metadata::spec(int32_t id) const {
    for (auto& p : specs)
        if (p.spec_id == id)
            return &p;
    return nullptr;
}

const snapshot* table_metadata::find_snapshot(int64_t id) const {
    for (auto& s : snapshots)
        if (s.snapshot_id == id)
            return &s;
    return nullptr;
}

const snapshot* table_metadata::current_snapshot() const {
    return current_snapshot_id ? find_snapshot(*current_snapshot_id) : nullptr;
}

result<schema, std::string> parse_schema_json(const ojson& j) {
    if (!j.is_object())
        return err{std::string("metadata: schema is not an object")};
    schema s;
    s.schema_id = static_cast<int32_t>(opt_long(j, "schema-id").value_or(0));
    auto fs = j.find("fields");
    if (fs == j.end() || !fs->is_array())
        return err{std::string("metadata: schema without fields")};
    for (auto& f : *fs) {
        if (!f.is_object())
            return err{std::string("metadata: schema field is not an object")};
        field x;
        TRY_ASSIGN(x.id, get_int(f, "id"));
        TRY_ASSIGN(x.name, get_string(f, "name"));
        auto req = f.find("required");
        x.required = req != f.end() && req->is_boolean() && req->get<bool>();
        auto t = f.find("type");
        if (t == f.end())
            return err{"metadata: field " + x.name + " without type"};
        if (t->is_string()) {
            x.type = t->get<std::string>();
        } else if (t->is_object() && t->contains("type") && (*t)["type"].is_string()) {
            x.type = (*t)["type"].get<std::string>();
            x.type_json = t->dump();
        } else {
            return err{"metadata: field " + x.name + " has a bad type"};
        }
        s.fields.push_back(std::move(x));
    }
    return s;
}

result<partition_spec, std::string> parse_spec_json(const ojson& j) {
    partition_spec p;
    const ojson* fields = &j;
    if (j.is_object()) {
        p.spec_id = static_cast<int32_t>(opt_long(j, "spec-id").value_or(0));
        auto it = j.find("fields");
        if (it == j.end())
            return err{std::string("metadata: partition spec without fields")};
        fields = &*it;
    }
    if (!fields->is_array())
        return err{std::string("metadata: partition spec fields is not an array")};
    int32_t next = 1000;
    for (auto& f : *fields) {
        if (!f.is_object())
            return err{std::string("metadata: partition field is not an object")};
        partition_field x;
        TRY_ASSIGN(x.source_id, get_int(f, "source-id"));
        x.field_id = static_cast<int32_t>(opt_long(f, "field-id").value_or(next));
        next = x.field_id + 1;
        TRY_ASSIGN(x.name, get_string(f, "name"));
        std::string tr;
        TRY_ASSIGN(tr, get_string(f, "transform"));
        auto t = transform::parse(tr);
        if (!t)
            return err{"metadata: " + t.error()};
        x.tr = *t;
        p.fields.push_back(std::move(x));
    }
    return p;
}

ojson schema_to_json(const schema& s) {
    ojson j;
    j["type"] = "struct";
    j["schema-id"] = s.schema_id;
    j["fields"] = ojson::array();
    for (auto& f : s.fields) {
        ojson x;
        x["id"] = f.id;
        x["name"] = f.name;
        x["required"] = f.required;
        if (f.type_json.empty())
            x["type"] = f.type;
        else
            x["type"] = ojson::parse(f.type_json, nullptr, false);
        j["fields"].push_back(std::move(x));
    }
    return j;
}

ojson spec_fields_to_json(const partition_spec& p) {
    ojson a = ojson::array();
    for (auto& f : p.fields) {
        ojson x;
        x["name"] = f.name;
        x["transform"] = f.tr.to_string();
        x["source-id"] = f.source_id;
        x["field-id"] = f.field_id;
        a.push_back(std::move(x));
    }
    return a;
}

result<table_metadata, std::string> parse_table_metadata(std::string_view text) {
    ojson j = ojson::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return err{std::string("metadata: not a JSON object")};
    table_metadata m;
    TRY_ASSIGN(m.format_version, get_int(j, "format-version"));
    if (m.format_version < 1 || m.format_version > 3)
        return err{"metadata: unsupported format-version " + std::to_string(m.format_version)};
    m.table_uuid = get_string(j, "table-uuid").has_value() ? *get_string(j, "table-uuid") : "";
    TRY_ASSIGN(m.location, get_string(j, "location"));
    m.last_sequence_number = opt_long(j, "last-sequence-number").value_or(0);
    m.last_updated_ms = opt_long(j, "last-updated-ms").value_or(0);
    m.last_column_id = static_cast<int32_t>(opt_long(j, "last-column-id").value_or(0));

    if (auto it = j.find("schemas"); it != j.end()) {
        if (!it->is_array())
            return err{std::string("metadata: schemas is not an array")};
        for (auto& s : *it) {
            auto x = parse_schema_json(s);
            if (!x)
                return err{x.error()};
            m.schemas.push_back(std::move(*x));
        }
        m.current_schema_id = static_cast<int32_t>(opt_long(j, "current-schema-id").value_or(0));
    } else if (auto it1 = j.find("schema"); it1 != j.end()) {  // v1
        auto x = parse_schema_json(*it1);
        if (!x)
            return err{x.error()};
        m.current_schema_id = x->schema_id;
        m.schemas.push_back(std::move(*x));
    }
    if (m.schemas.empty())
        return err{std::string("metadata: no schema")};

    if (auto it = j.find("partition-specs"); it != j.end()) {
        if (!it->is_array())
            return err{std::string("metadata: partition-specs is not an array")};
        for (auto& s : *it) {
            auto x = parse_spec_json(s);
            if (!x)
                return err{x.error()};
            m.specs.push_back(std::move(*x));
        }
        m.default_spec_id = static_cast<int32_t>(opt_long(j, "default-spec-id").value_or(0));
    } else if (auto it1 = j.find("partition-spec"); it1 != j.end()) {  // v1
        auto x = parse_spec_json(*it1);
        if (!x)
            return err{x.error()};
        m.specs.push_back(std::move(*x));
    }
    if (m.specs.empty())
        m.specs.push_back(partition_spec{});
    m.last_partition_id = static_cast<int32_t>(opt_long(j, "last-partition-id").value_or(999));

    if (auto it = j.find("properties"); it != j.end() && it->is_object())
        for (auto& [k, v] : it->items())
            m.properties[k] = to_plain_string(v);

    if (auto id = opt_long(j, "current-snapshot-id"); id && *id != -1)
        m.current_snapshot_id = *id;
    if (auto it = j.find("snapshots"); it != j.end()) {
        if (!it->is_array())
            return err{std::string("metadata: snapshots is not an array")};
        for (auto& s : *it) {
            if (!s.is_object())
                return err{std::string("metadata: snapshot is not an object")};
            snapshot x;
            TRY_ASSIGN(x.snapshot_id, get_long(s, "snapshot-id"));
            x.parent_id = opt_long(s, "parent-snapshot-id");
            x.sequence_number = opt_long(s, "sequence-number").value_or(0);
            x.timestamp_ms = opt_long(s, "timestamp-ms").value_or(0);
            if (auto ml = get_string(s, "manifest-list"))
                x.manifest_list = *ml;
            else
                return err{
                    std::string("metadata: snapshot without manifest-list (v1 manifests "
                                "lists are not supported)")};
            if (auto sm = s.find("summary"); sm != s.end() && sm->is_object())
                for (auto& [k, v] : sm->items())
                    x.summary[k] = to_plain_string(v);
            if (auto sid = opt_long(s, "schema-id"))
                x.schema_id = static_cast<int32_t>(*sid);
            m.snapshots.push_back(std::move(x));
        }
    }
    if (auto it = j.find("snapshot-log"); it != j.end() && it->is_array())
        for (auto& e : *it)
            if (e.is_object())
                m.snapshot_log.emplace_back(opt_long(e, "timestamp-ms").value_or(0),
                                            opt_long(e, "snapshot-id").value_or(0));
    if (auto it = j.find("metadata-log"); it != j.end() && it->is_array())
        for (auto& e : *it)
            if (e.is_object())
                m.metadata_log.emplace_back(opt_long(e, "timestamp-ms").value_or(0),
                                            get_string(e, "metadata-file").has_value()
                                                ? *get_string(e, "metadata-file")
                                                : "");
    m.raw = std::move(j);
    return m;
}

// ---- manifests -------------------------------------------------------------------------------

namespace {

int64_t long_field(const avro::datum& d, std::initializer_list<const char*> names) {
    for (auto* n : names)
        if (auto* f = d.get(n))
            if (auto v = f->as_long())
                return *v;
    return 0;
}

// Iceberg int→long / int→bytes maps are arrays of {key, value} records (or Avro maps).
template <typename V>
void read_int_map(const avro::datum* d, std::map<int32_t, V>& out) {
    if (!d)
        return;
    if (auto* l = d->as_list()) {
        for (auto& kv : *l) {
            auto* k = kv.get("key");
            auto* v = kv.get("value");
            if (!k || !v || !k->as_long())
                continue;
            if constexpr (std::is_same_v<V, int64_t>) {
                if (auto x = v->as_long())
                    out[static_cast<int32_t>(*k->as_long())] = *x;
            } else {
                if (auto* x = v->as_string())
                    out[static_cast<int32_t>(*k->as_long())] = *x;
            }
        }
    }
}

}  // namespace

result<std::vector<manifest_file>, std::string> parse_manifest_list(bytes_view file) {
    auto r = avro::container_reader::open(file);
    if (!r)
        return err{"manifest list: " + r.error()};
    auto recs = r->read_all();
    if (!recs)
        return err{"manifest list: " + recs.error()};
    std::vector<manifest_file> out;
    for (auto& d : *recs) {
        if (!d.as_object())
            return err{std::string("manifest list: record is not a record")};
        manifest_file m;
        auto* p = d.get("manifest_path");
        if (!p || !p->as_string())
            return err{std::string("manifest list: row without manifest_path")};
        m.path = *p->as_string();
        m.length = long_field(d, {"manifest_length"});
        m.spec_id = static_cast<int32_t>(long_field(d, {"partition_spec_id"}));
        m.content = static_cast<int32_t>(long_field(d, {"content"}));
        m.sequence_number = long_field(d, {"sequence_number"});
        m.min_sequence_number = long_field(d, {"min_sequence_number"});
        m.added_snapshot_id = long_field(d, {"added_snapshot_id"});
        m.added_files = long_field(d, {"added_files_count", "added_data_files_count"});
        m.existing_files = long_field(d, {"existing_files_count", "existing_data_files_count"});
        m.deleted_files = long_field(d, {"deleted_files_count", "deleted_data_files_count"});
        m.added_rows = long_field(d, {"added_rows_count"});
        m.existing_rows = long_field(d, {"existing_rows_count"});
        m.deleted_rows = long_field(d, {"deleted_rows_count"});
        m.raw = d;
        out.push_back(std::move(m));
    }
    return out;
}

result<std::vector<manifest_entry>, std::string> parse_manifest(bytes_view file) {
    auto r = avro::container_reader::open(file);
    if (!r)
        return err{"manifest: " + r.error()};
    auto recs = r->read_all();
    if (!recs)
        return err{"manifest: " + recs.error()};
    std::vector<manifest_entry> out;
    for (auto& d : *recs) {
        manifest_entry e;
        e.status = static_cast<int32_t>(long_field(d, {"status"}));
        if (auto* s = d.get("snapshot_id"))
            if (auto v = s->as_long())
                e.snapshot_id = *v;
        if (auto* s = d.get("sequence_number"))
            if (auto v = s->as_long())
                e.sequence_number = *v;
        const avro::datum* df = d.get("data_file");
        if (!df || !df->as_object())
            return err{std::string("manifest: entry without data_file")};
        e.content = static_cast<int32_t>(long_field(*df, {"content"}));
        auto* p = df->get("file_path");
        if (!p || !p->as_string())
            return err{std::string("manifest: data_file without file_path")};
        e.file_path = *p->as_string();
        if (auto* f = df->get("file_format"); f && f->as_string())
            e.file_format = *f->as_string();
        if (auto* part = df->get("partition"))
            e.partition = *part;
        e.record_count = long_field(*df, {"record_count"});
        e.file_size = long_field(*df, {"file_size_in_bytes"});
        read_int_map(df->get("value_counts"), e.value_counts);
        read_int_map(df->get("null_value_counts"), e.null_value_counts);
        read_int_map(df->get("lower_bounds"), e.lower_bounds);
        read_int_map(df->get("upper_bounds"), e.upper_bounds);
        out.push_back(std::move(e));
    }
    return out;
}

// ---- Avro schemas written by Otter -----------------------------------------------------------

std::string manifest_list_avro_schema() {
    return R"({"type":"record","name":"manifest_file","fields":[)"
           R"({"name":"manifest_path","type":"string","field-id":500},)"
           R"({"name":"manifest_length","type":"long","field-id":501},)"
           R"({"name":"partition_spec_id","type":"int","field-id":502},)"
           R"({"name":"content","type":"int","field-id":517},)"
           R"({"name":"sequence_number","type":"long","field-id":515},)"
           R"({"name":"min_sequence_number","type":"long","field-id":516},)"
           R"({"name":"added_snapshot_id","type":"long","field-id":503},)"
           R"({"name":"added_files_count","type":"int","field-id":504},)"
           R"({"name":"existing_files_count","type":"int","field-id":505},)"
           R"({"name":"deleted_files_count","type":"int","field-id":506},)"
           R"({"name":"added_rows_count","type":"long","field-id":512},)"
           R"({"name":"existing_rows_count","type":"long","field-id":513},)"
           R"({"name":"deleted_rows_count","type":"long","field-id":514},)"
           R"({"name":"partitions","type":["null",{"type":"array","element-id":508,"items":)"
           R"({"type":"record","name":"r508","fields":[)"
           R"({"name":"contains_null","type":"boolean","field-id":509},)"
           R"({"name":"contains_nan","type":["null","boolean"],"default":null,"field-id":518},)"
           R"({"name":"lower_bound","type":["null","bytes"],"default":null,"field-id":510},)"
           R"({"name":"upper_bound","type":["null","bytes"],"default":null,"field-id":511}]}}],)"
           R"("default":null,"field-id":507},)"
           R"({"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":519}]})";
}

namespace {

std::string int_map(const char* name, int field_id, int key_id, int value_id,
                    const char* value_type) {
    std::string rec = "k" + std::to_string(key_id) + "_v" + std::to_string(value_id);
    return std::string(R"({"name":")") + name +
           R"(","type":["null",{"type":"array","logicalType":"map","items":{"type":"record",)"
           R"("name":")" +
           rec + R"(","fields":[{"name":"key","type":"int","field-id":)" + std::to_string(key_id) +
           R"(},{"name":"value","type":")" + value_type + R"(","field-id":)" +
           std::to_string(value_id) + R"(}]}}],"default":null,"field-id":)" +
           std::to_string(field_id) + "}";
}

}  // namespace

std::string manifest_avro_schema(const std::string& partition_record_json) {
    return R"({"type":"record","name":"manifest_entry","fields":[)"
           R"({"name":"status","type":"int","field-id":0},)"
           R"({"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},)"
           R"({"name":"sequence_number","type":["null","long"],"default":null,"field-id":3},)"
           R"({"name":"file_sequence_number","type":["null","long"],"default":null,"field-id":4},)"
           R"({"name":"data_file","type":{"type":"record","name":"r2","fields":[)"
           R"({"name":"content","type":"int","field-id":134},)"
           R"({"name":"file_path","type":"string","field-id":100},)"
           R"({"name":"file_format","type":"string","field-id":101},)"
           R"({"name":"partition","type":)" +
           partition_record_json +
           R"(,"field-id":102},)"
           R"({"name":"record_count","type":"long","field-id":103},)"
           R"({"name":"file_size_in_bytes","type":"long","field-id":104},)" +
           int_map("column_sizes", 108, 117, 118, "long") + "," +
           int_map("value_counts", 109, 119, 120, "long") + "," +
           int_map("null_value_counts", 110, 121, 122, "long") + "," +
           int_map("nan_value_counts", 137, 138, 139, "long") + "," +
           int_map("lower_bounds", 125, 126, 127, "bytes") + "," +
           int_map("upper_bounds", 128, 129, 130, "bytes") + "," +
           R"({"name":"key_metadata","type":["null","bytes"],"default":null,"field-id":131},)"
           R"({"name":"split_offsets","type":["null",{"type":"array","items":"long",)"
           R"("element-id":133}],"default":null,"field-id":132},)"
           R"({"name":"equality_ids","type":["null",{"type":"array","items":"int",)"
           R"("element-id":136}],"default":null,"field-id":135},)"
           R"({"name":"sort_order_id","type":["null","int"],"default":null,"field-id":140},)"
           R"({"name":"referenced_data_file","type":["null","string"],"default":null,)"
           R"("field-id":143}]},"field-id":2}]})";
}

result<std::string, std::string> partition_avro_type(const partition_spec& spec, const schema& s) {
    std::string out = R"({"type":"record","name":"r102","fields":[)";
    std::set<std::string> named;
    for (size_t i = 0; i < spec.fields.size(); ++i) {
        const auto& pf = spec.fields[i];
        const field* src = s.find(pf.source_id);
        if (!src)
            return err{"partition field " + pf.name + ": no source column " +
                       std::to_string(pf.source_id)};
        auto rt = pf.tr.result_type(src->type);
        if (!rt)
            return err{rt.error()};
        const std::string& t = *rt;
        std::string avro;
        int32_t p, sc;
        if (t == "int" || t == "long" || t == "boolean" || t == "float" || t == "double" ||
            t == "string")
            avro = "\"" + t + "\"";
        else if (t == "binary")
            avro = "\"bytes\"";
        else if (t == "date")
            avro = R"({"type":"int","logicalType":"date"})";
        else if (t == "timestamp" || t == "timestamptz")
            avro =
                std::string(R"({"type":"long","logicalType":"timestamp-micros","adjust-to-utc":)") +
                (t == "timestamptz" ? "true" : "false") + "}";
        else if (decimal_params(t, p, sc)) {
            std::string name = "decimal_" + std::to_string(p) + "_" + std::to_string(sc);
            if (named.insert(name).second)
                avro = R"({"type":"fixed","name":")" + name + R"(","size":)" +
                       std::to_string(parquet::decimal_bytes(p)) +
                       R"(,"logicalType":"decimal","precision":)" + std::to_string(p) +
                       R"(,"scale":)" + std::to_string(sc) + "}";
            else
                avro = "\"" + name + "\"";
        } else
            return err{"partition field " + pf.name + ": unsupported type " + t};
        if (i)
            out += ",";
        std::string name_json;
        parquet::append_json_string(name_json, pf.name);
        out += R"({"name":)" + name_json + R"(,"type":["null",)" + avro +
               R"(],"default":null,"field-id":)" + std::to_string(pf.field_id) + "}";
    }
    out += "]}";
    return out;
}

}  // namespace otter::iceberg

// `otter table ...`: see table_cmd.h. Input rows for `append`/`write-parquet` are JSON lines
// (one object per line, keys = column names) or CSV with a header row.
#include "app/table_cmd.h"

#include <charconv>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "connectors/iceberg/evolve.h"
#include "connectors/iceberg/expire.h"
#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/schema.h"
#include "connectors/iceberg/table.h"
#include "connectors/parquet/writer.h"

namespace otter::app {

namespace {

using iceberg::value;
using njson = nlohmann::json;

int fail(const std::string& msg) {
    std::fprintf(stderr, "error: %s\n", msg.c_str());
    return 1;
}

struct table_ref {
    std::string table;        // ns.table (with --warehouse) or a table directory
    std::string warehouse;    // env OTTER_WAREHOUSE
    std::string s3_endpoint;  // env OTTER_S3_ENDPOINT
    std::string s3_region;    // else AWS_REGION / AWS_DEFAULT_REGION, else us-east-1
};

void add_table_ref(CLI::App& cmd, table_ref& ref) {
    cmd.add_option("table", ref.table,
                   "Table: namespace.table with --warehouse, else the table directory")
        ->required();
    cmd.add_option("-w,--warehouse", ref.warehouse,
                   "Warehouse directory or s3://bucket/prefix (filesystem catalog)")
        ->envname("OTTER_WAREHOUSE");
    cmd.add_option("--s3-endpoint", ref.s3_endpoint,
                   "S3-compatible endpoint http[s]://host:port, path-style [AWS]")
        ->envname("OTTER_S3_ENDPOINT");
    cmd.add_option("--s3-region", ref.s3_region, "S3 region [AWS_REGION, else us-east-1]");
}

// Storage settings for s3:// tables; credentials come from AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN).
iceberg::storage_options storage(const table_ref& ref) {
    iceberg::storage_options o;
    o.s3.endpoint = ref.s3_endpoint;
    if (!ref.s3_region.empty()) {
        o.s3.region = ref.s3_region;
        o.s3_region_set = true;
    }
    return o;
}

result<std::string, std::string> resolve(const table_ref& ref) {
    if (ref.warehouse.empty())
        return ref.table;
    return iceberg::table_dir(ref.warehouse, ref.table);
}

// ---- cell conversion -------------------------------------------------------------------------

result<value, std::string> from_text(const iceberg::field& f, std::string_view s) {
    const std::string& t = f.type;
    auto bad = [&] {
        return unexpected{"column " + f.name + ": cannot read '" + std::string(s) + "' as " + t};
    };
    if (t == "string" || t == "binary")
        return value{std::string(s)};
    if (t == "boolean") {
        if (s == "true" || s == "1" || s == "TRUE" || s == "True")
            return value{true};
        if (s == "false" || s == "0" || s == "FALSE" || s == "False")
            return value{false};
        return bad();
    }
    if (t == "int" || t == "long") {
        int64_t v;
        auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
        if (ec != std::errc() || p != s.data() + s.size())
            return bad();
        return value{v};
    }
    if (t == "float" || t == "double") {
        std::string tmp(s);
        char* end = nullptr;
        double d = std::strtod(tmp.c_str(), &end);
        if (tmp.empty() || end != tmp.c_str() + tmp.size())
            return bad();
        return value{d};
    }
    if (t == "date") {
        auto d = iceberg::parse_date(s);
        if (!d)
            return unexpected{"column " + f.name + ": " + d.error()};
        return value{int64_t{*d}};
    }
    if (t == "timestamp" || t == "timestamptz") {
        auto ts = iceberg::parse_timestamp(s);
        if (!ts)
            return unexpected{"column " + f.name + ": " + ts.error()};
        return value{*ts};
    }
    int32_t p, sc;
    if (iceberg::decimal_params(t, p, sc)) {
        auto d = iceberg::parse_decimal(s, p, sc);
        if (!d)
            return unexpected{"column " + f.name + ": " + d.error()};
        return value{parquet::decimal_value{*d}};
    }
    return unexpected{"column " + f.name + ": unsupported type " + t};
}

result<value, std::string> from_json(const iceberg::field& f, const njson& j) {
    if (j.is_null())
        return value{};
    const std::string& t = f.type;
    auto bad = [&] {
        return unexpected{"column " + f.name + ": JSON " + std::string(j.type_name()) +
                          " does not fit " + t};
    };
    if (j.is_string())
        return from_text(f, j.get_ref<const std::string&>());
    if (j.is_boolean()) {
        if (t != "boolean")
            return bad();
        return value{j.get<bool>()};
    }
    if (j.is_number_integer()) {
        if (j.is_number_unsigned() && j.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
            return bad();
        int64_t v = j.get<int64_t>();
        if (t == "int" || t == "long" || t == "date" || t == "timestamp" || t == "timestamptz")
            return value{v};
        if (t == "float" || t == "double")
            return value{static_cast<double>(v)};
        int32_t p, sc;
        if (iceberg::decimal_params(t, p, sc))
            return from_text(f, std::to_string(v));
        return bad();
    }
    if (j.is_number_float()) {
        if (t == "float" || t == "double")
            return value{j.get<double>()};
        int32_t p, sc;
        if (iceberg::decimal_params(t, p, sc))
            return from_text(f, j.dump());
        return bad();
    }
    return bad();
}

// Reads rows (JSON lines or CSV) from `in` and hands each to `sink`.
class row_reader {
  public:
    row_reader(const iceberg::schema& s, std::string format) : s_(s), format_(std::move(format)) {}

    result<int64_t, std::string> read(
        std::istream& in,
        const std::function<result<void, std::string>(std::span<const value>)>& sink) {
        std::string line;
        int64_t lineno = 0, rows = 0;
        std::vector<value> row(s_.fields.size());
        std::vector<int> csv_map;  // CSV column -> schema field index (-1: ignored)
        while (std::getline(in, line)) {
            ++lineno;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (format_ == "csv") {
                std::vector<std::optional<std::string>> cells;
                // Quoted fields may span lines.
                while (!split_csv(line, cells)) {
                    std::string more;
                    if (!std::getline(in, more))
                        return unexpected{"line " + std::to_string(lineno) +
                                          ": unterminated quote"};
                    ++lineno;
                    line += "\n" + more;
                }
                if (csv_map.empty()) {
                    for (auto& c : cells) {
                        int idx = -1;
                        for (size_t i = 0; i < s_.fields.size(); ++i)
                            if (c && s_.fields[i].name == *c)
                                idx = static_cast<int>(i);
                        csv_map.push_back(idx);
                    }
                    continue;
                }
                for (auto& v : row)
                    v = value{};
                if (cells.size() != csv_map.size())
                    return unexpected{"line " + std::to_string(lineno) + ": " +
                                      std::to_string(cells.size()) + " fields, header has " +
                                      std::to_string(csv_map.size())};
                for (size_t c = 0; c < cells.size(); ++c) {
                    if (csv_map[c] < 0 || !cells[c])
                        continue;
                    auto v = from_text(s_.fields[static_cast<size_t>(csv_map[c])], *cells[c]);
                    if (!v)
                        return unexpected{"line " + std::to_string(lineno) + ": " + v.error()};
                    row[static_cast<size_t>(csv_map[c])] = std::move(*v);
                }
            } else {
                if (line.find_first_not_of(" \t") == std::string::npos)
                    continue;
                njson j = njson::parse(line, nullptr, false);
                if (j.is_discarded() || !j.is_object())
                    return unexpected{"line " + std::to_string(lineno) + ": not a JSON object"};
                for (size_t i = 0; i < s_.fields.size(); ++i) {
                    auto it = j.find(s_.fields[i].name);
                    if (it == j.end()) {
                        row[i] = value{};
                        continue;
                    }
                    auto v = from_json(s_.fields[i], *it);
                    if (!v)
                        return unexpected{"line " + std::to_string(lineno) + ": " + v.error()};
                    row[i] = std::move(*v);
                }
            }
            if (auto r = sink(row); !r)
                return unexpected{"line " + std::to_string(lineno) + ": " + r.error()};
            ++rows;
        }
        return rows;
    }

  private:
    // Splits one CSV record; false if a quoted field is still open at the end of `line`.
    // An empty unquoted field is null; "" is the empty string.
    static bool split_csv(const std::string& line, std::vector<std::optional<std::string>>& out) {
        out.clear();
        size_t i = 0;
        for (;;) {
            if (i < line.size() && line[i] == '"') {
                std::string v;
                ++i;
                for (;;) {
                    if (i >= line.size())
                        return false;
                    if (line[i] == '"') {
                        if (i + 1 < line.size() && line[i + 1] == '"') {
                            v += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    v += line[i++];
                }
                out.emplace_back(std::move(v));
                while (i < line.size() && line[i] != ',')
                    ++i;
            } else {
                size_t end = line.find(',', i);
                std::string v = line.substr(i, end == std::string::npos ? end : end - i);
                out.emplace_back(v.empty() ? std::nullopt : std::optional<std::string>(v));
                i = end == std::string::npos ? line.size() : end;
            }
            if (i >= line.size())
                return true;
            ++i;  // the comma
            if (i == line.size()) {
                out.emplace_back(std::nullopt);
                return true;
            }
        }
    }

    const iceberg::schema& s_;
    std::string format_;
};

// Runs `fn` over each input (files, or stdin for none / "-").
result<int64_t, std::string> for_each_input(
    const std::vector<std::string>& files,
    const std::function<result<int64_t, std::string>(std::istream&)>& fn) {
    if (files.empty() || (files.size() == 1 && files[0] == "-"))
        return fn(std::cin);
    int64_t total = 0;
    for (auto& f : files) {
        std::ifstream in(f);
        if (!in)
            return unexpected{"cannot open " + f};
        auto r = fn(in);
        if (!r)
            return unexpected{f + ": " + r.error()};
        total += *r;
    }
    return total;
}

std::string format_ms(int64_t ms) {
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof(out), "%s.%03dZ", buf, static_cast<int>(ms % 1000));
    return out;
}

std::string partition_text(const avro::datum& d) {
    auto* o = d.as_object();
    if (!o || o->empty())
        return "";
    std::string s;
    for (auto& [k, v] : *o) {
        if (!s.empty())
            s += ",";
        s += k + "=";
        if (v.is_null())
            s += "null";
        else if (auto l = v.as_long())
            s += std::to_string(*l);
        else if (auto* str = v.as_string())
            s += *str;
        else if (auto* b = std::get_if<bool>(&v.v))
            s += *b ? "true" : "false";
        else if (auto* f = std::get_if<double>(&v.v))
            s += std::to_string(*f);
    }
    return s;
}

// ---- commands --------------------------------------------------------------------------------

struct create_args {
    table_ref ref;
    std::string schema_text;
    std::string partition_text;
    std::vector<std::string> properties;
};

int run_create(const create_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    iceberg::create_request req;
    auto s = iceberg::parse_schema_text(a.schema_text);
    if (!s)
        return fail(s.error());
    req.table_schema = *s;
    auto p = iceberg::parse_partition_text(a.partition_text, *s);
    if (!p)
        return fail(p.error());
    req.spec = *p;
    for (auto& kv : a.properties) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail("--property wants key=value, got " + kv);
        req.properties[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    req.storage = storage(a.ref);
    auto m = iceberg::create_table(*dir, req);
    if (!m)
        return fail(m.error());
    std::printf("created %s (%s)\n", m->location.c_str(), m->table_uuid.c_str());
    return 0;
}

struct append_args {
    table_ref ref;
    std::vector<std::string> files;
    std::string format = "jsonl";
    std::string codec;
    int64_t target_file_rows = 0;
    std::vector<std::string> summary;
};

int run_append(const append_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    iceberg::append_options o;
    if (!a.codec.empty()) {
        auto c = parquet::parse_compression(a.codec);
        if (!c)
            return fail("unknown codec " + a.codec + " (zstd, snappy, gzip, none)");
        o.parquet.codec = *c;
        o.codec_override = true;
    }
    o.target_file_rows = a.target_file_rows;
    o.storage = storage(a.ref);
    for (auto& kv : a.summary) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            return fail("--summary wants key=value, got " + kv);
        o.extra_summary[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    auto app = iceberg::appender::open(*dir, o);
    if (!app)
        return fail(app.error());
    row_reader reader((*app)->table_schema(), a.format);
    auto n = for_each_input(a.files, [&](std::istream& in) {
        return reader.read(in, [&](std::span<const value> row) { return (*app)->append_row(row); });
    });
    if (!n)
        return fail(n.error() + " (nothing committed)");
    auto s = (*app)->commit();
    if (!s)
        return fail(s.error());
    std::printf("appended %lld rows in %s files: snapshot %lld, sequence number %lld\n",
                static_cast<long long>(*n), s->summary.at("added-data-files").c_str(),
                static_cast<long long>(s->snapshot_id), static_cast<long long>(s->sequence_number));
    return 0;
}

struct show_args {
    table_ref ref;
    std::string metadata_file;
    bool json = false;
    int64_t snapshot_id = 0;
};

int run_describe(const show_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    auto t = iceberg::load_table(*dir, a.metadata_file, storage(a.ref));
    if (!t)
        return fail(t.error());
    const auto& m = t->meta;
    const auto* s = m.current_schema();
    const auto* p = m.spec(m.default_spec_id);
    if (a.json) {
        njson j;
        j["metadata-file"] = t->metadata_path;
        j["format-version"] = m.format_version;
        j["table-uuid"] = m.table_uuid;
        j["location"] = m.location;
        j["current-snapshot-id"] =
            m.current_snapshot_id ? njson(*m.current_snapshot_id) : njson(nullptr);
        j["schema"] = njson::parse(iceberg::schema_to_json(*s).dump());
        j["partition-spec"] =
            p ? njson::parse(iceberg::spec_fields_to_json(*p).dump()) : njson::array();
        j["properties"] = m.properties;
        j["snapshots"] = m.snapshots.size();
        std::printf("%s\n", j.dump(2).c_str());
        return 0;
    }
    std::printf("location:        %s\n", m.location.c_str());
    std::printf("metadata file:   %s\n", t->metadata_path.c_str());
    std::printf("table uuid:      %s\n", m.table_uuid.c_str());
    std::printf("format version:  %d\n", m.format_version);
    std::printf("current snapshot: %s\n",
                m.current_snapshot_id ? std::to_string(*m.current_snapshot_id).c_str() : "none");
    std::printf("snapshots:       %zu\n", m.snapshots.size());
    std::printf("schema (id %d):\n", s ? s->schema_id : -1);
    if (s)
        for (auto& f : s->fields)
            std::printf("  %4d  %-24s %-16s %s\n", f.id, f.name.c_str(), f.type.c_str(),
                        f.required ? "required" : "optional");
    std::printf("partition spec (id %d):%s\n", m.default_spec_id,
                p && !p->fields.empty() ? "" : " unpartitioned");
    if (p)
        for (auto& f : p->fields)
            std::printf("  %4d  %-24s %s(%d)\n", f.field_id, f.name.c_str(),
                        f.tr.to_string().c_str(), f.source_id);
    if (!m.properties.empty()) {
        std::printf("properties:\n");
        for (auto& [k, v] : m.properties)
            std::printf("  %s=%s\n", k.c_str(), v.c_str());
    }
    return 0;
}

int run_snapshots(const show_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    auto t = iceberg::load_table(*dir, a.metadata_file, storage(a.ref));
    if (!t)
        return fail(t.error());
    if (a.json) {
        njson arr = njson::array();
        for (auto& s : t->meta.snapshots) {
            njson j;
            j["snapshot-id"] = s.snapshot_id;
            j["parent-snapshot-id"] = s.parent_id ? njson(*s.parent_id) : njson(nullptr);
            j["sequence-number"] = s.sequence_number;
            j["timestamp-ms"] = s.timestamp_ms;
            j["manifest-list"] = s.manifest_list;
            j["summary"] = s.summary;
            j["current"] = t->meta.current_snapshot_id == s.snapshot_id;
            arr.push_back(std::move(j));
        }
        std::printf("%s\n", arr.dump(2).c_str());
        return 0;
    }
    std::printf("%-20s %-20s %4s %-24s %-10s %12s %12s\n", "SNAPSHOT", "PARENT", "SEQ", "TIME",
                "OPERATION", "ADDED-ROWS", "TOTAL-ROWS");
    for (auto& s : t->meta.snapshots) {
        auto get = [&](const char* k) {
            auto it = s.summary.find(k);
            return it == s.summary.end() ? std::string("-") : it->second;
        };
        std::printf(
            "%-20lld %-20s %4lld %-24s %-10s %12s %12s%s\n", static_cast<long long>(s.snapshot_id),
            s.parent_id ? std::to_string(*s.parent_id).c_str() : "-",
            static_cast<long long>(s.sequence_number), format_ms(s.timestamp_ms).c_str(),
            get("operation").c_str(), get("added-records").c_str(), get("total-records").c_str(),
            t->meta.current_snapshot_id == s.snapshot_id ? "  (current)" : "");
    }
    return 0;
}

int run_files(const show_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    auto t = iceberg::load_table(*dir, a.metadata_file, storage(a.ref));
    if (!t)
        return fail(t.error());
    const iceberg::snapshot* s =
        a.snapshot_id ? t->meta.find_snapshot(a.snapshot_id) : t->meta.current_snapshot();
    if (!s)
        return a.snapshot_id ? fail("no snapshot " + std::to_string(a.snapshot_id))
                             : (std::printf(a.json ? "[]\n" : ""), 0);
    auto files = iceberg::list_files(*t, *s);
    if (!files)
        return fail(files.error());
    if (a.json) {
        njson arr = njson::array();
        for (auto& f : *files) {
            njson j;
            j["file-path"] = f.entry.file_path;
            j["file-format"] = f.entry.file_format;
            j["content"] = f.entry.content;
            j["status"] = f.entry.status;
            j["record-count"] = f.entry.record_count;
            j["file-size-in-bytes"] = f.entry.file_size;
            j["data-sequence-number"] = f.data_sequence_number;
            j["partition"] = partition_text(f.entry.partition);
            j["manifest"] = f.manifest_path;
            njson nulls = njson::object();
            for (auto& [k, v] : f.entry.null_value_counts)
                nulls[std::to_string(k)] = v;
            j["null-value-counts"] = nulls;
            arr.push_back(std::move(j));
        }
        std::printf("%s\n", arr.dump(2).c_str());
        return 0;
    }
    for (auto& f : *files) {
        std::printf("%s  %s  %lld rows  %lld bytes  seq %lld%s%s\n", f.entry.file_path.c_str(),
                    f.entry.content == 0 ? "data" : "deletes",
                    static_cast<long long>(f.entry.record_count),
                    static_cast<long long>(f.entry.file_size),
                    static_cast<long long>(f.data_sequence_number),
                    partition_text(f.entry.partition).empty() ? "" : "  ",
                    partition_text(f.entry.partition).c_str());
    }
    return 0;
}

struct add_column_args {
    table_ref ref;
    std::vector<std::string> columns;
};

int run_add_column(const add_column_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    std::vector<iceberg::new_column> cols;
    for (auto& c : a.columns) {
        auto nc = iceberg::parse_new_column(c);
        if (!nc)
            return fail(nc.error());
        cols.push_back(std::move(*nc));
    }
    auto s = iceberg::add_columns(*dir, cols, 10, storage(a.ref));
    if (!s)
        return fail(s.error());
    std::printf("schema %d:", s->schema_id);
    for (size_t i = s->fields.size() - cols.size(); i < s->fields.size(); ++i)
        std::printf(" added %s %s (id %d)", s->fields[i].name.c_str(), s->fields[i].type.c_str(),
                    s->fields[i].id);
    std::printf("\n");
    return 0;
}

struct expire_args {
    table_ref ref;
    std::string older_than;
    int64_t older_than_ms = -1;
    int32_t retain_last = 0;
    bool dry_run = false;
    bool json = false;
};

int run_expire(const expire_args& a) {
    auto dir = resolve(a.ref);
    if (!dir)
        return fail(dir.error());
    iceberg::expire_options o;
    o.storage = storage(a.ref);
    o.dry_run = a.dry_run;
    if (!a.older_than.empty() && a.older_than_ms >= 0)
        return fail("give --older-than or --older-than-ms, not both");
    if (!a.older_than.empty()) {
        auto us = iceberg::parse_timestamp(a.older_than);
        if (!us)
            return fail("--older-than: " + us.error());
        o.older_than = iceberg::sys_milliseconds{std::chrono::milliseconds{*us / 1000}};
    } else if (a.older_than_ms >= 0) {
        o.older_than = iceberg::sys_milliseconds{std::chrono::milliseconds{a.older_than_ms}};
    }
    if (a.retain_last != 0) {
        if (a.retain_last < 1)
            return fail("--retain-last must be at least 1");
        o.retain_last = a.retain_last;
    }
    auto r = iceberg::expire_snapshots(*dir, o);
    if (!r)
        return fail(r.error());
    if (a.json) {
        njson j;
        j["dry-run"] = a.dry_run;
        j["older-than-ms"] = r->cutoff_ms;
        j["retain-last"] = r->retain_last;
        j["expired-snapshot-ids"] = r->expired_snapshot_ids;
        j["remaining-snapshot-ids"] = r->remaining_snapshot_ids;
        j["deleted-manifest-lists"] = r->manifest_lists;
        j["deleted-manifests"] = r->manifests;
        j["deleted-files"] = r->content_files;
        j["deleted-metadata-files"] = r->metadata_files;
        j["delete-errors"] = r->delete_errors;
        j["committed-version"] = r->committed_version;
        std::printf("%s\n", j.dump(2).c_str());
    } else {
        const char* verb = a.dry_run ? "would delete" : "deleted";
        std::printf("%s %zu snapshots older than %s (retain last %d); %zu remain\n",
                    a.dry_run ? "would expire" : "expired", r->expired_snapshot_ids.size(),
                    format_ms(r->cutoff_ms).c_str(), r->retain_last,
                    r->remaining_snapshot_ids.size());
        for (auto id : r->expired_snapshot_ids)
            std::printf("  snapshot %lld\n", static_cast<long long>(id));
        auto list = [&](const char* what, const std::vector<std::string>& v) {
            std::printf("%s %zu %s\n", verb, v.size(), what);
            for (auto& p : v)
                std::printf("  %s\n", p.c_str());
        };
        list("data/delete files", r->content_files);
        list("manifests", r->manifests);
        list("manifest lists", r->manifest_lists);
        if (!r->metadata_files.empty())
            list("metadata files", r->metadata_files);
    }
    for (auto& e : r->delete_errors)
        std::fprintf(stderr, "warning: %s\n", e.c_str());
    if (!r->delete_errors.empty())
        return fail("snapshots expired, but " + std::to_string(r->delete_errors.size()) +
                    " files could not be deleted (left as unreferenced files)");
    return 0;
}

struct parquet_args {
    std::string out;
    std::vector<std::string> files;
    std::string schema_text;
    std::string format = "jsonl";
    std::string codec = "zstd";
    bool no_dictionary = false;
    int64_t row_group_rows = 0;
    int64_t row_group_bytes = 0;
    int64_t page_bytes = 0;
    int64_t dictionary_max_bytes = 0;
};

int run_write_parquet(const parquet_args& a) {
    auto s = iceberg::parse_schema_text(a.schema_text);
    if (!s)
        return fail(s.error());
    std::vector<parquet::column_spec> cols;
    for (auto& f : s->fields)
        cols.push_back(*iceberg::to_column_spec(f));
    parquet::writer_options o;
    auto c = parquet::parse_compression(a.codec);
    if (!c)
        return fail("unknown codec " + a.codec + " (zstd, snappy, gzip, none)");
    o.codec = *c;
    o.dictionary = !a.no_dictionary;
    if (a.row_group_rows > 0)
        o.row_group_max_rows = static_cast<size_t>(a.row_group_rows);
    if (a.row_group_bytes > 0)
        o.row_group_max_bytes = static_cast<size_t>(a.row_group_bytes);
    if (a.page_bytes > 0)
        o.page_max_bytes = static_cast<size_t>(a.page_bytes);
    if (a.dictionary_max_bytes > 0)
        o.dictionary_max_bytes = static_cast<size_t>(a.dictionary_max_bytes);
    o.iceberg_schema_json = iceberg::schema_to_json(*s).dump();
    auto out = parquet::open_file_output(a.out, false);
    if (!out)
        return fail(out.error());
    auto w = parquet::file_writer::create(cols, o, std::move(*out));
    if (!w)
        return fail(w.error());
    row_reader reader(*s, a.format);
    auto n = for_each_input(a.files, [&](std::istream& in) {
        return reader.read(in, [&](std::span<const value> row) { return (*w)->append_row(row); });
    });
    if (!n)
        return fail(n.error());
    auto sum = (*w)->close();
    if (!sum)
        return fail(sum.error());
    std::printf("wrote %lld rows, %zu row groups, %lld bytes to %s\n",
                static_cast<long long>(sum->num_rows), sum->row_group_offsets.size(),
                static_cast<long long>(sum->file_size), a.out.c_str());
    return 0;
}

template <typename Args, typename Run>
void bind(CLI::App& cmd, std::function<int()>& action, std::shared_ptr<Args> args, Run run) {
    cmd.callback([&action, args, run] { action = [args, run] { return run(*args); }; });
}

const char* schema_help =
    "Columns: 'name type [required], ...'; types boolean int long float double "
    "decimal(P,S) string binary date timestamp timestamptz";

}  // namespace

void add_table_commands(CLI::App& root, std::function<int()>& action) {
    auto* table = root.add_subcommand("table", "Iceberg tables (filesystem catalog)");
    table->require_subcommand(1);

    {
        auto args = std::make_shared<create_args>();
        auto* cmd = table->add_subcommand("create", "Create a format-v2 table");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("-s,--schema", args->schema_text, schema_help)->required();
        cmd->add_option("-p,--partition", args->partition_text,
                        "Partition spec: 'day(ts), bucket[16](id), truncate[4](name), region' "
                        "(identity, year, month, day, hour, bucket[N], truncate[W])");
        cmd->add_option("--property", args->properties, "Table property key=value (repeatable)");
        bind(*cmd, action, args, run_create);
    }
    {
        auto args = std::make_shared<append_args>();
        auto* cmd = table->add_subcommand(
            "append", "Append JSON lines or CSV rows (files or stdin) in one commit");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("files", args->files, "Input files ('-' or none: stdin)");
        cmd->add_option("-f,--format", args->format, "jsonl or csv [jsonl]")
            ->check(CLI::IsMember({"jsonl", "csv"}));
        cmd->add_option("--codec", args->codec,
                        "Parquet codec: zstd, snappy, gzip, none [table property, else zstd]");
        cmd->add_option("--target-file-rows", args->target_file_rows,
                        "Start a new data file after this many rows [no limit]");
        cmd->add_option("--summary", args->summary,
                        "Extra snapshot summary key=value (repeatable)");
        bind(*cmd, action, args, run_append);
    }
    {
        auto args = std::make_shared<show_args>();
        auto* cmd = table->add_subcommand("describe", "Show schema, partitioning, properties");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("--metadata-file", args->metadata_file,
                        "Read this metadata file (name under metadata/ or a path)");
        cmd->add_flag("--json", args->json, "Print JSON");
        bind(*cmd, action, args, run_describe);
    }
    {
        auto args = std::make_shared<show_args>();
        auto* cmd = table->add_subcommand("snapshots", "List snapshots");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("--metadata-file", args->metadata_file,
                        "Read this metadata file (name under metadata/ or a path)");
        cmd->add_flag("--json", args->json, "Print JSON");
        bind(*cmd, action, args, run_snapshots);
    }
    {
        auto args = std::make_shared<show_args>();
        auto* cmd = table->add_subcommand("files", "List the data and delete files of a snapshot");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("--metadata-file", args->metadata_file,
                        "Read this metadata file (name under metadata/ or a path)");
        cmd->add_option("--snapshot", args->snapshot_id, "Snapshot id [current]");
        cmd->add_flag("--json", args->json, "Print JSON");
        bind(*cmd, action, args, run_files);
    }
    {
        auto args = std::make_shared<add_column_args>();
        auto* cmd = table->add_subcommand(
            "add-column", "Add optional columns (a new schema; old data files read as null)");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("-c,--column", args->columns,
                        "name:type[:doc], repeatable; types as in `create` (new columns are "
                        "optional)")
            ->required();
        bind(*cmd, action, args, run_add_column);
    }
    {
        auto args = std::make_shared<expire_args>();
        auto* cmd = table->add_subcommand(
            "expire", "Expire old snapshots and delete the files only they reference");
        add_table_ref(*cmd, args->ref);
        cmd->add_option("--older-than", args->older_than,
                        "Expire snapshots before this time (2026-11-25T10:00:00Z) [now minus "
                        "history.expire.max-snapshot-age-ms, default 5 days]");
        cmd->add_option("--older-than-ms", args->older_than_ms,
                        "Expire snapshots before this time, ms since the epoch");
        cmd->add_option("--retain-last", args->retain_last,
                        "Keep the newest N snapshots of the current ancestry [table property "
                        "history.expire.min-snapshots-to-keep, else 1]");
        cmd->add_flag("--dry-run", args->dry_run, "Report what would expire; change nothing");
        cmd->add_flag("--json", args->json, "Print JSON");
        bind(*cmd, action, args, run_expire);
    }
    {
        auto args = std::make_shared<parquet_args>();
        auto* cmd = table->add_subcommand(
            "write-parquet", "Write rows to one Parquet file (no table; for export and tests)");
        cmd->add_option("out", args->out, "Output .parquet file")->required();
        cmd->add_option("files", args->files, "Input files ('-' or none: stdin)");
        cmd->add_option("-s,--schema", args->schema_text, schema_help)->required();
        cmd->add_option("-f,--format", args->format, "jsonl or csv [jsonl]")
            ->check(CLI::IsMember({"jsonl", "csv"}));
        cmd->add_option("--codec", args->codec, "zstd, snappy, gzip or none [zstd]");
        cmd->add_flag("--no-dictionary", args->no_dictionary, "PLAIN encoding only");
        cmd->add_option("--row-group-rows", args->row_group_rows, "Rows per row group");
        cmd->add_option("--row-group-bytes", args->row_group_bytes,
                        "Buffered bytes per row group [64 MiB]");
        cmd->add_option("--page-bytes", args->page_bytes, "Bytes per data page [1 MiB]");
        cmd->add_option("--dictionary-max-bytes", args->dictionary_max_bytes,
                        "Dictionary size before falling back to PLAIN [1 MiB]");
        bind(*cmd, action, args, run_write_parquet);
    }
}

}  // namespace otter::app

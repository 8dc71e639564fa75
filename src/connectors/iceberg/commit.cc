#include "connectors/iceberg/commit.h"

#include <set>

namespace otter::iceberg {

using err = unexpected<std::string>;

namespace {

int compare_values(const value& a, const value& b) {
    if (a.index() != b.index())
        return a.index() < b.index() ? -1 : 1;
    return std::visit(
        [&](const auto& x) -> int {
            using T = std::decay_t<decltype(x)>;
            const T& y = std::get<T>(b);
            if constexpr (std::is_same_v<T, std::monostate>) {
                return 0;
            } else if constexpr (std::is_same_v<T, parquet::decimal_value>) {
                return x.unscaled < y.unscaled ? -1 : (y.unscaled < x.unscaled ? 1 : 0);
            } else {
                return x < y ? -1 : (y < x ? 1 : 0);
            }
        },
        a);
}

avro::datum partition_datum(const std::string& type, const value& v) {
    if (std::holds_alternative<std::monostate>(v))
        return avro::datum{};
    int32_t p, s;
    if (decimal_params(type, p, s)) {
        parquet::int128 u = 0;
        if (auto* d = std::get_if<parquet::decimal_value>(&v))
            u = d->unscaled;
        else if (auto* i = std::get_if<int64_t>(&v))
            u = *i;
        int width = parquet::decimal_bytes(p);
        std::string out(static_cast<size_t>(width), '\0');
        auto uu = static_cast<unsigned __int128>(u);
        for (int i = width - 1; i >= 0; --i) {
            out[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(uu));
            uu >>= 8;
        }
        return avro::datum{std::move(out)};
    }
    if (auto* b = std::get_if<bool>(&v))
        return avro::datum{*b};
    if (auto* i = std::get_if<int64_t>(&v))
        return avro::datum{*i};
    if (auto* d = std::get_if<double>(&v))
        return avro::datum{*d};
    if (auto* str = std::get_if<std::string>(&v))
        return avro::datum{*str};
    return avro::datum{};
}

avro::datum int_long_map(const std::vector<std::pair<int32_t, int64_t>>& kv) {
    avro::datum::list l;
    for (auto& [k, v] : kv)
        l.push_back(avro::datum::object{{"key", avro::datum{k}}, {"value", avro::datum{v}}});
    return avro::datum{std::move(l)};
}

avro::datum int_bytes_map(const std::vector<std::pair<int32_t, std::string>>& kv) {
    avro::datum::list l;
    for (auto& [k, v] : kv)
        l.push_back(avro::datum::object{{"key", avro::datum{k}}, {"value", avro::datum{v}}});
    return avro::datum{std::move(l)};
}

int64_t summary_long(const snapshot* s, const char* key) {
    if (!s)
        return 0;
    auto it = s->summary.find(key);
    if (it == s->summary.end())
        return 0;
    try {
        return std::stoll(it->second);
    } catch (...) {
        return 0;
    }
}

const schema* find_schema(const table_metadata& m, int32_t id) {
    for (const auto& s : m.schemas)
        if (s.schema_id == id)
            return &s;
    return nullptr;
}

}  // namespace

std::optional<job_commit> find_job_commit(const table_metadata& meta, const std::string& job_id) {
    const snapshot* s = meta.current_snapshot();
    // Bounded walk: a malformed table with a parent cycle must not loop forever.
    for (size_t steps = 0; s != nullptr && steps <= meta.snapshots.size(); ++steps) {
        auto it = s->summary.find(summary_job_id);
        if (it != s->summary.end() && it->second == job_id) {
            job_commit c;
            c.snapshot_id = s->snapshot_id;
            if (auto ck = s->summary.find(summary_checkpoint_id); ck != s->summary.end()) {
                try {
                    c.checkpoint_id = std::stoull(ck->second);
                } catch (...) {
                    c.checkpoint_id = 0;
                }
            }
            auto eoi = s->summary.find(summary_end_of_input);
            c.end_of_input = eoi != s->summary.end() && eoi->second == "true";
            return c;
        }
        if (!s->parent_id)
            break;
        s = meta.find_snapshot(*s->parent_id);
    }
    return std::nullopt;
}

result<commit_outcome, std::string> commit_files(const std::string& dir_in,
                                                 const commit_request& r) {
    const std::string& what = r.what;
    if (r.files.empty())
        return err{what + ": no data files"};
    auto first = r.io ? load_table_with(r.io, dir_in) : load_table(dir_in, "", r.storage);
    if (!first)
        return err{first.error()};
    if (first->meta.format_version != 2)
        return err{what + ": only format-version 2 tables are supported"};
    const std::shared_ptr<file_io> io = first->io;
    const std::string dir = first->dir;
    const std::string table_uuid = r.table_uuid.empty() ? first->meta.table_uuid : r.table_uuid;
    std::string location = first->meta.location;
    while (!location.empty() && location.back() == '/')
        location.pop_back();
    const int32_t spec_id = r.files.front().spec_id;
    const int32_t schema_id = r.files.front().schema_id;
    for (const auto& f : r.files)
        if (f.spec_id != spec_id || f.schema_id != schema_id)
            return err{what + ": data files of several partition specs or schemas"};
    const partition_spec* specp = first->meta.spec(spec_id);
    const schema* schemap = find_schema(first->meta, schema_id);
    if (!specp || !schemap)
        return err{what + ": table has no partition spec " + std::to_string(spec_id) +
                   " or schema " + std::to_string(schema_id)};
    const partition_spec spec = *specp;
    const schema sch = *schemap;
    std::vector<std::string> result_types;
    for (const auto& pf : spec.fields) {
        const field* src = sch.find(pf.source_id);
        if (!src)
            return err{what + ": partition source column " + std::to_string(pf.source_id) +
                       " not in schema"};
        auto rt = pf.tr.result_type(src->type);
        if (!rt)
            return err{what + ": " + rt.error()};
        result_types.push_back(*rt);
    }
    std::vector<parquet::column_type> col_types;
    for (const auto& f : sch.fields) {
        auto c = to_column_spec(f);
        if (!c)
            return err{what + ": " + c.error()};
        col_types.push_back(c->type);
    }
    for (const auto& f : r.files) {
        if (f.partition.size() != spec.fields.size())
            return err{what + ": " + f.uri + " has a partition tuple of the wrong arity"};
        if (f.summary.columns.size() > col_types.size())
            return err{what + ": " + f.uri + " has more columns than the schema"};
    }

    const std::string meta_dir = dir + "/metadata";
    const std::string commit_uuid = random_uuid();
    const int64_t snapshot_id = new_snapshot_id();

    // 1. The manifest: one ADDED entry per file, sequence numbers inherited.
    auto part_type = partition_avro_type(spec, sch);
    if (!part_type)
        return err{part_type.error()};
    auto mschema = avro::schema::parse(manifest_avro_schema(*part_type));
    if (!mschema)
        return err{"internal: manifest schema: " + mschema.error()};
    avro::container_writer mw(*mschema, avro::codec::deflate,
                              {{"schema", schema_to_json(sch).dump()},
                               {"schema-id", std::to_string(sch.schema_id)},
                               {"partition-spec", spec_fields_to_json(spec).dump()},
                               {"partition-spec-id", std::to_string(spec.spec_id)},
                               {"format-version", "2"},
                               {"content", "data"}});
    int64_t added_rows = 0, added_bytes = 0;
    std::set<std::string> partitions_seen;
    struct bounds {
        bool contains_null = false;
        bool have = false;
        value lo, hi;
    };
    std::vector<bounds> pb(spec.fields.size());
    for (const auto& d : r.files) {
        avro::datum::object part;
        std::string pkey;
        for (size_t i = 0; i < spec.fields.size(); ++i) {
            part.emplace_back(spec.fields[i].name,
                              partition_datum(result_types[i], d.partition[i]));
            pkey += human_string(result_types[i], spec.fields[i].tr, d.partition[i]) + "/";
            auto& b = pb[i];
            if (std::holds_alternative<std::monostate>(d.partition[i])) {
                b.contains_null = true;
            } else if (!b.have) {
                b.lo = b.hi = d.partition[i];
                b.have = true;
            } else {
                if (compare_values(d.partition[i], b.lo) < 0)
                    b.lo = d.partition[i];
                if (compare_values(b.hi, d.partition[i]) < 0)
                    b.hi = d.partition[i];
            }
        }
        partitions_seen.insert(pkey);
        std::vector<std::pair<int32_t, int64_t>> sizes, values, nulls, nans;
        std::vector<std::pair<int32_t, std::string>> lower, upper;
        for (size_t c = 0; c < d.summary.columns.size(); ++c) {
            const auto& m = d.summary.columns[c];
            sizes.emplace_back(m.field_id, m.compressed_size);
            values.emplace_back(m.field_id, m.value_count);
            nulls.emplace_back(m.field_id, m.null_count);
            if (col_types[c] == parquet::column_type::float32 ||
                col_types[c] == parquet::column_type::float64)
                nans.emplace_back(m.field_id, m.nan_count);
            if (m.has_bounds) {
                lower.emplace_back(m.field_id, m.lower_bound);
                if (m.upper_bound_present)
                    upper.emplace_back(m.field_id, m.upper_bound);
            }
        }
        avro::datum::list splits;
        for (auto o : d.summary.row_group_offsets)
            splits.emplace_back(o);
        avro::datum data_file_rec = avro::datum::object{
            {"content", avro::datum{int64_t{0}}},
            {"file_path", avro::datum{d.uri}},
            {"file_format", avro::datum{"PARQUET"}},
            {"partition", avro::datum{std::move(part)}},
            {"record_count", avro::datum{d.summary.num_rows}},
            {"file_size_in_bytes", avro::datum{d.summary.file_size}},
            {"column_sizes", int_long_map(sizes)},
            {"value_counts", int_long_map(values)},
            {"null_value_counts", int_long_map(nulls)},
            {"nan_value_counts", int_long_map(nans)},
            {"lower_bounds", int_bytes_map(lower)},
            {"upper_bounds", int_bytes_map(upper)},
            {"split_offsets", avro::datum{std::move(splits)}},
            {"sort_order_id", avro::datum{int64_t{0}}},
        };
        avro::datum entry = avro::datum::object{
            {"status", avro::datum{int64_t{1}}},
            {"snapshot_id", avro::datum{snapshot_id}},
            {"data_file", std::move(data_file_rec)},
        };
        if (auto a = mw.append(entry); !a)
            return err{"manifest: " + a.error()};
        added_rows += d.summary.num_rows;
        added_bytes += d.summary.file_size;
    }

    avro::datum::list summaries;
    for (size_t i = 0; i < pb.size(); ++i) {
        avro::datum::object s{{"contains_null", avro::datum{pb[i].contains_null}},
                              {"contains_nan", avro::datum{false}}};
        if (pb[i].have) {
            s.emplace_back("lower_bound",
                           avro::datum{*serialize_single(result_types[i], pb[i].lo)});
            s.emplace_back("upper_bound",
                           avro::datum{*serialize_single(result_types[i], pb[i].hi)});
        }
        summaries.push_back(avro::datum{std::move(s)});
    }
    auto lschema = avro::schema::parse(manifest_list_avro_schema());
    if (!lschema)
        return err{"internal: manifest list schema: " + lschema.error()};

    bytes manifest;
    std::string manifest_uri;
    bool manifest_written = false;

    // 2. Commit loop: precondition, manifest list and next metadata version; retried on a lost
    // race with the precondition re-checked against the winner's state.
    for (int attempt = 1; attempt <= r.max_attempts; ++attempt) {
        auto t = attempt == 1 ? std::move(first) : load_table_with(io, dir);
        if (!t)
            return err{t.error()};
        const auto& meta = t->meta;
        if (meta.table_uuid != table_uuid)
            return err{what + ": table was replaced (table-uuid changed)"};
        if (r.precondition && !r.precondition(*t))
            return commit_outcome{commit_status::precondition_failed, {}};
        if (!meta.spec(spec_id) || !find_schema(meta, schema_id))
            return err{what + ": the table no longer has the files' spec or schema"};
        if (r.require_current) {
            const schema* cs = meta.current_schema();
            if (!cs || cs->schema_id != schema_id || meta.default_spec_id != spec_id)
                return err{what + ": table schema or partition spec changed; retry"};
        }
        if (meta.find_snapshot(snapshot_id))
            return err{what + ": snapshot id collision"};
        if (!manifest_written) {
            // Written only once the precondition first holds, so a skipped commit leaves nothing.
            manifest = mw.finish();
            const std::string manifest_name = commit_uuid + "-m0.avro";
            if (auto w = io->write(meta_dir + "/" + manifest_name, manifest); !w)
                return err{w.error()};
            manifest_uri = location + "/metadata/" + manifest_name;
            manifest_written = true;
        }
        const int64_t seq = meta.last_sequence_number + 1;
        const snapshot* parent = meta.current_snapshot();

        avro::container_writer lw(
            *lschema, avro::codec::deflate,
            {{"snapshot-id", std::to_string(snapshot_id)},
             {"parent-snapshot-id", parent ? std::to_string(parent->snapshot_id) : "null"},
             {"sequence-number", std::to_string(seq)},
             {"format-version", "2"}});
        avro::datum row = avro::datum::object{
            {"manifest_path", avro::datum{manifest_uri}},
            {"manifest_length", avro::datum{static_cast<int64_t>(manifest.size())}},
            {"partition_spec_id", avro::datum{static_cast<int64_t>(spec.spec_id)}},
            {"content", avro::datum{int64_t{0}}},
            {"sequence_number", avro::datum{seq}},
            {"min_sequence_number", avro::datum{seq}},
            {"added_snapshot_id", avro::datum{snapshot_id}},
            {"added_files_count", avro::datum{static_cast<int64_t>(r.files.size())}},
            {"existing_files_count", avro::datum{int64_t{0}}},
            {"deleted_files_count", avro::datum{int64_t{0}}},
            {"added_rows_count", avro::datum{added_rows}},
            {"existing_rows_count", avro::datum{int64_t{0}}},
            {"deleted_rows_count", avro::datum{int64_t{0}}},
            {"partitions", avro::datum{summaries}},
        };
        if (auto a = lw.append(row); !a)
            return err{"manifest list: " + a.error()};
        if (parent) {
            // Fast append: the parent's manifests are carried over unchanged.
            auto old = io->read(local_path(*t, parent->manifest_list));
            if (!old)
                return err{old.error()};
            auto rows = parse_manifest_list(*old);
            if (!rows)
                return err{rows.error()};
            for (auto& m : *rows) {
                avro::datum::object o{
                    {"manifest_path", avro::datum{m.path}},
                    {"manifest_length", avro::datum{m.length}},
                    {"partition_spec_id", avro::datum{static_cast<int64_t>(m.spec_id)}},
                    {"content", avro::datum{static_cast<int64_t>(m.content)}},
                    {"sequence_number", avro::datum{m.sequence_number}},
                    {"min_sequence_number", avro::datum{m.min_sequence_number}},
                    {"added_snapshot_id", avro::datum{m.added_snapshot_id}},
                    {"added_files_count", avro::datum{m.added_files}},
                    {"existing_files_count", avro::datum{m.existing_files}},
                    {"deleted_files_count", avro::datum{m.deleted_files}},
                    {"added_rows_count", avro::datum{m.added_rows}},
                    {"existing_rows_count", avro::datum{m.existing_rows}},
                    {"deleted_rows_count", avro::datum{m.deleted_rows}},
                };
                if (auto* p = m.raw.get("partitions"))
                    o.emplace_back("partitions", *p);
                if (auto* k = m.raw.get("key_metadata"))
                    o.emplace_back("key_metadata", *k);
                if (auto a = lw.append(avro::datum{std::move(o)}); !a)
                    return err{"manifest list (copying " + m.path + "): " + a.error()};
            }
        }
        bytes list = lw.finish();
        const std::string list_name = "snap-" + std::to_string(snapshot_id) + "-" +
                                      std::to_string(attempt) + "-" + commit_uuid + ".avro";
        if (auto w = io->write(meta_dir + "/" + list_name, list); !w)
            return err{w.error()};

        // 3. The next metadata version.
        const int64_t ts = std::max(now_ms(), meta.last_updated_ms);
        snapshot snap;
        snap.snapshot_id = snapshot_id;
        if (parent)
            snap.parent_id = parent->snapshot_id;
        snap.sequence_number = seq;
        snap.timestamp_ms = ts;
        snap.manifest_list = location + "/metadata/" + list_name;
        snap.schema_id = sch.schema_id;
        auto& sm = snap.summary;
        sm["operation"] = "append";
        sm["added-data-files"] = std::to_string(r.files.size());
        sm["added-records"] = std::to_string(added_rows);
        sm["added-files-size"] = std::to_string(added_bytes);
        sm["changed-partition-count"] = std::to_string(partitions_seen.size());
        sm["total-records"] = std::to_string(summary_long(parent, "total-records") + added_rows);
        sm["total-files-size"] =
            std::to_string(summary_long(parent, "total-files-size") + added_bytes);
        sm["total-data-files"] = std::to_string(summary_long(parent, "total-data-files") +
                                                static_cast<int64_t>(r.files.size()));
        sm["total-delete-files"] = std::to_string(summary_long(parent, "total-delete-files"));
        sm["total-position-deletes"] =
            std::to_string(summary_long(parent, "total-position-deletes"));
        sm["total-equality-deletes"] =
            std::to_string(summary_long(parent, "total-equality-deletes"));
        for (const auto& [k, v] : r.summary)
            sm[k] = v;

        ojson j = meta.raw;
        ojson sj;
        sj["sequence-number"] = seq;
        sj["snapshot-id"] = snapshot_id;
        if (parent)
            sj["parent-snapshot-id"] = parent->snapshot_id;
        sj["timestamp-ms"] = ts;
        sj["summary"] = ojson::object();
        sj["summary"]["operation"] = "append";
        for (const auto& [k, v] : sm)
            sj["summary"][k] = v;
        sj["manifest-list"] = snap.manifest_list;
        sj["schema-id"] = sch.schema_id;
        j["last-sequence-number"] = seq;
        j["last-updated-ms"] = ts;
        j["current-snapshot-id"] = snapshot_id;
        j["refs"]["main"] = ojson{{"snapshot-id", snapshot_id}, {"type", "branch"}};
        if (!j.contains("snapshots") || !j["snapshots"].is_array())
            j["snapshots"] = ojson::array();
        j["snapshots"].push_back(sj);
        if (!j.contains("snapshot-log") || !j["snapshot-log"].is_array())
            j["snapshot-log"] = ojson::array();
        j["snapshot-log"].push_back(ojson{{"timestamp-ms", ts}, {"snapshot-id", snapshot_id}});
        if (!j.contains("metadata-log") || !j["metadata-log"].is_array())
            j["metadata-log"] = ojson::array();
        j["metadata-log"].push_back(
            ojson{{"timestamp-ms", meta.last_updated_ms},
                  {"metadata-file", location + "/metadata/" + metadata_file_name(t->version)}});

        const std::string text = j.dump(2);
        auto won = io->create_exclusive(meta_dir + "/" + metadata_file_name(t->version + 1),
                                        as_bytes(text));
        if (!won)
            return err{won.error()};
        if (!*won) {
            // Lost the race: another writer committed v(N+1). Reload and rebase.
            (void)io->remove(meta_dir + "/" + list_name);
            continue;
        }
        // The hint is best-effort: readers also probe for newer versions.
        const std::string hint = std::to_string(t->version + 1);
        (void)io->write(meta_dir + "/version-hint.text", as_bytes(hint));
        return commit_outcome{commit_status::committed, std::move(snap)};
    }
    return err{what + ": gave up after " + std::to_string(r.max_attempts) +
               " commit attempts (concurrent writers)"};
}

}  // namespace otter::iceberg

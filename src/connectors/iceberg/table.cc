#include "connectors/iceberg/table.h"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>
#include <set>

#include <fcntl.h>
#include <unistd.h>

namespace otter::iceberg {

namespace fs = std::filesystem;
using err = unexpected<std::string>;

namespace {

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

uint64_t random_u64() {
    static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                            static_cast<uint64_t>(now_ms())};
    return rng();
}

bytes to_bytes(const std::string& s) {
    return bytes(s.begin(), s.end());
}

std::string metadata_name(int64_t v) {
    return "v" + std::to_string(v) + ".metadata.json";
}

// Highest N with metadata/vN.metadata.json, by listing (0 if none).
result<int64_t, std::string> highest_version(file_io& io, const std::string& meta_dir) {
    int64_t best = 0;
    auto files = io.list(meta_dir);
    if (!files)
        return err{files.error()};
    for (auto& path : *files) {
        std::string n = path.substr(path.rfind('/') + 1);
        if (n.size() > 15 && n[0] == 'v' && n.ends_with(".metadata.json")) {
            std::string num = n.substr(1, n.size() - 15);
            if (!num.empty() && num.find_first_not_of("0123456789") == std::string::npos &&
                num.size() < 18)
                best = std::max<int64_t>(best, std::stoll(num));
        }
    }
    return best;
}

std::string abs_dir(const std::string& dir) {
    if (is_s3_uri(dir)) {
        std::string d = dir;
        while (d.size() > 5 && d.back() == '/')
            d.pop_back();
        return d;
    }
    std::error_code ec;
    fs::path p = fs::absolute(dir, ec);
    return p.lexically_normal().string();
}

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

// The Avro datum of a partition value of Iceberg type `type`.
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

}  // namespace

std::string random_uuid() {
    uint64_t hi = random_u64(), lo = random_u64();
    hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
    lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 1
    char buf[40];
    std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                  static_cast<unsigned>(lo >> 48),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return buf;
}

result<std::string, std::string> table_dir(const std::string& warehouse,
                                           const std::string& identifier) {
    if (warehouse.empty())
        return err{std::string("table: empty warehouse path")};
    fs::path p(warehouse);
    size_t start = 0;
    int parts = 0;
    for (;;) {
        size_t dot = identifier.find('.', start);
        std::string part = identifier.substr(start, dot - start);
        if (part.empty() || part == ".." || part.find('/') != std::string::npos)
            return err{"table: bad identifier '" + identifier + "' (want namespace.table)"};
        p /= part;
        ++parts;
        if (dot == std::string::npos)
            break;
        start = dot + 1;
    }
    if (parts < 2)
        return err{"table: identifier '" + identifier + "' needs a namespace (ns.table)"};
    return p.string();
}

result<table_metadata, std::string> create_table(const std::string& dir_in,
                                                 const create_request& r) {
    std::string dir = abs_dir(dir_in);
    std::string meta_dir = dir + "/metadata";
    auto io = file_io_for(dir, r.storage);
    if (!io)
        return err{io.error()};
    auto highest = highest_version(**io, meta_dir);
    if (!highest)
        return err{highest.error()};
    auto hint_exists = (*io)->exists(meta_dir + "/version-hint.text");
    if (!hint_exists)
        return err{hint_exists.error()};
    if (*highest > 0 || *hint_exists)
        return err{"table already exists at " + dir};
    for (auto& f : r.table_schema.fields)
        if (auto c = to_column_spec(f); !c)
            return err{c.error()};
    if (auto t = partition_avro_type(r.spec, r.table_schema); !t)
        return err{t.error()};

    int32_t last_pid = 999;
    for (auto& f : r.spec.fields)
        last_pid = std::max(last_pid, f.field_id);
    ojson j;
    j["format-version"] = 2;
    j["table-uuid"] = random_uuid();
    j["location"] = is_s3_uri(dir) ? dir : "file://" + dir;
    j["last-sequence-number"] = 0;
    j["last-updated-ms"] = now_ms();
    j["last-column-id"] = r.table_schema.max_field_id();
    j["current-schema-id"] = r.table_schema.schema_id;
    j["schemas"] = ojson::array({schema_to_json(r.table_schema)});
    j["default-spec-id"] = r.spec.spec_id;
    ojson spec;
    spec["spec-id"] = r.spec.spec_id;
    spec["fields"] = spec_fields_to_json(r.spec);
    j["partition-specs"] = ojson::array({spec});
    j["last-partition-id"] = last_pid;
    j["default-sort-order-id"] = 0;
    j["sort-orders"] = ojson::array({ojson{{"order-id", 0}, {"fields", ojson::array()}}});
    ojson props = ojson::object();
    props["write.parquet.compression-codec"] = "zstd";
    for (auto& [k, v] : r.properties)
        props[k] = v;
    j["properties"] = props;
    j["current-snapshot-id"] = -1;
    j["refs"] = ojson::object();
    j["snapshots"] = ojson::array();
    j["statistics"] = ojson::array();
    j["snapshot-log"] = ojson::array();
    j["metadata-log"] = ojson::array();
    std::string text = j.dump(2);
    auto won = (*io)->create_exclusive(meta_dir + "/" + metadata_name(1), to_bytes(text));
    if (!won)
        return err{won.error()};
    if (!*won)
        return err{"table already exists at " + dir};
    if (auto h = (*io)->write(meta_dir + "/version-hint.text", to_bytes("1")); !h)
        return err{h.error()};
    return parse_table_metadata(text);
}

result<loaded_table, std::string> load_table(const std::string& dir_in,
                                             const std::string& metadata_file,
                                             const storage_options& storage) {
    auto io = file_io_for(dir_in, storage);
    if (!io)
        return err{io.error()};
    return load_table_with(std::move(*io), dir_in, metadata_file);
}

result<loaded_table, std::string> load_table_with(std::shared_ptr<file_io> io,
                                                  const std::string& dir_in,
                                                  const std::string& metadata_file) {
    loaded_table t;
    t.io = std::move(io);
    t.dir = abs_dir(dir_in);
    std::string meta_dir = t.dir + "/metadata";
    if (!metadata_file.empty()) {
        t.metadata_path = metadata_file.find('/') == std::string::npos
                              ? meta_dir + "/" + metadata_file
                              : metadata_file;
        std::string n = fs::path(t.metadata_path).filename().string();
        if (n.size() > 15 && n[0] == 'v' && n.ends_with(".metadata.json")) {
            try {
                t.version = std::stoll(n.substr(1, n.size() - 15));
            } catch (...) {
                t.version = 0;
            }
        }
    } else {
        int64_t v = 0;
        if (auto hint = t.io->read(meta_dir + "/version-hint.text")) {
            std::string s(hint->begin(), hint->end());
            try {
                v = std::stoll(s);
            } catch (...) {
                v = 0;
            }
        }
        auto hinted = v > 0 ? t.io->exists(meta_dir + "/" + metadata_name(v)) : false;
        if (!hinted)
            return err{hinted.error()};
        if (!*hinted) {
            auto h = highest_version(*t.io, meta_dir);
            if (!h)
                return err{h.error()};
            v = *h;
        }
        // The hint is written after the commit, so it may lag: walk forward.
        for (;;) {
            auto next = t.io->exists(meta_dir + "/" + metadata_name(v + 1));
            if (!next)
                return err{next.error()};
            if (!*next)
                break;
            ++v;
        }
        if (v <= 0)
            return err{"no Iceberg table at " + t.dir + " (no metadata/vN.metadata.json)"};
        t.version = v;
        t.metadata_path = meta_dir + "/" + metadata_name(v);
    }
    auto text = t.io->read(t.metadata_path);
    if (!text)
        return err{text.error()};
    auto m = parse_table_metadata(
        std::string_view(reinterpret_cast<const char*>(text->data()), text->size()));
    if (!m)
        return err{t.metadata_path + ": " + m.error()};
    t.meta = std::move(*m);
    return t;
}

std::string local_path(const loaded_table& t, const std::string& location) {
    std::string loc = t.meta.location;
    while (!loc.empty() && loc.back() == '/')
        loc.pop_back();
    if (!loc.empty() && location.rfind(loc, 0) == 0 &&
        (location.size() == loc.size() || location[loc.size()] == '/'))
        return t.dir + location.substr(loc.size());
    if (location.rfind("file://", 0) == 0)
        return location.substr(7);
    if (location.rfind("file:", 0) == 0)
        return location.substr(5);
    return location;
}

result<std::vector<file_entry>, std::string> list_files(const loaded_table& t, const snapshot& s) {
    auto io = t.io ? t.io : local_file_io();
    auto ml = io->read(local_path(t, s.manifest_list));
    if (!ml)
        return err{ml.error()};
    auto manifests = parse_manifest_list(*ml);
    if (!manifests)
        return err{manifests.error()};
    std::vector<file_entry> out;
    for (auto& m : *manifests) {
        auto mf = io->read(local_path(t, m.path));
        if (!mf)
            return err{mf.error()};
        auto entries = parse_manifest(*mf);
        if (!entries)
            return err{m.path + ": " + entries.error()};
        for (auto& e : *entries) {
            if (e.status == 2)
                continue;  // deleted in this snapshot
            file_entry f;
            f.manifest_path = m.path;
            f.data_sequence_number = e.sequence_number.value_or(m.sequence_number);
            f.entry = std::move(e);
            out.push_back(std::move(f));
        }
    }
    return out;
}

// ---- appender --------------------------------------------------------------------------------

struct appender::open_file {
    std::vector<value> partition;
    std::string local;
    std::string uri;
    std::unique_ptr<parquet::file_writer> writer;
    int64_t rows = 0;
};

struct appender::done_file {
    std::vector<value> partition;
    std::string uri;
    parquet::file_summary summary;
};

appender::~appender() = default;

result<std::unique_ptr<appender>, std::string> appender::open(const std::string& dir,
                                                              append_options options) {
    auto t = load_table(dir, "", options.storage);
    if (!t)
        return err{t.error()};
    if (t->meta.format_version != 2)
        return err{std::string("append: only format-version 2 tables are supported")};
    auto a = std::unique_ptr<appender>(new appender());
    a->dir_ = t->dir;
    a->io_ = t->io;
    a->location_ = t->meta.location;
    while (!a->location_.empty() && a->location_.back() == '/')
        a->location_.pop_back();
    a->table_uuid_ = t->meta.table_uuid;
    const schema* s = t->meta.current_schema();
    const partition_spec* p = t->meta.spec(t->meta.default_spec_id);
    if (!s || !p)
        return err{std::string("append: table has no current schema or default spec")};
    a->schema_ = *s;
    a->spec_ = *p;
    for (auto& f : s->fields) {
        auto c = to_column_spec(f);
        if (!c)
            return err{"append: " + c.error()};
        a->columns_.push_back(*c);
    }
    for (auto& pf : p->fields) {
        size_t idx = s->fields.size();
        for (size_t i = 0; i < s->fields.size(); ++i)
            if (s->fields[i].id == pf.source_id)
                idx = i;
        if (idx == s->fields.size())
            return err{"append: partition source column " + std::to_string(pf.source_id) +
                       " not in schema"};
        auto rt = pf.tr.result_type(s->fields[idx].type);
        if (!rt)
            return err{"append: " + rt.error()};
        a->source_index_.push_back(idx);
        a->result_types_.push_back(*rt);
    }
    if (!options.codec_override) {
        auto it = t->meta.properties.find("write.parquet.compression-codec");
        std::string name = it == t->meta.properties.end() ? "zstd" : it->second;
        auto c = parquet::parse_compression(name);
        if (!c)
            return err{"append: unsupported write.parquet.compression-codec " + name};
        options.parquet.codec = *c;
    }
    options.parquet.iceberg_schema_json = schema_to_json(*s).dump();
    a->options_ = std::move(options);
    return a;
}

result<appender::open_file*, std::string> appender::writer_for(
    const std::vector<value>& partition) {
    std::string key;
    for (size_t i = 0; i < partition.size(); ++i) {
        auto b = serialize_single(result_types_[i], partition[i]);
        key += b ? "1" + std::to_string(b->size()) + ":" + *b : "0";
    }
    auto it = open_.find(key);
    if (it != open_.end())
        return it->second.get();
    auto f = std::make_unique<open_file>();
    f->partition = partition;
    std::string rel = "data";
    for (size_t i = 0; i < partition.size(); ++i)
        rel += "/" + spec_.fields[i].name + "=" +
               human_string(result_types_[i], spec_.fields[i].tr, partition[i]);
    std::string name =
        "00000-" + std::to_string(done_.size() + open_.size()) + "-" + random_uuid() + ".parquet";
    f->local = dir_ + "/" + rel + "/" + name;
    f->uri = location_ + "/" + rel + "/" + name;
    auto out = io_->open_output(f->local);
    if (!out)
        return err{out.error()};
    auto w = parquet::file_writer::create(columns_, options_.parquet, std::move(*out));
    if (!w)
        return err{w.error()};
    f->writer = std::move(*w);
    auto* raw = f.get();
    open_.emplace(key, std::move(f));
    return raw;
}

result<void, std::string> appender::close_file(open_file& f) {
    auto s = f.writer->close();
    if (!s)
        return err{s.error()};
    done_.push_back(done_file{f.partition, f.uri, std::move(*s)});
    return {};
}

result<void, std::string> appender::append_row(std::span<const value> row) {
    if (committed_)
        return err{std::string("append: already committed")};
    if (row.size() != columns_.size())
        return err{"append: row has " + std::to_string(row.size()) + " cells, table has " +
                   std::to_string(columns_.size()) + " columns"};
    std::vector<value> partition;
    partition.reserve(spec_.fields.size());
    for (size_t i = 0; i < spec_.fields.size(); ++i) {
        const auto& src = schema_.fields[source_index_[i]];
        partition.push_back(spec_.fields[i].tr.apply(src.type, row[source_index_[i]]));
    }
    auto f = writer_for(partition);
    if (!f)
        return err{f.error()};
    if (auto r = (*f)->writer->append_row(row); !r)
        return r;
    ++rows_;
    if (options_.target_file_rows > 0 && ++(*f)->rows >= options_.target_file_rows) {
        auto r = close_file(**f);
        for (auto it = open_.begin(); it != open_.end(); ++it)
            if (it->second.get() == *f) {
                open_.erase(it);
                break;
            }
        if (!r)
            return r;
    }
    if (++rows_since_memory_check_ >= 1024) {
        rows_since_memory_check_ = 0;
        return enforce_memory_bound();
    }
    return {};
}

result<void, std::string> appender::enforce_memory_bound() {
    for (;;) {
        size_t total = 0, biggest = 0;
        auto victim = open_.end();
        for (auto it = open_.begin(); it != open_.end(); ++it) {
            size_t b = it->second->writer->buffered_bytes();
            total += b;
            if (b >= biggest) {
                biggest = b;
                victim = it;
            }
        }
        if (total <= options_.max_buffered_bytes || victim == open_.end() || biggest == 0)
            return {};
        auto r = close_file(*victim->second);
        open_.erase(victim);
        if (!r)
            return r;
    }
}

result<snapshot, std::string> appender::commit() {
    if (committed_)
        return err{std::string("append: already committed")};
    committed_ = true;
    for (auto& [k, f] : open_)
        if (auto r = close_file(*f); !r)
            return err{r.error()};
    open_.clear();
    // A file whose only rows were rejected holds no data: drop it rather than commit it.
    std::erase_if(done_, [&](const done_file& d) {
        if (d.summary.num_rows > 0)
            return false;
        (void)io_->remove(dir_ + d.uri.substr(location_.size()));  // best effort: an orphan
        return true;
    });
    if (done_.empty())
        return err{std::string("append: no rows to commit")};

    const std::string meta_dir = dir_ + "/metadata";
    const std::string commit_uuid = random_uuid();
    const int64_t snapshot_id = static_cast<int64_t>(random_u64() & ((1ULL << 53) - 1)) | 1;

    // 1. The manifest: one entry per data file (status ADDED, sequence numbers inherited).
    auto part_type = partition_avro_type(spec_, schema_);
    if (!part_type)
        return err{part_type.error()};
    auto mschema = avro::schema::parse(manifest_avro_schema(*part_type));
    if (!mschema)
        return err{"internal: manifest schema: " + mschema.error()};
    avro::container_writer mw(*mschema, avro::codec::deflate,
                              {{"schema", schema_to_json(schema_).dump()},
                               {"schema-id", std::to_string(schema_.schema_id)},
                               {"partition-spec", spec_fields_to_json(spec_).dump()},
                               {"partition-spec-id", std::to_string(spec_.spec_id)},
                               {"format-version", "2"},
                               {"content", "data"}});
    int64_t added_rows = 0, added_bytes = 0;
    std::set<std::string> partitions_seen;
    // Partition summaries for the manifest list.
    struct bounds {
        bool contains_null = false;
        bool have = false;
        value lo, hi;
    };
    std::vector<bounds> pb(spec_.fields.size());
    for (auto& d : done_) {
        avro::datum::object part;
        std::string pkey;
        for (size_t i = 0; i < spec_.fields.size(); ++i) {
            part.emplace_back(spec_.fields[i].name,
                              partition_datum(result_types_[i], d.partition[i]));
            pkey += human_string(result_types_[i], spec_.fields[i].tr, d.partition[i]) + "/";
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
            auto t = columns_[c].type;
            if (t == parquet::column_type::float32 || t == parquet::column_type::float64)
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
        avro::datum data_file = avro::datum::object{
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
            {"data_file", std::move(data_file)},
        };
        if (auto r = mw.append(entry); !r)
            return err{"manifest: " + r.error()};
        added_rows += d.summary.num_rows;
        added_bytes += d.summary.file_size;
    }
    bytes manifest = mw.finish();
    const std::string manifest_name = commit_uuid + "-m0.avro";
    if (auto r = io_->write(meta_dir + "/" + manifest_name, manifest); !r)
        return err{r.error()};
    const std::string manifest_uri = location_ + "/metadata/" + manifest_name;

    avro::datum::list summaries;
    for (size_t i = 0; i < pb.size(); ++i) {
        avro::datum::object s{{"contains_null", avro::datum{pb[i].contains_null}},
                              {"contains_nan", avro::datum{false}}};
        if (pb[i].have) {
            s.emplace_back("lower_bound",
                           avro::datum{*serialize_single(result_types_[i], pb[i].lo)});
            s.emplace_back("upper_bound",
                           avro::datum{*serialize_single(result_types_[i], pb[i].hi)});
        }
        summaries.push_back(avro::datum{std::move(s)});
    }

    auto lschema = avro::schema::parse(manifest_list_avro_schema());
    if (!lschema)
        return err{"internal: manifest list schema: " + lschema.error()};

    // 2. Commit loop: manifest list + next metadata version, retried on a lost race.
    for (int attempt = 1; attempt <= options_.max_commit_attempts; ++attempt) {
        auto t = load_table_with(io_, dir_);
        if (!t)
            return err{t.error()};
        const auto& meta = t->meta;
        if (meta.table_uuid != table_uuid_)
            return err{std::string("append: table was replaced (table-uuid changed)")};
        const schema* cs = meta.current_schema();
        if (!cs || cs->schema_id != schema_.schema_id || meta.default_spec_id != spec_.spec_id)
            return err{std::string("append: table schema or partition spec changed; retry")};
        if (meta.find_snapshot(snapshot_id))
            return err{std::string("append: snapshot id collision")};
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
            {"partition_spec_id", avro::datum{static_cast<int64_t>(spec_.spec_id)}},
            {"content", avro::datum{int64_t{0}}},
            {"sequence_number", avro::datum{seq}},
            {"min_sequence_number", avro::datum{seq}},
            {"added_snapshot_id", avro::datum{snapshot_id}},
            {"added_files_count", avro::datum{static_cast<int64_t>(done_.size())}},
            {"existing_files_count", avro::datum{int64_t{0}}},
            {"deleted_files_count", avro::datum{int64_t{0}}},
            {"added_rows_count", avro::datum{added_rows}},
            {"existing_rows_count", avro::datum{int64_t{0}}},
            {"deleted_rows_count", avro::datum{int64_t{0}}},
            {"partitions", avro::datum{summaries}},
        };
        if (auto r = lw.append(row); !r)
            return err{"manifest list: " + r.error()};
        if (parent) {
            // Fast append: carry the parent's manifests over unchanged.
            auto old = io_->read(local_path(*t, parent->manifest_list));
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
                if (auto r = lw.append(avro::datum{std::move(o)}); !r)
                    return err{"manifest list (copying " + m.path + "): " + r.error()};
            }
        }
        bytes list = lw.finish();
        const std::string list_name = "snap-" + std::to_string(snapshot_id) + "-" +
                                      std::to_string(attempt) + "-" + commit_uuid + ".avro";
        if (auto r = io_->write(meta_dir + "/" + list_name, list); !r)
            return err{r.error()};

        // 3. The next metadata version.
        const int64_t ts = std::max(now_ms(), meta.last_updated_ms);
        snapshot snap;
        snap.snapshot_id = snapshot_id;
        if (parent)
            snap.parent_id = parent->snapshot_id;
        snap.sequence_number = seq;
        snap.timestamp_ms = ts;
        snap.manifest_list = location_ + "/metadata/" + list_name;
        snap.schema_id = schema_.schema_id;
        auto& sm = snap.summary;
        sm["operation"] = "append";
        sm["added-data-files"] = std::to_string(done_.size());
        sm["added-records"] = std::to_string(added_rows);
        sm["added-files-size"] = std::to_string(added_bytes);
        sm["changed-partition-count"] = std::to_string(partitions_seen.size());
        sm["total-records"] = std::to_string(summary_long(parent, "total-records") + added_rows);
        sm["total-files-size"] =
            std::to_string(summary_long(parent, "total-files-size") + added_bytes);
        sm["total-data-files"] = std::to_string(summary_long(parent, "total-data-files") +
                                                static_cast<int64_t>(done_.size()));
        sm["total-delete-files"] = std::to_string(summary_long(parent, "total-delete-files"));
        sm["total-position-deletes"] =
            std::to_string(summary_long(parent, "total-position-deletes"));
        sm["total-equality-deletes"] =
            std::to_string(summary_long(parent, "total-equality-deletes"));
        for (auto& [k, v] : options_.extra_summary)
            sm[k] = v;

        ojson j = meta.raw;
        ojson sj;
        sj["sequence-number"] = seq;
        sj["snapshot-id"] = snapshot_id;
        if (parent)
            sj["parent-snapshot-id"] = parent->snapshot_id;
        sj["timestamp-ms"] = ts;
        sj["summary"] = ojson::object();
        sj["summary"]["operation"] = "append";  // first, as Java writes it
        for (auto& [k, v] : sm)
            sj["summary"][k] = v;
        sj["manifest-list"] = snap.manifest_list;
        sj["schema-id"] = schema_.schema_id;
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
                  {"metadata-file", location_ + "/metadata/" + metadata_name(t->version)}});

        auto won = io_->create_exclusive(meta_dir + "/" + metadata_name(t->version + 1),
                                         to_bytes(j.dump(2)));
        if (!won)
            return err{won.error()};
        if (!*won) {
            // Lost the race: another writer committed v(N+1). Reload and rebase.
            (void)io_->remove(meta_dir + "/" + list_name);
            continue;
        }
        // The hint is best-effort: readers also probe for newer versions.
        (void)io_->write(meta_dir + "/version-hint.text", to_bytes(std::to_string(t->version + 1)));
        return snap;
    }
    return err{"append: gave up after " + std::to_string(options_.max_commit_attempts) +
               " commit attempts (concurrent writers)"};
}

}  // namespace otter::iceberg

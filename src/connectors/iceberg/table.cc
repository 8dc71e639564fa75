#include "connectors/iceberg/table.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>

#include "connectors/iceberg/commit.h"

namespace otter::iceberg {

namespace fs = std::filesystem;
using err = unexpected<std::string>;

namespace {

uint64_t random_u64() {
    static thread_local std::mt19937_64 rng{std::random_device{}() ^
                                            static_cast<uint64_t>(now_ms())};
    return rng();
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

}  // namespace

int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t new_snapshot_id() {
    return static_cast<int64_t>(random_u64() & ((1ULL << 53) - 1)) | 1;
}

std::string metadata_file_name(int64_t v) {
    return "v" + std::to_string(v) + ".metadata.json";
}

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
    auto won = (*io)->create_exclusive(meta_dir + "/" + metadata_file_name(1), as_bytes(text));
    if (!won)
        return err{won.error()};
    if (!*won)
        return err{"table already exists at " + dir};
    if (auto h = (*io)->write(meta_dir + "/version-hint.text", as_bytes("1")); !h)
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
        auto hinted = v > 0 ? t.io->exists(meta_dir + "/" + metadata_file_name(v)) : false;
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
            auto next = t.io->exists(meta_dir + "/" + metadata_file_name(v + 1));
            if (!next)
                return err{next.error()};
            if (!*next)
                break;
            ++v;
        }
        if (v <= 0)
            return err{"no Iceberg table at " + t.dir + " (no metadata/vN.metadata.json)"};
        t.version = v;
        t.metadata_path = meta_dir + "/" + metadata_file_name(v);
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

appender::~appender() = default;

result<std::unique_ptr<appender>, std::string> appender::open(const std::string& dir,
                                                              append_options options) {
    auto layout = partition_layout::load(dir, options.storage, options.parquet,
                                         options.codec_override, "append");
    if (!layout)
        return err{layout.error()};
    auto a = std::unique_ptr<appender>(new appender());
    a->layout_ = std::move(*layout);
    a->options_ = std::move(options);
    return a;
}

result<partition_file*, std::string> appender::writer_for(std::span<const value> row) {
    auto partition = layout_.partition_of(row, "append");
    if (!partition)
        return err{partition.error()};
    std::string key = layout_.key(*partition);
    auto it = open_.find(key);
    if (it != open_.end())
        return it->second.get();
    std::string name =
        "00000-" + std::to_string(done_.size() + open_.size()) + "-" + random_uuid() + ".parquet";
    auto f = layout_.open_file(*partition, name, options_.parquet);
    if (!f)
        return err{f.error()};
    auto* raw = f->get();
    open_.emplace(key, std::move(*f));
    return raw;
}

result<void, std::string> appender::close_file(partition_file& f) {
    auto d = layout_.close_file(f);
    if (!d)
        return err{d.error()};
    done_.push_back(std::move(*d));
    return {};
}

result<void, std::string> appender::append_row(std::span<const value> row) {
    if (committed_)
        return err{std::string("append: already committed")};
    auto f = writer_for(row);
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
    std::erase_if(done_, [&](const data_file& d) {
        if (d.summary.num_rows > 0)
            return false;
        // best effort: an orphan
        (void)layout_.io->remove(layout_.dir + d.uri.substr(layout_.location.size()));
        return true;
    });
    if (done_.empty())
        return err{std::string("append: no rows to commit")};

    commit_request req;
    req.files = std::move(done_);
    req.summary = options_.extra_summary;
    req.max_attempts = options_.max_commit_attempts;
    req.io = layout_.io;
    req.table_uuid = layout_.table_uuid;
    req.require_current = true;
    req.what = "append";
    auto out = commit_files(layout_.dir, req);
    if (!out)
        return err{out.error()};
    return std::move(out->snap);
}

}  // namespace otter::iceberg

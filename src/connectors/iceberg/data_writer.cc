#include "connectors/iceberg/data_writer.h"

#include <filesystem>

#include <unistd.h>

#include "connectors/iceberg/table.h"

namespace otter::iceberg {

namespace fs = std::filesystem;
using err = unexpected<std::string>;

struct data_writer::open_file {
    std::vector<value> partition;
    std::string local;
    std::string uri;
    std::unique_ptr<parquet::file_writer> writer;
    uint64_t seq = 0;  // opening order: smaller is older
    int64_t rows = 0;
};

data_writer::~data_writer() = default;

result<std::unique_ptr<data_writer>, std::string> data_writer::open(const std::string& dir,
                                                                    data_writer_options options) {
    auto t = load_table(dir);
    if (!t)
        return err{t.error()};
    if (t->meta.format_version != 2)
        return err{std::string("data writer: only format-version 2 tables are supported")};
    const schema* s = t->meta.current_schema();
    const partition_spec* p = t->meta.spec(t->meta.default_spec_id);
    if (!s || !p)
        return err{std::string("data writer: table has no current schema or default spec")};
    if (options.max_open_files == 0)
        return err{std::string("data writer: max_open_files must be at least 1")};
    auto w = std::unique_ptr<data_writer>(new data_writer());
    w->dir_ = t->dir;
    w->location_ = t->meta.location;
    while (!w->location_.empty() && w->location_.back() == '/')
        w->location_.pop_back();
    w->schema_ = *s;
    w->spec_ = *p;
    for (const auto& f : s->fields) {
        auto c = to_column_spec(f);
        if (!c)
            return err{"data writer: " + c.error()};
        w->columns_.push_back(*c);
    }
    for (const auto& pf : p->fields) {
        size_t idx = s->fields.size();
        for (size_t i = 0; i < s->fields.size(); ++i)
            if (s->fields[i].id == pf.source_id)
                idx = i;
        if (idx == s->fields.size())
            return err{"data writer: partition source column " + std::to_string(pf.source_id) +
                       " not in schema"};
        auto rt = pf.tr.result_type(s->fields[idx].type);
        if (!rt)
            return err{"data writer: " + rt.error()};
        w->source_index_.push_back(idx);
        w->result_types_.push_back(*rt);
    }
    auto it = t->meta.properties.find("write.parquet.compression-codec");
    std::string codec = it == t->meta.properties.end() ? "zstd" : it->second;
    auto c = parquet::parse_compression(codec);
    if (!c)
        return err{"data writer: unsupported write.parquet.compression-codec " + codec};
    options.parquet.codec = *c;
    options.parquet.iceberg_schema_json = schema_to_json(*s).dump();
    // One row group per file up to the target size: the roll check sees every buffered byte.
    options.parquet.row_group_max_bytes =
        std::max(options.parquet.row_group_max_bytes, options.target_file_bytes + 1);
    w->options_ = std::move(options);
    return w;
}

result<data_writer::open_file*, std::string> data_writer::writer_for(
    const std::vector<value>& partition) {
    std::string key;
    for (size_t i = 0; i < partition.size(); ++i) {
        auto b = serialize_single(result_types_[i], partition[i]);
        key += b ? "1" + std::to_string(b->size()) + ":" + *b : "0";
    }
    if (auto it = open_.find(key); it != open_.end())
        return it->second.get();
    // Enforce the cap before opening another file: close the one holding the most buffered
    // bytes (the oldest among equals), so memory stays bounded by cap × row-group buffer.
    while (open_.size() >= options_.max_open_files) {
        auto victim = open_.begin();
        size_t most = 0;
        bool first = true;
        for (auto it = open_.begin(); it != open_.end(); ++it) {
            size_t b = it->second->writer->buffered_bytes();
            if (first || b > most || (b == most && it->second->seq < victim->second->seq)) {
                victim = it;
                most = b;
                first = false;
            }
        }
        ++closed_by_cap_;
        if (auto r = close(victim->first); !r)
            return err{r.error()};
    }
    auto f = std::make_unique<open_file>();
    f->partition = partition;
    f->seq = opened_++;
    std::string rel = "data";
    for (size_t i = 0; i < partition.size(); ++i)
        rel += "/" + spec_.fields[i].name + "=" +
               human_string(result_types_[i], spec_.fields[i].tr, partition[i]);
    std::error_code ec;
    fs::create_directories(dir_ + "/" + rel, ec);
    if (ec)
        return err{"data writer: mkdir " + dir_ + "/" + rel + ": " + ec.message()};
    std::string name =
        options_.file_prefix + "-" + std::to_string(f->seq) + "-" + random_uuid() + ".parquet";
    f->local = dir_ + "/" + rel + "/" + name;
    f->uri = location_ + "/" + rel + "/" + name;
    auto out = parquet::open_file_output(f->local, true);
    if (!out)
        return err{out.error()};
    auto w = parquet::file_writer::create(columns_, options_.parquet, std::move(*out));
    if (!w)
        return err{w.error()};
    f->writer = std::move(*w);
    auto* raw = f.get();
    open_.emplace(std::move(key), std::move(f));
    return raw;
}

result<void, std::string> data_writer::close(const std::string& key) {
    auto it = open_.find(key);
    if (it == open_.end())
        return {};
    std::unique_ptr<open_file> f = std::move(it->second);
    open_.erase(it);
    auto s = f->writer->close();
    if (!s)
        return err{"data writer: closing " + f->local + ": " + s.error()};
    if (s->num_rows == 0) {
        // Only rejected rows went here: an empty file is not worth a manifest entry.
        ::unlink(f->local.c_str());
        return {};
    }
    closed_.push_back(data_file{f->uri, spec_.spec_id, schema_.schema_id, std::move(f->partition),
                                std::move(*s)});
    return {};
}

result<void, std::string> data_writer::append_row(std::span<const value> row) {
    if (row.size() != columns_.size())
        return err{"data writer: row has " + std::to_string(row.size()) + " cells, table has " +
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
    // buffered_bytes() walks the columns: check every 64 rows, not per row.
    if ((++(*f)->rows & 63) == 0 && (*f)->writer->buffered_bytes() >= options_.target_file_bytes) {
        for (auto it = open_.begin(); it != open_.end(); ++it) {
            if (it->second.get() == *f) {
                ++rolled_by_size_;
                std::string key = it->first;
                return close(key);
            }
        }
    }
    return {};
}

result<void, std::string> data_writer::close_all() {
    while (!open_.empty()) {
        std::string key = open_.begin()->first;
        if (auto r = close(key); !r)
            return r;
    }
    return {};
}

std::vector<data_file> data_writer::take_closed() {
    std::vector<data_file> out = std::move(closed_);
    closed_.clear();
    return out;
}

}  // namespace otter::iceberg

#include "connectors/iceberg/data_writer.h"

#include "connectors/iceberg/table.h"

namespace otter::iceberg {

using err = unexpected<std::string>;

result<partition_layout, std::string> partition_layout::load(const std::string& dir,
                                                             const storage_options& storage,
                                                             parquet::writer_options& options,
                                                             bool keep_codec,
                                                             const std::string& what) {
    auto t = load_table(dir, "", storage);
    if (!t)
        return err{t.error()};
    if (t->meta.format_version != 2)
        return err{what + ": only format-version 2 tables are supported"};
    const schema* s = t->meta.current_schema();
    const partition_spec* p = t->meta.spec(t->meta.default_spec_id);
    if (!s || !p)
        return err{what + ": table has no current schema or default spec"};
    partition_layout l;
    l.dir = t->dir;
    l.io = t->io;
    l.location = t->meta.location;
    while (!l.location.empty() && l.location.back() == '/')
        l.location.pop_back();
    l.table_uuid = t->meta.table_uuid;
    l.table_schema = *s;
    l.spec = *p;
    for (const auto& f : s->fields) {
        auto c = to_column_spec(f);
        if (!c)
            return err{what + ": " + c.error()};
        l.columns.push_back(*c);
    }
    for (const auto& pf : p->fields) {
        size_t idx = s->fields.size();
        for (size_t i = 0; i < s->fields.size(); ++i)
            if (s->fields[i].id == pf.source_id)
                idx = i;
        if (idx == s->fields.size())
            return err{what + ": partition source column " + std::to_string(pf.source_id) +
                       " not in schema"};
        auto rt = pf.tr.result_type(s->fields[idx].type);
        if (!rt)
            return err{what + ": " + rt.error()};
        l.source_index.push_back(idx);
        l.result_types.push_back(*rt);
    }
    if (!keep_codec) {
        auto it = t->meta.properties.find("write.parquet.compression-codec");
        std::string name = it == t->meta.properties.end() ? "zstd" : it->second;
        auto c = parquet::parse_compression(name);
        if (!c)
            return err{what + ": unsupported write.parquet.compression-codec " + name};
        options.codec = *c;
    }
    options.iceberg_schema_json = schema_to_json(*s).dump();
    return l;
}

result<std::vector<value>, std::string> partition_layout::partition_of(
    std::span<const value> row, const std::string& what) const {
    if (row.size() != columns.size())
        return err{what + ": row has " + std::to_string(row.size()) + " cells, table has " +
                   std::to_string(columns.size()) + " columns"};
    std::vector<value> partition;
    partition.reserve(spec.fields.size());
    for (size_t i = 0; i < spec.fields.size(); ++i) {
        const auto& src = table_schema.fields[source_index[i]];
        partition.push_back(spec.fields[i].tr.apply(src.type, row[source_index[i]]));
    }
    return partition;
}

std::string partition_layout::key(const std::vector<value>& partition) const {
    std::string k;
    for (size_t i = 0; i < partition.size(); ++i) {
        auto b = serialize_single(result_types[i], partition[i]);
        k += b ? "1" + std::to_string(b->size()) + ":" + *b : "0";
    }
    return k;
}

result<std::unique_ptr<partition_file>, std::string> partition_layout::open_file(
    const std::vector<value>& partition, const std::string& name,
    const parquet::writer_options& options) const {
    std::string rel = "data";
    for (size_t i = 0; i < partition.size(); ++i)
        rel += "/" + spec.fields[i].name + "=" +
               human_string(result_types[i], spec.fields[i].tr, partition[i]);
    auto f = std::make_unique<partition_file>();
    f->partition = partition;
    f->path = dir + "/" + rel + "/" + name;
    f->uri = location + "/" + rel + "/" + name;
    auto out = io->open_output(f->path);
    if (!out)
        return err{out.error()};
    auto w = parquet::file_writer::create(columns, options, std::move(*out));
    if (!w)
        return err{w.error()};
    f->writer = std::move(*w);
    return f;
}

result<data_file, std::string> partition_layout::close_file(partition_file& f) const {
    auto s = f.writer->close();
    if (!s)
        return err{s.error()};
    return data_file{f.uri, spec.spec_id, table_schema.schema_id, f.partition, std::move(*s)};
}

data_writer::~data_writer() = default;

result<std::unique_ptr<data_writer>, std::string> data_writer::open(const std::string& dir,
                                                                    data_writer_options options) {
    if (options.max_open_files == 0)
        return err{std::string("data writer: max_open_files must be at least 1")};
    auto layout =
        partition_layout::load(dir, options.storage, options.parquet, false, "data writer");
    if (!layout)
        return err{layout.error()};
    auto w = std::unique_ptr<data_writer>(new data_writer());
    w->layout_ = std::move(*layout);
    // One row group per file up to the target size: the roll check sees every buffered byte.
    options.parquet.row_group_max_bytes =
        std::max(options.parquet.row_group_max_bytes, options.target_file_bytes + 1);
    w->options_ = std::move(options);
    return w;
}

result<partition_file*, std::string> data_writer::writer_for(std::span<const value> row) {
    auto partition = layout_.partition_of(row, "data writer");
    if (!partition)
        return err{partition.error()};
    std::string key = layout_.key(*partition);
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
    const uint64_t seq = opened_++;
    std::string name =
        options_.file_prefix + "-" + std::to_string(seq) + "-" + random_uuid() + ".parquet";
    auto f = layout_.open_file(*partition, name, options_.parquet);
    if (!f)
        return err{f.error()};
    (*f)->seq = seq;
    auto* raw = f->get();
    open_.emplace(std::move(key), std::move(*f));
    return raw;
}

result<void, std::string> data_writer::close(const std::string& key) {
    auto it = open_.find(key);
    if (it == open_.end())
        return {};
    std::unique_ptr<partition_file> f = std::move(it->second);
    open_.erase(it);
    auto d = layout_.close_file(*f);
    if (!d)
        return err{"data writer: closing " + f->path + ": " + d.error()};
    if (d->summary.num_rows == 0) {
        // Only rejected rows went here: an empty file is not worth a manifest entry.
        (void)layout_.io->remove(f->path);
        return {};
    }
    closed_.push_back(std::move(*d));
    return {};
}

result<void, std::string> data_writer::append_row(std::span<const value> row) {
    auto f = writer_for(row);
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

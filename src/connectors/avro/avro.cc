#include "connectors/avro/avro.h"

#include <cstring>
#include <random>

#include <nlohmann/json.hpp>
#include <zlib.h>

#include "bytes/varint.h"

namespace otter::avro {

using njson = nlohmann::json;

// ---- datum -----------------------------------------------------------------------------------

const datum* datum::get(std::string_view key) const {
    if (auto* o = std::get_if<object>(&v)) {
        for (auto& [k, d] : *o)
            if (k == key)
                return &d;
    }
    return nullptr;
}
std::optional<int64_t> datum::as_long() const {
    if (auto* i = std::get_if<int64_t>(&v))
        return *i;
    return std::nullopt;
}
const std::string* datum::as_string() const {
    return std::get_if<std::string>(&v);
}
const datum::list* datum::as_list() const {
    return std::get_if<list>(&v);
}
const datum::object* datum::as_object() const {
    return std::get_if<object>(&v);
}

// ---- schema parsing --------------------------------------------------------------------------

class schema_parser {
  public:
    explicit schema_parser(schema& s) : s_(s) {}

    result<int, std::string> parse(const njson& j, const std::string& ns, int depth) {
        if (depth > 64)
            return unexpected{std::string("avro schema: nested too deeply")};
        if (j.is_string())
            return named_or_primitive(j.get<std::string>(), ns);
        if (j.is_array()) {
            int id = add(kind::union_);
            for (auto& b : j) {
                auto c = parse(b, ns, depth + 1);
                if (!c)
                    return c;
                s_.nodes_[static_cast<size_t>(id)].children.push_back(*c);
            }
            if (s_.nodes_[static_cast<size_t>(id)].children.empty())
                return unexpected{std::string("avro schema: empty union")};
            return id;
        }
        if (!j.is_object())
            return unexpected{std::string("avro schema: expected string, array or object")};
        auto t = j.find("type");
        if (t == j.end())
            return unexpected{std::string("avro schema: object without \"type\"")};
        if (!t->is_string())
            return parse(*t, ns, depth + 1);  // {"type": {...}} or {"type": [...]}
        std::string type = t->get<std::string>();
        if (type == "record" || type == "error" || type == "enum" || type == "fixed") {
            auto n = j.find("name");
            if (n == j.end() || !n->is_string())
                return unexpected{"avro schema: " + type + " without a name"};
            std::string name = n->get<std::string>();
            std::string space = ns;
            if (auto jn = j.find("namespace"); jn != j.end() && jn->is_string())
                space = jn->get<std::string>();
            std::string full =
                name.find('.') != std::string::npos || space.empty() ? name : space + "." + name;
            if (auto dot = full.rfind('.'); dot != std::string::npos)
                space = full.substr(0, dot);
            if (type == "enum") {
                int id = add(kind::enum_);
                register_name(full, id);
                auto sy = j.find("symbols");
                if (sy == j.end() || !sy->is_array())
                    return unexpected{"avro schema: enum " + full + " without symbols"};
                for (auto& x : *sy) {
                    if (!x.is_string())
                        return unexpected{"avro schema: bad enum symbol in " + full};
                    s_.nodes_[static_cast<size_t>(id)].symbols.push_back(x.get<std::string>());
                }
                return id;
            }
            if (type == "fixed") {
                int id = add(kind::fixed);
                register_name(full, id);
                auto sz = j.find("size");
                if (sz == j.end() || !sz->is_number_integer() || sz->get<int64_t>() < 0)
                    return unexpected{"avro schema: fixed " + full + " without a size"};
                s_.nodes_[static_cast<size_t>(id)].size = sz->get<int64_t>();
                return id;
            }
            int id = add(kind::record);
            register_name(full, id);
            auto fs = j.find("fields");
            if (fs == j.end() || !fs->is_array())
                return unexpected{"avro schema: record " + full + " without fields"};
            for (auto& f : *fs) {
                if (!f.is_object() || !f.contains("name") || !f["name"].is_string() ||
                    !f.contains("type"))
                    return unexpected{"avro schema: bad field in record " + full};
                auto c = parse(f["type"], space, depth + 1);
                if (!c)
                    return c;
                auto& node = s_.nodes_[static_cast<size_t>(id)];
                node.field_names.push_back(f["name"].get<std::string>());
                node.children.push_back(*c);
            }
            return id;
        }
        if (type == "array") {
            int id = add(kind::array);
            auto it = j.find("items");
            if (it == j.end())
                return unexpected{std::string("avro schema: array without items")};
            auto c = parse(*it, ns, depth + 1);
            if (!c)
                return c;
            s_.nodes_[static_cast<size_t>(id)].children.push_back(*c);
            return id;
        }
        if (type == "map") {
            int id = add(kind::map);
            auto it = j.find("values");
            if (it == j.end())
                return unexpected{std::string("avro schema: map without values")};
            auto c = parse(*it, ns, depth + 1);
            if (!c)
                return c;
            s_.nodes_[static_cast<size_t>(id)].children.push_back(*c);
            return id;
        }
        // A primitive with attributes, e.g. {"type":"long","logicalType":"timestamp-micros"}.
        return named_or_primitive(type, ns);
    }

  private:
    int add(kind k) {
        s_.nodes_.push_back(schema::node{k});
        return static_cast<int>(s_.nodes_.size() - 1);
    }
    void register_name(const std::string& full, int id) {
        s_.nodes_[static_cast<size_t>(id)].name = full;
        names_[full] = id;
        auto dot = full.rfind('.');
        if (dot != std::string::npos)
            names_.emplace(full.substr(dot + 1), id);
    }
    result<int, std::string> named_or_primitive(const std::string& t, const std::string& ns) {
        static const std::pair<const char*, kind> prims[] = {
            {"null", kind::null},   {"boolean", kind::boolean}, {"int", kind::int_},
            {"long", kind::long_},  {"float", kind::float_},    {"double", kind::double_},
            {"bytes", kind::bytes}, {"string", kind::string},
        };
        for (auto& [n, k] : prims)
            if (t == n)
                return add(k);
        if (!ns.empty()) {
            if (auto it = names_.find(ns + "." + t); it != names_.end())
                return it->second;
        }
        if (auto it = names_.find(t); it != names_.end())
            return it->second;
        return unexpected{"avro schema: unknown type " + t};
    }

    schema& s_;
    std::map<std::string, int> names_;
};

result<schema, std::string> schema::parse(std::string_view text) {
    njson j = njson::parse(text, nullptr, false);
    if (j.is_discarded())
        return unexpected{std::string("avro schema: not valid JSON")};
    schema s;
    s.json_ = std::string(text);
    schema_parser p(s);
    auto r = p.parse(j, "", 0);
    if (!r)
        return unexpected{r.error()};
    s.root_ = *r;
    return s;
}

// ---- encoding --------------------------------------------------------------------------------

namespace {

void put_long(bytes& out, int64_t v) {
    put_varint(out, v);
}
void put_str(bytes& out, std::string_view s) {
    put_long(out, static_cast<int64_t>(s.size()));
    out.insert(out.end(), s.begin(), s.end());
}

bool fits(const schema& s, int node, const datum& d) {
    switch (s.at(node).k) {
        case kind::null:
            return d.is_null();
        case kind::boolean:
            return std::holds_alternative<bool>(d.v);
        case kind::int_:
        case kind::long_:
            return std::holds_alternative<int64_t>(d.v);
        case kind::float_:
        case kind::double_:
            return std::holds_alternative<double>(d.v) || std::holds_alternative<int64_t>(d.v);
        case kind::bytes:
        case kind::string:
        case kind::fixed:
        case kind::enum_:
            return std::holds_alternative<std::string>(d.v);
        case kind::record:
        case kind::map:
            return std::holds_alternative<datum::object>(d.v);
        case kind::array:
            return std::holds_alternative<datum::list>(d.v);
        case kind::union_:
            return false;
    }
    return false;
}

result<void, std::string> encode_at(const schema& s, int node, const datum& d, bytes& out,
                                    int depth) {
    if (depth > 64)
        return unexpected{std::string("avro: datum nested too deeply")};
    const auto& n = s.at(node);
    auto bad = [&](const char* what) {
        return unexpected{std::string("avro: datum does not match schema (") + what + ")"};
    };
    switch (n.k) {
        case kind::null:
            if (!d.is_null())
                return bad("null");
            return {};
        case kind::boolean:
            if (auto* b = std::get_if<bool>(&d.v)) {
                out.push_back(*b ? 1 : 0);
                return {};
            }
            return bad("boolean");
        case kind::int_:
        case kind::long_:
            if (auto* i = std::get_if<int64_t>(&d.v)) {
                if (n.k == kind::int_ && (*i < INT32_MIN || *i > INT32_MAX))
                    return bad("int out of range");
                put_long(out, *i);
                return {};
            }
            return bad("int/long");
        case kind::float_:
        case kind::double_: {
            double x;
            if (auto* f = std::get_if<double>(&d.v))
                x = *f;
            else if (auto* i = std::get_if<int64_t>(&d.v))
                x = static_cast<double>(*i);
            else
                return bad("float/double");
            if (n.k == kind::float_) {
                float f = static_cast<float>(x);
                uint8_t b[4];
                std::memcpy(b, &f, 4);
                out.insert(out.end(), b, b + 4);
            } else {
                uint8_t b[8];
                std::memcpy(b, &x, 8);
                out.insert(out.end(), b, b + 8);
            }
            return {};
        }
        case kind::bytes:
        case kind::string:
            if (auto* str = std::get_if<std::string>(&d.v)) {
                put_str(out, *str);
                return {};
            }
            return bad("string/bytes");
        case kind::fixed:
            if (auto* str = std::get_if<std::string>(&d.v);
                str && static_cast<int64_t>(str->size()) == n.size) {
                out.insert(out.end(), str->begin(), str->end());
                return {};
            }
            return bad("fixed");
        case kind::enum_:
            if (auto* str = std::get_if<std::string>(&d.v)) {
                for (size_t i = 0; i < n.symbols.size(); ++i) {
                    if (n.symbols[i] == *str) {
                        put_long(out, static_cast<int64_t>(i));
                        return {};
                    }
                }
            }
            return bad("enum");
        case kind::record: {
            auto* o = d.as_object();
            if (!o)
                return bad("record");
            for (size_t i = 0; i < n.field_names.size(); ++i) {
                const datum* f = d.get(n.field_names[i]);
                static const datum null_datum;
                if (auto r = encode_at(s, n.children[i], f ? *f : null_datum, out, depth + 1); !r)
                    return unexpected{"field " + n.field_names[i] + ": " + r.error()};
            }
            return {};
        }
        case kind::array: {
            auto* l = d.as_list();
            if (!l)
                return bad("array");
            if (!l->empty()) {
                put_long(out, static_cast<int64_t>(l->size()));
                for (auto& item : *l)
                    if (auto r = encode_at(s, n.children[0], item, out, depth + 1); !r)
                        return r;
            }
            put_long(out, 0);
            return {};
        }
        case kind::map: {
            auto* o = d.as_object();
            if (!o)
                return bad("map");
            if (!o->empty()) {
                put_long(out, static_cast<int64_t>(o->size()));
                for (auto& [k, item] : *o) {
                    put_str(out, k);
                    if (auto r = encode_at(s, n.children[0], item, out, depth + 1); !r)
                        return r;
                }
            }
            put_long(out, 0);
            return {};
        }
        case kind::union_:
            for (size_t i = 0; i < n.children.size(); ++i) {
                if (fits(s, n.children[i], d)) {
                    put_long(out, static_cast<int64_t>(i));
                    return encode_at(s, n.children[i], d, out, depth + 1);
                }
            }
            return bad("no union branch fits");
    }
    return bad("unknown");
}

// ---- decoding --------------------------------------------------------------------------------

struct decoder {
    const uint8_t* p;
    const uint8_t* end;
    // Items (array/map entries) this decoder may still produce: zero-byte items (nulls, empty
    // records) could otherwise make a tiny input expand without bound.
    int64_t budget = 1 << 24;

    result<int64_t, std::string> read_long() {
        int64_t v;
        if (!get_varint(p, end, v))
            return unexpected{std::string("avro: truncated or bad varint")};
        return v;
    }
    result<std::string, std::string> read_bytes() {
        auto n = read_long();
        if (!n)
            return unexpected{n.error()};
        if (*n < 0 || *n > end - p)
            return unexpected{std::string("avro: bad length")};
        std::string s(reinterpret_cast<const char*>(p), static_cast<size_t>(*n));
        p += *n;
        return s;
    }

    result<datum, std::string> read(const schema& s, int node, int depth) {
        if (depth > 64)
            return unexpected{std::string("avro: datum nested too deeply")};
        const auto& n = s.at(node);
        switch (n.k) {
            case kind::null:
                return datum{};
            case kind::boolean:
                if (p >= end)
                    return unexpected{std::string("avro: truncated boolean")};
                return datum{*p++ != 0};
            case kind::int_:
            case kind::long_: {
                auto v = read_long();
                if (!v)
                    return unexpected{v.error()};
                return datum{*v};
            }
            case kind::float_: {
                if (end - p < 4)
                    return unexpected{std::string("avro: truncated float")};
                float f;
                std::memcpy(&f, p, 4);
                p += 4;
                return datum{static_cast<double>(f)};
            }
            case kind::double_: {
                if (end - p < 8)
                    return unexpected{std::string("avro: truncated double")};
                double f;
                std::memcpy(&f, p, 8);
                p += 8;
                return datum{f};
            }
            case kind::bytes:
            case kind::string: {
                auto b = read_bytes();
                if (!b)
                    return unexpected{b.error()};
                return datum{std::move(*b)};
            }
            case kind::fixed: {
                if (n.size > end - p)
                    return unexpected{std::string("avro: truncated fixed")};
                std::string v(reinterpret_cast<const char*>(p), static_cast<size_t>(n.size));
                p += n.size;
                return datum{std::move(v)};
            }
            case kind::enum_: {
                auto i = read_long();
                if (!i)
                    return unexpected{i.error()};
                if (*i < 0 || static_cast<uint64_t>(*i) >= n.symbols.size())
                    return unexpected{std::string("avro: bad enum index")};
                return datum{n.symbols[static_cast<size_t>(*i)]};
            }
            case kind::record: {
                datum::object o;
                o.reserve(n.field_names.size());
                for (size_t i = 0; i < n.field_names.size(); ++i) {
                    auto f = read(s, n.children[i], depth + 1);
                    if (!f)
                        return f;
                    o.emplace_back(n.field_names[i], std::move(*f));
                }
                return datum{std::move(o)};
            }
            case kind::array:
            case kind::map: {
                datum::list l;
                datum::object o;
                for (;;) {
                    auto c = read_long();
                    if (!c)
                        return unexpected{c.error()};
                    int64_t count = *c;
                    if (count == 0)
                        break;
                    if (count < 0) {
                        count = count == INT64_MIN ? 0 : -count;
                        if (auto sz = read_long(); !sz)  // block size in bytes: skip
                            return unexpected{sz.error()};
                    }
                    // Every item takes at least one byte except null/empty records; bound the
                    // count by what is left so garbage cannot make us loop for long.
                    if (count > (end - p) + 1024 || count > budget)
                        return unexpected{std::string("avro: block count exceeds data")};
                    budget -= count;
                    for (int64_t i = 0; i < count; ++i) {
                        std::string key;
                        if (n.k == kind::map) {
                            auto k = read_bytes();
                            if (!k)
                                return unexpected{k.error()};
                            key = std::move(*k);
                        }
                        auto item = read(s, n.children[0], depth + 1);
                        if (!item)
                            return item;
                        if (n.k == kind::map)
                            o.emplace_back(std::move(key), std::move(*item));
                        else
                            l.push_back(std::move(*item));
                    }
                }
                if (n.k == kind::map)
                    return datum{std::move(o)};
                return datum{std::move(l)};
            }
            case kind::union_: {
                auto i = read_long();
                if (!i)
                    return unexpected{i.error()};
                if (*i < 0 || static_cast<uint64_t>(*i) >= n.children.size())
                    return unexpected{std::string("avro: bad union index")};
                return read(s, n.children[static_cast<size_t>(*i)], depth + 1);
            }
        }
        return unexpected{std::string("avro: bad schema node")};
    }
};

}  // namespace

result<void, std::string> encode(const schema& s, int node, const datum& d, bytes& out) {
    return encode_at(s, node, d, out, 0);
}

// ---- deflate ---------------------------------------------------------------------------------

bytes deflate_raw(bytes_view in) {
    z_stream zs{};
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return {};
    bytes out(deflateBound(&zs, in.size()) + 16);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

result<bytes, std::string> inflate_raw(bytes_view in, size_t max_out) {
    z_stream zs{};
    if (inflateInit2(&zs, -15) != Z_OK)
        return unexpected{std::string("deflate: init failed")};
    bytes out;
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    uint8_t chunk[16384];
    int rc;
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof(chunk);
        rc = inflate(&zs, Z_NO_FLUSH);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            inflateEnd(&zs);
            return unexpected{std::string("deflate: corrupt block")};
        }
        size_t produced = sizeof(chunk) - zs.avail_out;
        if (out.size() + produced > max_out) {
            inflateEnd(&zs);
            return unexpected{std::string("deflate: block too large")};
        }
        out.insert(out.end(), chunk, chunk + produced);
        if (rc == Z_OK && produced == 0 && zs.avail_in == 0) {
            inflateEnd(&zs);
            return unexpected{std::string("deflate: truncated block")};
        }
    } while (rc != Z_STREAM_END);
    inflateEnd(&zs);
    return out;
}

// ---- container writer ------------------------------------------------------------------------

container_writer::container_writer(const schema& s, codec c,
                                   std::vector<std::pair<std::string, std::string>> metadata)
    : schema_(s), codec_(c) {
    std::random_device rd;
    for (auto& b : sync_)
        b = static_cast<uint8_t>(rd());
    out_ = {'O', 'b', 'j', 1};
    metadata.insert(metadata.begin(), {"avro.codec", c == codec::deflate ? "deflate" : "null"});
    metadata.insert(metadata.begin(), {"avro.schema", s.json()});
    put_long(out_, static_cast<int64_t>(metadata.size()));
    for (auto& [k, v] : metadata) {
        put_str(out_, k);
        put_str(out_, v);
    }
    put_long(out_, 0);
    out_.insert(out_.end(), sync_, sync_ + 16);
}

result<void, std::string> container_writer::append(const datum& record) {
    size_t before = block_.size();
    auto r = encode(schema_, schema_.root(), record, block_);
    if (!r) {
        block_.resize(before);
        return r;
    }
    ++block_count_;
    if (block_.size() >= (1u << 20))
        flush_block();
    return {};
}

void container_writer::flush_block() {
    if (block_count_ == 0)
        return;
    put_long(out_, block_count_);
    if (codec_ == codec::deflate) {
        bytes z = deflate_raw(block_);
        put_long(out_, static_cast<int64_t>(z.size()));
        out_.insert(out_.end(), z.begin(), z.end());
    } else {
        put_long(out_, static_cast<int64_t>(block_.size()));
        out_.insert(out_.end(), block_.begin(), block_.end());
    }
    out_.insert(out_.end(), sync_, sync_ + 16);
    block_.clear();
    block_count_ = 0;
}

bytes container_writer::finish() {
    flush_block();
    return std::move(out_);
}

// ---- container reader ------------------------------------------------------------------------

result<container_reader, std::string> container_reader::open(bytes_view file) {
    if (file.size() < 4 || std::memcmp(file.data(), "Obj\x01", 4) != 0)
        return unexpected{std::string("avro: not an object container file (bad magic)")};
    container_reader r;
    r.file_ = file;
    decoder d{file.data() + 4, file.data() + file.size()};
    for (;;) {
        auto c = d.read_long();
        if (!c)
            return unexpected{c.error()};
        int64_t count = *c;
        if (count == 0)
            break;
        if (count < 0) {
            count = count == INT64_MIN ? 0 : -count;
            if (auto sz = d.read_long(); !sz)
                return unexpected{sz.error()};
        }
        if (count > d.end - d.p)
            return unexpected{std::string("avro: bad header map count")};
        for (int64_t i = 0; i < count; ++i) {
            auto k = d.read_bytes();
            if (!k)
                return unexpected{k.error()};
            auto v = d.read_bytes();
            if (!v)
                return unexpected{v.error()};
            r.meta_[*k] = std::move(*v);
        }
    }
    if (d.end - d.p < 16)
        return unexpected{std::string("avro: truncated header")};
    std::memcpy(r.sync_, d.p, 16);
    d.p += 16;
    r.pos_ = static_cast<size_t>(d.p - file.data());
    auto sj = r.meta_.find("avro.schema");
    if (sj == r.meta_.end())
        return unexpected{std::string("avro: header has no avro.schema")};
    auto s = schema::parse(sj->second);
    if (!s)
        return unexpected{s.error()};
    r.schema_ = std::make_shared<schema>(std::move(*s));
    auto cj = r.meta_.find("avro.codec");
    if (cj == r.meta_.end() || cj->second == "null")
        r.codec_ = codec::null;
    else if (cj->second == "deflate")
        r.codec_ = codec::deflate;
    else
        return unexpected{"avro: unsupported codec " + cj->second};
    return r;
}

result<std::vector<datum>, std::string> container_reader::read_all() {
    std::vector<datum> out;
    decoder d{file_.data() + pos_, file_.data() + file_.size()};
    constexpr size_t max_block = 256u << 20;
    while (d.p < d.end) {
        auto count = d.read_long();
        if (!count)
            return unexpected{count.error()};
        auto size = d.read_long();
        if (!size)
            return unexpected{size.error()};
        if (*count < 0 || *size < 0 || *size > d.end - d.p)
            return unexpected{std::string("avro: bad block header")};
        bytes_view raw(d.p, static_cast<size_t>(*size));
        d.p += *size;
        if (d.end - d.p < 16 || std::memcmp(d.p, sync_, 16) != 0)
            return unexpected{std::string("avro: bad sync marker")};
        d.p += 16;
        bytes inflated;
        if (codec_ == codec::deflate) {
            auto z = inflate_raw(raw, max_block);
            if (!z)
                return unexpected{z.error()};
            inflated = std::move(*z);
            raw = inflated;
        }
        if (*count > static_cast<int64_t>(raw.size()) + 1024)
            return unexpected{std::string("avro: block count exceeds data")};
        decoder bd{raw.data(), raw.data() + raw.size()};
        for (int64_t i = 0; i < *count; ++i) {
            auto rec = bd.read(*schema_, schema_->root(), 0);
            if (!rec)
                return unexpected{rec.error()};
            out.push_back(std::move(*rec));
        }
    }
    return out;
}

}  // namespace otter::avro

#include "connectors/iceberg/schema.h"

#include <charconv>
#include <climits>
#include <cstring>
#include <set>

namespace otter::iceberg {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

// Splits on commas outside parentheses/brackets.
std::vector<std::string_view> split_top(std::string_view s) {
    std::vector<std::string_view> out;
    int depth = 0;
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '(' || c == '[')
            ++depth;
        else if (c == ')' || c == ']')
            --depth;
        else if (c == ',' && depth == 0) {
            out.push_back(trim(s.substr(start, i - start)));
            start = i + 1;
        }
    }
    if (!trim(s.substr(start)).empty() || !out.empty())
        out.push_back(trim(s.substr(start)));
    return out;
}

bool valid_name(std::string_view n) {
    if (n.empty() || !(std::isalpha(static_cast<unsigned char>(n[0])) || n[0] == '_'))
        return false;
    for (char c : n)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
            return false;
    return true;
}

template <typename T>
bool parse_int(std::string_view s, T& out) {
    s = trim(s);
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

std::string pad(int64_t v, int width) {
    std::string s = std::to_string(v < 0 ? -v : v);
    while (static_cast<int>(s.size()) < width)
        s.insert(s.begin(), '0');
    return v < 0 ? "-" + s : s;
}

std::string date_string(int64_t days) {
    int64_t y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2);
}

int64_t floor_div(int64_t a, int64_t b) {
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        --q;
    return q;
}

std::string le_bytes(int64_t v, int n) {
    std::string s(static_cast<size_t>(n), '\0');
    for (int i = 0; i < n; ++i)
        s[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint64_t>(v) >> (8 * i));
    return s;
}

std::string be_min_bytes(parquet::int128 v) {
    int width = 16;
    while (width > 1) {
        parquet::int128 lim = static_cast<parquet::int128>(1) << (8 * (width - 1) - 1);
        if (v < -lim || v > lim - 1)
            break;
        --width;
    }
    std::string s(static_cast<size_t>(width), '\0');
    auto u = static_cast<unsigned __int128>(v);
    for (int i = width - 1; i >= 0; --i) {
        s[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(u));
        u >>= 8;
    }
    return s;
}

std::string int128_string(parquet::int128 v, int32_t scale) {
    bool neg = v < 0;
    auto u = neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
    std::string digits;
    do {
        digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
        u /= 10;
    } while (u != 0);
    if (scale > 0) {
        while (static_cast<int32_t>(digits.size()) <= scale)
            digits.insert(digits.begin(), '0');
        digits.insert(digits.end() - scale, '.');
    }
    return neg ? "-" + digits : digits;
}

std::optional<parquet::int128> as_int128(const value& v) {
    if (auto* d = std::get_if<parquet::decimal_value>(&v))
        return d->unscaled;
    if (auto* i = std::get_if<int64_t>(&v))
        return *i;
    return std::nullopt;
}

}  // namespace

// ---- schema ----------------------------------------------------------------------------------

const field* schema::find(int32_t id) const {
    for (auto& f : fields)
        if (f.id == id)
            return &f;
    return nullptr;
}

const field* schema::find(std::string_view name) const {
    for (auto& f : fields)
        if (f.name == name)
            return &f;
    return nullptr;
}

int32_t schema::max_field_id() const {
    int32_t m = 0;
    for (auto& f : fields)
        m = std::max(m, f.id);
    return m;
}

bool decimal_params(const std::string& type, int32_t& precision, int32_t& scale) {
    std::string_view t = type;
    if (t.substr(0, 8) != "decimal(" || t.back() != ')')
        return false;
    auto inner = t.substr(8, t.size() - 9);
    auto comma = inner.find(',');
    if (comma == std::string_view::npos)
        return false;
    return parse_int(inner.substr(0, comma), precision) &&
           parse_int(inner.substr(comma + 1), scale);
}

result<parquet::column_spec, std::string> to_column_spec(const field& f) {
    parquet::column_spec c;
    c.name = f.name;
    c.field_id = f.id;
    c.required = f.required;
    const std::string& t = f.type;
    using ct = parquet::column_type;
    if (t == "boolean")
        c.type = ct::boolean;
    else if (t == "int")
        c.type = ct::int32;
    else if (t == "long")
        c.type = ct::int64;
    else if (t == "float")
        c.type = ct::float32;
    else if (t == "double")
        c.type = ct::float64;
    else if (t == "string")
        c.type = ct::string;
    else if (t == "binary")
        c.type = ct::binary;
    else if (t == "date")
        c.type = ct::date;
    else if (t == "timestamp")
        c.type = ct::timestamp;
    else if (t == "timestamptz")
        c.type = ct::timestamptz;
    else if (decimal_params(t, c.precision, c.scale)) {
        c.type = ct::decimal;
        if (c.precision < 1 || c.precision > 38 || c.scale < 0 || c.scale > c.precision)
            return unexpected{"bad decimal type " + t};
    } else
        return unexpected{"column " + f.name + ": type " + t + " is not supported for writing"};
    return c;
}

result<schema, std::string> parse_schema_text(std::string_view text) {
    schema s;
    std::set<std::string> names;
    int32_t next_id = 1;
    for (auto item : split_top(text)) {
        if (item.empty())
            return unexpected{std::string("schema: empty column definition")};
        auto sp = item.find_first_of(" \t");
        if (sp == std::string_view::npos)
            return unexpected{"schema: column " + std::string(item) + " has no type"};
        field f;
        f.name = std::string(item.substr(0, sp));
        std::string rest(trim(item.substr(sp)));
        for (const char* suffix : {" required", " not null", " NOT NULL"}) {
            size_t n = std::strlen(suffix);
            if (rest.size() > n && rest.compare(rest.size() - n, n, suffix) == 0) {
                f.required = true;
                rest = std::string(trim(std::string_view(rest).substr(0, rest.size() - n)));
            }
        }
        if (rest.size() > 9 && rest.compare(rest.size() - 9, 9, " optional") == 0)
            rest = std::string(trim(std::string_view(rest).substr(0, rest.size() - 9)));
        int32_t p, sc;
        if (decimal_params(std::string(rest.begin(), rest.end()), p, sc))
            rest = "decimal(" + std::to_string(p) + ", " + std::to_string(sc) + ")";
        else {
            // "decimal( 10 ,2 )" etc.: strip spaces and retry.
            std::string compact;
            for (char c : rest)
                if (c != ' ')
                    compact += c;
            if (decimal_params(compact, p, sc))
                rest = "decimal(" + std::to_string(p) + ", " + std::to_string(sc) + ")";
        }
        f.type = rest;
        if (!valid_name(f.name))
            return unexpected{"schema: bad column name '" + f.name +
                              "' (use letters, digits and _)"};
        if (!names.insert(f.name).second)
            return unexpected{"schema: duplicate column " + f.name};
        f.id = next_id++;
        if (auto c = to_column_spec(f); !c)
            return unexpected{"schema: " + c.error()};
        s.fields.push_back(std::move(f));
    }
    if (s.fields.empty())
        return unexpected{std::string("schema: no columns")};
    return s;
}

// ---- transforms ------------------------------------------------------------------------------

result<transform, std::string> transform::parse(std::string_view s) {
    s = trim(s);
    transform t;
    auto param = [&](std::string_view prefix, transform_kind k) -> std::optional<std::string> {
        auto inner = s.substr(prefix.size(), s.size() - prefix.size() - 1);
        int32_t n;
        if (!parse_int(inner, n) || n <= 0)
            return "bad transform parameter in " + std::string(s);
        t.kind = k;
        t.param = n;
        return std::nullopt;
    };
    if (s == "identity")
        t.kind = transform_kind::identity;
    else if (s == "year")
        t.kind = transform_kind::year;
    else if (s == "month")
        t.kind = transform_kind::month;
    else if (s == "day")
        t.kind = transform_kind::day;
    else if (s == "hour")
        t.kind = transform_kind::hour;
    else if (s == "void")
        t.kind = transform_kind::void_;
    else if (s.substr(0, 7) == "bucket[" && s.back() == ']') {
        if (auto e = param("bucket[", transform_kind::bucket))
            return unexpected{*e};
    } else if (s.substr(0, 9) == "truncate[" && s.back() == ']') {
        if (auto e = param("truncate[", transform_kind::truncate))
            return unexpected{*e};
    } else
        return unexpected{"unknown transform " + std::string(s)};
    return t;
}

std::string transform::to_string() const {
    switch (kind) {
        case transform_kind::identity:
            return "identity";
        case transform_kind::year:
            return "year";
        case transform_kind::month:
            return "month";
        case transform_kind::day:
            return "day";
        case transform_kind::hour:
            return "hour";
        case transform_kind::bucket:
            return "bucket[" + std::to_string(param) + "]";
        case transform_kind::truncate:
            return "truncate[" + std::to_string(param) + "]";
        case transform_kind::void_:
            return "void";
    }
    return "void";
}

result<std::string, std::string> transform::result_type(const std::string& t) const {
    bool ts = t == "timestamp" || t == "timestamptz";
    int32_t p, s;
    bool dec = decimal_params(t, p, s);
    switch (kind) {
        case transform_kind::identity:
        case transform_kind::void_:
            return t;
        case transform_kind::year:
        case transform_kind::month:
            if (ts || t == "date")
                return std::string("int");
            break;
        case transform_kind::day:
            if (ts || t == "date")
                return std::string("date");
            break;
        case transform_kind::hour:
            if (ts)
                return std::string("int");
            break;
        case transform_kind::bucket:
            if (t == "int" || t == "long" || dec || t == "date" || ts || t == "string" ||
                t == "binary")
                return std::string("int");
            break;
        case transform_kind::truncate:
            if (t == "int" || t == "long" || dec || t == "string" || t == "binary")
                return t;
            break;
    }
    return unexpected{"transform " + to_string() + " cannot apply to type " + t};
}

value transform::apply(const std::string& t, const value& v) const {
    if (std::holds_alternative<std::monostate>(v) || kind == transform_kind::void_)
        return value{};
    switch (kind) {
        case transform_kind::identity:
            return v;
        case transform_kind::year:
        case transform_kind::month:
        case transform_kind::day:
        case transform_kind::hour: {
            auto* i = std::get_if<int64_t>(&v);
            if (!i)
                return value{};
            bool is_date = t == "date";
            if (kind == transform_kind::hour)
                return value{floor_div(*i, 3'600'000'000LL)};
            int64_t days = is_date ? *i : floor_div(*i, 86'400'000'000LL);
            if (kind == transform_kind::day)
                return value{days};
            int64_t y;
            unsigned m, d;
            civil_from_days(days, y, m, d);
            if (kind == transform_kind::year)
                return value{y - 1970};
            return value{(y - 1970) * 12 + (static_cast<int64_t>(m) - 1)};
        }
        case transform_kind::bucket: {
            auto h = bucket_hash(t, v);
            if (!h)
                return value{};
            return value{static_cast<int64_t>((*h & INT32_MAX) % param)};
        }
        case transform_kind::truncate: {
            int32_t p, s;
            if (decimal_params(t, p, s)) {
                auto u = as_int128(v);
                if (!u)
                    return value{};
                parquet::int128 w = param;
                return value{parquet::decimal_value{*u - (((*u % w) + w) % w)}};
            }
            if (auto* i = std::get_if<int64_t>(&v)) {
                int64_t w = param;
                return value{*i - (((*i % w) + w) % w)};
            }
            if (auto* str = std::get_if<std::string>(&v)) {
                if (t == "string") {
                    size_t i = 0, n = 0;
                    while (i < str->size() && n < static_cast<size_t>(param)) {
                        ++i;
                        while (i < str->size() && (static_cast<uint8_t>((*str)[i]) & 0xC0) == 0x80)
                            ++i;
                        ++n;
                    }
                    return value{str->substr(0, i)};
                }
                return value{str->substr(0, static_cast<size_t>(param))};
            }
            return value{};
        }
        case transform_kind::void_:
            return value{};
    }
    return value{};
}

result<partition_spec, std::string> parse_partition_text(std::string_view text, const schema& s,
                                                         int32_t first_field_id) {
    partition_spec spec;
    int32_t next = first_field_id;
    std::set<std::string> names;
    for (auto item : split_top(text)) {
        if (item.empty())
            continue;
        std::string tr_text = "identity", col(item);
        auto open = item.rfind('(');
        if (open != std::string_view::npos && item.back() == ')') {
            tr_text = std::string(trim(item.substr(0, open)));
            col = std::string(trim(item.substr(open + 1, item.size() - open - 2)));
        }
        auto tr = transform::parse(tr_text);
        if (!tr)
            return unexpected{"partition: " + tr.error()};
        const field* f = s.find(col);
        if (!f)
            return unexpected{"partition: no column " + col};
        if (auto rt = tr->result_type(f->type); !rt)
            return unexpected{"partition: " + rt.error()};
        partition_field pf;
        pf.source_id = f->id;
        pf.field_id = next++;
        pf.tr = *tr;
        switch (tr->kind) {
            case transform_kind::identity:
                pf.name = f->name;
                break;
            case transform_kind::bucket:
                pf.name = f->name + "_bucket";
                break;
            case transform_kind::truncate:
                pf.name = f->name + "_trunc";
                break;
            default:
                pf.name = f->name + "_" + tr->to_string();
        }
        if (!names.insert(pf.name).second)
            return unexpected{"partition: duplicate partition field " + pf.name};
        spec.fields.push_back(std::move(pf));
    }
    return spec;
}

// ---- hashing ---------------------------------------------------------------------------------

int32_t murmur3_32(const void* data, size_t len, uint32_t seed) {
    const auto* p = static_cast<const uint8_t*>(data);
    const uint32_t c1 = 0xcc9e2d51, c2 = 0x1b873593;
    uint32_t h = seed;
    size_t nblocks = len / 4;
    for (size_t i = 0; i < nblocks; ++i) {
        uint32_t k;
        std::memcpy(&k, p + 4 * i, 4);
        k *= c1;
        k = (k << 15) | (k >> 17);
        k *= c2;
        h ^= k;
        h = (h << 13) | (h >> 19);
        h = h * 5 + 0xe6546b64;
    }
    const uint8_t* tail = p + nblocks * 4;
    uint32_t k = 0;
    switch (len & 3) {
        case 3:
            k ^= static_cast<uint32_t>(tail[2]) << 16;
            [[fallthrough]];
        case 2:
            k ^= static_cast<uint32_t>(tail[1]) << 8;
            [[fallthrough]];
        case 1:
            k ^= tail[0];
            k *= c1;
            k = (k << 15) | (k >> 17);
            k *= c2;
            h ^= k;
    }
    h ^= static_cast<uint32_t>(len);
    h ^= h >> 16;
    h *= 0x85ebca6b;
    h ^= h >> 13;
    h *= 0xc2b2ae35;
    h ^= h >> 16;
    return static_cast<int32_t>(h);
}

std::optional<int32_t> bucket_hash(const std::string& type, const value& v) {
    int32_t p, s;
    if (decimal_params(type, p, s)) {
        auto u = as_int128(v);
        if (!u)
            return std::nullopt;
        std::string b = be_min_bytes(*u);
        return murmur3_32(b.data(), b.size());
    }
    if (auto* i = std::get_if<int64_t>(&v)) {
        std::string b = le_bytes(*i, 8);
        return murmur3_32(b.data(), 8);
    }
    if (auto* str = std::get_if<std::string>(&v))
        return murmur3_32(str->data(), str->size());
    return std::nullopt;
}

std::optional<std::string> serialize_single(const std::string& type, const value& v) {
    if (std::holds_alternative<std::monostate>(v))
        return std::nullopt;
    int32_t p, s;
    if (decimal_params(type, p, s)) {
        auto u = as_int128(v);
        if (!u)
            return std::nullopt;
        return be_min_bytes(*u);
    }
    if (type == "boolean") {
        if (auto* b = std::get_if<bool>(&v))
            return std::string(1, *b ? '\x01' : '\x00');
        return std::nullopt;
    }
    if (type == "int" || type == "date") {
        if (auto* i = std::get_if<int64_t>(&v))
            return le_bytes(*i, 4);
        return std::nullopt;
    }
    if (type == "long" || type == "timestamp" || type == "timestamptz") {
        if (auto* i = std::get_if<int64_t>(&v))
            return le_bytes(*i, 8);
        return std::nullopt;
    }
    if (type == "float" || type == "double") {
        double d;
        if (auto* x = std::get_if<double>(&v))
            d = *x;
        else if (auto* i = std::get_if<int64_t>(&v))
            d = static_cast<double>(*i);
        else
            return std::nullopt;
        if (type == "float") {
            float f = static_cast<float>(d);
            std::string b(4, '\0');
            std::memcpy(b.data(), &f, 4);
            return b;
        }
        std::string b(8, '\0');
        std::memcpy(b.data(), &d, 8);
        return b;
    }
    if (auto* str = std::get_if<std::string>(&v))
        return *str;
    return std::nullopt;
}

std::string human_string(const std::string& type, const transform& tr, const value& v) {
    if (std::holds_alternative<std::monostate>(v))
        return "null";
    std::string out;
    auto* i = std::get_if<int64_t>(&v);
    switch (tr.kind) {
        case transform_kind::year:
            return i ? pad(1970 + *i, 4) : "null";
        case transform_kind::month:
            if (!i)
                return "null";
            return pad(1970 + floor_div(*i, 12), 4) + "-" + pad(*i - floor_div(*i, 12) * 12 + 1, 2);
        case transform_kind::day:
            return i ? date_string(*i) : "null";
        case transform_kind::hour:
            if (!i)
                return "null";
            return date_string(floor_div(*i, 24)) + "-" + pad(*i - floor_div(*i, 24) * 24, 2);
        case transform_kind::bucket:
            return i ? std::to_string(*i) : "null";
        default:
            break;
    }
    int32_t p, s;
    if (decimal_params(type, p, s)) {
        auto u = as_int128(v);
        out = u ? int128_string(*u, s) : "null";
    } else if (type == "date" && i) {
        out = date_string(*i);
    } else if ((type == "timestamp" || type == "timestamptz") && i) {
        int64_t days = floor_div(*i, 86'400'000'000LL);
        int64_t rem = *i - days * 86'400'000'000LL;
        out = date_string(days) + "T" + pad(rem / 3'600'000'000LL, 2) + ":" +
              pad(rem / 60'000'000 % 60, 2) + ":" + pad(rem / 1'000'000 % 60, 2) + "." +
              pad(rem % 1'000'000, 6);
        if (type == "timestamptz")
            out += "Z";
    } else if (i) {
        out = std::to_string(*i);
    } else if (auto* b = std::get_if<bool>(&v)) {
        out = *b ? "true" : "false";
    } else if (auto* d = std::get_if<double>(&v)) {
        out = std::to_string(*d);
    } else if (auto* str = std::get_if<std::string>(&v)) {
        out = *str;
    }
    // Escape everything but [A-Za-z0-9._-] so the value is a safe path segment.
    std::string esc;
    for (char c : out) {
        auto u = static_cast<unsigned char>(c);
        if (std::isalnum(u) || c == '.' || c == '_' || c == '-' || c == ':')
            esc += c;
        else {
            char buf[4];
            std::snprintf(buf, sizeof(buf), "%%%02X", u);
            esc += buf;
        }
    }
    return esc;
}

// ---- dates, timestamps, decimals -------------------------------------------------------------

// Howard Hinnant's civil calendar algorithms (proleptic Gregorian).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void civil_from_days(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
}

result<int32_t, std::string> parse_date(std::string_view s) {
    s = trim(s);
    int64_t y;
    unsigned m, d;
    if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !parse_int(s.substr(0, 4), y) ||
        !parse_int(s.substr(5, 2), m) || !parse_int(s.substr(8, 2), d) || m < 1 || m > 12 ||
        d < 1 || d > 31)
        return unexpected{"bad date '" + std::string(s) + "' (want YYYY-MM-DD)"};
    return static_cast<int32_t>(days_from_civil(y, m, d));
}

result<int64_t, std::string> parse_timestamp(std::string_view s) {
    s = trim(s);
    auto bad = [&] {
        return unexpected{"bad timestamp '" + std::string(s) +
                          "' (want YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM])"};
    };
    if (s.size() < 19)
        return bad();
    auto days = parse_date(s.substr(0, 10));
    if (!days || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
        return bad();
    int64_t hh, mi, ss;
    if (!parse_int(s.substr(11, 2), hh) || !parse_int(s.substr(14, 2), mi) ||
        !parse_int(s.substr(17, 2), ss) || hh > 23 || mi > 59 || ss > 60)
        return bad();
    int64_t micros = 0;
    size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        ++i;
        int digits = 0;
        while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
            if (digits < 6) {
                micros = micros * 10 + (s[i] - '0');
                ++digits;
            }
            ++i;
        }
        if (digits == 0)
            return bad();
        while (digits++ < 6)
            micros *= 10;
    }
    int64_t offset_min = 0;
    if (i < s.size()) {
        if (s[i] == 'Z' && i + 1 == s.size()) {
        } else if ((s[i] == '+' || s[i] == '-') && (s.size() - i == 6 || s.size() - i == 3)) {
            int64_t oh, om = 0;
            if (!parse_int(s.substr(i + 1, 2), oh))
                return bad();
            if (s.size() - i == 6 && (s[i + 3] != ':' || !parse_int(s.substr(i + 4, 2), om)))
                return bad();
            offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
        } else {
            return bad();
        }
    }
    return ((static_cast<int64_t>(*days) * 86400 + hh * 3600 + mi * 60 + ss - offset_min * 60) *
            1'000'000) +
           micros;
}

result<parquet::int128, std::string> parse_decimal(std::string_view text, int32_t precision,
                                                   int32_t scale) {
    std::string_view s = trim(text);
    auto bad = [&](const char* why) {
        return unexpected{"bad decimal '" + std::string(text) + "': " + why};
    };
    bool neg = false;
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
        neg = s[0] == '-';
        s.remove_prefix(1);
    }
    if (s.empty())
        return bad("empty");
    parquet::int128 v = 0;
    int digits = 0, frac = 0;
    bool dot = false;
    for (char c : s) {
        if (c == '.') {
            if (dot)
                return bad("two dots");
            dot = true;
            continue;
        }
        if (!std::isdigit(static_cast<unsigned char>(c)))
            return bad("not a number");
        if (dot) {
            if (frac == scale) {
                if (c != '0')
                    return bad("too many fractional digits");
                continue;
            }
            ++frac;
        }
        v = v * 10 + (c - '0');
        if (v != 0)
            ++digits;
        if (digits > 38)
            return bad("too many digits");
    }
    for (; frac < scale; ++frac) {
        v *= 10;
        if (v != 0)
            ++digits;
    }
    parquet::int128 limit = 1;
    for (int32_t i = 0; i < precision; ++i)
        limit *= 10;
    if (v >= limit)
        return bad("exceeds precision");
    return neg ? -v : v;
}

}  // namespace otter::iceberg

#include "connectors/parquet/writer.h"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <functional>
#include <limits>
#include <set>

#include <fcntl.h>
#include <unistd.h>
#include <zstd.h>

#include "bytes/compression.h"
#include "connectors/parquet/rle.h"
#include "connectors/parquet/thrift_compact.h"

namespace otter::parquet {

static_assert(std::endian::native == std::endian::little, "PLAIN encoding assumes little-endian");

namespace {

// parquet.thrift enums.
enum : int32_t { pt_boolean = 0, pt_int32 = 1, pt_int64 = 2, pt_float = 4, pt_double = 5 };
enum : int32_t { pt_byte_array = 6, pt_fixed = 7 };
enum : int32_t { enc_plain = 0, enc_rle = 3, enc_rle_dictionary = 8 };
enum : int32_t { page_data = 0, page_dictionary = 2 };
enum : int32_t { ct_utf8 = 0, ct_decimal = 5, ct_date = 6, ct_timestamp_micros = 10 };

int32_t physical_type(const column_spec& c) {
    switch (storage_of(c)) {
        case storage::boolean:
            return pt_boolean;
        case storage::int32:
            return pt_int32;
        case storage::int64:
            return pt_int64;
        case storage::float32:
            return pt_float;
        case storage::float64:
            return pt_double;
        case storage::int128:
            return pt_fixed;
        case storage::byte_array:
            return pt_byte_array;
    }
    return pt_int64;
}

int32_t codec_id(compression c) {
    switch (c) {
        case compression::none:
            return 0;
        case compression::snappy:
            return 1;
        case compression::gzip:
            return 2;
        case compression::zstd:
            return 6;
    }
    return 0;
}

}  // namespace

// Compresses pages. Keeps one zstd context and one output buffer for the whole file: creating a
// context per page (as ZSTD_compress does) and a fresh output buffer cost more than the
// compression of a small page. Other codecs go through otter::compress.
class page_compressor {
  public:
    explicit page_compressor(compression c) : codec_(c) {}
    ~page_compressor() {
        if (zctx_)
            ZSTD_freeCCtx(zctx_);
    }
    page_compressor(const page_compressor&) = delete;
    page_compressor& operator=(const page_compressor&) = delete;

    // The compressed form of `in`; valid until the next call.
    bytes_view run(bytes_view in) {
        switch (codec_) {
            case compression::none:
                return in;
            case compression::snappy:
                buf_ = compress(codec::snappy, in);
                return buf_;
            case compression::gzip:
                buf_ = compress(codec::gzip, in);
                return buf_;
            case compression::zstd: {
                if (!zctx_)
                    zctx_ = ZSTD_createCCtx();
                buf_.resize(ZSTD_compressBound(in.size()));
                size_t n = zctx_ ? ZSTD_compressCCtx(zctx_, buf_.data(), buf_.size(), in.data(),
                                                     in.size(), 3)
                                 : 0;
                OTTER_ASSERT(zctx_ && !ZSTD_isError(n), "zstd compression failed");
                buf_.resize(n);
                return buf_;
            }
        }
        return in;
    }

  private:
    compression codec_;
    ZSTD_CCtx* zctx_ = nullptr;
    bytes buf_;
};

namespace {

// Writes pages of one column chunk and keeps the chunk's running sizes.
class page_sink {
  public:
    page_sink(page_compressor& pc, int64_t pos, bytes& out) : pc_(pc), pos_(pos), out_(out) {
        info_.start = pos;
    }

    void dictionary_page(const bytes& body, size_t num_values) {
        info_.dict_page_offset = pos_ + static_cast<int64_t>(out_.size());
        info_.dictionary = true;
        page(page_dictionary, body, num_values, enc_plain);
    }
    void data_page(const bytes& body, size_t num_values, int32_t encoding) {
        if (!have_data_) {
            info_.data_page_offset = pos_ + static_cast<int64_t>(out_.size());
            have_data_ = true;
        }
        page(page_data, body, num_values, encoding);
    }
    column_base::chunk_info& info() { return info_; }

  private:
    void page(int32_t type, const bytes& body, size_t num_values, int32_t encoding) {
        bytes_view payload_view = pc_.run(body);
        const bytes_view* payload = &payload_view;
        header_.clear();
        compact_writer w(header_);
        w.field_i32(1, type);
        w.field_i32(2, static_cast<int32_t>(body.size()));
        w.field_i32(3, static_cast<int32_t>(payload->size()));
        if (type == page_data) {
            w.begin_struct(5);  // DataPageHeader
            w.field_i32(1, static_cast<int32_t>(num_values));
            w.field_i32(2, encoding);
            w.field_i32(3, enc_rle);
            w.field_i32(4, enc_rle);
            w.end_struct();
        } else {
            w.begin_struct(7);  // DictionaryPageHeader
            w.field_i32(1, static_cast<int32_t>(num_values));
            w.field_i32(2, enc_plain);
            w.end_struct();
        }
        w.finish();
        out_.insert(out_.end(), header_.begin(), header_.end());
        out_.insert(out_.end(), payload->begin(), payload->end());
        info_.uncompressed += static_cast<int64_t>(header_.size() + body.size());
        info_.compressed += static_cast<int64_t>(header_.size() + payload->size());
    }

    page_compressor& pc_;
    int64_t pos_;
    bytes& out_;
    bytes header_;
    bool have_data_ = false;
    column_base::chunk_info info_;
};

// Appends the definition levels of rows [r0, r1) with their 4-byte length prefix.
void append_levels(const std::vector<uint8_t>& defs, size_t r0, size_t r1, bytes& body) {
    size_t at = body.size();
    body.resize(at + 4);
    rle_hybrid_encode(std::span<const uint8_t>(defs.data() + r0, r1 - r0), 1, body);
    uint32_t len = static_cast<uint32_t>(body.size() - at - 4);
    std::memcpy(body.data() + at, &len, 4);
}

// Counts present values among rows [r0, r1).
size_t count_present(const std::vector<uint8_t>& defs, bool required, size_t r0, size_t r1) {
    if (required)
        return r1 - r0;
    size_t n = 0;
    for (size_t r = r0; r < r1; ++r)
        n += defs[r];
    return n;
}

// Open-addressing hash set that assigns dense ids to distinct keys.
template <typename K, typename Hash>
class dict_index {
  public:
    explicit dict_index(Hash h) : hash_(h), slots_(1024, -1), mask_(1023) {}
    // Returns the id of `k`, inserting it if new.
    uint32_t id(const K& k) {
        size_t h = hash_(k) & mask_;
        for (;;) {
            int32_t s = slots_[h];
            if (s < 0) {
                s = static_cast<int32_t>(keys_.size());
                keys_.push_back(k);
                slots_[h] = s;
                if (keys_.size() * 2 > slots_.size())
                    grow();
                return static_cast<uint32_t>(s);
            }
            if (keys_[s] == k)
                return static_cast<uint32_t>(s);
            h = (h + 1) & mask_;
        }
    }
    const std::vector<K>& keys() const { return keys_; }

  private:
    void grow() {
        slots_.assign(slots_.size() * 2, -1);
        mask_ = slots_.size() - 1;
        for (size_t i = 0; i < keys_.size(); ++i) {
            size_t h = hash_(keys_[i]) & mask_;
            while (slots_[h] >= 0)
                h = (h + 1) & mask_;
            slots_[h] = static_cast<int32_t>(i);
        }
    }
    Hash hash_;
    std::vector<int32_t> slots_;
    size_t mask_;
    std::vector<K> keys_;
};

inline uint64_t mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

template <typename T>
uint64_t bits_of(T v) {
    if constexpr (sizeof(T) == 4) {
        uint32_t u;
        std::memcpy(&u, &v, 4);
        return u;
    } else {
        uint64_t u;
        std::memcpy(&u, &v, 8);
        return u;
    }
}

// A distinct-count check after this many values stops hopeless dictionaries early.
constexpr size_t dict_probe_values = 16384;

template <typename T>
std::string plain_bytes(T v) {
    std::string s(sizeof(T), '\0');
    std::memcpy(s.data(), &v, sizeof(T));
    return s;
}

// Big-endian two's complement of `v` in exactly `width` bytes.
std::string int128_be(int128 v, int width) {
    std::string s(static_cast<size_t>(width), '\0');
    auto u = static_cast<unsigned __int128>(v);
    for (int i = width - 1; i >= 0; --i) {
        s[static_cast<size_t>(i)] = static_cast<char>(static_cast<uint8_t>(u));
        u >>= 8;
    }
    return s;
}

// Minimal big-endian two's complement bytes of `v` (Iceberg decimal bounds).
std::string int128_be_min(int128 v) {
    int width = 16;
    while (width > 1) {
        int128 lo = -(static_cast<int128>(1) << (8 * (width - 1) - 1));
        int128 hi = (static_cast<int128>(1) << (8 * (width - 1) - 1)) - 1;
        if (v < lo || v > hi)
            break;
        --width;
    }
    return int128_be(v, width);
}

// Length in bytes of the UTF-8 prefix holding at most `chars` code points.
size_t utf8_prefix(std::string_view s, size_t chars) {
    size_t i = 0, n = 0;
    while (i < s.size() && n < chars) {
        ++i;
        while (i < s.size() && (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80)
            ++i;
        ++n;
    }
    return i;
}

// Smallest string > every string with prefix `p` (bytewise): increments the last byte that
// is not 0xFF. Returns nullopt when none exists.
std::optional<std::string> increment_bytes(std::string p) {
    while (!p.empty()) {
        auto& c = reinterpret_cast<uint8_t&>(p.back());
        if (c != 0xFF) {
            ++c;
            return p;
        }
        p.pop_back();
    }
    return std::nullopt;
}

// UTF-8 variant: increments the last code point that can be incremented (skipping surrogates).
std::optional<std::string> increment_utf8(std::string p) {
    while (!p.empty()) {
        size_t start = p.size() - 1;
        while (start > 0 && (static_cast<uint8_t>(p[start]) & 0xC0) == 0x80)
            --start;
        // Decode the last code point.
        auto b = reinterpret_cast<const uint8_t*>(p.data()) + start;
        size_t len = p.size() - start;
        uint32_t cp = 0;
        if (len == 1)
            cp = b[0];
        else if (len == 2)
            cp = ((b[0] & 0x1Fu) << 6) | (b[1] & 0x3Fu);
        else if (len == 3)
            cp = ((b[0] & 0x0Fu) << 12) | ((b[1] & 0x3Fu) << 6) | (b[2] & 0x3Fu);
        else
            cp = ((b[0] & 0x07u) << 18) | ((b[1] & 0x3Fu) << 12) | ((b[2] & 0x3Fu) << 6) |
                 (b[3] & 0x3Fu);
        p.resize(start);
        uint32_t next = cp + 1;
        if (next >= 0xD800 && next <= 0xDFFF)
            next = 0xE000;
        if (next > 0x10FFFF)
            continue;
        if (next < 0x80) {
            p.push_back(static_cast<char>(next));
        } else if (next < 0x800) {
            p.push_back(static_cast<char>(0xC0 | (next >> 6)));
            p.push_back(static_cast<char>(0x80 | (next & 0x3F)));
        } else if (next < 0x10000) {
            p.push_back(static_cast<char>(0xE0 | (next >> 12)));
            p.push_back(static_cast<char>(0x80 | ((next >> 6) & 0x3F)));
            p.push_back(static_cast<char>(0x80 | (next & 0x3F)));
        } else {
            p.push_back(static_cast<char>(0xF0 | (next >> 18)));
            p.push_back(static_cast<char>(0x80 | ((next >> 12) & 0x3F)));
            p.push_back(static_cast<char>(0x80 | ((next >> 6) & 0x3F)));
            p.push_back(static_cast<char>(0x80 | (next & 0x3F)));
        }
        return p;
    }
    return std::nullopt;
}

// Truncated [lower, upper] for a string/binary range: lower = prefix of min, upper = prefix of
// max incremented (or max itself when short). Returns false for upper when none exists.
void truncate_bounds(bool utf8, size_t limit, const std::string& min, const std::string& max,
                     std::string& lower, std::optional<std::string>& upper) {
    size_t lmin = utf8 ? utf8_prefix(min, limit) : std::min(min.size(), limit);
    lower = min.substr(0, lmin);
    size_t lmax = utf8 ? utf8_prefix(max, limit) : std::min(max.size(), limit);
    if (lmax == max.size()) {
        upper = max;
    } else {
        upper = utf8 ? increment_utf8(max.substr(0, lmax)) : increment_bytes(max.substr(0, lmax));
    }
}

// Parquet chunk statistics keep strings up to this many bytes (longer ones are truncated).
constexpr size_t stats_max_bytes = 64;

}  // namespace

storage storage_of(const column_spec& c) {
    switch (c.type) {
        case column_type::boolean:
            return storage::boolean;
        case column_type::int32:
        case column_type::date:
            return storage::int32;
        case column_type::int64:
        case column_type::timestamp:
        case column_type::timestamptz:
            return storage::int64;
        case column_type::float32:
            return storage::float32;
        case column_type::float64:
            return storage::float64;
        case column_type::decimal:
            return c.precision <= 9 ? storage::int32
                                    : (c.precision <= 18 ? storage::int64 : storage::int128);
        case column_type::string:
        case column_type::binary:
            return storage::byte_array;
    }
    return storage::int64;
}

int32_t decimal_bytes(int32_t precision) {
    // Smallest n with 2^(8n-1) > 10^precision.
    for (int32_t n = 1; n <= 16; ++n) {
        double bits = 8.0 * n - 1;
        if (bits * std::log10(2.0) >= precision)
            return n;
    }
    return 16;
}

std::optional<compression> parse_compression(std::string_view name) {
    if (name == "zstd")
        return compression::zstd;
    if (name == "snappy")
        return compression::snappy;
    if (name == "gzip")
        return compression::gzip;
    if (name == "none" || name == "uncompressed")
        return compression::none;
    return std::nullopt;
}

const char* compression_name(compression c) {
    switch (c) {
        case compression::none:
            return "none";
        case compression::snappy:
            return "snappy";
        case compression::gzip:
            return "gzip";
        case compression::zstd:
            return "zstd";
    }
    return "none";
}

// ---- fixed-width columns ---------------------------------------------------------------------

template <typename T>
column_base::chunk_info fixed_column<T>::encode_chunk(const writer_options& o, page_compressor& pc,
                                                      int64_t pos, bytes& out) {
    constexpr bool is_float = std::is_floating_point_v<T>;
    constexpr bool is_bool = std::is_same_v<T, uint8_t>;
    constexpr bool is_wide = std::is_same_v<T, int128>;
    const int width = is_wide ? decimal_bytes(spec_.precision) : static_cast<int>(sizeof(T));

    page_sink sink(pc, pos, out);
    const size_t n = values_.size();

    // Statistics (NaN excluded from min/max, counted separately).
    bool have = false;
    T mn{}, mx{};
    int64_t nans = 0;
    for (size_t i = 0; i < n; ++i) {
        T v = values_[i];
        if constexpr (is_float) {
            if (std::isnan(v)) {
                ++nans;
                continue;
            }
        }
        if (!have) {
            mn = mx = v;
            have = true;
        } else {
            if (v < mn)
                mn = v;
            if (mx < v)
                mx = v;
        }
    }
    if constexpr (is_float) {
        // Parquet: a zero min is written as -0.0 and a zero max as +0.0.
        if (have && mn == 0)
            mn = -static_cast<T>(0);
        if (have && mx == 0)
            mx = static_cast<T>(0);
    }

    auto plain = [&](const T* v, size_t count, bytes& body) {
        if constexpr (is_bool) {
            bit_pack_bools(std::span<const uint8_t>(v, count), body);
        } else if constexpr (is_wide) {
            for (size_t i = 0; i < count; ++i) {
                std::string s = int128_be(v[i], width);
                body.insert(body.end(), s.begin(), s.end());
            }
        } else {
            if (count == 0)
                return;
            size_t at = body.size();
            body.resize(at + count * sizeof(T));
            std::memcpy(body.data() + at, v, count * sizeof(T));
        }
    };

    // Dictionary attempt.
    std::vector<uint32_t> ids;
    std::vector<T> dict;
    bool use_dict = false;
    if constexpr (!is_bool && !is_wide) {
        if (o.dictionary && n > 0) {
            // Keys compare by bit pattern so NaNs and signed zeros stay distinct and exact.
            using U = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
            auto hu = [](const U& v) { return static_cast<size_t>(mix64(v)); };
            dict_index<U, decltype(hu)> index(hu);
            ids.resize(n);
            use_dict = true;
            for (size_t i = 0; i < n; ++i) {
                ids[i] = index.id(static_cast<U>(bits_of(values_[i])));
                if ((i + 1) == dict_probe_values &&
                    index.keys().size() * 10 > dict_probe_values * 9) {
                    use_dict = false;
                    break;
                }
                if (index.keys().size() * sizeof(T) > o.dictionary_max_bytes) {
                    use_dict = false;
                    break;
                }
            }
            if (use_dict) {
                size_t bw = static_cast<size_t>(
                    std::max(1, bit_width_for(static_cast<uint32_t>(index.keys().size() - 1))));
                size_t dict_cost = index.keys().size() * sizeof(T) + n * bw / 8;
                if (dict_cost >= n * sizeof(T) * 9 / 10) {
                    use_dict = false;
                } else {
                    dict.resize(index.keys().size());
                    std::memcpy(dict.data(), index.keys().data(), dict.size() * sizeof(T));
                }
            }
        }
    }

    int bw = 0;
    if (use_dict) {
        bytes body;
        plain(dict.data(), dict.size(), body);
        sink.dictionary_page(body, dict.size());
        bw = std::max(1, bit_width_for(static_cast<uint32_t>(dict.size() - 1)));
    }

    double per_value = use_dict ? bw / 8.0 : (is_bool ? 0.125 : width);
    size_t rows_per_page = std::max<size_t>(1, static_cast<size_t>(o.page_max_bytes / per_value));
    size_t v0 = 0;
    bytes body;
    for (size_t r0 = 0; r0 < rows_; r0 += rows_per_page) {
        size_t r1 = std::min(rows_, r0 + rows_per_page);
        size_t nv = count_present(defs_, required_, r0, r1);
        body.clear();
        if (!required_)
            append_levels(defs_, r0, r1, body);
        if (use_dict) {
            body.push_back(static_cast<uint8_t>(bw));
            if (nv > 0)
                rle_hybrid_encode(std::span<const uint32_t>(ids.data() + v0, nv), bw, body);
        } else {
            plain(values_.data() + v0, nv, body);
        }
        sink.data_page(body, r1 - r0, use_dict ? enc_rle_dictionary : enc_plain);
        v0 += nv;
    }

    auto& info = sink.info();
    info.num_values = static_cast<int64_t>(rows_);
    info.null_count = static_cast<int64_t>(rows_ - n);
    if (have) {
        info.has_minmax = true;
        if constexpr (is_wide) {
            info.min = int128_be(mn, width);
            info.max = int128_be(mx, width);
        } else {
            info.min = plain_bytes(mn);
            info.max = plain_bytes(mx);
        }
        if (!have_minmax_) {
            file_min_ = mn;
            file_max_ = mx;
            have_minmax_ = true;
        } else {
            if (mn < file_min_)
                file_min_ = mn;
            if (file_max_ < mx)
                file_max_ = mx;
        }
    }
    file_values_ += static_cast<int64_t>(rows_);
    file_nulls_ += info.null_count;
    file_nans_ += nans;
    file_bytes_ += info.compressed;
    return info;
}

template <typename T>
void fixed_column<T>::finish_metrics(column_metrics& m) const {
    m.value_count = file_values_;
    m.null_count = file_nulls_;
    m.nan_count = file_nans_;
    m.compressed_size = file_bytes_;
    if (!have_minmax_)
        return;
    m.has_bounds = true;
    if constexpr (std::is_same_v<T, uint8_t>) {
        m.lower_bound = std::string(1, static_cast<char>(file_min_ ? 1 : 0));
        m.upper_bound = std::string(1, static_cast<char>(file_max_ ? 1 : 0));
    } else if constexpr (std::is_same_v<T, int128>) {
        m.lower_bound = int128_be_min(file_min_);
        m.upper_bound = int128_be_min(file_max_);
    } else if (spec_.type == column_type::decimal) {
        m.lower_bound = int128_be_min(file_min_);
        m.upper_bound = int128_be_min(file_max_);
    } else {
        m.lower_bound = plain_bytes(file_min_);
        m.upper_bound = plain_bytes(file_max_);
    }
}

template class fixed_column<uint8_t>;
template class fixed_column<int32_t>;
template class fixed_column<int64_t>;
template class fixed_column<float>;
template class fixed_column<double>;
template class fixed_column<int128>;

// ---- byte-array columns ----------------------------------------------------------------------

column_base::chunk_info byte_array_column::encode_chunk(const writer_options& o,
                                                        page_compressor& pc, int64_t pos,
                                                        bytes& out) {
    page_sink sink(pc, pos, out);
    const size_t n = offsets_.size() - 1;
    const bool utf8 = spec_.type == column_type::string;

    bool have = false;
    std::string_view mn, mx;
    for (size_t i = 0; i < n; ++i) {
        std::string_view v = at(i);
        if (!have) {
            mn = mx = v;
            have = true;
        } else {
            if (v < mn)
                mn = v;
            if (mx < v)
                mx = v;
        }
    }

    auto plain_one = [](std::string_view v, bytes& body) {
        uint32_t len = static_cast<uint32_t>(v.size());
        size_t at = body.size();
        body.resize(at + 4 + v.size());
        std::memcpy(body.data() + at, &len, 4);
        if (!v.empty())
            std::memcpy(body.data() + at + 4, v.data(), v.size());
    };

    std::vector<uint32_t> ids;
    std::vector<std::string_view> dict;
    bool use_dict = false;
    if (o.dictionary && n > 0) {
        auto h = [](const std::string_view& v) { return std::hash<std::string_view>{}(v); };
        dict_index<std::string_view, decltype(h)> index(h);
        ids.resize(n);
        use_dict = true;
        size_t dict_bytes = 0;
        for (size_t i = 0; i < n; ++i) {
            size_t before = index.keys().size();
            ids[i] = index.id(at(i));
            if (index.keys().size() != before)
                dict_bytes += 4 + (offsets_[i + 1] - offsets_[i]);
            if ((i + 1) == dict_probe_values && index.keys().size() * 10 > dict_probe_values * 9) {
                use_dict = false;
                break;
            }
            if (dict_bytes > o.dictionary_max_bytes) {
                use_dict = false;
                break;
            }
        }
        if (use_dict) {
            size_t bw = static_cast<size_t>(
                std::max(1, bit_width_for(static_cast<uint32_t>(index.keys().size() - 1))));
            size_t plain_cost = blob_.size() + 4 * n;
            if (dict_bytes + n * bw / 8 >= plain_cost * 9 / 10)
                use_dict = false;
            else
                dict = index.keys();
        }
    }

    int bw = 0;
    if (use_dict) {
        bytes body;
        for (auto v : dict)
            plain_one(v, body);
        sink.dictionary_page(body, dict.size());
        bw = std::max(1, bit_width_for(static_cast<uint32_t>(dict.size() - 1)));
    }

    size_t v0 = 0, r0 = 0;
    bytes body;
    while (r0 < rows_) {
        // Grow the page row by row until its values reach the page size.
        size_t r1 = r0, v1 = v0, size = 0;
        while (r1 < rows_ && size < o.page_max_bytes) {
            if (required_ || defs_[r1]) {
                size += use_dict ? 1 : 4 + (offsets_[v1 + 1] - offsets_[v1]);
                ++v1;
            }
            ++r1;
        }
        body.clear();
        if (!required_)
            append_levels(defs_, r0, r1, body);
        if (use_dict) {
            body.push_back(static_cast<uint8_t>(bw));
            if (v1 > v0)
                rle_hybrid_encode(std::span<const uint32_t>(ids.data() + v0, v1 - v0), bw, body);
        } else {
            size_t bytes_needed = 4 * (v1 - v0) + (offsets_[v1] - offsets_[v0]);
            body.reserve(body.size() + bytes_needed);
            for (size_t i = v0; i < v1; ++i)
                plain_one(at(i), body);
        }
        sink.data_page(body, r1 - r0, use_dict ? enc_rle_dictionary : enc_plain);
        r0 = r1;
        v0 = v1;
    }

    auto& info = sink.info();
    info.num_values = static_cast<int64_t>(rows_);
    info.null_count = static_cast<int64_t>(rows_ - n);
    if (have) {
        std::string lower;
        std::optional<std::string> upper;
        truncate_bounds(utf8, stats_max_bytes, std::string(mn), std::string(mx), lower, upper);
        if (upper) {
            info.has_minmax = true;
            info.min = std::move(lower);
            info.max = std::move(*upper);
        }
        if (!have_minmax_) {
            file_min_ = mn;
            file_max_ = mx;
            have_minmax_ = true;
        } else {
            if (mn < file_min_)
                file_min_ = mn;
            if (file_max_ < mx)
                file_max_ = mx;
        }
    }
    file_values_ += static_cast<int64_t>(rows_);
    file_nulls_ += info.null_count;
    file_bytes_ += info.compressed;
    return info;
}

void byte_array_column::finish_metrics(column_metrics& m) const {
    m.value_count = file_values_;
    m.null_count = file_nulls_;
    m.compressed_size = file_bytes_;
    if (!have_minmax_)
        return;
    std::optional<std::string> upper;
    truncate_bounds(spec_.type == column_type::string, 16, file_min_, file_max_, m.lower_bound,
                    upper);
    m.has_bounds = true;
    m.upper_bound_present = upper.has_value();
    if (upper)
        m.upper_bound = std::move(*upper);
}

// ---- file writer -----------------------------------------------------------------------------

file_writer::file_writer(std::vector<column_spec> columns, writer_options options,
                         std::unique_ptr<output_stream> out)
    : options_(std::move(options)),
      compressor_(std::make_unique<page_compressor>(options_.codec)),
      out_(std::move(out)) {
    for (auto& c : columns) {
        switch (storage_of(c)) {
            case storage::boolean:
                columns_.push_back(std::make_unique<fixed_column<uint8_t>>(c));
                break;
            case storage::int32:
                columns_.push_back(std::make_unique<fixed_column<int32_t>>(c));
                break;
            case storage::int64:
                columns_.push_back(std::make_unique<fixed_column<int64_t>>(c));
                break;
            case storage::float32:
                columns_.push_back(std::make_unique<fixed_column<float>>(c));
                break;
            case storage::float64:
                columns_.push_back(std::make_unique<fixed_column<double>>(c));
                break;
            case storage::int128:
                columns_.push_back(std::make_unique<fixed_column<int128>>(c));
                break;
            case storage::byte_array:
                columns_.push_back(std::make_unique<byte_array_column>(c));
                break;
        }
    }
}

file_writer::~file_writer() = default;

result<std::unique_ptr<file_writer>, std::string> file_writer::create(
    std::vector<column_spec> columns, writer_options options, std::unique_ptr<output_stream> out) {
    if (columns.empty())
        return unexpected{std::string("parquet: a schema needs at least one column")};
    std::set<std::string> names;
    for (auto& c : columns) {
        if (c.name.empty())
            return unexpected{std::string("parquet: empty column name")};
        if (!names.insert(c.name).second)
            return unexpected{"parquet: duplicate column name " + c.name};
        if (c.type == column_type::decimal &&
            (c.precision < 1 || c.precision > 38 || c.scale < 0 || c.scale > c.precision))
            return unexpected{"parquet: bad decimal precision/scale for " + c.name};
    }
    if (options.page_max_bytes == 0 || options.row_group_max_rows == 0)
        return unexpected{std::string("parquet: page and row group limits must be positive")};
    // Byte-array offsets are 32-bit: keep a row group's buffered bytes well below 4 GiB.
    if (options.row_group_max_bytes > (1u << 30))
        return unexpected{std::string("parquet: row_group_max_bytes is limited to 1 GiB")};
    auto w = std::unique_ptr<file_writer>(
        new file_writer(std::move(columns), std::move(options), std::move(out)));
    static const uint8_t magic[4] = {'P', 'A', 'R', '1'};
    if (auto r = w->out_->write(magic); !r)
        return unexpected{r.error()};
    w->pos_ = 4;
    return w;
}

size_t file_writer::buffered_bytes() const {
    size_t n = 0;
    for (auto& c : columns_)
        n += c->buffered_bytes();
    return n;
}

result<void, std::string> file_writer::end_rows() {
    size_t rows = columns_[0]->rows();
    size_t bytes_buffered = 0;
    for (auto& c : columns_) {
        if (c->rows() != rows)
            return unexpected{"parquet: column " + c->spec().name + " has " +
                              std::to_string(c->rows()) + " rows, expected " +
                              std::to_string(rows)};
        bytes_buffered += c->buffered_bytes();
    }
    if (rows >= options_.row_group_max_rows || bytes_buffered >= options_.row_group_max_bytes)
        return flush_row_group();
    return {};
}

result<void, std::string> file_writer::flush_row_group() {
    size_t rows = columns_[0]->rows();
    if (rows == 0)
        return {};
    row_group_info rg;
    rg.num_rows = static_cast<int64_t>(rows);
    row_group_offsets_.push_back(pos_);
    bytes& buf = chunk_buf_;
    for (auto& c : columns_) {
        buf.clear();
        rg.chunks.push_back(c->encode_chunk(options_, *compressor_, pos_, buf));
        if (auto r = out_->write(buf); !r)
            return r;
        pos_ += static_cast<int64_t>(buf.size());
        c->clear_values();
    }
    num_rows_ += rg.num_rows;
    row_groups_.push_back(std::move(rg));
    return {};
}

result<void, std::string> file_writer::append_cell(size_t col, const value& v) {
    auto& c = *columns_[col];
    const auto& s = c.spec();
    if (std::holds_alternative<std::monostate>(v)) {
        if (s.required)
            return unexpected{"parquet: null in required column " + s.name};
        c.append_null();
        return {};
    }
    auto mismatch = [&] { return unexpected{"parquet: wrong value type for column " + s.name}; };
    switch (storage_of(s)) {
        case storage::boolean:
            if (auto* b = std::get_if<bool>(&v)) {
                column<uint8_t>(col).append(*b ? 1 : 0);
                return {};
            }
            return mismatch();
        case storage::int32: {
            int64_t x;
            if (auto* i = std::get_if<int64_t>(&v))
                x = *i;
            else if (auto* d = std::get_if<decimal_value>(&v); d && s.type == column_type::decimal)
                x = static_cast<int64_t>(d->unscaled);
            else
                return mismatch();
            if (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max())
                return unexpected{"parquet: value out of int32 range in column " + s.name};
            column<int32_t>(col).append(static_cast<int32_t>(x));
            return {};
        }
        case storage::int64:
            if (auto* i = std::get_if<int64_t>(&v)) {
                column<int64_t>(col).append(*i);
                return {};
            }
            if (auto* d = std::get_if<decimal_value>(&v); d && s.type == column_type::decimal) {
                column<int64_t>(col).append(static_cast<int64_t>(d->unscaled));
                return {};
            }
            return mismatch();
        case storage::float32:
        case storage::float64: {
            double x;
            if (auto* d = std::get_if<double>(&v))
                x = *d;
            else if (auto* i = std::get_if<int64_t>(&v))
                x = static_cast<double>(*i);
            else
                return mismatch();
            if (storage_of(s) == storage::float32)
                column<float>(col).append(static_cast<float>(x));
            else
                column<double>(col).append(x);
            return {};
        }
        case storage::int128:
            if (auto* d = std::get_if<decimal_value>(&v)) {
                column<int128>(col).append(d->unscaled);
                return {};
            }
            if (auto* i = std::get_if<int64_t>(&v)) {
                column<int128>(col).append(*i);
                return {};
            }
            return mismatch();
        case storage::byte_array:
            if (auto* str = std::get_if<std::string>(&v)) {
                byte_array(col).append(*str);
                return {};
            }
            return mismatch();
    }
    return mismatch();
}

result<void, std::string> file_writer::append_row(std::span<const value> row) {
    if (row.size() != columns_.size())
        return unexpected{"parquet: row has " + std::to_string(row.size()) + " cells, schema has " +
                          std::to_string(columns_.size()) + " columns"};
    // Validate every cell before appending any, so a bad row leaves the columns aligned.
    for (size_t i = 0; i < row.size(); ++i) {
        const auto& s = columns_[i]->spec();
        const value& v = row[i];
        bool ok = true;
        if (std::holds_alternative<std::monostate>(v)) {
            ok = !s.required;
        } else {
            switch (storage_of(s)) {
                case storage::boolean:
                    ok = std::holds_alternative<bool>(v);
                    break;
                case storage::int32:
                    if (auto* x = std::get_if<int64_t>(&v))
                        ok = *x >= std::numeric_limits<int32_t>::min() &&
                             *x <= std::numeric_limits<int32_t>::max();
                    else if (auto* d = std::get_if<decimal_value>(&v))
                        ok = s.type == column_type::decimal && d->unscaled >= INT32_MIN &&
                             d->unscaled <= INT32_MAX;
                    else
                        ok = false;
                    break;
                case storage::int64:
                    if (auto* d = std::get_if<decimal_value>(&v))
                        ok = s.type == column_type::decimal && d->unscaled >= INT64_MIN &&
                             d->unscaled <= INT64_MAX;
                    else
                        ok = std::holds_alternative<int64_t>(v);
                    break;
                case storage::float32:
                case storage::float64:
                    ok = std::holds_alternative<double>(v) || std::holds_alternative<int64_t>(v);
                    break;
                case storage::int128:
                    ok = std::holds_alternative<decimal_value>(v) ||
                         std::holds_alternative<int64_t>(v);
                    break;
                case storage::byte_array:
                    ok = std::holds_alternative<std::string>(v);
                    break;
            }
        }
        if (!ok)
            return unexpected{"parquet: bad value for column " + s.name};
    }
    for (size_t i = 0; i < row.size(); ++i) {
        if (auto r = append_cell(i, row[i]); !r)
            return r;  // unreachable after validation
    }
    if (++rows_since_check_ >= 256 || columns_[0]->rows() >= options_.row_group_max_rows) {
        rows_since_check_ = 0;
        return end_rows();
    }
    return {};
}

namespace {

void write_schema_element(compact_writer& w, const column_spec& c) {
    w.begin_elem_struct();
    w.field_i32(1, physical_type(c));
    if (storage_of(c) == storage::int128)
        w.field_i32(2, decimal_bytes(c.precision));
    w.field_i32(3, c.required ? 0 : 1);
    w.field_binary(4, c.name);
    switch (c.type) {
        case column_type::string:
            w.field_i32(6, ct_utf8);
            w.field_i32(9, c.field_id);
            w.begin_struct(10);
            w.begin_struct(1);  // STRING
            w.end_struct();
            w.end_struct();
            break;
        case column_type::date:
            w.field_i32(6, ct_date);
            w.field_i32(9, c.field_id);
            w.begin_struct(10);
            w.begin_struct(6);  // DATE
            w.end_struct();
            w.end_struct();
            break;
        case column_type::timestamp:
        case column_type::timestamptz:
            w.field_i32(6, ct_timestamp_micros);
            w.field_i32(9, c.field_id);
            w.begin_struct(10);
            w.begin_struct(8);  // TIMESTAMP
            w.field_bool(1, c.type == column_type::timestamptz);
            w.begin_struct(2);  // unit
            w.begin_struct(2);  // MICROS
            w.end_struct();
            w.end_struct();
            w.end_struct();
            w.end_struct();
            break;
        case column_type::decimal:
            w.field_i32(6, ct_decimal);
            w.field_i32(7, c.scale);
            w.field_i32(8, c.precision);
            w.field_i32(9, c.field_id);
            w.begin_struct(10);
            w.begin_struct(5);  // DECIMAL
            w.field_i32(1, c.scale);
            w.field_i32(2, c.precision);
            w.end_struct();
            w.end_struct();
            break;
        default:
            w.field_i32(9, c.field_id);
            break;
    }
    w.end_struct();
}

}  // namespace

result<file_summary, std::string> file_writer::close() {
    if (closed_)
        return unexpected{std::string("parquet: writer already closed")};
    closed_ = true;
    if (auto r = end_rows(); !r)
        return unexpected{r.error()};
    if (auto r = flush_row_group(); !r)
        return unexpected{r.error()};

    bytes footer;
    compact_writer w(footer);
    w.field_i32(1, 1);  // version
    w.begin_list(2, ttype::structure, columns_.size() + 1);
    w.begin_elem_struct();
    w.field_binary(4, "schema");
    w.field_i32(5, static_cast<int32_t>(columns_.size()));
    w.end_struct();
    for (auto& c : columns_)
        write_schema_element(w, c->spec());
    w.field_i64(3, num_rows_);
    w.begin_list(4, ttype::structure, row_groups_.size());
    for (size_t g = 0; g < row_groups_.size(); ++g) {
        const auto& rg = row_groups_[g];
        w.begin_elem_struct();
        w.begin_list(1, ttype::structure, rg.chunks.size());
        int64_t total_unc = 0, total_comp = 0;
        for (size_t i = 0; i < rg.chunks.size(); ++i) {
            const auto& ch = rg.chunks[i];
            const auto& spec = columns_[i]->spec();
            total_unc += ch.uncompressed;
            total_comp += ch.compressed;
            w.begin_elem_struct();  // ColumnChunk
            w.field_i64(2, ch.start);
            w.begin_struct(3);  // ColumnMetaData
            w.field_i32(1, physical_type(spec));
            if (ch.dictionary) {
                w.begin_list(2, ttype::i32, 3);
                w.elem_i32(enc_plain);
                w.elem_i32(enc_rle);
                w.elem_i32(enc_rle_dictionary);
            } else {
                w.begin_list(2, ttype::i32, 2);
                w.elem_i32(enc_plain);
                w.elem_i32(enc_rle);
            }
            w.begin_list(3, ttype::binary, 1);
            w.elem_binary(spec.name);
            w.field_i32(4, codec_id(options_.codec));
            w.field_i64(5, ch.num_values);
            w.field_i64(6, ch.uncompressed);
            w.field_i64(7, ch.compressed);
            w.field_i64(9, ch.data_page_offset);
            if (ch.dict_page_offset >= 0)
                w.field_i64(11, ch.dict_page_offset);
            w.begin_struct(12);  // Statistics
            w.field_i64(3, ch.null_count);
            if (ch.has_minmax) {
                w.field_binary(5, ch.max);
                w.field_binary(6, ch.min);
            }
            w.end_struct();
            w.end_struct();  // ColumnMetaData
            w.end_struct();  // ColumnChunk
        }
        w.field_i64(2, total_unc);
        w.field_i64(3, rg.num_rows);
        w.field_i64(5, rg.chunks.empty() ? 0 : rg.chunks[0].start);
        w.field_i64(6, total_comp);
        w.field_i16(7, static_cast<int16_t>(g));
        w.end_struct();
    }
    std::vector<std::pair<std::string, std::string>> kv;
    std::vector<column_spec> specs;
    for (auto& c : columns_)
        specs.push_back(c->spec());
    kv.emplace_back("iceberg.schema", options_.iceberg_schema_json.empty()
                                          ? iceberg_schema_json(specs)
                                          : options_.iceberg_schema_json);
    for (auto& p : options_.key_value_metadata)
        kv.push_back(p);
    w.begin_list(5, ttype::structure, kv.size());
    for (auto& [k, v] : kv) {
        w.begin_elem_struct();
        w.field_binary(1, k);
        w.field_binary(2, v);
        w.end_struct();
    }
    w.field_binary(6, options_.created_by);
    w.begin_list(7, ttype::structure, columns_.size());
    for (size_t i = 0; i < columns_.size(); ++i) {
        w.begin_elem_struct();
        w.begin_struct(1);  // TYPE_ORDER
        w.end_struct();
        w.end_struct();
    }
    w.finish();
    uint32_t len = static_cast<uint32_t>(footer.size());
    uint8_t tail[8];
    std::memcpy(tail, &len, 4);
    std::memcpy(tail + 4, "PAR1", 4);
    footer.insert(footer.end(), tail, tail + 8);
    if (auto r = out_->write(footer); !r)
        return unexpected{r.error()};
    pos_ += static_cast<int64_t>(footer.size());
    if (auto r = out_->close(); !r)
        return unexpected{r.error()};

    file_summary s;
    s.num_rows = num_rows_;
    s.file_size = pos_;
    s.row_group_offsets = row_group_offsets_;
    for (auto& c : columns_) {
        column_metrics m;
        m.field_id = c->spec().field_id;
        c->finish_metrics(m);
        s.columns.push_back(std::move(m));
    }
    return s;
}

// ---- Iceberg schema JSON ---------------------------------------------------------------------

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<uint8_t>(ch);
        switch (ch) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof(buf), "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
}

std::string iceberg_type_name(const column_spec& c) {
    switch (c.type) {
        case column_type::boolean:
            return "boolean";
        case column_type::int32:
            return "int";
        case column_type::int64:
            return "long";
        case column_type::float32:
            return "float";
        case column_type::float64:
            return "double";
        case column_type::decimal:
            return "decimal(" + std::to_string(c.precision) + ", " + std::to_string(c.scale) + ")";
        case column_type::string:
            return "string";
        case column_type::binary:
            return "binary";
        case column_type::date:
            return "date";
        case column_type::timestamp:
            return "timestamp";
        case column_type::timestamptz:
            return "timestamptz";
    }
    return "long";
}

std::string iceberg_schema_json(std::span<const column_spec> columns) {
    std::string out = R"({"type":"struct","schema-id":0,"fields":[)";
    for (size_t i = 0; i < columns.size(); ++i) {
        const auto& c = columns[i];
        if (i)
            out.push_back(',');
        out += R"({"id":)" + std::to_string(c.field_id) + R"(,"name":)";
        append_json_string(out, c.name);
        out += R"(,"required":)";
        out += c.required ? "true" : "false";
        out += R"(,"type":")" + iceberg_type_name(c) + "\"}";
    }
    out += "]}";
    return out;
}

// ---- file output -----------------------------------------------------------------------------

namespace {

class fd_output final : public output_stream {
  public:
    fd_output(int fd, std::string path) : fd_(fd), path_(std::move(path)) { buf_.reserve(cap); }
    ~fd_output() override {
        if (fd_ >= 0)
            ::close(fd_);
    }
    result<void, std::string> write(bytes_view d) override {
        if (buf_.size() + d.size() > cap) {
            if (auto r = drain(); !r)
                return r;
        }
        if (d.size() >= cap)
            return write_all(d);
        buf_.insert(buf_.end(), d.begin(), d.end());
        return {};
    }
    result<void, std::string> close() override {
        if (auto r = drain(); !r)
            return r;
        if (::fsync(fd_) != 0)
            return unexpected{"fsync " + path_ + ": " + std::strerror(errno)};
        int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0)
            return unexpected{"close " + path_ + ": " + std::strerror(errno)};
        return {};
    }

  private:
    static constexpr size_t cap = 1 << 20;
    result<void, std::string> drain() {
        auto r = write_all(buf_);
        buf_.clear();
        return r;
    }
    result<void, std::string> write_all(bytes_view d) {
        size_t off = 0;
        while (off < d.size()) {
            ssize_t n = ::write(fd_, d.data() + off, d.size() - off);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                return unexpected{"write " + path_ + ": " + std::strerror(errno)};
            }
            off += static_cast<size_t>(n);
        }
        return {};
    }
    int fd_;
    std::string path_;
    bytes buf_;
};

}  // namespace

result<std::unique_ptr<output_stream>, std::string> open_file_output(const std::string& path,
                                                                     bool exclusive) {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC);
    int fd = ::open(path.c_str(), flags, 0644);
    if (fd < 0)
        return unexpected{"open " + path + ": " + std::strerror(errno)};
    return std::unique_ptr<output_stream>(std::make_unique<fd_output>(fd, path));
}

}  // namespace otter::parquet

#include "bytes/compression.h"

#include <cstring>
#include <memory>

#include <lz4frame.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

namespace otter {
namespace {

using err = unexpected<std::string>;

bytes gzip_compress(bytes_view in) {
    z_stream zs{};
    // 15 + 16: zlib window with a gzip header, as Kafka clients expect.
    if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK) {
        return {};
    }
    bytes out(deflateBound(&zs, in.size()) + 32);
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    zs.next_out = out.data();
    zs.avail_out = static_cast<uInt>(out.size());
    deflate(&zs, Z_FINISH);
    out.resize(zs.total_out);
    deflateEnd(&zs);
    return out;
}

result<bytes, std::string> gzip_decompress(bytes_view in, size_t max_out) {
    z_stream zs{};
    if (inflateInit2(&zs, 15 + 32) != Z_OK) {  // +32: accept zlib or gzip headers
        return err{"gzip: inflateInit failed"};
    }
    std::unique_ptr<z_stream, int (*)(z_stream*)> guard(&zs, inflateEnd);
    bytes out;
    zs.next_in = const_cast<Bytef*>(in.data());
    zs.avail_in = static_cast<uInt>(in.size());
    uint8_t chunk[16384];
    for (;;) {
        zs.next_out = chunk;
        zs.avail_out = sizeof(chunk);
        int rc = inflate(&zs, Z_NO_FLUSH);
        size_t produced = sizeof(chunk) - zs.avail_out;
        if (out.size() + produced > max_out) {
            return err{"gzip: decompressed size exceeds limit"};
        }
        out.insert(out.end(), chunk, chunk + produced);
        if (rc == Z_STREAM_END) {
            // Concatenated gzip members are legal; continue if input remains.
            if (zs.avail_in == 0) {
                return out;
            }
            if (inflateReset(&zs) != Z_OK) {
                return err{"gzip: reset failed"};
            }
            continue;
        }
        if (rc != Z_OK) {
            return err{std::string("gzip: ") + (zs.msg ? zs.msg : "corrupt data")};
        }
        if (zs.avail_in == 0 && produced == 0) {
            return err{"gzip: truncated input"};
        }
    }
}

result<bytes, std::string> snappy_raw_decompress(const uint8_t* p, size_t n, size_t max_out,
                                                 bytes& out) {
    size_t len = 0;
    if (snappy_uncompressed_length(reinterpret_cast<const char*>(p), n, &len) != SNAPPY_OK) {
        return err{"snappy: corrupt length"};
    }
    if (out.size() + len > max_out) {
        return err{"snappy: decompressed size exceeds limit"};
    }
    size_t at = out.size();
    out.resize(at + len);
    if (snappy_uncompress(reinterpret_cast<const char*>(p), n,
                          reinterpret_cast<char*>(out.data() + at), &len) != SNAPPY_OK) {
        return err{"snappy: corrupt data"};
    }
    out.resize(at + len);
    return bytes{};
}

result<bytes, std::string> snappy_decompress(bytes_view in, size_t max_out) {
    static constexpr uint8_t xerial_magic[8] = {0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0};
    bytes out;
    if (in.size() >= 16 && std::memcmp(in.data(), xerial_magic, 8) == 0) {
        // Java clients frame snappy as: magic, version i32, compat i32, then [len i32, block]*.
        size_t pos = 16;
        while (pos < in.size()) {
            if (in.size() - pos < 4) {
                return err{"snappy: truncated xerial block header"};
            }
            auto blen = static_cast<uint32_t>(load_be<int32_t>(in.data() + pos));
            pos += 4;
            if (blen > in.size() - pos) {
                return err{"snappy: truncated xerial block"};
            }
            auto r = snappy_raw_decompress(in.data() + pos, blen, max_out, out);
            if (!r) {
                return r;
            }
            pos += blen;
        }
        return out;
    }
    auto r = snappy_raw_decompress(in.data(), in.size(), max_out, out);
    if (!r) {
        return r;
    }
    return out;
}

bytes snappy_compress_raw(bytes_view in) {
    size_t n = snappy_max_compressed_length(in.size());
    bytes out(n);
    ::snappy_compress(reinterpret_cast<const char*>(in.data()), in.size(),
                      reinterpret_cast<char*>(out.data()), &n);
    out.resize(n);
    return out;
}

bytes lz4_compress(bytes_view in) {
    LZ4F_preferences_t prefs{};
    bytes out(LZ4F_compressFrameBound(in.size(), &prefs));
    size_t n = LZ4F_compressFrame(out.data(), out.size(), in.data(), in.size(), &prefs);
    if (LZ4F_isError(n)) {
        return {};
    }
    out.resize(n);
    return out;
}

result<bytes, std::string> lz4_decompress(bytes_view in, size_t max_out) {
    LZ4F_dctx* dctx = nullptr;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION))) {
        return err{"lz4: cannot create context"};
    }
    std::unique_ptr<LZ4F_dctx, decltype(&LZ4F_freeDecompressionContext)> guard(
        dctx, LZ4F_freeDecompressionContext);
    bytes out;
    uint8_t chunk[65536];
    const uint8_t* src = in.data();
    size_t left = in.size();
    for (;;) {
        size_t dst_size = sizeof(chunk);
        size_t src_size = left;
        size_t hint = LZ4F_decompress(dctx, chunk, &dst_size, src, &src_size, nullptr);
        if (LZ4F_isError(hint)) {
            return err{std::string("lz4: ") + LZ4F_getErrorName(hint)};
        }
        if (out.size() + dst_size > max_out) {
            return err{"lz4: decompressed size exceeds limit"};
        }
        out.insert(out.end(), chunk, chunk + dst_size);
        src += src_size;
        left -= src_size;
        if (hint == 0) {
            return out;  // frame complete
        }
        if (left == 0 && dst_size == 0) {
            return err{"lz4: truncated frame"};
        }
    }
}

bytes zstd_compress(bytes_view in) {
    bytes out(ZSTD_compressBound(in.size()));
    size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
    if (ZSTD_isError(n)) {
        return {};
    }
    out.resize(n);
    return out;
}

result<bytes, std::string> zstd_decompress(bytes_view in, size_t max_out) {
    std::unique_ptr<ZSTD_DCtx, decltype(&ZSTD_freeDCtx)> ctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    bytes out;
    uint8_t chunk[65536];
    size_t last = 1;
    while (ib.pos < ib.size) {
        ZSTD_outBuffer ob{chunk, sizeof(chunk), 0};
        last = ZSTD_decompressStream(ctx.get(), &ob, &ib);
        if (ZSTD_isError(last)) {
            return err{std::string("zstd: ") + ZSTD_getErrorName(last)};
        }
        if (out.size() + ob.pos > max_out) {
            return err{"zstd: decompressed size exceeds limit"};
        }
        out.insert(out.end(), chunk, chunk + ob.pos);
        if (ob.pos == 0 && ib.pos == ib.size) {
            break;
        }
    }
    // Drain output the decoder still holds.
    while (last != 0) {
        ZSTD_outBuffer ob{chunk, sizeof(chunk), 0};
        last = ZSTD_decompressStream(ctx.get(), &ob, &ib);
        if (ZSTD_isError(last)) {
            return err{std::string("zstd: ") + ZSTD_getErrorName(last)};
        }
        if (out.size() + ob.pos > max_out) {
            return err{"zstd: decompressed size exceeds limit"};
        }
        out.insert(out.end(), chunk, chunk + ob.pos);
        if (ob.pos == 0) {
            if (last != 0) {
                return err{"zstd: truncated frame"};
            }
            break;
        }
    }
    return out;
}

}  // namespace

const char* codec_name(codec c) {
    switch (c) {
        case codec::none:
            return "none";
        case codec::gzip:
            return "gzip";
        case codec::snappy:
            return "snappy";
        case codec::lz4:
            return "lz4";
        case codec::zstd:
            return "zstd";
    }
    return "unknown";
}

bytes compress(codec c, bytes_view in) {
    switch (c) {
        case codec::none:
            return bytes(in.begin(), in.end());
        case codec::gzip:
            return gzip_compress(in);
        case codec::snappy:
            return snappy_compress_raw(in);
        case codec::lz4:
            return lz4_compress(in);
        case codec::zstd:
            return zstd_compress(in);
    }
    return {};
}

result<bytes, std::string> decompress(codec c, bytes_view in, size_t max_out) {
    switch (c) {
        case codec::none:
            if (in.size() > max_out) {
                return err{"decompressed size exceeds limit"};
            }
            return bytes(in.begin(), in.end());
        case codec::gzip:
            return gzip_decompress(in, max_out);
        case codec::snappy:
            return snappy_decompress(in, max_out);
        case codec::lz4:
            return lz4_decompress(in, max_out);
        case codec::zstd:
            return zstd_decompress(in, max_out);
    }
    return err{"unknown compression codec"};
}

}  // namespace otter

// Kafka's record batch codecs: gzip, snappy (raw and Java/xerial framing), lz4 (frame format)
// and zstd. Thread-safe: every call is independent.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "bytes/bytes.h"

namespace otter {

enum class codec : uint8_t { none = 0, gzip = 1, snappy = 2, lz4 = 3, zstd = 4 };

// Returns "none", "gzip", ... or "unknown".
const char* codec_name(codec c);

// Compresses `in` with `c`. Snappy output is raw (as librdkafka writes it).
bytes compress(codec c, bytes_view in);

// Decompresses `in`. Fails (with a message) on malformed input or when the output would exceed
// `max_out` bytes: the limit bounds the memory an untrusted batch can make us allocate.
result<bytes, std::string> decompress(codec c, bytes_view in, size_t max_out);

}  // namespace otter

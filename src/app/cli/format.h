// Pure text helpers of the Kafka client commands: record formatting (`otter consume --format`),
// JSON string escaping, timestamp and offset parsing, and the `key=value` / key-separator splits
// used by `-X`, `-c`, `--set`, `-H` and `otter produce -k`.
//
// Nothing here talks to Kafka or does I/O, so all of it is unit-tested in tests/format_test.cc.
// Every function is thread-safe (no shared state); record_formatter is immutable once parsed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/result.h"

namespace otter::cli {

// An error message for the user: one sentence, without the leading "error: ".
using cli_error = std::string;

struct key_value {
    std::string key;
    std::string value;
};

// Splits `text` at its first '=' into a non-empty key and a (possibly empty) value.
// `option` names the flag in the error message, e.g. "-X" gives
// "-X expects key=value, got 'foo'".
result<key_value, cli_error> parse_key_value(std::string_view text, std::string_view option);

// Parses every element of `texts` with parse_key_value; fails on the first bad one.
result<std::vector<key_value>, cli_error> parse_key_values(const std::vector<std::string>& texts,
                                                           std::string_view option);

// A line of `otter produce` input split into key and value. Views point into the input line.
struct split_line {
    std::optional<std::string_view> key;  // nullopt: the record has a null key
    std::string_view value;
};

// Splits `line` at the first occurrence of `separator`. An empty separator, or a line that does
// not contain it, gives a null key and the whole line as value.
split_line split_key(std::string_view line, std::string_view separator);

// Appends `text` to `out` as a JSON string literal, quotes included. Control characters, '"' and
// '\' are escaped; valid UTF-8 passes through unchanged; each byte that is not part of a valid
// UTF-8 sequence becomes U+FFFD, so the output is always valid JSON (Kafka payloads are bytes).
void append_json_string(std::string& out, std::string_view text);

// Convenience form of append_json_string.
std::string json_string(std::string_view text);

// Parses a point in time given either as milliseconds since the Unix epoch ("1764064800000") or
// as ISO-8601 / RFC 3339: "2026-11-25T10:00:00Z", "2026-11-25T10:00:00.250+01:00",
// "2026-11-25 10:00Z", or a bare date "2026-11-25" (midnight UTC). A time of day without a zone
// designator is rejected rather than guessed. Returns milliseconds since the epoch (UTC).
result<int64_t, cli_error> parse_timestamp_ms(std::string_view text);

// Where `otter consume` starts reading each partition.
struct offset_spec {
    enum class kind { beginning, end, absolute, timestamp };
    kind from = kind::end;
    int64_t value = 0;  // the offset for `absolute`, milliseconds since the epoch for `timestamp`
};

// Parses `beginning`, `end`, a non-negative offset `N`, or `@T` where T is anything
// parse_timestamp_ms accepts.
result<offset_spec, cli_error> parse_offset_spec(std::string_view text);

// Lays `rows` out as left-aligned columns separated by two spaces, one line per row (the first
// row is usually the header). Trailing spaces are trimmed.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

// A consumed record, as the formatter sees it. Views are only valid during the format() call.
struct header_view {
    std::string_view key;
    std::optional<std::string_view> value;  // nullopt: null header value
};

struct record_view {
    std::string_view topic;
    int32_t partition = 0;
    int64_t offset = 0;
    std::optional<int64_t> timestamp_ms;    // nullopt when the record carries none
    std::optional<std::string_view> key;    // nullopt: null key
    std::optional<std::string_view> value;  // nullopt: null value (tombstone)
    std::vector<header_view> headers;
};

// Turns records into text, either with a printf-like pattern or as one JSON object per line.
//
// Pattern tokens: %t topic, %p partition, %o offset, %k key, %v value, %T timestamp (ms, -1 when
// absent), %h headers (`k1=v1,k2=v2`; a null value prints just the key), %% a literal percent;
// escapes \n, \t, \r and \\. Null keys and values print as nothing. The pattern "json" prints
// {"topic","partition","offset","timestamp","key","value","headers"} followed by a newline;
// headers are an array of {"key","value"} objects (keys may repeat), nulls are JSON null.
//
// Immutable after parse(); safe to share between threads.
class record_formatter {
  public:
    // Compiles `pattern`; fails on an unknown %-token or \-escape, or a trailing lone % or \.
    static result<record_formatter, cli_error> parse(std::string_view pattern);

    // The default output of `otter consume`: the value followed by a newline.
    static record_formatter value_per_line();

    // Appends the text of `record` to `out`.
    void format(const record_view& record, std::string& out) const;

    bool is_json() const { return json_; }

  private:
    enum class field { topic, partition, offset, key, value, timestamp, headers };
    // A literal run of text or a field reference.
    using piece = std::variant<std::string, field>;

    record_formatter(std::vector<piece> pieces, bool json)
        : pieces_(std::move(pieces)), json_(json) {}

    void format_json(const record_view& record, std::string& out) const;

    std::vector<piece> pieces_;
    bool json_ = false;
};

}  // namespace otter::cli

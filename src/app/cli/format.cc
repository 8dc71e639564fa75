#include "app/cli/format.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>

namespace otter::cli {

namespace {

// Parses an unsigned decimal made only of digits; rejects signs, spaces and overflow.
template <typename Int>
std::optional<Int> parse_digits(std::string_view text) {
    if (text.empty()) {
        return std::nullopt;
    }
    for (char c : text) {
        if (c < '0' || c > '9') {
            return std::nullopt;
        }
    }
    Int value{};
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return value;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (overlong forms,
// surrogates and code points above U+10FFFF are invalid).
size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const unsigned char b0 = byte(i);
    size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        len = 2;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        len = 3;
        if (b0 == 0xE0) {
            lo = 0xA0;  // no overlong 3-byte forms
        } else if (b0 == 0xED) {
            hi = 0x9F;  // no UTF-16 surrogates
        }
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        len = 4;
        if (b0 == 0xF0) {
            lo = 0x90;  // no overlong 4-byte forms
        } else if (b0 == 0xF4) {
            hi = 0x8F;  // nothing above U+10FFFF
        }
    } else {
        return 0;
    }
    if (i + len > s.size()) {
        return 0;
    }
    if (byte(i + 1) < lo || byte(i + 1) > hi) {
        return 0;
    }
    for (size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) {
            return 0;
        }
    }
    return len;
}

const char* timestamp_hint =
    "expected milliseconds since the epoch or an ISO-8601 time such as 2026-11-25T10:00:00Z";

cli_error bad_timestamp(std::string_view text) {
    return fmt::format("invalid time '{}': {}", text, timestamp_hint);
}

// Reads exactly `n` digits at `pos` of `text` into `out`, advancing `pos`.
bool take_digits(std::string_view text, size_t& pos, size_t n, int& out) {
    if (pos + n > text.size()) {
        return false;
    }
    auto value = parse_digits<int>(text.substr(pos, n));
    if (!value) {
        return false;
    }
    out = *value;
    pos += n;
    return true;
}

bool take_char(std::string_view text, size_t& pos, char c) {
    if (pos < text.size() && text[pos] == c) {
        ++pos;
        return true;
    }
    return false;
}

}  // namespace

result<key_value, cli_error> parse_key_value(std::string_view text, std::string_view option) {
    const size_t eq = text.find('=');
    if (eq == std::string_view::npos || eq == 0) {
        return unexpected(fmt::format("{} expects key=value, got '{}'", option, text));
    }
    return key_value{std::string(text.substr(0, eq)), std::string(text.substr(eq + 1))};
}

result<std::vector<key_value>, cli_error> parse_key_values(const std::vector<std::string>& texts,
                                                           std::string_view option) {
    std::vector<key_value> out;
    out.reserve(texts.size());
    for (const auto& text : texts) {
        auto kv = parse_key_value(text, option);
        if (!kv) {
            return unexpected(kv.error());
        }
        out.push_back(std::move(*kv));
    }
    return out;
}

split_line split_key(std::string_view line, std::string_view separator) {
    if (separator.empty()) {
        return {std::nullopt, line};
    }
    const size_t at = line.find(separator);
    if (at == std::string_view::npos) {
        return {std::nullopt, line};
    }
    return {line.substr(0, at), line.substr(at + separator.size())};
}

void append_json_string(std::string& out, std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    out.push_back('"');
    size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const size_t len = utf8_sequence_length(text, i);
            if (len == 0) {
                out += "\\ufffd";
                ++i;
            } else {
                out.append(text.substr(i, len));
                i += len;
            }
            continue;
        }
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
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
                if (c < 0x20 || c == 0x7f) {
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xf]);
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
        ++i;
    }
    out.push_back('"');
}

std::string json_string(std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
}

result<int64_t, cli_error> parse_timestamp_ms(std::string_view text) {
    using namespace std::chrono;
    if (text.empty()) {
        return unexpected(bad_timestamp(text));
    }
    if (auto ms = parse_digits<int64_t>(text)) {
        return *ms;
    }

    size_t pos = 0;
    int y = 0, mo = 0, d = 0;
    if (!take_digits(text, pos, 4, y) || !take_char(text, pos, '-') ||
        !take_digits(text, pos, 2, mo) || !take_char(text, pos, '-') ||
        !take_digits(text, pos, 2, d)) {
        return unexpected(bad_timestamp(text));
    }
    const year_month_day date{year{y}, month{static_cast<unsigned>(mo)},
                              day{static_cast<unsigned>(d)}};
    if (!date.ok()) {
        return unexpected(fmt::format("invalid time '{}': there is no such date", text));
    }
    const auto day_ms = duration_cast<milliseconds>(sys_days{date}.time_since_epoch()).count();
    if (pos == text.size()) {
        return day_ms;  // a bare date: midnight UTC
    }

    if (!take_char(text, pos, 'T') && !take_char(text, pos, 't') && !take_char(text, pos, ' ')) {
        return unexpected(bad_timestamp(text));
    }
    int h = 0, mi = 0, s = 0;
    int64_t frac_ms = 0;
    if (!take_digits(text, pos, 2, h) || !take_char(text, pos, ':') ||
        !take_digits(text, pos, 2, mi)) {
        return unexpected(bad_timestamp(text));
    }
    if (take_char(text, pos, ':')) {
        if (!take_digits(text, pos, 2, s)) {
            return unexpected(bad_timestamp(text));
        }
        if (take_char(text, pos, '.') || take_char(text, pos, ',')) {
            size_t digits = 0;
            while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
                if (digits < 3) {
                    frac_ms = frac_ms * 10 + (text[pos] - '0');
                }
                ++digits;
                ++pos;
            }
            if (digits == 0 || digits > 9) {
                return unexpected(bad_timestamp(text));
            }
            for (size_t k = digits; k < 3; ++k) {
                frac_ms *= 10;  // ".5" is 500 ms
            }
        }
    }
    if (h > 23 || mi > 59 || s > 59) {
        return unexpected(
            fmt::format("invalid time '{}': hour, minute or second out of range", text));
    }

    int64_t offset_min = 0;
    if (pos == text.size()) {
        return unexpected(fmt::format(
            "invalid time '{}': add a zone such as Z (UTC) or +01:00 so the time is unambiguous",
            text));
    }
    if (take_char(text, pos, 'Z') || take_char(text, pos, 'z')) {
        // UTC
    } else if (text[pos] == '+' || text[pos] == '-') {
        const int sign = text[pos] == '-' ? -1 : 1;
        ++pos;
        int oh = 0, om = 0;
        if (!take_digits(text, pos, 2, oh)) {
            return unexpected(bad_timestamp(text));
        }
        if (pos < text.size()) {
            take_char(text, pos, ':');
            if (!take_digits(text, pos, 2, om)) {
                return unexpected(bad_timestamp(text));
            }
        }
        if (oh > 23 || om > 59) {
            return unexpected(fmt::format("invalid time '{}': zone offset out of range", text));
        }
        offset_min = sign * (oh * 60 + om);
    } else {
        return unexpected(bad_timestamp(text));
    }
    if (pos != text.size()) {
        return unexpected(bad_timestamp(text));
    }
    const int64_t time_ms = ((int64_t{h} * 60 + mi) * 60 + s) * 1000 + frac_ms;
    return day_ms + time_ms - offset_min * 60 * 1000;
}

result<offset_spec, cli_error> parse_offset_spec(std::string_view text) {
    if (text == "beginning") {
        return offset_spec{offset_spec::kind::beginning, 0};
    }
    if (text == "end") {
        return offset_spec{offset_spec::kind::end, 0};
    }
    if (!text.empty() && text.front() == '@') {
        auto ts = parse_timestamp_ms(text.substr(1));
        if (!ts) {
            return unexpected(ts.error());
        }
        return offset_spec{offset_spec::kind::timestamp, *ts};
    }
    if (auto offset = parse_digits<int64_t>(text)) {
        return offset_spec{offset_spec::kind::absolute, *offset};
    }
    return unexpected(fmt::format(
        "invalid offset '{}': use beginning, end, an offset N >= 0, or @TIME (ms or ISO-8601)",
        text));
}

std::string format_table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& row : rows) {
        if (row.size() > widths.size()) {
            widths.resize(row.size(), 0);
        }
        for (size_t c = 0; c < row.size(); ++c) {
            widths[c] = std::max(widths[c], row[c].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (size_t c = 0; c < row.size(); ++c) {
            line += row[c];
            if (c + 1 < row.size()) {
                line.append(widths[c] - row[c].size() + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line;
        out.push_back('\n');
    }
    return out;
}

result<record_formatter, cli_error> record_formatter::parse(std::string_view pattern) {
    if (pattern == "json") {
        return record_formatter({}, true);
    }
    std::vector<piece> pieces;
    std::string literal;
    const auto flush_literal = [&] {
        if (!literal.empty()) {
            pieces.emplace_back(std::move(literal));
            literal.clear();
        }
    };
    for (size_t i = 0; i < pattern.size(); ++i) {
        const char c = pattern[i];
        if (c != '%' && c != '\\') {
            literal.push_back(c);
            continue;
        }
        if (i + 1 == pattern.size()) {
            return unexpected(
                fmt::format("format ends with a lone '{}': write %% or \\\\ for a literal one", c));
        }
        const char next = pattern[++i];
        if (c == '\\') {
            switch (next) {
                case 'n':
                    literal.push_back('\n');
                    break;
                case 't':
                    literal.push_back('\t');
                    break;
                case 'r':
                    literal.push_back('\r');
                    break;
                case '\\':
                    literal.push_back('\\');
                    break;
                default:
                    return unexpected(fmt::format(
                        "unknown escape '\\{}' in format: use \\n, \\t, \\r or \\\\", next));
            }
            continue;
        }
        std::optional<field> f;
        switch (next) {
            case '%':
                literal.push_back('%');
                break;
            case 't':
                f = field::topic;
                break;
            case 'p':
                f = field::partition;
                break;
            case 'o':
                f = field::offset;
                break;
            case 'k':
                f = field::key;
                break;
            case 'v':
                f = field::value;
                break;
            case 'T':
                f = field::timestamp;
                break;
            case 'h':
                f = field::headers;
                break;
            default:
                return unexpected(fmt::format(
                    "unknown token '%{}' in format: use %t %p %o %k %v %T %h or %%", next));
        }
        if (f) {
            flush_literal();
            pieces.emplace_back(*f);
        }
    }
    flush_literal();
    return record_formatter(std::move(pieces), false);
}

record_formatter record_formatter::value_per_line() {
    return record_formatter({field::value, std::string("\n")}, false);
}

void record_formatter::format(const record_view& record, std::string& out) const {
    if (json_) {
        format_json(record, out);
        return;
    }
    for (const auto& p : pieces_) {
        if (const auto* text = std::get_if<std::string>(&p)) {
            out += *text;
            continue;
        }
        switch (std::get<field>(p)) {
            case field::topic:
                out += record.topic;
                break;
            case field::partition:
                fmt::format_to(std::back_inserter(out), "{}", record.partition);
                break;
            case field::offset:
                fmt::format_to(std::back_inserter(out), "{}", record.offset);
                break;
            case field::key:
                out += record.key.value_or(std::string_view{});
                break;
            case field::value:
                out += record.value.value_or(std::string_view{});
                break;
            case field::timestamp:
                fmt::format_to(std::back_inserter(out), "{}", record.timestamp_ms.value_or(-1));
                break;
            case field::headers:
                for (size_t i = 0; i < record.headers.size(); ++i) {
                    const auto& h = record.headers[i];
                    if (i > 0) {
                        out.push_back(',');
                    }
                    out += h.key;
                    if (h.value) {
                        out.push_back('=');
                        out += *h.value;
                    }
                }
                break;
        }
    }
}

void record_formatter::format_json(const record_view& record, std::string& out) const {
    const auto nullable = [&out](const std::optional<std::string_view>& s) {
        if (s) {
            append_json_string(out, *s);
        } else {
            out += "null";
        }
    };
    out += "{\"topic\":";
    append_json_string(out, record.topic);
    fmt::format_to(std::back_inserter(out),
                   ",\"partition\":{},\"offset\":{},\"timestamp\":", record.partition,
                   record.offset);
    if (record.timestamp_ms) {
        fmt::format_to(std::back_inserter(out), "{}", *record.timestamp_ms);
    } else {
        out += "null";
    }
    out += ",\"key\":";
    nullable(record.key);
    out += ",\"value\":";
    nullable(record.value);
    out += ",\"headers\":[";
    for (size_t i = 0; i < record.headers.size(); ++i) {
        if (i > 0) {
            out.push_back(',');
        }
        out += "{\"key\":";
        append_json_string(out, record.headers[i].key);
        out += ",\"value\":";
        nullable(record.headers[i].value);
        out.push_back('}');
    }
    out += "]}\n";
}

}  // namespace otter::cli

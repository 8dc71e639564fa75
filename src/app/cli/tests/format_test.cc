#include "app/cli/format.h"

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

#include "app/cli/cli.h"

namespace otter::cli {
namespace {

record_view sample() {
    record_view r;
    r.topic = "orders";
    r.partition = 2;
    r.offset = 41;
    r.timestamp_ms = 1764064800000;
    r.key = "k1";
    r.value = "hello";
    r.headers = {{"trace", "abc"}, {"flag", std::nullopt}};
    return r;
}

std::string render(const record_formatter& f, const record_view& r) {
    std::string out;
    f.format(r, out);
    return out;
}

TEST(record_formatter, default_prints_value_per_line) {
    EXPECT_EQ(render(record_formatter::value_per_line(), sample()), "hello\n");
}

TEST(record_formatter, all_tokens_and_escapes) {
    auto f = record_formatter::parse("%t|%p|%o|%k|%v|%T|%h|100%%\\t\\\\\\n");
    ASSERT_TRUE(f) << f.error();
    EXPECT_EQ(render(*f, sample()), "orders|2|41|k1|hello|1764064800000|trace=abc,flag|100%\t\\\n");
}

TEST(record_formatter, nulls_print_as_nothing_and_missing_timestamp_as_minus_one) {
    record_view r = sample();
    r.key.reset();
    r.value.reset();
    r.timestamp_ms.reset();
    r.headers.clear();
    auto f = record_formatter::parse("[%k][%v][%T][%h]");
    ASSERT_TRUE(f);
    EXPECT_EQ(render(*f, r), "[][][-1][]");
}

TEST(record_formatter, literal_text_only) {
    auto f = record_formatter::parse("plain");
    ASSERT_TRUE(f);
    EXPECT_EQ(render(*f, sample()), "plain");
}

TEST(record_formatter, rejects_unknown_tokens_and_escapes) {
    auto bad_token = record_formatter::parse("%x");
    ASSERT_FALSE(bad_token);
    EXPECT_NE(bad_token.error().find("%x"), std::string::npos);
    EXPECT_FALSE(record_formatter::parse("\\q"));
    EXPECT_FALSE(record_formatter::parse("value %"));
    EXPECT_FALSE(record_formatter::parse("value \\"));
}

TEST(record_formatter, json) {
    auto f = record_formatter::parse("json");
    ASSERT_TRUE(f);
    EXPECT_TRUE(f->is_json());
    EXPECT_EQ(render(*f, sample()),
              R"({"topic":"orders","partition":2,"offset":41,"timestamp":1764064800000,)"
              R"("key":"k1","value":"hello","headers":[{"key":"trace","value":"abc"},)"
              R"({"key":"flag","value":null}]})"
              "\n");
}

TEST(record_formatter, json_nulls) {
    record_view r = sample();
    r.key.reset();
    r.value.reset();
    r.timestamp_ms.reset();
    r.headers.clear();
    auto f = record_formatter::parse("json");
    ASSERT_TRUE(f);
    EXPECT_EQ(render(*f, r),
              R"({"topic":"orders","partition":2,"offset":41,"timestamp":null,"key":null,)"
              R"("value":null,"headers":[]})"
              "\n");
}

TEST(json_string, escapes_quotes_backslashes_and_controls) {
    EXPECT_EQ(json_string(""), R"("")");
    EXPECT_EQ(json_string("a\"b\\c"), R"("a\"b\\c")");
    EXPECT_EQ(json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
    EXPECT_EQ(json_string(std::string("\x01\x1f\x7f", 3)), R"("\u0001\u001f\u007f")");
    EXPECT_EQ(json_string(std::string("a\0b", 3)), R"("a\u0000b")");
    EXPECT_EQ(json_string("/</script>"), R"("/</script>")");
}

TEST(json_string, keeps_valid_utf8_and_replaces_invalid_bytes) {
    EXPECT_EQ(json_string("h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\xa6\xa6"),
              "\"h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\xa6\xa6\"");
    EXPECT_EQ(json_string("\xff"), R"("\ufffd")");
    EXPECT_EQ(json_string("a\xc3"), R"("a\ufffd")");                    // truncated sequence
    EXPECT_EQ(json_string("\xc0\xaf"), R"("\ufffd\ufffd")");            // overlong '/'
    EXPECT_EQ(json_string("\xed\xa0\x80"), R"("\ufffd\ufffd\ufffd")");  // UTF-16 surrogate
    EXPECT_EQ(json_string("\xf4\x90\x80\x80"), R"("\ufffd\ufffd\ufffd\ufffd")");  // > U+10FFFF
}

TEST(parse_timestamp_ms, milliseconds) {
    EXPECT_EQ(parse_timestamp_ms("0").value(), 0);
    EXPECT_EQ(parse_timestamp_ms("1764064800000").value(), 1764064800000);
}

TEST(parse_timestamp_ms, iso8601) {
    // 2026-11-25T10:00:00Z
    constexpr int64_t base = 1795600800000;
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T10:00:00Z").value(), base);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25t10:00:00z").value(), base);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25 10:00Z").value(), base);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T10:00:00.250Z").value(), base + 250);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T10:00:00.5Z").value(), base + 500);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T10:00:00.123456789Z").value(), base + 123);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T11:00:00+01:00").value(), base);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T11:00:00+0100").value(), base);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25T05:30:00-04:30").value(), base);
    EXPECT_EQ(parse_timestamp_ms("2026-11-25").value(), base - 10 * 3600 * 1000);
    EXPECT_EQ(parse_timestamp_ms("1970-01-01T00:00:00Z").value(), 0);
    EXPECT_EQ(parse_timestamp_ms("2024-02-29T00:00:00Z").value(), 1709164800000);
}

TEST(parse_timestamp_ms, rejects_bad_input) {
    for (const char* bad : {"", "-5", "12a", "2026-11-25T10:00:00", "2026-13-01T00:00:00Z",
                            "2025-02-29", "2026-11-25T24:00:00Z", "2026-11-25T10:60Z",
                            "2026-11-25T10:00:00.Z", "2026-11-25T10:00:00Zjunk", "2026-1-5",
                            "2026-11-25T10:00:00+25:00", "yesterday", "99999999999999999999"}) {
        EXPECT_FALSE(parse_timestamp_ms(bad)) << bad;
    }
    auto no_zone = parse_timestamp_ms("2026-11-25T10:00:00");
    ASSERT_FALSE(no_zone);
    EXPECT_NE(no_zone.error().find("zone"), std::string::npos);
}

TEST(parse_offset_spec, forms) {
    EXPECT_EQ(parse_offset_spec("beginning")->from, offset_spec::kind::beginning);
    EXPECT_EQ(parse_offset_spec("end")->from, offset_spec::kind::end);
    auto n = parse_offset_spec("42");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->from, offset_spec::kind::absolute);
    EXPECT_EQ(n->value, 42);
    auto ts = parse_offset_spec("@1764064800000");
    ASSERT_TRUE(ts);
    EXPECT_EQ(ts->from, offset_spec::kind::timestamp);
    EXPECT_EQ(ts->value, 1764064800000);
    EXPECT_EQ(parse_offset_spec("@1970-01-01T00:00:01Z")->value, 1000);
    for (const char* bad : {"", "-1", "start", "@", "@soon", "1.5"}) {
        EXPECT_FALSE(parse_offset_spec(bad)) << bad;
    }
}

TEST(split_key, splits_at_first_separator) {
    auto s = split_key("user1:a:b", ":");
    ASSERT_TRUE(s.key);
    EXPECT_EQ(*s.key, "user1");
    EXPECT_EQ(s.value, "a:b");

    auto multi = split_key("k=>v", "=>");
    EXPECT_EQ(*multi.key, "k");
    EXPECT_EQ(multi.value, "v");

    auto empty_key = split_key(":v", ":");
    ASSERT_TRUE(empty_key.key);
    EXPECT_EQ(*empty_key.key, "");
    EXPECT_EQ(empty_key.value, "v");
}

TEST(split_key, no_separator_means_null_key) {
    auto none = split_key("just a value", ":");
    EXPECT_FALSE(none.key);
    EXPECT_EQ(none.value, "just a value");
    auto disabled = split_key("a:b", "");
    EXPECT_FALSE(disabled.key);
    EXPECT_EQ(disabled.value, "a:b");
}

TEST(parse_key_value, splits_at_first_equals) {
    auto kv = parse_key_value("sasl.jaas=a=b", "-X");
    ASSERT_TRUE(kv);
    EXPECT_EQ(kv->key, "sasl.jaas");
    EXPECT_EQ(kv->value, "a=b");
    auto empty_value = parse_key_value("k=", "-c");
    ASSERT_TRUE(empty_value);
    EXPECT_EQ(empty_value->value, "");
}

TEST(parse_key_value, errors_name_the_option_and_the_input) {
    auto missing = parse_key_value("acks", "-X");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), "-X expects key=value, got 'acks'");
    auto no_key = parse_key_value("=1", "-c/--config");
    ASSERT_FALSE(no_key);
    EXPECT_EQ(no_key.error(), "-c/--config expects key=value, got '=1'");
    auto list = parse_key_values({"a=1", "b", "c=3"}, "-X");
    ASSERT_FALSE(list);
    EXPECT_EQ(list.error(), "-X expects key=value, got 'b'");
    auto good = parse_key_values({"a=1", "c=3"}, "-X");
    ASSERT_TRUE(good);
    EXPECT_EQ(good->size(), 2u);
}

TEST(format_table, aligns_columns) {
    EXPECT_EQ(format_table({{"NAME", "PARTITIONS"}, {"orders", "3"}, {"a", ""}}),
              "NAME    PARTITIONS\norders  3\na\n");
}

// Command-line wiring: parsing selects the command and stores an action, without running it.
class command_line : public ::testing::Test {
  protected:
    bool parse(std::vector<std::string> args) {
        std::reverse(args.begin(), args.end());
        try {
            app_.parse(args);
            return true;
        } catch (const CLI::ParseError&) {
            return false;
        }
    }
    CLI::App app_{"otter"};
    std::function<int()> action_;
    void SetUp() override { add_client_commands(app_, action_); }
};

TEST_F(command_line, selects_commands) {
    EXPECT_TRUE(parse({"topic", "create", "orders", "-p", "3", "-c", "cleanup.policy=compact", "-X",
                       "a=b", "-X", "c=d"}));
    EXPECT_TRUE(action_);
}

TEST_F(command_line, repeated_x_does_not_swallow_positionals) {
    EXPECT_TRUE(parse({"topic", "delete", "-X", "a=b", "t1", "t2"}));
    EXPECT_TRUE(action_);
}

TEST_F(command_line, produce_and_consume_options) {
    EXPECT_TRUE(parse({"produce", "t", "-k", ":", "-H", "a=1", "-H", "b=2", "--acks", "1", "-z",
                       "zstd", "-p", "0", "--timeout", "2.5"}));
    EXPECT_TRUE(action_);
}

TEST_F(command_line, rejects_bad_values) {
    EXPECT_FALSE(parse({"produce", "t", "--acks", "2"}));
    EXPECT_FALSE(parse({"produce", "t", "-z", "brotli"}));
    EXPECT_FALSE(parse({"topic", "create", "t", "-p", "0"}));
    EXPECT_FALSE(parse({"consume", "t", "--timeout", "0"}));
    EXPECT_FALSE(parse({"topic"}));
    EXPECT_FALSE(action_);
}

TEST_F(command_line, offset_and_from_timestamp_exclude_each_other) {
    EXPECT_FALSE(parse({"consume", "t", "-o", "end", "--from-timestamp", "0"}));
}

TEST_F(command_line, consume_ok) {
    EXPECT_TRUE(parse({"consume", "t", "-o", "@2026-11-25T10:00:00Z", "-n", "5", "-f", "json",
                       "--follow", "--brokers", "h:1"}));
    EXPECT_TRUE(action_);
}

TEST_F(command_line, cluster_info) {
    EXPECT_TRUE(parse({"cluster", "info"}));
    EXPECT_TRUE(action_);
}

}  // namespace
}  // namespace otter::cli

#include "connectors/avro/avro.h"

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace otter::avro {
namespace {

const char* manifest_like = R"({"type":"record","name":"entry","fields":[
 {"name":"status","type":"int","field-id":0},
 {"name":"snapshot_id","type":["null","long"],"default":null,"field-id":1},
 {"name":"f","type":{"type":"fixed","name":"f4","size":4}},
 {"name":"e","type":{"type":"enum","name":"color","symbols":["red","green"]}},
 {"name":"d","type":"double"},{"name":"fl","type":"float"},{"name":"b","type":"boolean"},
 {"name":"m","type":{"type":"map","values":"long"}},
 {"name":"counts","type":["null",{"type":"array","logicalType":"map","items":{"type":"record",
   "name":"k1_v2","fields":[{"name":"key","type":"int","field-id":1},
   {"name":"value","type":"bytes","field-id":2}]}}],"default":null,"field-id":3},
 {"name":"again","type":["null","k1_v2"]}]})";

datum sample(int64_t i) {
    return datum::object{
        {"status", datum{i}},
        {"snapshot_id", i % 2 ? datum{} : datum{i * 1000}},
        {"f", datum{std::string("abcd")}},
        {"e", datum{"green"}},
        {"d", datum{1.5}},
        {"fl", datum{0.25}},
        {"b", datum{true}},
        {"m", datum::object{{"x", datum{int64_t{-3}}}}},
        {"counts", datum::list{datum::object{{"key", datum{int64_t{7}}},
                                             {"value", datum{std::string("\x00\x01", 2)}}}}},
        {"again", datum{}},
    };
}

TEST(avro, round_trip_both_codecs_and_attributes_kept) {
    auto s = schema::parse(manifest_like);
    ASSERT_TRUE(s.has_value()) << s.error();
    for (codec c : {codec::null, codec::deflate}) {
        container_writer w(*s, c, {{"format-version", "2"}, {"content", "data"}});
        for (int64_t i = 0; i < 100; ++i)
            ASSERT_TRUE(w.append(sample(i)).has_value());
        bytes file = w.finish();
        auto r = container_reader::open(file);
        ASSERT_TRUE(r.has_value()) << r.error();
        EXPECT_EQ(r->metadata().at("format-version"), "2");
        EXPECT_EQ(r->metadata().at("avro.codec"), c == codec::deflate ? "deflate" : "null");
        // The schema is kept verbatim: field-id survives.
        EXPECT_EQ(r->metadata().at("avro.schema"), manifest_like);
        auto recs = r->read_all();
        ASSERT_TRUE(recs.has_value()) << recs.error();
        ASSERT_EQ(recs->size(), 100u);
        const datum& d = (*recs)[4];
        EXPECT_EQ(d.get("status")->as_long(), 4);
        EXPECT_EQ(d.get("snapshot_id")->as_long(), 4000);
        EXPECT_TRUE((*recs)[5].get("snapshot_id")->is_null());
        EXPECT_EQ(*d.get("e")->as_string(), "green");
        EXPECT_EQ(*d.get("f")->as_string(), "abcd");
        EXPECT_EQ(d.get("m")->get("x")->as_long(), -3);
        auto* l = d.get("counts")->as_list();
        ASSERT_TRUE(l && l->size() == 1);
        EXPECT_EQ((*l)[0].get("key")->as_long(), 7);
        EXPECT_EQ(*(*l)[0].get("value")->as_string(), std::string("\x00\x01", 2));
    }
}

TEST(avro, encode_rejects_mismatches) {
    auto s = schema::parse(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
    ASSERT_TRUE(s.has_value());
    bytes out;
    EXPECT_FALSE(encode(*s, s->root(), datum::object{{"a", datum{"x"}}}, out).has_value());
    EXPECT_FALSE(encode(*s, s->root(), datum::object{}, out).has_value());  // missing, not null
    EXPECT_FALSE(
        encode(*s, s->root(), datum::object{{"a", datum{int64_t{1} << 40}}}, out).has_value());
    EXPECT_TRUE(encode(*s, s->root(), datum::object{{"a", datum{int64_t{-1}}}}, out).has_value());
    EXPECT_EQ(out, (bytes{0x01}));
}

TEST(avro, bad_schemas_are_errors) {
    for (const char* j : {"", "{", "42", "[]", R"({"type":"record"})", R"({"type":"nope"})",
                          R"({"type":"array"})", R"({"type":"fixed","name":"f"})",
                          R"({"type":"record","name":"r","fields":[{"name":"a"}]})"}) {
        EXPECT_FALSE(schema::parse(j).has_value()) << j;
    }
}

TEST(avro, garbage_never_crashes) {
    auto s = schema::parse(manifest_like);
    ASSERT_TRUE(s.has_value());
    container_writer w(*s, codec::deflate, {{"k", "v"}});
    for (int64_t i = 0; i < 20; ++i)
        ASSERT_TRUE(w.append(sample(i)).has_value());
    bytes good = w.finish();
    std::mt19937 rng(11);
    for (int trial = 0; trial < 3000; ++trial) {
        bytes b = good;
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits; ++e) {
            size_t at = rng() % b.size();
            switch (rng() % 3) {
                case 0:
                    b[at] = static_cast<uint8_t>(rng());
                    break;
                case 1:
                    b.resize(at);
                    break;
                default:
                    b.insert(b.begin() + static_cast<long>(at), static_cast<uint8_t>(rng()));
            }
            if (b.empty())
                break;
        }
        auto r = container_reader::open(b);
        if (r)
            (void)r->read_all();
    }
    SUCCEED();
}

TEST(avro, reads_java_written_manifest) {
    // Golden input: a manifest list and manifest written by Java Iceberg 1.8.1 (deflate).
    namespace fs = std::filesystem;
    fs::path dir = fs::path(OTTER_SOURCE_DIR) / "tests/fixtures/iceberg-real/java/bunnies/metadata";
    int seen = 0;
    for (auto& e : fs::directory_iterator(dir)) {
        if (e.path().extension() != ".avro")
            continue;
        std::ifstream in(e.path(), std::ios::binary);
        bytes file((std::istreambuf_iterator<char>(in)), {});
        auto r = container_reader::open(file);
        ASSERT_TRUE(r.has_value()) << e.path() << ": " << r.error();
        auto recs = r->read_all();
        ASSERT_TRUE(recs.has_value()) << e.path() << ": " << recs.error();
        EXPECT_FALSE(recs->empty());
        auto j = nlohmann::json::parse(r->metadata().at("avro.schema"));
        EXPECT_TRUE(j.dump().find("field-id") != std::string::npos);
        ++seen;
    }
    EXPECT_GE(seen, 6);
}

}  // namespace
}  // namespace otter::avro

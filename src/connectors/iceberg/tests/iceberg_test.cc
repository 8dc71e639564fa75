#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/schema.h"
#include "connectors/iceberg/table.h"

namespace otter::iceberg {
namespace {

namespace fs = std::filesystem;

const fs::path fixtures = fs::path(OTTER_SOURCE_DIR) / "tests/fixtures/iceberg-real";

// Spec Appendix B: "32-bit Hash Requirements" test vectors.
TEST(iceberg_hash, spec_vectors) {
    EXPECT_EQ(*bucket_hash("int", value{int64_t{34}}), 2017239379);
    EXPECT_EQ(*bucket_hash("long", value{int64_t{34}}), 2017239379);
    EXPECT_EQ(*bucket_hash("decimal(4, 2)", value{parquet::decimal_value{1420}}), -500754589);
    EXPECT_EQ(*bucket_hash("date", value{int64_t{*parse_date("2017-11-16")}}), -653330422);
    EXPECT_EQ(*bucket_hash("timestamp", value{*parse_timestamp("2017-11-16T22:31:08")}),
              -2047944441);
    EXPECT_EQ(*bucket_hash("timestamptz", value{*parse_timestamp("2017-11-16T14:31:08-08:00")}),
              -2047944441);
    EXPECT_EQ(*bucket_hash("string", value{std::string("iceberg")}), 1210000089);
    EXPECT_EQ(*bucket_hash("binary", value{std::string("\x00\x01\x02\x03", 4)}), -188683207);
    // time 22:31:08 as micros of the day hashes like a long.
    EXPECT_EQ(*bucket_hash("long", value{int64_t{81068000000}}), -662762989);
}

TEST(iceberg_transform, time_transforms_floor_before_epoch) {
    auto tr = [](const char* t) { return *transform::parse(t); };
    const std::string ts = "timestamptz";
    int64_t t0 = *parse_timestamp("2024-03-15T10:20:30Z");
    EXPECT_EQ(std::get<int64_t>(tr("year").apply(ts, value{t0})), 54);
    EXPECT_EQ(std::get<int64_t>(tr("month").apply(ts, value{t0})), 54 * 12 + 2);
    EXPECT_EQ(std::get<int64_t>(tr("day").apply(ts, value{t0})), *parse_date("2024-03-15"));
    EXPECT_EQ(std::get<int64_t>(tr("hour").apply(ts, value{t0})),
              int64_t{*parse_date("2024-03-15")} * 24 + 10);
    int64_t before = *parse_timestamp("1969-12-31T23:59:59.999999Z");
    EXPECT_EQ(std::get<int64_t>(tr("hour").apply(ts, value{before})), -1);
    EXPECT_EQ(std::get<int64_t>(tr("day").apply(ts, value{before})), -1);
    EXPECT_EQ(std::get<int64_t>(tr("month").apply(ts, value{before})), -1);
    EXPECT_EQ(std::get<int64_t>(tr("year").apply(ts, value{before})), -1);
    EXPECT_EQ(std::get<int64_t>(tr("month").apply("date", value{int64_t{-1}})), -1);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(tr("day").apply(ts, value{})));
    EXPECT_EQ(human_string("date", tr("day"), value{int64_t{0}}), "1970-01-01");
    EXPECT_EQ(human_string("int", tr("hour"), value{int64_t{-1}}), "1969-12-31-23");
    EXPECT_EQ(human_string("int", tr("month"), value{int64_t{-1}}), "1969-12");
}

TEST(iceberg_transform, truncate_and_bucket) {
    auto t10 = *transform::parse("truncate[10]");
    EXPECT_EQ(std::get<int64_t>(t10.apply("int", value{int64_t{-1}})), -10);
    EXPECT_EQ(std::get<int64_t>(t10.apply("long", value{int64_t{19}})), 10);
    auto t3 = *transform::parse("truncate[3]");
    EXPECT_EQ(std::get<std::string>(t3.apply("string", value{std::string("iceberg")})), "ice");
    EXPECT_EQ(std::get<std::string>(t3.apply("string", value{std::string("añb€c")})), "añb");
    auto t50 = *transform::parse("truncate[50]");
    EXPECT_EQ(std::get<parquet::decimal_value>(
                  t50.apply("decimal(9, 2)", value{parquet::decimal_value{1065}}))
                  .unscaled,
              1050);
    auto b16 = *transform::parse("bucket[16]");
    // (2017239379 & INT_MAX) % 16 == 3
    EXPECT_EQ(std::get<int64_t>(b16.apply("int", value{int64_t{34}})), 2017239379 % 16);
    EXPECT_FALSE(transform::parse("bucket[0]").has_value());
    EXPECT_FALSE(transform::parse("bucket[x]").has_value());
    EXPECT_FALSE(transform::parse("frobnicate").has_value());
    EXPECT_FALSE(b16.result_type("double").has_value());
    EXPECT_FALSE((*transform::parse("hour")).result_type("date").has_value());
}

TEST(iceberg_values, parse_text) {
    EXPECT_EQ(*parse_timestamp("1970-01-01T00:00:01.5Z"), 1'500'000);
    EXPECT_EQ(*parse_timestamp("1970-01-01 01:00:00+01:00"), 0);
    EXPECT_FALSE(parse_timestamp("1970-01-01").has_value());
    EXPECT_FALSE(parse_timestamp("1970-13-01T00:00:00").has_value());
    EXPECT_EQ(*parse_decimal("-12.5", 9, 2), -1250);
    EXPECT_EQ(*parse_decimal("3", 9, 2), 300);
    EXPECT_FALSE(parse_decimal("1.234", 9, 2).has_value());
    EXPECT_FALSE(parse_decimal("12345678.9", 9, 2).has_value());
    EXPECT_FALSE(parse_decimal("1e5", 9, 2).has_value());
    auto s = parse_schema_text("id long required, price decimal(10, 2), name string");
    ASSERT_TRUE(s.has_value()) << s.error();
    ASSERT_EQ(s->fields.size(), 3u);
    EXPECT_EQ(s->fields[0].id, 1);
    EXPECT_TRUE(s->fields[0].required);
    EXPECT_EQ(s->fields[1].type, "decimal(10, 2)");
    EXPECT_FALSE(parse_schema_text("id frob").has_value());
    EXPECT_FALSE(parse_schema_text("a long, a int").has_value());
    EXPECT_FALSE(parse_schema_text("bad-name long").has_value());
    auto p = parse_partition_text("day(ts), bucket[4](id), name",
                                  *parse_schema_text("id long, ts timestamptz, "
                                                     "name string"));
    ASSERT_TRUE(p.has_value()) << p.error();
    EXPECT_EQ(p->fields[0].name, "ts_day");
    EXPECT_EQ(p->fields[0].field_id, 1000);
    EXPECT_EQ(p->fields[1].name, "id_bucket");
    EXPECT_EQ(p->fields[2].name, "name");
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), {});
}

TEST(iceberg_reader, parses_real_engine_metadata) {
    for (auto& [table, versions] : std::vector<std::pair<std::string, int>>{
             {"java/bunnies", 5}, {"spark/rename_column", 3}}) {
        for (int v = 1; v <= versions; ++v) {
            auto m = parse_table_metadata(slurp(fixtures / table / "metadata" /
                                                ("v" + std::to_string(v) + ".metadata.json")));
            ASSERT_TRUE(m.has_value()) << table << " v" << v << ": " << m.error();
            EXPECT_EQ(m->format_version, 2);
        }
    }
    auto t = load_table((fixtures / "java/bunnies").string());
    ASSERT_TRUE(t.has_value()) << t.error();
    EXPECT_EQ(t->version, 5);
    EXPECT_EQ(t->meta.snapshots.size(), 3u);
    // Snapshot ids above 2^53 survive.
    EXPECT_EQ(*t->meta.current_snapshot_id, 9158179788527662767LL);
    const snapshot* first = t->meta.find_snapshot(4951213507629824583LL);
    ASSERT_NE(first, nullptr);
    auto files = list_files(*t, *first);
    ASSERT_TRUE(files.has_value()) << files.error();
    ASSERT_EQ(files->size(), 1u);
    EXPECT_EQ((*files)[0].entry.record_count, 21);
    EXPECT_EQ((*files)[0].entry.file_format, "PARQUET");

    auto all = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(all.has_value()) << all.error();
    int deletes = 0;
    for (auto& f : *all)
        deletes += f.entry.content != 0;
    EXPECT_GE(deletes, 1);

    auto spark = load_table((fixtures / "spark/rename_column").string());
    ASSERT_TRUE(spark.has_value()) << spark.error();
    ASSERT_EQ(spark->meta.specs.size(), 1u);
    EXPECT_EQ(spark->meta.specs[0].fields[0].tr.to_string(), "bucket[4]");
    auto sf = list_files(*spark, *spark->meta.current_snapshot());
    ASSERT_TRUE(sf.has_value()) << sf.error();
    EXPECT_EQ(sf->size(), 3u);
    // The partition tuple of each file: id_bucket (int) and date (date).
    for (auto& f : *sf) {
        ASSERT_NE(f.entry.partition.get("id_bucket"), nullptr);
        EXPECT_TRUE(f.entry.partition.get("id_bucket")->as_long().has_value());
        EXPECT_FALSE(f.entry.lower_bounds.empty());
    }
}

TEST(iceberg_reader, athena_table_by_metadata_file_name) {
    auto t = load_table((fixtures / "athena/example").string(),
                        "00001-aaf0d033-d06b-43c7-be60-67f83abd4aca.metadata.json");
    ASSERT_TRUE(t.has_value()) << t.error();
    ASSERT_NE(t->meta.current_snapshot(), nullptr);
    auto files = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value()) << files.error();
    int64_t rows = 0;
    for (auto& f : *files)
        rows += f.entry.record_count;
    EXPECT_EQ(rows, 2);
    // Without a version hint or vN files there is no "latest" to find.
    EXPECT_FALSE(load_table((fixtures / "athena/example").string()).has_value());
}

TEST(iceberg_reader, garbage_metadata_and_manifests_are_errors) {
    std::string good = slurp(fixtures / "spark/rename_column/metadata/v3.metadata.json");
    std::mt19937 rng(5);
    for (int i = 0; i < 2000; ++i) {
        std::string s = good;
        for (int e = 0; e < 4; ++e) {
            size_t at = rng() % s.size();
            if (rng() % 2)
                s[at] = static_cast<char>(rng());
            else
                s.erase(at, rng() % 20);
            if (s.empty())
                break;
        }
        (void)parse_table_metadata(s);
    }
    // Wrong types in otherwise valid JSON.
    EXPECT_FALSE(parse_table_metadata(R"({"format-version":"2","location":"x"})").has_value());
    EXPECT_FALSE(
        parse_table_metadata(R"({"format-version":2,"location":"x","schemas":[1]})").has_value());
    EXPECT_FALSE(parse_table_metadata(R"([1,2])").has_value());
    for (auto& e : fs::directory_iterator(fixtures / "spark/rename_column/metadata")) {
        if (e.path().extension() != ".avro")
            continue;
        std::string f = slurp(e.path());
        for (int i = 0; i < 500; ++i) {
            std::string s = f;
            for (int k = 0; k < 3; ++k)
                s[rng() % s.size()] = static_cast<char>(rng());
            bytes b(s.begin(), s.end());
            (void)parse_manifest(b);
            (void)parse_manifest_list(b);
        }
    }
}

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() / ("otter-iceberg-test-" + random_uuid());
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

TEST(iceberg_table, create_append_twice_and_read_back) {
    temp_dir tmp;
    auto dir = table_dir(tmp.path.string(), "db.events");
    ASSERT_TRUE(dir.has_value());
    create_request req;
    req.table_schema = *parse_schema_text(
        "id long required, region string, ts timestamptz, amount decimal(10, 2)");
    req.spec = *parse_partition_text("day(ts), region", req.table_schema);
    auto created = create_table(*dir, req);
    ASSERT_TRUE(created.has_value()) << created.error();
    EXPECT_FALSE(create_table(*dir, req).has_value());  // exists

    int64_t day0 = *parse_timestamp("2024-01-01T05:00:00Z");
    for (int round = 0; round < 2; ++round) {
        auto a = appender::open(*dir, {});
        ASSERT_TRUE(a.has_value()) << a.error();
        for (int64_t i = 0; i < 100; ++i) {
            std::vector<value> row = {
                value{round * 100 + i},
                i % 10 == 0 ? value{} : value{std::string(i % 2 ? "eu" : "us")},
                value{day0 + (i % 3) * 86'400'000'000LL},
                value{parquet::decimal_value{i * 101}},
            };
            auto r = (*a)->append_row(row);
            ASSERT_TRUE(r.has_value()) << r.error();
        }
        auto s = (*a)->commit();
        ASSERT_TRUE(s.has_value()) << s.error();
        EXPECT_EQ(s->sequence_number, round + 1);
        EXPECT_EQ(s->summary.at("added-records"), "100");
        EXPECT_EQ(s->summary.at("total-records"), std::to_string(100 * (round + 1)));
    }
    auto t = load_table(*dir);
    ASSERT_TRUE(t.has_value()) << t.error();
    EXPECT_EQ(t->version, 3);
    EXPECT_EQ(t->meta.snapshots.size(), 2u);
    EXPECT_EQ(t->meta.metadata_log.size(), 2u);
    EXPECT_EQ(t->meta.snapshot_log.size(), 2u);
    EXPECT_EQ(slurp(fs::path(*dir) / "metadata/version-hint.text"), "3");
    auto files = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value()) << files.error();
    int64_t rows = 0;
    std::set<int64_t> seqs;
    for (auto& f : *files) {
        rows += f.entry.record_count;
        seqs.insert(f.data_sequence_number);
        EXPECT_EQ(f.entry.value_counts.at(1), f.entry.record_count);
        EXPECT_TRUE(fs::exists(local_path(*t, f.entry.file_path)));
        // lower bound of id (field 1) is an 8-byte little-endian long.
        EXPECT_EQ(f.entry.lower_bounds.at(1).size(), 8u);
    }
    EXPECT_EQ(rows, 200);
    EXPECT_EQ(seqs, (std::set<int64_t>{1, 2}));
    // 3 days x {eu, us, null} = 9 partitions per append.
    EXPECT_EQ(files->size(), 18u);

    // Time travel: v2 has only the first append.
    auto v2 = load_table(*dir, "v2.metadata.json");
    ASSERT_TRUE(v2.has_value()) << v2.error();
    auto f2 = list_files(*v2, *v2->meta.current_snapshot());
    ASSERT_TRUE(f2.has_value());
    EXPECT_EQ(f2->size(), 9u);
}

TEST(iceberg_table, concurrent_commit_retries) {
    temp_dir tmp;
    std::string dir = (tmp.path / "db" / "t").string();
    create_request req;
    req.table_schema = *parse_schema_text("id long");
    ASSERT_TRUE(create_table(dir, req).has_value());
    // Both appenders load v1; the second must notice v2 exists and rebase onto it.
    auto a = appender::open(dir, {});
    auto b = appender::open(dir, {});
    ASSERT_TRUE(a.has_value() && b.has_value());
    std::vector<value> row = {value{int64_t{1}}};
    ASSERT_TRUE((*a)->append_row(row).has_value());
    ASSERT_TRUE((*b)->append_row(row).has_value());
    auto sa = (*a)->commit();
    auto sb = (*b)->commit();
    ASSERT_TRUE(sa.has_value()) << sa.error();
    ASSERT_TRUE(sb.has_value()) << sb.error();
    EXPECT_EQ(sb->parent_id, sa->snapshot_id);
    EXPECT_EQ(sb->sequence_number, 2);
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->version, 3);
    auto files = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value());
    EXPECT_EQ(files->size(), 2u);
}

TEST(iceberg_table, memory_bound_and_target_rows_roll_files) {
    temp_dir tmp;
    std::string dir = (tmp.path / "db" / "t").string();
    create_request req;
    req.table_schema = *parse_schema_text("id long required, k string");
    req.spec = *parse_partition_text("k", req.table_schema);
    ASSERT_TRUE(create_table(dir, req).has_value());
    append_options o;
    o.max_buffered_bytes = 20'000;  // ~1000 rows of two partitions
    auto a = appender::open(dir, o);
    ASSERT_TRUE(a.has_value());
    for (int64_t i = 0; i < 10'000; ++i) {
        std::vector<value> row = {value{i}, value{std::string(i % 2 ? "odd" : "even")}};
        ASSERT_TRUE((*a)->append_row(row).has_value());
    }
    ASSERT_TRUE((*a)->commit().has_value());
    o = {};
    o.target_file_rows = 300;
    auto b = appender::open(dir, o);
    ASSERT_TRUE(b.has_value());
    for (int64_t i = 0; i < 1000; ++i) {
        std::vector<value> row = {value{i}, value{std::string("x")}};
        ASSERT_TRUE((*b)->append_row(row).has_value());
    }
    auto s = (*b)->commit();
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->summary.at("added-data-files"), "4");  // 300 + 300 + 300 + 100
    auto t = load_table(dir);
    auto files = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value());
    int64_t rows = 0;
    size_t first_append_files = 0;
    for (auto& f : *files) {
        rows += f.entry.record_count;
        first_append_files += f.data_sequence_number == 1;
    }
    EXPECT_EQ(rows, 11'000);
    EXPECT_GT(first_append_files, 4u);  // the memory bound closed files early
}

TEST(iceberg_table, rejects_bad_rows_and_identifiers) {
    EXPECT_FALSE(table_dir("/w", "nonamespace").has_value());
    EXPECT_FALSE(table_dir("/w", "a..b").has_value());
    EXPECT_FALSE(table_dir("/w", "../x.y").has_value());
    temp_dir tmp;
    std::string dir = (tmp.path / "db" / "t").string();
    create_request req;
    req.table_schema = *parse_schema_text("id long required");
    ASSERT_TRUE(create_table(dir, req).has_value());
    auto a = appender::open(dir, {});
    ASSERT_TRUE(a.has_value());
    std::vector<value> null_row = {value{}};
    EXPECT_FALSE((*a)->append_row(null_row).has_value());
    std::vector<value> wide = {value{int64_t{1}}, value{int64_t{2}}};
    EXPECT_FALSE((*a)->append_row(wide).has_value());
    EXPECT_FALSE((*a)->commit().has_value());  // nothing to commit
}

}  // namespace
}  // namespace otter::iceberg

// Schema evolution (add optional columns) and snapshot expiry.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "connectors/avro/avro.h"
#include "connectors/iceberg/evolve.h"
#include "connectors/iceberg/expire.h"
#include "connectors/iceberg/metadata.h"
#include "connectors/iceberg/metadata_commit.h"
#include "connectors/iceberg/table.h"

namespace otter::iceberg {
namespace {

namespace fs = std::filesystem;

const fs::path fixtures = fs::path(OTTER_SOURCE_DIR) / "tests/fixtures/iceberg-real";

struct temp_dir {
    fs::path path;
    temp_dir() {
        path = fs::temp_directory_path() / ("otter-iceberg-evolve-" + random_uuid());
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

std::string make_table(const temp_dir& tmp,
                       const std::string& schema_text = "id long required, name string",
                       std::map<std::string, std::string> props = {}) {
    std::string dir = (tmp.path / "db" / "t").string();
    create_request req;
    req.table_schema = *parse_schema_text(schema_text);
    req.properties = std::move(props);
    auto c = create_table(dir, req);
    EXPECT_TRUE(c.has_value()) << c.error();
    return dir;
}

// Appends rows id = start..start+n-1 (other columns null) in one snapshot.
snapshot append(const std::string& dir, int64_t start, int64_t n) {
    auto a = appender::open(dir, {});
    EXPECT_TRUE(a.has_value()) << a.error();
    size_t width = (*a)->table_schema().fields.size();
    for (int64_t i = start; i < start + n; ++i) {
        std::vector<value> row(width);
        row[0] = value{i};
        EXPECT_TRUE((*a)->append_row(row).has_value());
    }
    auto s = (*a)->commit();
    EXPECT_TRUE(s.has_value()) << s.error();
    return s ? *s : snapshot{};
}

std::set<std::string> files_of(const std::string& dir, const std::string& under) {
    std::set<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(fs::path(dir) / under))
        if (e.is_regular_file())
            out.insert(e.path().lexically_normal().string());
    return out;
}

sys_milliseconds at_ms(int64_t ms) {
    return sys_milliseconds{std::chrono::milliseconds{ms}};
}

// ---- schema evolution ------------------------------------------------------------------------

TEST(iceberg_evolve, adds_optional_columns_with_fresh_ids) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    auto s = add_columns(dir, {{"price", "decimal(10, 2)", false, "unit price"}, {"qty", "int"}});
    ASSERT_TRUE(s.has_value()) << s.error();
    EXPECT_EQ(s->schema_id, 1);
    ASSERT_EQ(s->fields.size(), 4u);
    EXPECT_EQ(s->fields[2].id, 3);
    EXPECT_EQ(s->fields[2].name, "price");
    EXPECT_FALSE(s->fields[2].required);
    EXPECT_EQ(s->fields[3].id, 4);

    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value()) << t.error();
    EXPECT_EQ(t->version, 2);
    EXPECT_EQ(t->meta.current_schema_id, 1);
    EXPECT_EQ(t->meta.last_column_id, 4);
    ASSERT_EQ(t->meta.schemas.size(), 2u);
    EXPECT_EQ(t->meta.schemas[0].fields.size(), 2u);  // the old schema is kept
    ASSERT_EQ(t->meta.metadata_log.size(), 1u);
    EXPECT_TRUE(t->meta.metadata_log[0].second.ends_with("/metadata/v1.metadata.json"));
    EXPECT_EQ(t->meta.raw["schemas"][1]["fields"][2]["doc"], "unit price");
}

TEST(iceberg_evolve, refuses_required_duplicate_bad_type_and_commits_nothing) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    auto req = add_columns(dir, {{"x", "long", true}});
    ASSERT_FALSE(req.has_value());
    EXPECT_NE(req.error().find("cannot be required"), std::string::npos) << req.error();
    auto dup = add_columns(dir, {{"NAME", "string"}});
    ASSERT_FALSE(dup.has_value());
    EXPECT_NE(dup.error().find("already exists"), std::string::npos) << dup.error();
    auto dup2 = add_columns(dir, {{"a", "int"}, {"a", "long"}});
    ASSERT_FALSE(dup2.has_value());
    EXPECT_NE(dup2.error().find("already exists"), std::string::npos) << dup2.error();
    EXPECT_FALSE(add_columns(dir, {{"u", "uuid"}}).has_value());
    EXPECT_FALSE(add_columns(dir, {{"n", "nonsense"}}).has_value());
    EXPECT_FALSE(add_columns(dir, {{"", "int"}}).has_value());
    EXPECT_FALSE(add_columns(dir, {}).has_value());
    EXPECT_FALSE(add_columns((tmp.path / "nope").string(), {{"a", "int"}}).has_value());
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->version, 1);  // nothing committed
    EXPECT_EQ(t->meta.schemas.size(), 1u);
}

TEST(iceberg_evolve, parse_new_column) {
    auto c = parse_new_column("price:DECIMAL(10,2):the price");
    ASSERT_TRUE(c.has_value()) << c.error();
    EXPECT_EQ(c->name, "price");
    EXPECT_EQ(c->type, "decimal(10, 2)");
    EXPECT_EQ(c->doc, "the price");
    EXPECT_FALSE(c->required);
    auto r = parse_new_column("q:long required");
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->required);
    EXPECT_EQ(r->type, "long");
    EXPECT_FALSE(parse_new_column("nocolon").has_value());
    EXPECT_FALSE(parse_new_column(":long").has_value());
    EXPECT_FALSE(parse_new_column("a:").has_value());
}

TEST(iceberg_evolve, append_after_evolve_writes_new_column_old_files_unchanged) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    append(dir, 0, 10);
    auto s = add_columns(dir, {{"score", "double"}});
    ASSERT_TRUE(s.has_value()) << s.error();
    // A second evolution gets the next ids.
    auto s2 = add_columns(dir, {{"tag", "string"}});
    ASSERT_TRUE(s2.has_value()) << s2.error();
    EXPECT_EQ(s2->schema_id, 2);
    EXPECT_EQ(s2->fields.back().id, 4);

    auto a = appender::open(dir, {});
    ASSERT_TRUE(a.has_value()) << a.error();
    ASSERT_EQ((*a)->table_schema().schema_id, 2);
    ASSERT_EQ((*a)->table_schema().fields.size(), 4u);
    for (int64_t i = 10; i < 15; ++i) {
        std::vector<value> row = {value{i}, value{}, value{i * 0.5}, value{std::string("t")}};
        ASSERT_TRUE((*a)->append_row(row).has_value());
    }
    auto snap = (*a)->commit();
    ASSERT_TRUE(snap.has_value()) << snap.error();
    EXPECT_EQ(snap->schema_id, 2);

    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->version, 5);  // create, append, evolve, evolve, append
    EXPECT_EQ(t->meta.metadata_log.size(), 4u);
    EXPECT_EQ(t->meta.snapshots[0].schema_id, 0);
    auto files = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value()) << files.error();
    ASSERT_EQ(files->size(), 2u);
    int with_score = 0;
    for (auto& f : *files) {
        if (f.entry.value_counts.contains(3)) {
            ++with_score;
            EXPECT_EQ(f.entry.record_count, 5);
            EXPECT_EQ(f.entry.null_value_counts.at(3), 0);
        } else {
            EXPECT_EQ(f.entry.record_count, 10);  // the old file has no field 3
        }
    }
    EXPECT_EQ(with_score, 1);
}

TEST(iceberg_evolve, appender_opened_before_evolution_refuses_to_commit) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    auto a = appender::open(dir, {});
    ASSERT_TRUE(a.has_value());
    std::vector<value> row = {value{int64_t{1}}, value{}};
    ASSERT_TRUE((*a)->append_row(row).has_value());
    ASSERT_TRUE(add_columns(dir, {{"extra", "int"}}).has_value());
    auto c = (*a)->commit();
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().find("schema"), std::string::npos) << c.error();
}

TEST(iceberg_evolve, concurrent_evolutions_get_distinct_ids) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    std::vector<std::thread> ts;
    std::vector<result<schema, std::string>> out(4, unexpected<std::string>{std::string("unset")});
    for (int i = 0; i < 4; ++i)
        ts.emplace_back([&, i] {
            out[static_cast<size_t>(i)] = add_columns(dir, {{"c" + std::to_string(i), "long"}}, 50);
        });
    for (auto& t : ts)
        t.join();
    for (auto& r : out)
        ASSERT_TRUE(r.has_value()) << r.error();
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->version, 5);
    EXPECT_EQ(t->meta.last_column_id, 6);
    const schema* cur = t->meta.current_schema();
    ASSERT_EQ(cur->fields.size(), 6u);
    std::set<int32_t> ids;
    for (auto& f : cur->fields)
        ids.insert(f.id);
    EXPECT_EQ(ids.size(), 6u);
}

// ---- snapshot expiry -------------------------------------------------------------------------

TEST(iceberg_expire, append_only_history_deletes_only_manifest_lists) {
    // Fast appends share manifests and data files: snapshot 3 reaches everything snapshots 1
    // and 2 added, so expiring them may delete nothing but their manifest lists.
    temp_dir tmp;
    auto dir = make_table(tmp);
    auto s1 = append(dir, 0, 10);
    auto s2 = append(dir, 10, 10);
    auto s3 = append(dir, 20, 10);
    auto data_before = files_of(dir, "data");
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    std::string list1 = local_path(*t, s1.manifest_list), list3 = local_path(*t, s3.manifest_list);

    expire_options o;
    o.older_than = at_ms(s3.timestamp_ms + 1);
    auto dry = o;
    dry.dry_run = true;
    auto d = expire_snapshots(dir, dry);
    ASSERT_TRUE(d.has_value()) << d.error();
    EXPECT_EQ(d->expired_snapshot_ids.size(), 2u);
    EXPECT_EQ(d->manifest_lists.size(), 2u);
    EXPECT_EQ(d->committed_version, 0);
    EXPECT_TRUE(fs::exists(list1));  // dry run deletes nothing
    EXPECT_EQ(load_table(dir)->version, 4);

    auto r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(std::set<int64_t>(r->expired_snapshot_ids.begin(), r->expired_snapshot_ids.end()),
              (std::set<int64_t>{s1.snapshot_id, s2.snapshot_id}));
    EXPECT_EQ(r->remaining_snapshot_ids, std::vector<int64_t>{s3.snapshot_id});
    EXPECT_EQ(r->manifest_lists.size(), 2u);
    EXPECT_TRUE(r->manifests.empty());
    EXPECT_TRUE(r->content_files.empty());
    EXPECT_TRUE(r->delete_errors.empty());
    EXPECT_EQ(r->committed_version, 5);
    EXPECT_FALSE(fs::exists(list1));
    EXPECT_TRUE(fs::exists(list3));
    EXPECT_EQ(files_of(dir, "data"), data_before);

    auto after = load_table(dir);
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->meta.snapshots.size(), 1u);
    EXPECT_EQ(after->meta.snapshot_log.size(), 1u);
    EXPECT_EQ(after->meta.current_snapshot_id, s3.snapshot_id);
    EXPECT_EQ(after->meta.find_snapshot(s1.snapshot_id), nullptr);  // no time travel to s1
    auto files = list_files(*after, *after->meta.current_snapshot());
    ASSERT_TRUE(files.has_value()) << files.error();
    int64_t rows = 0;
    for (auto& f : *files) {
        rows += f.entry.record_count;
        EXPECT_TRUE(fs::exists(local_path(*after, f.entry.file_path)));
    }
    EXPECT_EQ(rows, 30);

    // Nothing left to expire: no commit.
    auto again = expire_snapshots(dir, o);
    ASSERT_TRUE(again.has_value());
    EXPECT_TRUE(again->expired_snapshot_ids.empty());
    EXPECT_EQ(again->committed_version, 0);
    EXPECT_EQ(load_table(dir)->version, 5);
}

TEST(iceberg_expire, current_snapshot_refs_and_retain_last_are_kept) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    std::vector<snapshot> s;
    for (int i = 0; i < 4; ++i)
        s.push_back(append(dir, i * 5, 5));
    // Tag the first snapshot.
    auto tagged =
        commit_metadata(dir, [&](const loaded_table&, ojson& next) -> result<void, std::string> {
            next["refs"]["keep-me"] = ojson{{"snapshot-id", s[0].snapshot_id}, {"type", "tag"}};
            return {};
        });
    ASSERT_TRUE(tagged.has_value()) << tagged.error();

    expire_options o;
    o.older_than = at_ms(s.back().timestamp_ms + 1000);
    o.retain_last = 2;
    auto r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->expired_snapshot_ids, std::vector<int64_t>{s[1].snapshot_id});
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    std::set<int64_t> left;
    for (auto& x : t->meta.snapshots)
        left.insert(x.snapshot_id);
    EXPECT_EQ(left, (std::set<int64_t>{s[0].snapshot_id, s[2].snapshot_id, s[3].snapshot_id}));
    EXPECT_EQ(t->meta.raw["refs"]["keep-me"]["snapshot-id"], s[0].snapshot_id);

    // retain_last 1 and a cutoff after everything: only the tag and the current one survive.
    o.retain_last = 1;
    r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->expired_snapshot_ids, std::vector<int64_t>{s[2].snapshot_id});
    EXPECT_EQ(load_table(dir)->meta.current_snapshot_id, s[3].snapshot_id);

    // A cutoff before everything expires nothing.
    o.older_than = at_ms(0);
    r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value());
    EXPECT_TRUE(r->expired_snapshot_ids.empty());

    o.retain_last = 0;
    EXPECT_FALSE(expire_snapshots(dir, o).has_value());
}

// java/bunnies (written by Java Iceberg): append, a delete (position deletes) and an overwrite
// (equality deletes + new rows), all files still live in the current snapshot. Expiring the first
// two snapshots deletes their manifest lists and keeps every file the current one reads.
TEST(iceberg_expire, real_java_table_keeps_every_file_the_current_snapshot_reads) {
    temp_dir tmp;
    fs::copy(fixtures / "java/bunnies", tmp.path / "bunnies", fs::copy_options::recursive);
    std::string dir = (tmp.path / "bunnies").string();
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value()) << t.error();
    ASSERT_EQ(t->meta.snapshots.size(), 3u);
    const snapshot& cur = *t->meta.current_snapshot();

    std::set<std::string> current_files, old_files;
    auto lf = list_files(*t, cur);
    ASSERT_TRUE(lf.has_value()) << lf.error();
    for (auto& f : *lf) {
        current_files.insert(fs::path(local_path(*t, f.entry.file_path)).lexically_normal());
        current_files.insert(fs::path(local_path(*t, f.manifest_path)).lexically_normal());
    }
    for (auto& s : t->meta.snapshots) {
        if (s.snapshot_id == cur.snapshot_id)
            continue;
        auto l = list_files(*t, s);
        ASSERT_TRUE(l.has_value()) << l.error();
        for (auto& f : *l)
            old_files.insert(fs::path(local_path(*t, f.entry.file_path)).lexically_normal());
    }
    // The repository copy of the fixture has metadata only: stand in empty files for its data
    // and delete files (expiry looks at paths, never at their contents).
    for (auto* set : {&current_files, &old_files})
        for (auto& f : *set)
            if (!fs::exists(f)) {
                fs::create_directories(fs::path(f).parent_path());
                std::ofstream(f).put('x');
            }
    std::set<std::string> only_old;
    for (auto& f : old_files)
        if (!current_files.contains(f))
            only_old.insert(f);

    expire_options o;
    o.older_than = at_ms(cur.timestamp_ms + 1);
    auto dry = o;
    dry.dry_run = true;
    auto d = expire_snapshots(dir, dry);
    ASSERT_TRUE(d.has_value()) << d.error();
    EXPECT_EQ(std::set<std::string>(d->content_files.begin(), d->content_files.end()), only_old);
    for (auto& f : only_old)
        EXPECT_TRUE(fs::exists(f)) << f;

    auto r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->expired_snapshot_ids.size(), 2u);
    EXPECT_EQ(std::set<std::string>(r->content_files.begin(), r->content_files.end()), only_old);
    EXPECT_EQ(r->manifest_lists.size(), 2u);
    EXPECT_TRUE(r->delete_errors.empty());
    for (auto& f : only_old)
        EXPECT_FALSE(fs::exists(f)) << f;
    for (auto& f : current_files)
        EXPECT_TRUE(fs::exists(f)) << f;
    for (auto& m : r->manifests)
        EXPECT_FALSE(current_files.contains(m)) << m;

    auto after = load_table(dir);
    ASSERT_TRUE(after.has_value()) << after.error();
    EXPECT_EQ(after->version, 6);
    EXPECT_EQ(after->meta.snapshots.size(), 1u);
    auto again = list_files(*after, *after->meta.current_snapshot());
    ASSERT_TRUE(again.has_value()) << again.error();
    EXPECT_EQ(again->size(), lf->size());
}

// Commits a snapshot that drops every manifest added by `dropped` from the current snapshot
// (what an engine's delete/overwrite of all those files leads to), so their data files leave the
// table.
snapshot commit_drop(const std::string& dir, int64_t dropped) {
    auto t = load_table(dir);
    EXPECT_TRUE(t.has_value());
    const snapshot& cur = *t->meta.current_snapshot();
    auto ml = t->io->read(local_path(*t, cur.manifest_list));
    EXPECT_TRUE(ml.has_value());
    auto rows = parse_manifest_list(*ml);
    EXPECT_TRUE(rows.has_value());
    auto ls = avro::schema::parse(manifest_list_avro_schema());
    EXPECT_TRUE(ls.has_value());
    avro::container_writer w(*ls, avro::codec::deflate, {{"format-version", "2"}});
    for (auto& m : *rows)
        if (m.added_snapshot_id != dropped) {
            EXPECT_TRUE(w.append(m.raw).has_value());
        }
    snapshot s;
    s.snapshot_id = cur.snapshot_id + 7;
    s.parent_id = cur.snapshot_id;
    s.sequence_number = t->meta.last_sequence_number + 1;
    s.timestamp_ms = t->meta.last_updated_ms + 1;
    std::string name = "snap-" + std::to_string(s.snapshot_id) + "-1-drop.avro";
    bytes list = w.finish();
    std::ofstream(fs::path(dir) / "metadata" / name, std::ios::binary)
        .write(reinterpret_cast<const char*>(list.data()),
               static_cast<std::streamsize>(list.size()));
    s.manifest_list = t->meta.location + "/metadata/" + name;
    auto c =
        commit_metadata(dir, [&](const loaded_table&, ojson& next) -> result<void, std::string> {
            next["snapshots"].push_back(ojson{{"sequence-number", s.sequence_number},
                                              {"snapshot-id", s.snapshot_id},
                                              {"parent-snapshot-id", cur.snapshot_id},
                                              {"timestamp-ms", s.timestamp_ms},
                                              {"summary", {{"operation", "delete"}}},
                                              {"manifest-list", s.manifest_list},
                                              {"schema-id", 0}});
            next["current-snapshot-id"] = s.snapshot_id;
            next["last-sequence-number"] = s.sequence_number;
            next["refs"]["main"] = ojson{{"snapshot-id", s.snapshot_id}, {"type", "branch"}};
            next["snapshot-log"].push_back(
                ojson{{"timestamp-ms", s.timestamp_ms}, {"snapshot-id", s.snapshot_id}});
            return {};
        });
    EXPECT_TRUE(c.has_value()) << c.error();
    return s;
}

TEST(iceberg_expire, files_only_expired_snapshots_reach_are_deleted_shared_ones_kept) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    auto s1 = append(dir, 0, 10);
    auto s1_data = files_of(dir, "data");
    auto s2 = append(dir, 10, 10);
    std::set<std::string> s2_data;
    for (auto& f : files_of(dir, "data"))
        if (!s1_data.contains(f))
            s2_data.insert(f);
    auto s3 = commit_drop(dir, s1.snapshot_id);  // s1's rows leave the table
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    auto live = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(live.has_value()) << live.error();
    ASSERT_EQ(live->size(), s2_data.size());
    std::string s2_manifest =
        fs::path(local_path(*t, live->front().manifest_path)).lexically_normal();

    expire_options o;
    o.older_than = at_ms(s3.timestamp_ms + 1);
    auto dry = o;
    dry.dry_run = true;
    auto d = expire_snapshots(dir, dry);
    ASSERT_TRUE(d.has_value()) << d.error();
    EXPECT_EQ(std::set<std::string>(d->content_files.begin(), d->content_files.end()), s1_data);
    for (auto& f : s1_data)
        EXPECT_TRUE(fs::exists(f));  // dry run

    auto r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->expired_snapshot_ids.size(), 2u);
    EXPECT_EQ(std::set<std::string>(r->content_files.begin(), r->content_files.end()), s1_data);
    EXPECT_EQ(r->manifests.size(), 1u);       // s1's manifest; s2's is shared with s3
    EXPECT_EQ(r->manifest_lists.size(), 2u);  // s1's and s2's
    EXPECT_TRUE(r->delete_errors.empty());
    for (auto& f : s1_data)
        EXPECT_FALSE(fs::exists(f)) << f;
    for (auto& f : s2_data)
        EXPECT_TRUE(fs::exists(f)) << f;
    EXPECT_TRUE(fs::exists(s2_manifest));
    EXPECT_FALSE(fs::exists(local_path(*t, s2.manifest_list)));
    EXPECT_TRUE(fs::exists(local_path(*t, s3.manifest_list)));
    auto after = load_table(dir);
    ASSERT_TRUE(after.has_value());
    auto still = list_files(*after, *after->meta.current_snapshot());
    ASSERT_TRUE(still.has_value()) << still.error();
    EXPECT_EQ(still->size(), s2_data.size());
}

// Expiry racing appends: whatever interleaving, every file the final snapshot reads exists.
TEST(iceberg_expire, concurrent_with_appends_never_deletes_live_files) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    append(dir, 0, 2);
    std::atomic<bool> done{false};
    std::thread writer([&] {
        for (int i = 1; i <= 6; ++i)
            append(dir, i * 2, 2);
        done = true;
    });
    int expiries = 0;
    expire_options o;
    o.older_than = at_ms(INT64_C(4102444800000));  // 2100: everything but the retained
    o.max_commit_attempts = 50;
    while (!done) {
        auto r = expire_snapshots(dir, o);
        // A concurrent commit may leave nothing to expire; that is the only acceptable error.
        if (!r)
            EXPECT_NE(r.error().find("concurrent"), std::string::npos) << r.error();
        else
            expiries += r->committed_version > 0;
    }
    writer.join();
    ASSERT_TRUE(expire_snapshots(dir, o).has_value());
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->meta.snapshots.size(), 1u);
    auto files = list_files(*t, *t->meta.current_snapshot());
    ASSERT_TRUE(files.has_value()) << files.error();
    int64_t rows = 0;
    for (auto& f : *files) {
        EXPECT_TRUE(fs::exists(local_path(*t, f.entry.file_path)));
        rows += f.entry.record_count;
    }
    EXPECT_EQ(rows, 14);
    EXPECT_GT(expiries, 0);
}

TEST(iceberg_expire, unreadable_remaining_snapshot_aborts_before_commit) {
    temp_dir tmp;
    auto dir = make_table(tmp);
    auto s1 = append(dir, 0, 3);
    auto s2 = append(dir, 3, 3);
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value());
    fs::remove(local_path(*t, s2.manifest_list));
    expire_options o;
    o.older_than = at_ms(s2.timestamp_ms + 1);
    auto r = expire_snapshots(dir, o);
    ASSERT_FALSE(r.has_value());
    EXPECT_NE(r.error().find("nothing expired"), std::string::npos) << r.error();
    EXPECT_TRUE(fs::exists(local_path(*t, s1.manifest_list)));
    EXPECT_EQ(load_table(dir)->version, 3);
}

TEST(iceberg_expire, deletes_old_metadata_files_when_enabled) {
    temp_dir tmp;
    auto dir = make_table(tmp, "id long required, name string",
                          {{"write.metadata.delete-after-commit.enabled", "true"},
                           {"write.metadata.previous-versions-max", "2"}});
    snapshot last;
    for (int i = 0; i < 4; ++i)
        last = append(dir, i, 1);
    // v1..v5 exist; the expiry commits v6 whose metadata-log keeps v4 and v5.
    expire_options o;
    o.older_than = at_ms(last.timestamp_ms + 1);
    auto r = expire_snapshots(dir, o);
    ASSERT_TRUE(r.has_value()) << r.error();
    EXPECT_EQ(r->committed_version, 6);
    EXPECT_EQ(r->metadata_files.size(), 3u);
    auto meta = fs::path(dir) / "metadata";
    for (int v = 1; v <= 3; ++v)
        EXPECT_FALSE(fs::exists(meta / ("v" + std::to_string(v) + ".metadata.json"))) << v;
    for (int v = 4; v <= 6; ++v)
        EXPECT_TRUE(fs::exists(meta / ("v" + std::to_string(v) + ".metadata.json"))) << v;
    auto t = load_table(dir);
    ASSERT_TRUE(t.has_value()) << t.error();
    EXPECT_EQ(t->meta.metadata_log.size(), 2u);
}

}  // namespace
}  // namespace otter::iceberg

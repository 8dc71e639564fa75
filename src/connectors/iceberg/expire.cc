#include "connectors/iceberg/expire.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <vector>

#include "connectors/iceberg/metadata_commit.h"
#include "connectors/iceberg/table.h"

namespace otter::iceberg {

namespace fs = std::filesystem;
using err = unexpected<std::string>;

namespace {

constexpr int64_t default_max_snapshot_age_ms = 5LL * 24 * 3600 * 1000;  // Java's default
constexpr int64_t default_previous_versions_max = 100;

// Files a set of snapshots references, as normalised local paths.
struct file_sets {
    std::set<std::string> manifest_lists, manifests, content_files;

    void merge(const file_sets& o) {
        manifest_lists.insert(o.manifest_lists.begin(), o.manifest_lists.end());
        manifests.insert(o.manifests.begin(), o.manifests.end());
        content_files.insert(o.content_files.begin(), o.content_files.end());
    }
};

// The path `location` is read and deleted at (a local path or an s3:// URI), normalised so the
// same file spelled two ways is one key.
std::string norm(const loaded_table& t, const std::string& location) {
    std::string p = local_path(t, location);
    if (is_s3_uri(p))
        return p;
    return fs::path(p).lexically_normal().string();
}

// Live file paths per manifest path: manifests are immutable and fast appends share them
// between snapshots, so each is read once per expiry.
using manifest_cache = std::map<std::string, std::vector<std::string>>;

// The manifest list, manifests and live (added or existing) data and delete files of `s`. A
// file in a DELETED entry is not part of the snapshot. Fails if anything cannot be read.
result<file_sets, std::string> reachable(const loaded_table& t, const snapshot& s,
                                         manifest_cache& cache) {
    auto io = t.io ? t.io : local_file_io();
    file_sets out;
    std::string list = norm(t, s.manifest_list);
    out.manifest_lists.insert(list);
    auto ml = io->read(list);
    if (!ml)
        return err{"snapshot " + std::to_string(s.snapshot_id) + ": " + ml.error()};
    auto manifests = parse_manifest_list(*ml);
    if (!manifests)
        return err{"snapshot " + std::to_string(s.snapshot_id) + ": " + list + ": " +
                   manifests.error()};
    for (auto& m : *manifests) {
        std::string mp = norm(t, m.path);
        out.manifests.insert(mp);
        if (auto it = cache.find(mp); it != cache.end()) {
            out.content_files.insert(it->second.begin(), it->second.end());
            continue;
        }
        auto mf = io->read(mp);
        if (!mf)
            return err{"snapshot " + std::to_string(s.snapshot_id) + ": " + mf.error()};
        auto entries = parse_manifest(*mf);
        if (!entries)
            return err{"snapshot " + std::to_string(s.snapshot_id) + ": " + mp + ": " +
                       entries.error()};
        auto& live = cache[mp];
        for (auto& e : *entries)
            if (e.status != 2)
                live.push_back(norm(t, e.file_path));
        out.content_files.insert(live.begin(), live.end());
    }
    return out;
}

std::optional<int64_t> long_property(const table_metadata& m, const char* key) {
    auto it = m.properties.find(key);
    if (it == m.properties.end())
        return std::nullopt;
    try {
        size_t used = 0;
        int64_t v = std::stoll(it->second, &used);
        if (used == it->second.size())
            return v;
    } catch (...) {
    }
    return std::nullopt;
}

// Snapshot ids that may not expire: the current one, those refs point to, and the newest
// `retain_last` of the current snapshot's ancestry.
std::set<int64_t> protected_ids(const table_metadata& m, int32_t retain_last) {
    std::set<int64_t> keep;
    if (auto it = m.raw.find("refs"); it != m.raw.end() && it->is_object())
        for (auto& [name, ref] : it->items())
            if (ref.is_object() && ref.contains("snapshot-id") &&
                ref["snapshot-id"].is_number_integer())
                keep.insert(ref["snapshot-id"].get<int64_t>());
    const snapshot* s = m.current_snapshot();
    for (int32_t n = 0; s && n < retain_last; ++n) {
        keep.insert(s->snapshot_id);
        s = s->parent_id ? m.find_snapshot(*s->parent_id) : nullptr;
    }
    if (m.current_snapshot_id)
        keep.insert(*m.current_snapshot_id);
    return keep;
}

std::set<int64_t> choose(const table_metadata& m, int64_t cutoff_ms, int32_t retain_last) {
    auto keep = protected_ids(m, retain_last);
    std::set<int64_t> out;
    for (auto& s : m.snapshots)
        if (s.timestamp_ms < cutoff_ms && !keep.contains(s.snapshot_id))
            out.insert(s.snapshot_id);
    return out;
}

// Removes the array elements of j[key] whose `id_key` is in `ids`.
void drop_by_snapshot(ojson& j, const char* key, const char* id_key, const std::set<int64_t>& ids) {
    auto it = j.find(key);
    if (it == j.end() || !it->is_array())
        return;
    ojson kept = ojson::array();
    for (auto& e : *it) {
        bool drop = e.is_object() && e.contains(id_key) && (*e.find(id_key)).is_number_integer() &&
                    ids.contains((*e.find(id_key)).get<int64_t>());
        if (!drop)
            kept.push_back(e);
    }
    *it = std::move(kept);
}

}  // namespace

result<expire_result, std::string> expire_snapshots(const std::string& dir,
                                                    const expire_options& options) {
    auto t = load_table(dir, "", options.storage);
    if (!t)
        return err{t.error()};
    auto io = t->io ? t->io : local_file_io();
    const auto& meta = t->meta;
    expire_result res;
    if (options.older_than) {
        res.cutoff_ms = options.older_than->time_since_epoch().count();
    } else {
        int64_t age = long_property(meta, "history.expire.max-snapshot-age-ms")
                          .value_or(default_max_snapshot_age_ms);
        auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now());
        res.cutoff_ms = now.time_since_epoch().count() - age;
    }
    if (options.retain_last) {
        res.retain_last = *options.retain_last;
    } else {
        auto p = long_property(meta, "history.expire.min-snapshots-to-keep").value_or(1);
        res.retain_last = static_cast<int32_t>(std::clamp<int64_t>(p, 1, INT32_MAX));
    }
    if (res.retain_last < 1)
        return err{"expire: retain-last must be at least 1, got " +
                   std::to_string(res.retain_last)};

    std::set<int64_t> expired = choose(meta, res.cutoff_ms, res.retain_last);
    auto remaining_ids = [&](const table_metadata& m, const std::set<int64_t>& gone) {
        std::vector<int64_t> ids;
        for (auto& s : m.snapshots)
            if (!gone.contains(s.snapshot_id))
                ids.push_back(s.snapshot_id);
        return ids;
    };
    if (expired.empty()) {
        res.remaining_snapshot_ids = remaining_ids(meta, expired);
        return res;
    }

    // Before committing: what the expired snapshots reference (read now, while their manifest
    // lists surely exist), and proof that every remaining snapshot can be listed.
    manifest_cache cache;
    std::map<int64_t, file_sets> expired_files;
    for (auto id : expired) {
        // An expired snapshot whose files are already gone (an earlier, interrupted cleanup)
        // contributes what can still be read; its missing files need no deletion.
        auto r = reachable(*t, *meta.find_snapshot(id), cache);
        expired_files[id] = r ? std::move(*r) : file_sets{};
        if (!r)
            expired_files[id].manifest_lists.insert(
                norm(*t, meta.find_snapshot(id)->manifest_list));
    }
    file_sets keep;
    for (auto& s : meta.snapshots) {
        if (expired.contains(s.snapshot_id))
            continue;
        auto r = reachable(*t, s, cache);
        if (!r)
            return err{"expire: cannot list the files of a remaining snapshot, nothing expired: " +
                       r.error()};
        keep.merge(*r);
    }

    const bool delete_metadata = [&] {
        auto it = meta.properties.find("write.metadata.delete-after-commit.enabled");
        return it != meta.properties.end() && (it->second == "true" || it->second == "TRUE");
    }();
    const int64_t previous_max =
        std::max<int64_t>(1, long_property(meta, "write.metadata.previous-versions-max")
                                 .value_or(default_previous_versions_max));

    std::set<int64_t> committed_expired = expired;
    std::vector<std::string> dropped_metadata;  // locations removed from metadata-log
    loaded_table after = *t;
    if (!options.dry_run) {
        auto c = commit_metadata(
            dir,
            [&](const loaded_table& base, ojson& next) -> result<void, std::string> {
                if (base.meta.table_uuid != meta.table_uuid)
                    return err{std::string("expire: table was replaced (table-uuid changed)")};
                // Re-decide against the newest metadata; expire only snapshots whose files
                // were read above.
                committed_expired.clear();
                for (auto id : choose(base.meta, res.cutoff_ms, res.retain_last))
                    if (expired.contains(id))
                        committed_expired.insert(id);
                if (committed_expired.empty())
                    return err{std::string(
                        "expire: a concurrent commit left nothing to expire; run again")};
                drop_by_snapshot(next, "snapshots", "snapshot-id", committed_expired);
                drop_by_snapshot(next, "snapshot-log", "snapshot-id", committed_expired);
                drop_by_snapshot(next, "statistics", "snapshot-id", committed_expired);
                drop_by_snapshot(next, "partition-statistics", "snapshot-id", committed_expired);
                dropped_metadata.clear();
                if (delete_metadata && next["metadata-log"].is_array()) {
                    auto& log = next["metadata-log"];
                    while (static_cast<int64_t>(log.size()) > previous_max) {
                        if (log[0].is_object() && log[0].contains("metadata-file") &&
                            log[0]["metadata-file"].is_string())
                            dropped_metadata.push_back(log[0]["metadata-file"].get<std::string>());
                        log.erase(log.begin());
                    }
                }
                return {};
            },
            options.max_commit_attempts, options.storage);
        if (!c)
            return err{c.error()};
        after = std::move(*c);
        res.committed_version = after.version;
    }
    if (options.dry_run && delete_metadata) {
        // What the commit would drop from metadata-log (which gains the current file first).
        std::vector<std::string> log;
        for (auto& [ts, file] : meta.metadata_log)
            log.push_back(file);
        log.push_back(t->metadata_path);
        for (size_t i = 0; static_cast<int64_t>(log.size() - i) > previous_max; ++i)
            dropped_metadata.push_back(log[i]);
    }
    res.expired_snapshot_ids.assign(committed_expired.begin(), committed_expired.end());
    res.remaining_snapshot_ids = remaining_ids(after.meta, committed_expired);

    if (!options.dry_run) {
        // Recompute what must stay from the metadata as committed (it may hold snapshots a
        // concurrent writer added between our load and our commit).
        keep = file_sets{};
        for (auto& s : after.meta.snapshots) {
            auto r = reachable(after, s, cache);
            if (!r) {
                res.delete_errors.push_back(
                    "snapshots expired, but no file deleted: cannot list a remaining snapshot: " +
                    r.error());
                return res;
            }
            keep.merge(*r);
        }
    }

    file_sets gone;
    for (auto id : committed_expired)
        gone.merge(expired_files[id]);
    auto erase_kept = [](std::set<std::string>& from, const file_sets& k) {
        std::erase_if(from, [&](const std::string& p) {
            return k.manifest_lists.contains(p) || k.manifests.contains(p) ||
                   k.content_files.contains(p);
        });
    };
    erase_kept(gone.manifest_lists, keep);
    erase_kept(gone.manifests, keep);
    erase_kept(gone.content_files, keep);
    std::set<std::string> gone_metadata;
    for (auto& loc : dropped_metadata) {
        std::string p = norm(after, loc);
        if (p != norm(after, after.metadata_path))
            gone_metadata.insert(p);
    }

    // Data and delete files first, then manifests, manifest lists and old metadata files: an
    // interrupted run leaves unreferenced files, never a manifest pointing at a missing file
    // of a snapshot that still exists (none of these belong to a remaining snapshot anyway).
    auto remove_all = [&](const std::set<std::string>& paths, std::vector<std::string>& out) {
        for (auto& p : paths) {
            if (options.dry_run) {
                if (auto e = io->exists(p); e && *e)
                    out.push_back(p);
                continue;
            }
            auto r = io->remove(p);
            if (!r)
                res.delete_errors.push_back(r.error());
            else if (*r)
                out.push_back(p);
        }
    };
    remove_all(gone.content_files, res.content_files);
    remove_all(gone.manifests, res.manifests);
    remove_all(gone.manifest_lists, res.manifest_lists);
    remove_all(gone_metadata, res.metadata_files);
    return res;
}

}  // namespace otter::iceberg

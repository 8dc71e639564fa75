#include "connectors/iceberg/metadata_commit.h"

#include <algorithm>

namespace otter::iceberg {

using err = unexpected<std::string>;

result<loaded_table, std::string> commit_metadata(const std::string& dir, const metadata_edit& edit,
                                                  int max_attempts,
                                                  const storage_options& storage) {
    for (int attempt = 1; attempt <= std::max(1, max_attempts); ++attempt) {
        auto t = load_table(dir, "", storage);
        if (!t)
            return err{t.error()};
        if (t->version <= 0)
            return err{"commit: cannot find the version number of " + t->metadata_path};
        auto io = t->io ? t->io : local_file_io();
        std::string location = t->meta.location;
        while (!location.empty() && location.back() == '/')
            location.pop_back();

        ojson next = t->meta.raw;
        next["last-updated-ms"] = std::max(now_ms(), t->meta.last_updated_ms);
        if (!next.contains("metadata-log") || !next["metadata-log"].is_array())
            next["metadata-log"] = ojson::array();
        next["metadata-log"].push_back(
            ojson{{"timestamp-ms", t->meta.last_updated_ms},
                  {"metadata-file", location + "/metadata/" + metadata_file_name(t->version)}});
        if (auto r = edit(*t, next); !r)
            return err{r.error()};

        std::string text = next.dump(2);
        // Never publish what our own reader rejects.
        auto parsed = parse_table_metadata(text);
        if (!parsed)
            return err{"commit: new metadata does not parse: " + parsed.error()};

        const std::string meta_dir = t->dir + "/metadata";
        const std::string path = meta_dir + "/" + metadata_file_name(t->version + 1);
        auto won = io->create_exclusive(path, as_bytes(text));
        if (!won)
            return err{won.error()};
        if (!*won)
            continue;  // another writer committed v(N+1): rebase on it
        // The hint is best-effort: readers also probe for newer versions.
        (void)io->write(meta_dir + "/version-hint.text", as_bytes(std::to_string(t->version + 1)));
        loaded_table out;
        out.dir = t->dir;
        out.io = io;
        out.version = t->version + 1;
        out.metadata_path = path;
        out.meta = std::move(*parsed);
        return out;
    }
    return err{"commit: gave up after " + std::to_string(max_attempts) +
               " attempts (concurrent writers)"};
}

}  // namespace otter::iceberg

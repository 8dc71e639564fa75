// See docs/formats/checkpoint.md for the format written and read here.
#include "stream/checkpoint.h"

#include <algorithm>
#include <cstring>

#include <nlohmann/json.hpp>

#include "bytes/crc32c.h"

namespace otter::stream {

namespace {

constexpr char state_magic[8] = {'O', 'T', 'S', 'T', 'A', 'T', 'E', '1'};
constexpr char manifest_magic[8] = {'O', 'T', 'C', 'K', 'P', 'T', 'M', '1'};
constexpr const char* manifest_name = "_manifest";

error io_err(const io::error& e) {
    return {e.code == io::errc::not_found ? errc::not_found : errc::io_error, e.message};
}

std::string state_file_name(const std::string& task, uint32_t subtask) {
    return task + "-" + std::to_string(subtask) + ".state";
}

bool parse_chk_id(const std::string& name, uint64_t& id) {
    if (name.size() <= 4 || name.compare(0, 4, "chk-") != 0) {
        return false;
    }
    id = 0;
    for (size_t i = 4; i < name.size(); ++i) {
        if (name[i] < '0' || name[i] > '9' || i > 23) {
            return false;
        }
        id = id * 10 + static_cast<uint64_t>(name[i] - '0');
    }
    return true;
}

}  // namespace

std::string checkpoint_dir_name(uint64_t id) {
    return "chk-" + std::to_string(id);
}

bytes encode_task_state(const task_snapshot& s) {
    bytes out(state_magic, state_magic + 8);
    append_be<uint32_t>(out, checkpoint_format_version);
    append_be<uint32_t>(out, s.subtask);
    append_be<uint32_t>(out, static_cast<uint32_t>(s.sections.size()));
    for (const auto& sec : s.sections) {
        append_be<uint32_t>(out, sec.node);
        out.push_back(static_cast<uint8_t>(sec.kind));
        append_be<uint64_t>(out, sec.data.size());
        out.insert(out.end(), sec.data.begin(), sec.data.end());
    }
    append_be<uint32_t>(out, crc32c(out.data(), out.size()));
    return out;
}

result<task_snapshot, error> decode_task_state(bytes_view data, const std::string& task,
                                               uint32_t subtask) {
    auto corrupt = [&](const std::string& why) {
        return unexpected<error>{
            error{errc::corrupt, "state file " + state_file_name(task, subtask) + ": " + why}};
    };
    if (data.size() < 8 + 12 + 4) {
        return corrupt("too short");
    }
    if (std::memcmp(data.data(), state_magic, 8) != 0) {
        return corrupt("bad magic");
    }
    uint32_t crc = load_be<uint32_t>(data.data() + data.size() - 4);
    if (crc != crc32c(data.data(), data.size() - 4)) {
        return corrupt("CRC-32C mismatch");
    }
    uint32_t version = load_be<uint32_t>(data.data() + 8);
    if (version != checkpoint_format_version) {
        return unexpected<error>{error{
            errc::incompatible, "state file format version " + std::to_string(version) +
                                    ", expected " + std::to_string(checkpoint_format_version)}};
    }
    task_snapshot s;
    s.task = task;
    s.subtask = load_be<uint32_t>(data.data() + 12);
    uint32_t n = load_be<uint32_t>(data.data() + 16);
    size_t pos = 20;
    size_t end = data.size() - 4;
    for (uint32_t i = 0; i < n; ++i) {
        if (end - pos < 13) {
            return corrupt("truncated section header");
        }
        state_section sec;
        sec.node = load_be<uint32_t>(data.data() + pos);
        uint8_t kind = data[pos + 4];
        if (kind > 2) {
            return corrupt("unknown section kind");
        }
        sec.kind = static_cast<section_kind>(kind);
        uint64_t len = load_be<uint64_t>(data.data() + pos + 5);
        pos += 13;
        if (len > end - pos) {
            return corrupt("truncated section");
        }
        sec.data.assign(data.begin() + static_cast<ptrdiff_t>(pos),
                        data.begin() + static_cast<ptrdiff_t>(pos + len));
        pos += len;
        s.sections.push_back(std::move(sec));
    }
    if (pos != end) {
        return corrupt("trailing bytes");
    }
    if (s.subtask != subtask) {
        return corrupt("subtask mismatch");
    }
    return s;
}

result<uint64_t, error> write_checkpoint(io::env& env, const std::string& dir,
                                         const checkpoint_info& info,
                                         const std::vector<task_snapshot>& tasks) {
    if (auto r = env.create_dirs(dir); !r) {
        return unexpected<error>{io_err(r.error())};
    }
    nlohmann::json m;
    m["format_version"] = checkpoint_format_version;
    m["id"] = info.id;
    m["kind"] = info.kind;
    m["job"] = info.job;
    m["fingerprint"] = info.fingerprint;
    m["created_ms"] = info.created_ms;
    m["files"] = nlohmann::json::array();
    uint64_t total = 0;
    for (const auto& t : tasks) {
        bytes data = encode_task_state(t);
        std::string name = state_file_name(t.task, t.subtask);
        if (auto r = env.write_file_atomic(dir + "/" + name, data); !r) {
            return unexpected<error>{io_err(r.error())};
        }
        total += data.size();
        m["files"].push_back({{"task", t.task},
                              {"subtask", t.subtask},
                              {"name", name},
                              {"size", data.size()},
                              {"crc32c", crc32c(data.data(), data.size())}});
    }
    std::string body = m.dump(2);
    bytes out(manifest_magic, manifest_magic + 8);
    append_be<uint32_t>(out, checkpoint_format_version);
    append_be<uint32_t>(out, crc32c(reinterpret_cast<const uint8_t*>(body.data()), body.size()));
    out.insert(out.end(), body.begin(), body.end());
    // The manifest goes last: write_file_atomic writes a temporary file, syncs it, renames it
    // into place and syncs the directory, so a crash leaves either no manifest or a whole one.
    if (auto r = env.write_file_atomic(dir + "/" + manifest_name, out); !r) {
        return unexpected<error>{io_err(r.error())};
    }
    return total + out.size();
}

result<loaded_checkpoint, error> read_checkpoint(io::env& env, const std::string& dir,
                                                 const std::string& fingerprint) {
    auto raw = env.read_file(dir + "/" + manifest_name);
    if (!raw) {
        if (raw.error().code == io::errc::not_found) {
            return unexpected<error>{error{
                errc::not_found, "no completed checkpoint in " + dir + " (missing _manifest)"}};
        }
        return unexpected<error>{io_err(raw.error())};
    }
    const bytes& mb = *raw;
    if (mb.size() < 16 || std::memcmp(mb.data(), manifest_magic, 8) != 0) {
        return unexpected<error>{error{errc::corrupt, dir + "/_manifest: bad magic or too short"}};
    }
    uint32_t version = load_be<uint32_t>(mb.data() + 8);
    if (version != checkpoint_format_version) {
        return unexpected<error>{
            error{errc::incompatible, dir + "/_manifest: format version " +
                                          std::to_string(version) + ", this build reads " +
                                          std::to_string(checkpoint_format_version)}};
    }
    if (load_be<uint32_t>(mb.data() + 12) != crc32c(mb.data() + 16, mb.size() - 16)) {
        return unexpected<error>{error{errc::corrupt, dir + "/_manifest: CRC-32C mismatch"}};
    }
    loaded_checkpoint out;
    try {
        auto m = nlohmann::json::parse(mb.begin() + 16, mb.end());
        out.info.id = m.at("id").get<uint64_t>();
        out.info.kind = m.at("kind").get<std::string>();
        out.info.job = m.at("job").get<std::string>();
        out.info.fingerprint = m.at("fingerprint").get<std::string>();
        out.info.created_ms = m.at("created_ms").get<int64_t>();
        out.info.path = dir;
        if (out.info.fingerprint != fingerprint) {
            return unexpected<error>{error{
                errc::incompatible,
                dir + ": checkpoint of a different job topology or parallelism (checkpoint: '" +
                    out.info.fingerprint + "', job: '" + fingerprint + "')"}};
        }
        for (const auto& f : m.at("files")) {
            std::string name = f.at("name").get<std::string>();
            auto data = env.read_file(dir + "/" + name);
            if (!data) {
                return unexpected<error>{
                    error{errc::corrupt, dir + "/" + name + ": " + data.error().message}};
            }
            if (data->size() != f.at("size").get<uint64_t>() ||
                crc32c(data->data(), data->size()) != f.at("crc32c").get<uint32_t>()) {
                return unexpected<error>{
                    error{errc::corrupt, dir + "/" + name + ": size or CRC-32C mismatch"}};
            }
            auto ts = decode_task_state(*data, f.at("task").get<std::string>(),
                                        f.at("subtask").get<uint32_t>());
            if (!ts) {
                return unexpected<error>{ts.error()};
            }
            out.info.total_bytes += data->size();
            out.tasks.push_back(std::move(*ts));
        }
    } catch (const nlohmann::json::exception& e) {
        return unexpected<error>{error{errc::corrupt, dir + "/_manifest: " + e.what()}};
    }
    return out;
}

result<std::string, error> latest_checkpoint(io::env& env, const std::string& base) {
    auto names = env.list_dir(base);
    if (!names) {
        return unexpected<error>{io_err(names.error())};
    }
    uint64_t best = 0;
    bool found = false;
    for (const auto& n : *names) {
        uint64_t id;
        if (parse_chk_id(n, id) && env.exists(base + "/" + n + "/" + manifest_name) &&
            (!found || id > best)) {
            best = id;
            found = true;
        }
    }
    if (!found) {
        return unexpected<error>{error{errc::not_found, "no completed checkpoint under " + base}};
    }
    return base + "/" + checkpoint_dir_name(best);
}

uint64_t max_checkpoint_id(io::env& env, const std::string& base) {
    auto names = env.list_dir(base);
    uint64_t best = 0;
    if (names) {
        for (const auto& n : *names) {
            uint64_t id;
            if (parse_chk_id(n, id) && id > best) {
                best = id;
            }
        }
    }
    return best;
}

void retain_checkpoints(io::env& env, const std::string& base, size_t keep) {
    auto names = env.list_dir(base);
    if (!names) {
        return;
    }
    std::vector<uint64_t> complete;
    std::vector<uint64_t> incomplete;
    for (const auto& n : *names) {
        uint64_t id;
        if (!parse_chk_id(n, id)) {
            continue;
        }
        (env.exists(base + "/" + n + "/" + manifest_name) ? complete : incomplete).push_back(id);
    }
    std::sort(complete.rbegin(), complete.rend());
    for (size_t i = keep; i < complete.size(); ++i) {
        (void)env.remove_all(base + "/" + checkpoint_dir_name(complete[i]));
    }
    if (!complete.empty()) {
        for (uint64_t id : incomplete) {
            if (id < complete.front()) {
                (void)env.remove_all(base + "/" + checkpoint_dir_name(id));
            }
        }
    }
}

}  // namespace otter::stream

#include "storage/log_manager.h"

#include "base/log.h"
#include "io/env.h"
#include "storage/partition_log.h"

namespace otter::storage {

namespace {

using terr = unexpected<log_manager::topic_error>;
using errc = log_manager::topic_errc;

constexpr const char* properties_name = "topic.properties";
constexpr const char* deleted_suffix = ".deleted";

terr fail(errc c, std::string msg) {
    return terr{{c, std::move(msg)}};
}

bool is_deleted_leftover(const std::string& n) {
    const std::string suffix = deleted_suffix;
    return n.find('~') != std::string::npos && n.size() > suffix.size() &&
           n.compare(n.size() - suffix.size(), suffix.size(), suffix) == 0;
}

struct properties {
    int32_t partitions = 0;
    std::map<std::string, std::string> overrides;
};

result<properties, std::string> parse_properties(const bytes& b) {
    properties p;
    bool have_partitions = false;
    std::string text(b.begin(), b.end());
    size_t start = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        std::string line = text.substr(start, end - start);
        start = end + 1;
        if (line.empty() || line[0] == '#') {
            continue;
        }
        auto eq = line.find('=');
        if (eq == std::string::npos) {
            return unexpected<std::string>{"line without '=': " + line};
        }
        std::string key = line.substr(0, eq), value = line.substr(eq + 1);
        if (key == "partitions") {
            try {
                size_t used = 0;
                long v = std::stol(value, &used);
                if (used != value.size() || v < 1 || v > log_manager::max_partitions) {
                    throw std::out_of_range("partitions");
                }
                p.partitions = static_cast<int32_t>(v);
                have_partitions = true;
            } catch (const std::exception&) {
                return unexpected<std::string>{"bad partitions value '" + value + "'"};
            }
        } else {
            p.overrides[key] = value;
        }
    }
    if (!have_partitions) {
        return unexpected<std::string>{"no partitions= line"};
    }
    return p;
}

}  // namespace

log_manager::log_manager(io::env& env, std::string data_dir,
                         std::map<std::string, std::string> broker_defaults)
    : env_(env), data_dir_(std::move(data_dir)), broker_defaults_(std::move(broker_defaults)) {}

log_manager::~log_manager() = default;

bool log_manager::valid_topic_name(const std::string& name) {
    if (name.empty() || name.size() > 249 || name == "." || name == "..") {
        return false;
    }
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

std::string log_manager::topic_dir(const std::string& name) const {
    return data_dir_ + "/kafka/" + name;
}

result<void, log_manager::topic_error> log_manager::write_properties(
    const std::string& name, int32_t partitions,
    const std::map<std::string, std::string>& overrides) {
    std::string text = "# Otter topic metadata, see docs/formats/log-segment.md\n";
    text += "partitions=" + std::to_string(partitions) + "\n";
    for (const auto& [k, v] : overrides) {
        text += k + "=" + v + "\n";
    }
    auto r = env_.write_file_atomic(
        topic_dir(name) + "/" + properties_name,
        bytes_view(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
    if (!r) {
        return fail(errc::io, r.error().message);
    }
    return {};
}

result<void, log_manager::topic_error> log_manager::open_partitions(const std::string& name,
                                                                    topic_state& st, int32_t from,
                                                                    int32_t to) {
    for (int32_t p = from; p < to; ++p) {
        auto log =
            partition_log::open(env_, topic_dir(name) + "/" + std::to_string(p),
                                model::topic_partition{name, model::partition_id(p)}, st.config);
        if (!log) {
            return fail(errc::io, log.error());
        }
        st.partitions.push_back(std::shared_ptr<partition_log>(std::move(*log)));
    }
    return {};
}

result<void, std::string> log_manager::load() {
    std::lock_guard a(admin_mu_);
    const std::string kafka_dir = data_dir_ + "/kafka";
    if (auto r = env_.create_dirs(kafka_dir); !r) {
        return unexpected<std::string>{r.error().message};
    }
    auto names = env_.list_dir(kafka_dir);
    if (!names) {
        return unexpected<std::string>{names.error().message};
    }
    std::map<std::string, topic_state> loaded;
    for (const auto& n : *names) {
        if (is_deleted_leftover(n)) {
            spdlog::info("removing leftover of a deleted topic: {}", n);
            (void)env_.remove_all(kafka_dir + "/" + n);
            continue;
        }
        if (!valid_topic_name(n)) {
            spdlog::warn("ignoring {}/{}: not a topic name", kafka_dir, n);
            continue;
        }
        auto raw = env_.read_file(topic_dir(n) + "/" + properties_name);
        if (!raw) {
            if (raw.error().code == io::errc::not_found) {
                spdlog::warn("ignoring {}: no {} (creation interrupted?)", topic_dir(n),
                             properties_name);
                continue;
            }
            return unexpected<std::string>{raw.error().message};
        }
        auto props = parse_properties(*raw);
        if (!props) {
            return unexpected<std::string>{topic_dir(n) + "/" + properties_name + ": " +
                                           props.error()};
        }
        auto cfg = make_log_config(props->overrides, broker_defaults_);
        if (!cfg) {
            return unexpected<std::string>{"topic " + n + ": " + cfg.error()};
        }
        topic_state st{props->overrides, *cfg, {}};
        if (auto r = open_partitions(n, st, 0, props->partitions); !r) {
            return unexpected<std::string>{r.error().message};
        }
        loaded.emplace(n, std::move(st));
    }
    std::lock_guard g(mu_);
    topics_ = std::move(loaded);
    return {};
}

result<void, log_manager::topic_error> log_manager::create_topic(
    const std::string& name, int32_t partitions,
    const std::map<std::string, std::string>& overrides) {
    if (!valid_topic_name(name)) {
        return fail(errc::invalid_name,
                    "invalid topic name '" + name + "': use 1-249 of [a-zA-Z0-9._-], not . or ..");
    }
    if (partitions < 1 || partitions > max_partitions) {
        return fail(errc::invalid_partitions, "partition count must be between 1 and " +
                                                  std::to_string(max_partitions) + ", got " +
                                                  std::to_string(partitions));
    }
    auto cfg = make_log_config(overrides, broker_defaults_);
    if (!cfg) {
        return fail(errc::invalid_config, cfg.error());
    }
    std::lock_guard a(admin_mu_);
    {
        std::lock_guard g(mu_);
        if (topics_.count(name)) {
            return fail(errc::exists, "topic '" + name + "' already exists");
        }
    }
    const std::string dir = topic_dir(name);
    // A directory without topic.properties is a failed creation: start afresh.
    if (auto r = env_.remove_all(dir); !r) {
        return fail(errc::io, r.error().message);
    }
    if (auto r = env_.create_dirs(dir); !r) {
        return fail(errc::io, r.error().message);
    }
    if (auto r = env_.sync_dir(data_dir_ + "/kafka"); !r) {
        return fail(errc::io, r.error().message);
    }
    if (auto r = write_properties(name, partitions, overrides); !r) {
        return r;
    }
    topic_state st{overrides, *cfg, {}};
    if (auto r = open_partitions(name, st, 0, partitions); !r) {
        return r;
    }
    if (auto r = env_.sync_dir(dir); !r) {
        return fail(errc::io, r.error().message);
    }
    std::lock_guard g(mu_);
    topics_.emplace(name, std::move(st));
    return {};
}

result<void, log_manager::topic_error> log_manager::delete_topic(const std::string& name) {
    std::lock_guard a(admin_mu_);
    {
        std::lock_guard g(mu_);
        if (topics_.count(name) == 0) {
            return fail(errc::not_found, "unknown topic '" + name + "'");
        }
    }
    // '~' cannot appear in a topic name, so the trash name never collides with a topic.
    const std::string kafka_dir = data_dir_ + "/kafka";
    std::string trash;
    do {
        trash = kafka_dir + "/" + name + "~" + std::to_string(delete_seq_++) + deleted_suffix;
    } while (env_.exists(trash));
    if (auto r = env_.rename(topic_dir(name), trash); !r) {
        return fail(errc::io, r.error().message);
    }
    {
        std::lock_guard g(mu_);
        topics_.erase(name);
    }
    if (auto r = env_.sync_dir(kafka_dir); !r) {
        return fail(errc::io, r.error().message);
    }
    if (auto r = env_.remove_all(trash); !r) {
        spdlog::warn("topic {} deleted, but removing {} failed: {}", name, trash,
                     r.error().message);
    }
    return {};
}

result<void, log_manager::topic_error> log_manager::add_partitions(const std::string& name,
                                                                   int32_t new_total) {
    std::lock_guard a(admin_mu_);
    topic_state st;
    int32_t current;
    {
        std::lock_guard g(mu_);
        auto it = topics_.find(name);
        if (it == topics_.end()) {
            return fail(errc::not_found, "unknown topic '" + name + "'");
        }
        st.overrides = it->second.overrides;
        st.config = it->second.config;
        current = static_cast<int32_t>(it->second.partitions.size());
    }
    if (new_total <= current || new_total > max_partitions) {
        return fail(errc::invalid_partitions,
                    "topic '" + name + "' has " + std::to_string(current) +
                        " partitions; the new count must be larger and at most " +
                        std::to_string(max_partitions) + ", got " + std::to_string(new_total));
    }
    if (auto r = open_partitions(name, st, current, new_total); !r) {
        return r;
    }
    if (auto r = write_properties(name, new_total, st.overrides); !r) {
        return r;
    }
    std::lock_guard g(mu_);
    auto& parts = topics_[name].partitions;
    parts.insert(parts.end(), st.partitions.begin(), st.partitions.end());
    return {};
}

result<void, log_manager::topic_error> log_manager::alter_config(
    const std::string& name, const std::map<std::string, std::string>& overrides) {
    auto cfg = make_log_config(overrides, broker_defaults_);
    std::lock_guard a(admin_mu_);
    std::vector<std::shared_ptr<partition_log>> parts;
    {
        std::lock_guard g(mu_);
        auto it = topics_.find(name);
        if (it == topics_.end()) {
            return fail(errc::not_found, "unknown topic '" + name + "'");
        }
        parts = it->second.partitions;
    }
    if (!cfg) {
        return fail(errc::invalid_config, cfg.error());
    }
    if (auto r = write_properties(name, static_cast<int32_t>(parts.size()), overrides); !r) {
        return r;
    }
    for (auto& p : parts) {
        p->update_config(*cfg);
    }
    std::lock_guard g(mu_);
    auto& st = topics_[name];
    st.overrides = overrides;
    st.config = *cfg;
    return {};
}

std::vector<log_manager::topic_info> log_manager::list_topics() const {
    std::lock_guard g(mu_);
    std::vector<topic_info> out;
    for (const auto& [name, st] : topics_) {
        out.push_back({name, static_cast<int32_t>(st.partitions.size()), st.overrides});
    }
    return out;
}

std::optional<log_manager::topic_info> log_manager::topic(const std::string& name) const {
    std::lock_guard g(mu_);
    auto it = topics_.find(name);
    if (it == topics_.end()) {
        return std::nullopt;
    }
    return topic_info{name, static_cast<int32_t>(it->second.partitions.size()),
                      it->second.overrides};
}

std::shared_ptr<partition_log> log_manager::partition(const std::string& topic, int32_t p) const {
    std::lock_guard g(mu_);
    auto it = topics_.find(topic);
    if (it == topics_.end() || p < 0 || p >= static_cast<int32_t>(it->second.partitions.size())) {
        return nullptr;
    }
    return it->second.partitions[static_cast<size_t>(p)];
}

std::vector<std::shared_ptr<partition_log>> log_manager::all_partitions() const {
    std::lock_guard g(mu_);
    std::vector<std::shared_ptr<partition_log>> out;
    for (const auto& [_, st] : topics_) {
        out.insert(out.end(), st.partitions.begin(), st.partitions.end());
    }
    return out;
}

}  // namespace otter::storage

#include "io/mem_env.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

namespace otter::io {

namespace {

struct mem_data {
    bytes data;
    uint64_t synced = 0;
};

}  // namespace

struct mem_state {
    mutable std::mutex mu;
    std::map<std::string, std::shared_ptr<mem_data>> files;  // guarded by mu
    std::set<std::string> dirs;                              // guarded by mu
    bool fail_write = false;                                 // guarded by mu
    bool fail_sync = false;                                  // guarded by mu
    uint64_t syncs = 0;                                      // guarded by mu
};

namespace {

using err = unexpected<error>;

std::string normalize(std::string p) {
    while (p.size() > 1 && p.back() == '/') {
        p.pop_back();
    }
    return p;
}

std::string parent_of(const std::string& p) {
    auto i = p.rfind('/');
    if (i == std::string::npos) {
        return "";
    }
    return i == 0 ? "/" : p.substr(0, i);
}

bool is_under(const std::string& p, const std::string& dir) {
    return p.size() > dir.size() && p.compare(0, dir.size(), dir) == 0 && p[dir.size()] == '/';
}

// Requires s.mu held.
bool dir_exists(const mem_state& s, const std::string& d) {
    return d.empty() || d == "/" || d == "." || s.dirs.count(d) > 0;
}

err not_found(const std::string& p) {
    return err{{errc::not_found, p + ": no such file"}};
}

class mem_file final : public file {
  public:
    mem_file(std::shared_ptr<mem_state> s, std::shared_ptr<mem_data> d)
        : s_(std::move(s)), d_(std::move(d)) {}

    result<void, error> append(bytes_view data) override {
        std::lock_guard g(s_->mu);
        if (s_->fail_write) {
            s_->fail_write = false;
            return err{{errc::io_error, "injected write failure"}};
        }
        d_->data.insert(d_->data.end(), data.begin(), data.end());
        return {};
    }
    result<size_t, error> pread(uint64_t pos, std::span<uint8_t> out) const override {
        std::lock_guard g(s_->mu);
        if (pos >= d_->data.size()) {
            return size_t{0};
        }
        size_t n = std::min<uint64_t>(out.size(), d_->data.size() - pos);
        std::memcpy(out.data(), d_->data.data() + pos, n);
        return n;
    }
    result<void, error> sync() override {
        std::lock_guard g(s_->mu);
        if (s_->fail_sync) {
            s_->fail_sync = false;
            return err{{errc::io_error, "injected sync failure"}};
        }
        d_->synced = d_->data.size();
        ++s_->syncs;
        return {};
    }
    result<void, error> truncate(uint64_t size) override {
        std::lock_guard g(s_->mu);
        d_->data.resize(size);
        d_->synced = std::min(d_->synced, size);
        return {};
    }
    uint64_t size() const override {
        std::lock_guard g(s_->mu);
        return d_->data.size();
    }

  private:
    std::shared_ptr<mem_state> s_;
    std::shared_ptr<mem_data> d_;
};

}  // namespace

mem_env::mem_env() : s_(std::make_shared<mem_state>()) {}
mem_env::~mem_env() = default;

result<std::unique_ptr<file>, error> mem_env::open(const std::string& path0, bool create) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    auto it = s_->files.find(path);
    if (it == s_->files.end()) {
        if (!create) {
            return not_found(path);
        }
        if (!dir_exists(*s_, parent_of(path))) {
            return not_found(parent_of(path));
        }
        if (s_->dirs.count(path)) {
            return err{{errc::exists, path + ": is a directory"}};
        }
        it = s_->files.emplace(path, std::make_shared<mem_data>()).first;
    }
    return std::unique_ptr<file>(std::make_unique<mem_file>(s_, it->second));
}

result<void, error> mem_env::write_file_atomic(const std::string& path0, bytes_view data) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    if (s_->fail_write) {
        s_->fail_write = false;
        return err{{errc::io_error, "injected write failure"}};
    }
    if (!dir_exists(*s_, parent_of(path))) {
        return not_found(parent_of(path));
    }
    auto d = std::make_shared<mem_data>();
    d->data.assign(data.begin(), data.end());
    d->synced = d->data.size();
    s_->files[path] = std::move(d);  // a new node: open handles keep the old contents
    return {};
}

result<bytes, error> mem_env::read_file(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    auto it = s_->files.find(path);
    if (it == s_->files.end()) {
        return not_found(path);
    }
    return it->second->data;
}

result<std::vector<std::string>, error> mem_env::list_dir(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    if (!dir_exists(*s_, path)) {
        return not_found(path);
    }
    std::string prefix = path == "/" ? "" : path;
    std::set<std::string> names;
    auto add = [&](const std::string& p) {
        if (is_under(p, prefix) || (prefix.empty() && p.size() > 1 && p[0] == '/')) {
            std::string rest = p.substr(prefix.size() + 1);
            if (rest.find('/') == std::string::npos) {
                names.insert(rest);
            }
        }
    };
    for (auto& [p, _] : s_->files) {
        add(p);
    }
    for (auto& p : s_->dirs) {
        add(p);
    }
    return std::vector<std::string>(names.begin(), names.end());
}

result<void, error> mem_env::create_dirs(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    for (std::string p = path; !p.empty() && p != "/" && p != "."; p = parent_of(p)) {
        if (s_->files.count(p)) {
            return err{{errc::exists, p + ": is a file"}};
        }
        s_->dirs.insert(p);
    }
    return {};
}

result<void, error> mem_env::remove_file(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    if (s_->files.erase(path) == 0) {
        return not_found(path);
    }
    return {};
}

result<void, error> mem_env::remove_all(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    std::erase_if(s_->files,
                  [&](auto& kv) { return kv.first == path || is_under(kv.first, path); });
    std::erase_if(s_->dirs, [&](auto& d) { return d == path || is_under(d, path); });
    return {};
}

result<void, error> mem_env::rename(const std::string& from0, const std::string& to0) {
    std::string from = normalize(from0), to = normalize(to0);
    std::lock_guard g(s_->mu);
    if (!dir_exists(*s_, parent_of(to))) {
        return not_found(parent_of(to));
    }
    if (auto it = s_->files.find(from); it != s_->files.end()) {
        auto d = it->second;
        s_->files.erase(it);
        s_->files[to] = std::move(d);
        return {};
    }
    if (!s_->dirs.count(from)) {
        return not_found(from);
    }
    if (s_->dirs.count(to) || s_->files.count(to)) {
        return err{{errc::exists, to + ": exists"}};
    }
    std::map<std::string, std::shared_ptr<mem_data>> files;
    for (auto it = s_->files.begin(); it != s_->files.end();) {
        if (is_under(it->first, from)) {
            files[to + it->first.substr(from.size())] = it->second;
            it = s_->files.erase(it);
        } else {
            ++it;
        }
    }
    s_->files.merge(files);
    std::set<std::string> dirs;
    for (auto it = s_->dirs.begin(); it != s_->dirs.end();) {
        if (*it == from || is_under(*it, from)) {
            dirs.insert(to + it->substr(from.size()));
            it = s_->dirs.erase(it);
        } else {
            ++it;
        }
    }
    s_->dirs.merge(dirs);
    return {};
}

result<void, error> mem_env::sync_dir(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    if (!dir_exists(*s_, path)) {
        return not_found(path);
    }
    return {};
}

bool mem_env::exists(const std::string& path0) {
    std::string path = normalize(path0);
    std::lock_guard g(s_->mu);
    return s_->files.count(path) > 0 || dir_exists(*s_, path);
}

void mem_env::crash() {
    std::lock_guard g(s_->mu);
    for (auto& [_, d] : s_->files) {
        d->data.resize(d->synced);
    }
}

void mem_env::fail_next_write() {
    std::lock_guard g(s_->mu);
    s_->fail_write = true;
}

void mem_env::fail_next_sync() {
    std::lock_guard g(s_->mu);
    s_->fail_sync = true;
}

uint64_t mem_env::sync_count() const {
    std::lock_guard g(s_->mu);
    return s_->syncs;
}

}  // namespace otter::io

#include "connectors/iceberg/file_io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <unistd.h>

namespace otter::iceberg {

namespace fs = std::filesystem;
using err = unexpected<std::string>;

namespace {

std::string temp_suffix() {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    char buf[32];
    std::snprintf(buf, sizeof(buf), ".tmp-%016llx", static_cast<unsigned long long>(rng()));
    return buf;
}

void sync_dir(const std::string& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

result<void, std::string> make_parent(const std::string& path) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    if (ec)
        return err{"mkdir " + fs::path(path).parent_path().string() + ": " + ec.message()};
    return {};
}

// Writes `data` to a new file (O_EXCL) and fsyncs it.
result<void, std::string> write_new_file(const std::string& path, bytes_view data) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0)
        return err{"create " + path + ": " + std::strerror(errno)};
    size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            int e = errno;
            ::close(fd);
            return err{"write " + path + ": " + std::strerror(e)};
        }
        off += static_cast<size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int e = errno;
        ::close(fd);
        return err{"fsync " + path + ": " + std::strerror(e)};
    }
    ::close(fd);
    return {};
}

class local_io final : public file_io {
  public:
    result<bytes, std::string> read(const std::string& path) override {
        return read_range(path, 0, -1);
    }

    result<bytes, std::string> read_range(const std::string& path, int64_t offset,
                                          int64_t length) override {
        if (offset < 0)
            return err{"read " + path + ": negative offset"};
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return err{"open " + path + ": " + std::strerror(errno)};
        bytes out;
        uint8_t buf[65536];
        auto pos = static_cast<off_t>(offset);
        for (;;) {
            size_t want = sizeof(buf);
            if (length >= 0) {
                size_t left = static_cast<size_t>(length) - out.size();
                if (left == 0)
                    break;
                want = std::min(want, left);
            }
            ssize_t n = ::pread(fd, buf, want, pos);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                int e = errno;
                ::close(fd);
                return err{"read " + path + ": " + std::strerror(e)};
            }
            if (n == 0)
                break;
            out.insert(out.end(), buf, buf + n);
            pos += n;
        }
        ::close(fd);
        return out;
    }

    result<void, std::string> write(const std::string& path, bytes_view data) override {
        if (auto r = make_parent(path); !r)
            return r;
        std::string tmp = path + temp_suffix();
        if (auto r = write_new_file(tmp, data); !r)
            return r;
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            int e = errno;
            ::unlink(tmp.c_str());
            return err{"rename " + path + ": " + std::strerror(e)};
        }
        sync_dir(fs::path(path).parent_path().string());
        return {};
    }

    // Write a temporary file, then link(2) it to the final name: EEXIST means somebody else won.
    result<bool, std::string> create_exclusive(const std::string& path, bytes_view data) override {
        if (auto r = make_parent(path); !r)
            return err{r.error()};
        std::string tmp = path + temp_suffix();
        if (auto r = write_new_file(tmp, data); !r)
            return err{r.error()};
        int rc = ::link(tmp.c_str(), path.c_str());
        int e = errno;
        ::unlink(tmp.c_str());
        if (rc != 0) {
            if (e == EEXIST)
                return false;
            return err{"link " + path + ": " + std::strerror(e)};
        }
        sync_dir(fs::path(path).parent_path().string());
        return true;
    }

    result<bool, std::string> exists(const std::string& path) override {
        std::error_code ec;
        bool e = fs::exists(path, ec);
        if (ec && ec != std::errc::no_such_file_or_directory)
            return err{"stat " + path + ": " + ec.message()};
        return e;
    }

    result<std::vector<std::string>, std::string> list(const std::string& dir) override {
        std::vector<std::string> out;
        std::error_code ec;
        if (!fs::exists(dir, ec))
            return out;
        for (auto it = fs::recursive_directory_iterator(dir, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
            if (it->is_regular_file(ec))
                out.push_back(it->path().string());
        if (ec)
            return err{"list " + dir + ": " + ec.message()};
        std::sort(out.begin(), out.end());
        return out;
    }

    result<bool, std::string> remove(const std::string& path) override {
        if (::unlink(path.c_str()) == 0)
            return true;
        if (errno == ENOENT)
            return false;
        return err{"unlink " + path + ": " + std::strerror(errno)};
    }

    result<std::unique_ptr<parquet::output_stream>, std::string> open_output(
        const std::string& path) override {
        if (auto r = make_parent(path); !r)
            return err{r.error()};
        return parquet::open_file_output(path, true);
    }

    bool conditional_create() const override { return true; }
};

std::string_view as_chars(bytes_view b) {
    return {reinterpret_cast<const char*>(b.data()), b.size()};
}

bytes to_bytes(const std::string& s) {
    return bytes(s.begin(), s.end());
}

class s3_io;

// Buffers a whole object in memory and PUTs it on close() (single request, no multipart).
class s3_output final : public parquet::output_stream {
  public:
    s3_output(std::shared_ptr<s3::client> c, std::string bucket, std::string key, std::string uri)
        : client_(std::move(c)),
          bucket_(std::move(bucket)),
          key_(std::move(key)),
          uri_(std::move(uri)) {}
    result<void, std::string> write(bytes_view d) override {
        buf_.append(as_chars(d));
        return {};
    }
    result<void, std::string> close() override {
        auto r = client_->put(bucket_, key_, buf_);
        std::string().swap(buf_);
        if (!r)
            return err{"put " + uri_ + ": " + r.error().to_string()};
        return {};
    }

  private:
    std::shared_ptr<s3::client> client_;
    std::string bucket_, key_, uri_;
    std::string buf_;
};

class s3_io final : public file_io {
  public:
    explicit s3_io(std::shared_ptr<s3::client> c) : client_(std::move(c)) {}

    result<bytes, std::string> read(const std::string& path) override {
        auto u = s3::parse_s3_uri(path);
        if (!u)
            return err{u.error()};
        auto r = client_->get(u->first, u->second);
        if (!r)
            return err{"get " + path + ": " + r.error().to_string()};
        return to_bytes(*r);
    }

    result<bytes, std::string> read_range(const std::string& path, int64_t offset,
                                          int64_t length) override {
        auto u = s3::parse_s3_uri(path);
        if (!u)
            return err{u.error()};
        if (length == 0)
            return bytes{};
        auto r = client_->get(u->first, u->second, s3::byte_range{offset, length});
        if (!r)
            return err{"get " + path + ": " + r.error().to_string()};
        return to_bytes(*r);
    }

    result<void, std::string> write(const std::string& path, bytes_view data) override {
        auto u = s3::parse_s3_uri(path);
        if (!u)
            return err{u.error()};
        if (auto r = client_->put(u->first, u->second, as_chars(data)); !r)
            return err{"put " + path + ": " + r.error().to_string()};
        return {};
    }

    result<bool, std::string> create_exclusive(const std::string& path, bytes_view data) override {
        auto u = s3::parse_s3_uri(path);
        if (!u)
            return err{u.error()};
        auto r = client_->put_if_absent(u->first, u->second, as_chars(data));
        if (!r)
            return err{"put " + path + ": " + r.error().to_string()};
        return *r;
    }

    result<bool, std::string> exists(const std::string& path) override {
        auto u = s3::parse_s3_uri(path);
        if (!u)
            return err{u.error()};
        auto r = client_->head(u->first, u->second);
        if (r)
            return true;
        if (r.error().http_status == 404)
            return false;
        return err{"head " + path + ": " + r.error().to_string()};
    }

    result<std::vector<std::string>, std::string> list(const std::string& dir) override {
        auto u = s3::parse_s3_uri(dir);
        if (!u)
            return err{u.error()};
        std::string prefix = u->second;
        if (!prefix.empty() && prefix.back() != '/')
            prefix.push_back('/');
        auto r = client_->list(u->first, prefix);
        if (!r)
            return err{"list " + dir + ": " + r.error().to_string()};
        std::vector<std::string> out;
        for (auto& o : *r)
            out.push_back("s3://" + u->first + "/" + o.key);
        return out;
    }

    result<bool, std::string> remove(const std::string& path) override {
        auto e = exists(path);
        if (!e)
            return e;
        auto u = s3::parse_s3_uri(path);
        if (auto r = client_->remove(u->first, u->second); !r)
            return err{"delete " + path + ": " + r.error().to_string()};
        return *e;
    }

    result<std::unique_ptr<parquet::output_stream>, std::string> open_output(
        const std::string& path) override {
        auto u = s3::parse_s3_uri(path);
        if (!u)
            return err{u.error()};
        return std::unique_ptr<parquet::output_stream>(
            std::make_unique<s3_output>(client_, u->first, u->second, path));
    }

    bool conditional_create() const override { return true; }

  private:
    std::shared_ptr<s3::client> client_;  // shared with output streams that outlive calls
};

}  // namespace

bool is_s3_uri(const std::string& location) {
    return location.rfind("s3://", 0) == 0;
}

std::shared_ptr<file_io> local_file_io() {
    return std::make_shared<local_io>();
}

std::shared_ptr<file_io> s3_file_io(std::shared_ptr<s3::client> client) {
    return std::make_shared<s3_io>(std::move(client));
}

result<std::shared_ptr<file_io>, std::string> file_io_for(const std::string& location,
                                                          const storage_options& options) {
    if (!is_s3_uri(location))
        return local_file_io();
    s3::config c = options.s3;
    c.fill_from_env(options.s3_region_set);
    auto cl = s3::client::create(std::move(c));
    if (!cl)
        return err{cl.error()};
    return s3_file_io(std::shared_ptr<s3::client>(std::move(*cl)));
}

}  // namespace otter::iceberg

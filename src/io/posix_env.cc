// POSIX implementation of io::env.
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/env.h"

namespace otter::io {

namespace {

using err = unexpected<error>;

errc code_of(int e) {
    switch (e) {
        case ENOENT:
            return errc::not_found;
        case EEXIST:
            return errc::exists;
        case ENOSPC:
        case EDQUOT:
            return errc::no_space;
        default:
            return errc::io_error;
    }
}

err os_error(const std::string& what, const std::string& path, int e) {
    return err{{code_of(e), what + " " + path + ": " + std::strerror(e)}};
}

err fs_error(const std::string& what, const std::string& path, const std::error_code& ec) {
    return err{{code_of(ec.value()), what + " " + path + ": " + ec.message()}};
}

// Closes a descriptor on scope exit.
class fd_guard {
  public:
    explicit fd_guard(int fd) : fd_(fd) {}
    ~fd_guard() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    int get() const { return fd_; }

  private:
    int fd_;
};

result<void, error> write_all(int fd, uint64_t pos, bytes_view data, const std::string& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n =
            ::pwrite(fd, data.data() + done, data.size() - done, static_cast<off_t>(pos + done));
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return os_error("write", path, errno);
        }
        done += static_cast<size_t>(n);
    }
    return {};
}

class posix_file final : public file {
  public:
    posix_file(int fd, std::string path, uint64_t size)
        : fd_(fd), path_(std::move(path)), size_(size) {}
    ~posix_file() override { ::close(fd_); }

    result<void, error> append(bytes_view data) override {
        uint64_t pos = size_.load(std::memory_order_relaxed);
        auto r = write_all(fd_, pos, data, path_);
        if (!r) {
            return r;
        }
        size_.store(pos + data.size(), std::memory_order_release);
        return {};
    }

    result<size_t, error> pread(uint64_t pos, std::span<uint8_t> out) const override {
        size_t done = 0;
        while (done < out.size()) {
            ssize_t n =
                ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(pos + done));
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return os_error("read", path_, errno);
            }
            if (n == 0) {
                break;
            }
            done += static_cast<size_t>(n);
        }
        return done;
    }

    result<void, error> sync() override {
        while (::fdatasync(fd_) != 0) {
            if (errno != EINTR) {
                return os_error("fdatasync", path_, errno);
            }
        }
        return {};
    }

    result<void, error> truncate(uint64_t size) override {
        while (::ftruncate(fd_, static_cast<off_t>(size)) != 0) {
            if (errno != EINTR) {
                return os_error("truncate", path_, errno);
            }
        }
        size_.store(size, std::memory_order_release);
        return {};
    }

    uint64_t size() const override { return size_.load(std::memory_order_acquire); }

  private:
    int fd_;
    std::string path_;
    std::atomic<uint64_t> size_;
};

std::string parent_dir(const std::string& path) {
    auto i = path.rfind('/');
    if (i == std::string::npos) {
        return ".";
    }
    return i == 0 ? "/" : path.substr(0, i);
}

class posix_env final : public env {
  public:
    result<std::unique_ptr<file>, error> open(const std::string& path, bool create) override {
        int flags = O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0);
        int fd;
        do {
            fd = ::open(path.c_str(), flags, 0644);
        } while (fd < 0 && errno == EINTR);
        if (fd < 0) {
            return os_error("open", path, errno);
        }
        struct stat st;
        if (::fstat(fd, &st) != 0) {
            int e = errno;
            ::close(fd);
            return os_error("stat", path, e);
        }
        return std::unique_ptr<file>(
            std::make_unique<posix_file>(fd, path, static_cast<uint64_t>(st.st_size)));
    }

    result<void, error> write_file_atomic(const std::string& path, bytes_view data) override {
        std::string tmp = path + ".tmp";
        {
            fd_guard fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
            if (fd.get() < 0) {
                return os_error("open", tmp, errno);
            }
            if (auto r = write_all(fd.get(), 0, data, tmp); !r) {
                return r;
            }
            if (::fsync(fd.get()) != 0) {
                return os_error("fsync", tmp, errno);
            }
        }
        if (::rename(tmp.c_str(), path.c_str()) != 0) {
            return os_error("rename", tmp, errno);
        }
        return sync_dir(parent_dir(path));
    }

    result<bytes, error> read_file(const std::string& path) override {
        auto f = open(path, false);
        if (!f) {
            return unexpected<error>{f.error()};
        }
        bytes out((*f)->size());
        auto n = (*f)->pread(0, out);
        if (!n) {
            return unexpected<error>{n.error()};
        }
        out.resize(*n);
        return out;
    }

    result<std::vector<std::string>, error> list_dir(const std::string& path) override {
        DIR* d = ::opendir(path.c_str());
        if (d == nullptr) {
            return os_error("opendir", path, errno);
        }
        std::vector<std::string> out;
        while (struct dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..") {
                out.push_back(std::move(n));
            }
        }
        ::closedir(d);
        return out;
    }

    result<void, error> create_dirs(const std::string& path) override {
        std::error_code ec;
        std::filesystem::create_directories(path, ec);
        if (ec) {
            return fs_error("mkdir", path, ec);
        }
        return {};
    }

    result<void, error> remove_file(const std::string& path) override {
        if (::unlink(path.c_str()) != 0) {
            return os_error("unlink", path, errno);
        }
        return {};
    }

    result<void, error> remove_all(const std::string& path) override {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
        if (ec) {
            return fs_error("remove", path, ec);
        }
        return {};
    }

    result<void, error> rename(const std::string& from, const std::string& to) override {
        if (::rename(from.c_str(), to.c_str()) != 0) {
            return os_error("rename", from, errno);
        }
        return {};
    }

    result<void, error> sync_dir(const std::string& path) override {
        fd_guard fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (fd.get() < 0) {
            return os_error("open", path, errno);
        }
        if (::fsync(fd.get()) != 0) {
            return os_error("fsync", path, errno);
        }
        return {};
    }

    bool exists(const std::string& path) override {
        struct stat st;
        return ::stat(path.c_str(), &st) == 0;
    }
};

}  // namespace

std::unique_ptr<env> make_posix_env() {
    return std::make_unique<posix_env>();
}

}  // namespace otter::io

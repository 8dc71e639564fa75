// fsync_baseline: the machine's own limits, as baselines for the broker benchmarks.
//
//   fsync_baseline --dir DIR [--seconds S] [--max-mib M]
//
// In DIR (use the filesystem of the broker's data dir), each on a fresh, growing file (as a log
// segment grows), for at most S seconds (default 2) or M MiB (default 1024) each:
//   seq_sync_1m   1 MiB append, fdatasync after every 1 MiB          -> MB/s
//   seq_sync_64k  1 MiB appends written as 64 KiB write + fdatasync  -> MB/s
//   seq_sync_pipelined  1 MiB appends on one thread, fdatasync in a loop on another (the shape
//                 of the broker's group commit), until all is durable -> MB/s
//   seq_nosync    1 MiB appends, no fdatasync (page-cache bandwidth) -> MB/s
//   sync_4k       4 KiB append + fdatasync                           -> fdatasync p50/p99/max
//   sync_1k       1 KiB append + fdatasync (3 of 4 appends land in an already allocated block,
//                 as 1 KiB records do in a segment)                  -> fdatasync p50/p99
// and over loopback TCP (127.0.0.1), a sender thread writing 64 KiB chunks for S seconds to a
// receiver thread                                                    -> MB/s
// 1 MB = 10^6 bytes. The last line of output is machine-readable: "RESULT key=value ...".

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

using clock_type = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "fsync_baseline: %s: %s\n", what.c_str(), std::strerror(errno));
    std::exit(1);
}

double secs(clock_type::duration d) {
    return std::chrono::duration<double>(d).count();
}

std::vector<char> random_bytes(size_t n) {
    std::vector<char> b(n);
    uint64_t x = 0x2545F4914F6CDD1DULL;
    for (auto& c : b) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }
    return b;
}

void write_all(int fd, const char* p, size_t n) {
    while (n) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            die("write");
        }
        p += w;
        n -= static_cast<size_t>(w);
    }
}

struct seq_result {
    double mbps;
    double bytes;
    double seconds;
};

// Appends `chunk`-byte writes to a fresh file, fdatasync after every `sync_every` bytes
// (0 = never), for at most `seconds` or `max_bytes`.
seq_result seq_write(const std::string& dir, size_t chunk, size_t sync_every, double seconds,
                     size_t max_bytes) {
    std::string path = dir + "/fsync_baseline." + std::to_string(::getpid()) + ".seq";
    int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        die("open " + path);
    auto buf = random_bytes(chunk);
    size_t written = 0, since_sync = 0;
    auto start = clock_type::now();
    auto end = start + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(seconds));
    while (written < max_bytes && clock_type::now() < end) {
        write_all(fd, buf.data(), chunk);
        written += chunk;
        since_sync += chunk;
        if (sync_every && since_sync >= sync_every) {
            if (::fdatasync(fd) != 0)
                die("fdatasync");
            since_sync = 0;
        }
    }
    double s = secs(clock_type::now() - start);
    ::close(fd);
    ::unlink(path.c_str());  // also drops any dirty pages of the no-sync run
    return {static_cast<double>(written) / 1e6 / s, static_cast<double>(written), s};
}

// Group-commit shape: a writer thread appends `chunk`-byte writes for `seconds` (or max_bytes)
// while a syncer thread calls fdatasync in a loop whenever there is unsynced data; the clock
// stops when everything written is durable. This is the durable write bandwidth a group-commit
// log (appends on one thread, fdatasync on another) can reach on this filesystem.
seq_result seq_write_pipelined(const std::string& dir, size_t chunk, double seconds,
                               size_t max_bytes) {
    std::string path = dir + "/fsync_baseline." + std::to_string(::getpid()) + ".pipe";
    int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        die("open " + path);
    auto buf = random_bytes(chunk);
    std::atomic<size_t> written{0};
    std::atomic<bool> done{false};
    auto start = clock_type::now();
    std::thread syncer([&] {
        size_t synced = 0;
        for (;;) {
            bool last = done.load();
            size_t w = written.load();
            if (w > synced) {
                if (::fdatasync(fd) != 0)
                    die("fdatasync");
                synced = w;
            } else if (last) {
                break;
            } else {
                std::this_thread::sleep_for(std::chrono::microseconds(100));
            }
        }
    });
    auto end = start + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(seconds));
    size_t total = 0;
    while (total < max_bytes && clock_type::now() < end) {
        write_all(fd, buf.data(), chunk);
        total += chunk;
        written.store(total);
    }
    done.store(true);
    syncer.join();
    double s = secs(clock_type::now() - start);
    ::close(fd);
    ::unlink(path.c_str());
    return {static_cast<double>(total) / 1e6 / s, static_cast<double>(total), s};
}

struct lat_result {
    double p50_ms, p99_ms, max_ms, ops;
};

lat_result sync_latency(const std::string& dir, size_t chunk, double seconds) {
    std::string path = dir + "/fsync_baseline." + std::to_string(::getpid()) + ".lat";
    int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);
    if (fd < 0)
        die("open " + path);
    auto buf = random_bytes(chunk);
    std::vector<double> lat;
    auto start = clock_type::now();
    auto end = start + std::chrono::duration_cast<clock_type::duration>(
                           std::chrono::duration<double>(seconds));
    while (clock_type::now() < end) {
        write_all(fd, buf.data(), chunk);
        auto t0 = clock_type::now();
        if (::fdatasync(fd) != 0)
            die("fdatasync");
        lat.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t0).count());
    }
    double s = secs(clock_type::now() - start);
    ::close(fd);
    ::unlink(path.c_str());
    std::sort(lat.begin(), lat.end());
    auto at = [&](double p) { return lat[static_cast<size_t>(p * (lat.size() - 1) + 0.5)]; };
    return {at(0.50), at(0.99), lat.back(), static_cast<double>(lat.size()) / s};
}

double loopback_tcp(double seconds, size_t chunk) {
    int ls = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (ls < 0)
        die("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(ls, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        die("bind");
    if (::listen(ls, 1) != 0)
        die("listen");
    socklen_t al = sizeof a;
    ::getsockname(ls, reinterpret_cast<sockaddr*>(&a), &al);

    std::atomic<long long> received{0};
    clock_type::time_point r_start{}, r_end{};
    std::thread receiver([&] {
        int c = ::accept(ls, nullptr, nullptr);
        if (c < 0)
            die("accept");
        std::vector<char> buf(chunk);
        bool first = true;
        for (;;) {
            ssize_t n = ::read(c, buf.data(), buf.size());
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            if (first) {
                r_start = clock_type::now();
                first = false;
            }
            received += n;
        }
        r_end = clock_type::now();
        ::close(c);
    });
    std::thread sender([&] {
        int s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
            die("connect");
        auto buf = random_bytes(chunk);
        auto end = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(
                                           std::chrono::duration<double>(seconds));
        while (clock_type::now() < end)
            write_all(s, buf.data(), buf.size());
        ::shutdown(s, SHUT_WR);
        ::close(s);
    });
    sender.join();
    receiver.join();
    ::close(ls);
    return static_cast<double>(received.load()) / 1e6 / secs(r_end - r_start);
}

}  // namespace

int main(int argc, char** argv) {
    std::string dir;
    double seconds = 2;
    size_t max_mib = 1024;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--dir" && i + 1 < argc)
            dir = argv[++i];
        else if (a == "--seconds" && i + 1 < argc)
            seconds = std::atof(argv[++i]);
        else if (a == "--max-mib" && i + 1 < argc)
            max_mib = static_cast<size_t>(std::atoll(argv[++i]));
        else {
            std::fprintf(stderr, "usage: fsync_baseline --dir DIR [--seconds S] [--max-mib M]\n");
            return 2;
        }
    }
    if (dir.empty()) {
        std::fprintf(stderr, "usage: fsync_baseline --dir DIR [--seconds S] [--max-mib M]\n");
        return 2;
    }
    const size_t max_bytes = max_mib << 20;
    auto s1m = seq_write(dir, 1 << 20, 1 << 20, seconds, max_bytes);
    std::printf("seq write, fdatasync every 1 MiB:  %8.1f MB/s (%.0f MiB in %.2f s)\n", s1m.mbps,
                s1m.bytes / (1 << 20), s1m.seconds);
    auto s64k = seq_write(dir, 64 << 10, 64 << 10, seconds, max_bytes);
    std::printf("seq write, fdatasync every 64 KiB: %8.1f MB/s (%.0f MiB in %.2f s)\n", s64k.mbps,
                s64k.bytes / (1 << 20), s64k.seconds);
    auto pipe = seq_write_pipelined(dir, 1 << 20, seconds, max_bytes);
    std::printf("seq write, fdatasync loop (2nd thread): %5.1f MB/s (%.0f MiB in %.2f s)\n",
                pipe.mbps, pipe.bytes / (1 << 20), pipe.seconds);
    auto lat = sync_latency(dir, 4 << 10, seconds);
    std::printf("4 KiB append + fdatasync: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%.0f/s)\n",
                lat.p50_ms, lat.p99_ms, lat.max_ms, lat.ops);
    auto lat1k = sync_latency(dir, 1 << 10, seconds);
    std::printf("1 KiB append + fdatasync: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%.0f/s)\n",
                lat1k.p50_ms, lat1k.p99_ms, lat1k.max_ms, lat1k.ops);
    auto nos = seq_write(dir, 1 << 20, 0, seconds, max_bytes);
    std::printf("seq write, no fdatasync:           %8.1f MB/s (%.0f MiB in %.2f s)\n", nos.mbps,
                nos.bytes / (1 << 20), nos.seconds);
    double tcp = loopback_tcp(seconds, 64 << 10);
    std::printf("loopback TCP, 64 KiB writes:       %8.1f MB/s\n", tcp);
    std::printf(
        "RESULT seq_sync_1m_mbps=%.3f seq_sync_64k_mbps=%.3f seq_sync_pipelined_mbps=%.3f "
        "seq_nosync_mbps=%.3f "
        "sync_4k_p50_ms=%.4f sync_4k_p99_ms=%.4f sync_4k_max_ms=%.4f sync_4k_ops=%.1f "
        "sync_1k_p50_ms=%.4f sync_1k_p99_ms=%.4f sync_1k_ops=%.1f tcp_mbps=%.3f\n",
        s1m.mbps, s64k.mbps, pipe.mbps, nos.mbps, lat.p50_ms, lat.p99_ms, lat.max_ms, lat.ops,
        lat1k.p50_ms, lat1k.p99_ms, lat1k.ops, tcp);
    return 0;
}

// parquet_write_bench: rows/s and MB/s of Otter's Parquet writer (connectors/parquet) on a
// synthetic event table, single-threaded, through the column-builder API. Compare with DuckDB's
// COPY ... (FORMAT parquet) on the same rows: tests/e2e/js/duckdb_parquet_bench.mjs reads the
// file written here into memory and times DuckDB writing it (see docs/benchmarks.md).
//
// Usage: parquet_write_bench ROWS OUT.parquet [zstd|snappy|gzip|none] [RUNS]
// Prints one JSON line per run and a final line with the median.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "connectors/parquet/writer.h"

using namespace otter::parquet;

namespace {

struct data {
    std::vector<int64_t> id, ts;
    std::vector<std::string> user, note;
    std::vector<double> amount;
    std::vector<int32_t> category;
    std::vector<uint8_t> flag;
    size_t raw_bytes = 0;
};

data generate(size_t n) {
    data d;
    std::mt19937_64 rng(42);
    int64_t t = 1'704'067'200'000'000;  // 2024-01-01
    for (size_t i = 0; i < n; ++i) {
        d.id.push_back(static_cast<int64_t>(i));
        t += static_cast<int64_t>(rng() % 2000);
        d.ts.push_back(t);
        d.user.push_back("user-" + std::to_string(rng() % 1000));
        d.amount.push_back(static_cast<double>(rng() % 100000) / 100.0);
        d.category.push_back(static_cast<int32_t>(rng() % 100));
        d.flag.push_back(rng() % 2);
        if (rng() % 4 == 0) {
            d.note.emplace_back();  // null marker: empty = null
        } else {
            std::string s(8 + rng() % 24, 'a');
            for (auto& c : s)
                c = static_cast<char>('a' + rng() % 26);
            d.note.push_back(std::move(s));
        }
        d.raw_bytes += 8 + 8 + d.user.back().size() + 8 + 4 + 1 + d.note.back().size();
    }
    return d;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s ROWS OUT.parquet [codec] [runs]\n", argv[0]);
        return 2;
    }
    size_t n = std::strtoull(argv[1], nullptr, 10);
    std::string out = argv[2];
    auto codec = parse_compression(argc > 3 ? argv[3] : "zstd");
    int runs = argc > 4 ? std::atoi(argv[4]) : 3;
    if (!codec || n == 0 || runs <= 0) {
        std::fprintf(stderr, "bad arguments\n");
        return 2;
    }
    data d = generate(n);
    std::vector<column_spec> cols = {
        {"id", 1, column_type::int64, true},       {"ts", 2, column_type::timestamptz, true},
        {"user", 3, column_type::string, true},    {"amount", 4, column_type::float64, false},
        {"category", 5, column_type::int32, true}, {"flag", 6, column_type::boolean, true},
        {"note", 7, column_type::string, false},
    };
    std::vector<double> secs;
    int64_t size = 0;
    for (int r = 0; r < runs; ++r) {
        writer_options o;
        o.codec = *codec;
        auto start = std::chrono::steady_clock::now();
        auto w = file_writer::create(cols, o, open_file_output(out, false).value()).value();
        auto& id = w->column<int64_t>(0);
        auto& ts = w->column<int64_t>(1);
        auto& user = w->byte_array(2);
        auto& amount = w->column<double>(3);
        auto& category = w->column<int32_t>(4);
        auto& flag = w->column<uint8_t>(5);
        auto& note = w->byte_array(6);
        const size_t batch = 4096;
        for (size_t i = 0; i < n; i += batch) {
            size_t end = std::min(n, i + batch);
            for (size_t j = i; j < end; ++j) {
                id.append(d.id[j]);
                ts.append(d.ts[j]);
                user.append(d.user[j]);
                if (j % 10 == 0)
                    amount.append_null();
                else
                    amount.append(d.amount[j]);
                category.append(d.category[j]);
                flag.append(d.flag[j]);
                if (d.note[j].empty())
                    note.append_null();
                else
                    note.append(d.note[j]);
            }
            if (auto e = w->end_rows(); !e) {
                std::fprintf(stderr, "%s\n", e.error().c_str());
                return 1;
            }
        }
        auto s = w->close();
        if (!s) {
            std::fprintf(stderr, "%s\n", s.error().c_str());
            return 1;
        }
        double sec =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        secs.push_back(sec);
        size = s->file_size;
        std::printf(
            "{\"run\":%d,\"rows\":%zu,\"seconds\":%.4f,\"rows_per_s\":%.0f,"
            "\"raw_mb_per_s\":%.1f,\"file_bytes\":%lld}\n",
            r, n, sec, static_cast<double>(n) / sec, static_cast<double>(d.raw_bytes) / sec / 1e6,
            static_cast<long long>(size));
    }
    std::sort(secs.begin(), secs.end());
    double med = secs[secs.size() / 2];
    std::printf(
        "{\"median_seconds\":%.4f,\"rows_per_s\":%.0f,\"raw_mb_per_s\":%.1f,"
        "\"file_bytes\":%lld,\"codec\":\"%s\"}\n",
        med, static_cast<double>(n) / med, static_cast<double>(d.raw_bytes) / med / 1e6,
        static_cast<long long>(size), compression_name(*codec));
    return 0;
}

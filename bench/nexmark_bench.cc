// Nexmark benchmark: q0–q5, q7, q8, q11 and q12 over N generated events at maximum emit speed
// (event time from the configured rate, 10 M/s by default, as in the Flink "V1" runs), each into a
// blackhole sink. Reports events/s (wall) and events per CPU-second of the whole process (getrusage
// user + sys, all threads), next to the baseline of the generator alone producing into a blackhole,
// without the engine, in the same run.
//
//   cmake -S . -B build-nexmark-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//   cmake --build build-nexmark-rel --target nexmark_bench
//   build-nexmark-rel/bench/nexmark_bench [--events 10000000] [--parallelism 1]
//       [--queries q0,q1,q2,q3,q4,q5,q7,q8,q11,q12] [--rate 10000000] [--batch-size 1024]
//       [--extra-pool 1048576]
//
// --parallelism P runs P generator instances (the source's splits, as Flink does) read by P
// source subtasks; the generator baseline runs them all on one thread.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "base/process_usage.h"
#include "nexmark/queries.h"

namespace {

using namespace otter;
using namespace otter::nexmark;

struct measurement {
    double wall = 0;
    double cpu = 0;
};

template <typename F>
measurement measure(F body) {
    double c0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    body();
    auto t1 = std::chrono::steady_clock::now();
    return {std::chrono::duration<double>(t1 - t0).count(), process_cpu_seconds() - c0};
}

void report(const char* name, int64_t events, uint64_t rows, measurement m) {
    std::printf("%-28s %12.0f %16.0f %12llu %8.2f %8.2f %8ld\n", name,
                static_cast<double>(events) / m.wall, static_cast<double>(events) / m.cpu,
                static_cast<unsigned long long>(rows), m.wall, m.cpu, peak_rss_bytes() / 1048576);
    std::fflush(stdout);
}

template <typename Row, typename Query>
void run_query(const char* name, const generator_config& cfg, uint32_t parallelism,
               size_t batch_size, Query q) {
    stream::environment env(
        stream::job_config{.name = name, .parallelism = parallelism, .batch_size = batch_size});
    auto out = std::make_shared<blackhole_sink<Row>>();
    q(nexmark_events(env, cfg)).sink(out);
    auto m = measure([&] {
        auto r = env.execute();
        if (!r) {
            std::fprintf(stderr, "%s failed\n", name);
            std::exit(1);
        }
    });
    report(name, cfg.max_events, out->count(), m);
}

}  // namespace

int main(int argc, char** argv) {
    int64_t events = 10'000'000;
    uint32_t parallelism = 1;
    double rate = 10'000'000;
    size_t extra_pool = size_t{1} << 20;
    size_t batch_size = stream::default_batch_size;
    std::string queries = "q0,q1,q2,q3,q4,q5,q7,q8,q11,q12";
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string a = argv[i];
        if (a == "--events") {
            events = std::atoll(argv[i + 1]);
        } else if (a == "--parallelism") {
            parallelism = static_cast<uint32_t>(std::atoi(argv[i + 1]));
        } else if (a == "--rate") {
            rate = std::atof(argv[i + 1]);
        } else if (a == "--queries") {
            queries = argv[i + 1];
        } else if (a == "--batch-size") {
            batch_size = static_cast<size_t>(std::atoll(argv[i + 1]));
        } else if (a == "--extra-pool") {
            extra_pool = static_cast<size_t>(std::atoll(argv[i + 1]));
        } else {
            std::fprintf(stderr, "unknown option %s\n", argv[i]);
            return 2;
        }
    }
    generator_config cfg{.event_rate = rate,
                         .num_event_generators = parallelism,
                         .max_events = events,
                         .seed = 1,
                         .extra_pool_bytes = extra_pool};
    std::printf(
        "nexmark: %lld events, rate %.0f/s (event time), %u generator(s), parallelism %u, "
        "batch %zu, extra pool %zu B\n",
        static_cast<long long>(events), rate, parallelism, parallelism, batch_size, extra_pool);
    std::printf("%-28s %12s %16s %12s %8s %8s %8s\n", "run", "events/s", "events/CPU-s", "rows out",
                "wall s", "cpu s", "rss MB");

    // Baseline: the generator alone, one thread, every instance in turn, into a blackhole.
    {
        uint64_t sink = 0;
        auto m = measure([&] {
            for (const auto& inst : split_instances(cfg)) {
                generator g(cfg, inst);
                event e;
                int64_t ts = 0;
                while (g.has_next()) {
                    g.next(e, ts);
                    sink += static_cast<uint64_t>(ts) + e.v.index();
                }
            }
        });
        std::fprintf(stderr, "(checksum %llu)\n", static_cast<unsigned long long>(sink));
        report("generator -> blackhole", events, static_cast<uint64_t>(events), m);
    }
    // Exact names in the comma-separated list ("q1" does not select q11 or q12).
    auto want = [&](const char* q) {
        return ("," + queries + ",").find("," + std::string(q) + ",") != std::string::npos;
    };
    if (want("q0")) {
        run_query<q0_row>("q0 engine", cfg, parallelism, batch_size, [](auto s) { return q0(s); });
    }
    if (want("q1")) {
        run_query<q1_row>("q1 engine", cfg, parallelism, batch_size, [](auto s) { return q1(s); });
    }
    if (want("q2")) {
        run_query<q2_row>("q2 engine", cfg, parallelism, batch_size, [](auto s) { return q2(s); });
    }
    if (want("q3")) {
        run_query<q3_row>("q3 engine", cfg, parallelism, batch_size, [](auto s) { return q3(s); });
    }
    if (want("q4")) {
        run_query<q4_row>("q4 engine", cfg, parallelism, batch_size, [](auto s) { return q4(s); });
    }
    if (want("q5")) {
        run_query<q5_row>("q5 engine", cfg, parallelism, batch_size, [](auto s) { return q5(s); });
    }
    if (want("q7")) {
        run_query<q7_row>("q7 engine", cfg, parallelism, batch_size, [](auto s) { return q7(s); });
    }
    if (want("q8")) {
        run_query<q8_row>("q8 engine", cfg, parallelism, batch_size, [](auto s) { return q8(s); });
    }
    if (want("q11")) {
        run_query<q11_row>("q11 engine", cfg, parallelism, batch_size,
                           [](auto s) { return q11(s); });
    }
    if (want("q12")) {
        run_query<q12_row>("q12 engine", cfg, parallelism, batch_size,
                           [](auto s) { return q12(s); });
    }
    return 0;
}

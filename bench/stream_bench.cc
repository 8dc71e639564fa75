// Stream engine micro benchmarks: events/s of a map/filter chain and of a keyed tumbling count,
// each next to a plain loop over the same data (the baseline the engine's overhead is measured
// against). Besides wall-clock items/s, each benchmark reports events per CPU-second of the
// whole process (all threads), the figure the Nexmark targets use.
//
//   cmake -S . -B build-stream-rel -G Ninja -DCMAKE_BUILD_TYPE=Release
//         -DOTTER_EXTRA_SUBDIRS=stream
//   cmake --build build-stream-rel --target stream_bench -j1
//   build-stream-rel/bench/stream_bench
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include <benchmark/benchmark.h>
#include <sys/resource.h>

#include "stream/api.h"

namespace otter::stream {
namespace {

using namespace std::chrono_literals;

struct bid {
    int64_t auction = 0;
    int64_t bidder = 0;
    int64_t price = 0;
    auto members() { return std::tie(auction, bidder, price); }
};

constexpr int64_t events = 2'000'000;

// Event time advances 1 ms every 10,000 events (Nexmark's 10 M events/s).
const std::vector<std::vector<timed<bid>>>& bids(size_t splits) {
    static std::map<size_t, std::vector<std::vector<timed<bid>>>> cache;
    auto& d = cache[splits];
    if (d.empty()) {
        d.resize(splits);
        for (int64_t i = 0; i < events; ++i) {
            bid b{(i * 7919) % 10000, (i * 104729) % 50000, 100 + (i * 31) % 10000};
            d[static_cast<size_t>(i) % splits].push_back({i / 10000, b});
        }
    }
    return d;
}

double process_cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

template <typename F>
void run_measured(benchmark::State& state, F body) {
    double cpu = 0;
    for (auto _ : state) {
        double c0 = process_cpu_seconds();
        body();
        cpu += process_cpu_seconds() - c0;
    }
    state.SetItemsProcessed(state.iterations() * events);
    state.counters["events_per_cpu_s"] =
        benchmark::Counter(static_cast<double>(state.iterations() * events) / cpu);
}

// q1/q2-like: convert the price, keep one auction in 123.
void BM_baseline_map_filter(benchmark::State& state) {
    const auto& d = bids(1)[0];
    run_measured(state, [&] {
        int64_t kept = 0;
        for (const auto& t : d) {
            bid b = t.value;
            b.price = b.price * 908 / 1000;
            if (b.auction % 123 == 0) {
                kept += b.price;
            }
        }
        benchmark::DoNotOptimize(kept);
    });
}

void BM_engine_map_filter(benchmark::State& state) {
    auto p = static_cast<uint32_t>(state.range(0));
    auto src = std::make_shared<vector_source<bid>>(bids(p));
    run_measured(state, [&] {
        job_config cfg;
        cfg.parallelism = p;
        environment env(cfg);
        std::atomic<int64_t> kept{0};
        auto sink_fn = [&kept](batch<bid>&& b) {
            int64_t s = 0;
            for (const auto& x : b.values)
                s += x.price;
            kept.fetch_add(s, std::memory_order_relaxed);
        };
        env.from_source<bid>(src)
            .map([](bid b) {
                b.price = b.price * 908 / 1000;
                return b;
            })
            .filter([](const bid& b) { return b.auction % 123 == 0; })
            .sink(std::make_shared<function_sink<bid, decltype(sink_fn)>>(sink_fn));
        if (!env.execute()) {
            state.SkipWithError("job failed");
        }
        benchmark::DoNotOptimize(kept.load());
    });
}

// Count per auction per 10 ms tumbling window.
void BM_baseline_keyed_tumbling_count(benchmark::State& state) {
    const auto& d = bids(1)[0];
    run_measured(state, [&] {
        std::map<int64_t, std::unordered_map<int64_t, int64_t>> windows;
        int64_t results = 0;
        for (const auto& t : d) {
            ++windows[t.ts / 10 * 10][t.value.auction];
            // Fire windows the (in-order) time has passed.
            while (windows.size() > 1 && windows.begin()->first + 10 <= t.ts) {
                results += static_cast<int64_t>(windows.begin()->second.size());
                windows.erase(windows.begin());
            }
        }
        for (auto& [w, m] : windows)
            results += static_cast<int64_t>(m.size());
        benchmark::DoNotOptimize(results);
    });
}

void BM_engine_keyed_tumbling_count(benchmark::State& state) {
    auto p = static_cast<uint32_t>(state.range(0));
    auto src = std::make_shared<vector_source<bid>>(bids(p));
    run_measured(state, [&] {
        job_config cfg;
        cfg.parallelism = p;
        environment env(cfg);
        std::atomic<int64_t> results{0};
        auto sink_fn = [&results](batch<window_result<int64_t, int64_t>>&& b) {
            results.fetch_add(static_cast<int64_t>(b.size()), std::memory_order_relaxed);
        };
        env.from_source<bid>(src)
            .key_by([](const bid& b) { return b.auction; })
            .window(tumbling(10ms))
            .aggregate(count_agg{})
            .sink(
                std::make_shared<function_sink<window_result<int64_t, int64_t>, decltype(sink_fn)>>(
                    sink_fn));
        if (!env.execute()) {
            state.SkipWithError("job failed");
        }
        benchmark::DoNotOptimize(results.load());
    });
}

BENCHMARK(BM_baseline_map_filter)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_engine_map_filter)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_baseline_keyed_tumbling_count)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_engine_keyed_tumbling_count)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace otter::stream

BENCHMARK_MAIN();

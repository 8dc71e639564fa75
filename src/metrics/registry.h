// Prometheus metrics: counters, gauges and histograms with labels, and the text exposition
// format (version 0.0.4) served on /metrics.
//
// Thread-safe. Looking a series up takes a mutex; updating one is a relaxed atomic, so hot
// paths look a series up once and keep the reference (series are never removed, so the
// reference stays valid for the registry's lifetime).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace otter::metrics {

using labels = std::vector<std::pair<std::string, std::string>>;

class counter {
  public:
    void inc(uint64_t n = 1) { v_.fetch_add(n, std::memory_order_relaxed); }
    uint64_t value() const { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<uint64_t> v_{0};
};

class gauge {
  public:
    void set(double v) { v_.store(v, std::memory_order_relaxed); }
    void add(double d);
    double value() const { return v_.load(std::memory_order_relaxed); }

  private:
    std::atomic<double> v_{0};
};

// Fixed buckets in seconds; cumulative on output.
class histogram {
  public:
    explicit histogram(std::vector<double> bounds);
    void observe(double seconds);
    void render(std::string& out, const std::string& name, const std::string& label_text) const;

  private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (+Inf)
    std::atomic<uint64_t> count_{0};
    std::atomic<double> sum_{0};
};

class registry {
  public:
    counter& get_counter(const std::string& name, const std::string& help, const labels& l = {});
    gauge& get_gauge(const std::string& name, const std::string& help, const labels& l = {});
    // Latency histogram with buckets from 100 µs to 10 s.
    histogram& get_histogram(const std::string& name, const std::string& help,
                             const labels& l = {});
    // A callback run at each scrape, for values read from elsewhere (log sizes, offsets). It
    // appends complete families (HELP/TYPE lines included) to `out`.
    void add_collector(std::function<void(std::string& out)> fn);
    std::string render() const;

  private:
    enum class kind { counter, gauge, histogram };
    struct family {
        std::string help;
        kind k;
        std::map<std::string, std::unique_ptr<counter>> counters;
        std::map<std::string, std::unique_ptr<gauge>> gauges;
        std::map<std::string, std::unique_ptr<histogram>> histograms;
    };
    family& fam(const std::string& name, const std::string& help, kind k);  // requires mu_

    mutable std::mutex mu_;
    std::map<std::string, family> families_;                     // guarded by mu_
    std::vector<std::function<void(std::string&)>> collectors_;  // guarded by mu_
};

// Formats labels as {a="x",b="y"} with Prometheus escaping; "" for none.
std::string format_labels(const labels& l);

}  // namespace otter::metrics

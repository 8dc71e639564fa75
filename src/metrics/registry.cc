#include "metrics/registry.h"

#include <charconv>
#include <cmath>

#include "base/assert.h"

namespace otter::metrics {
namespace {

std::string fmt_double(double v) {
    if (std::isinf(v))
        return v > 0 ? "+Inf" : "-Inf";
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);  // shortest round-trip form
    return std::string(buf, end);
}

void atomic_add(std::atomic<double>& a, double d) {
    double cur = a.load(std::memory_order_relaxed);
    while (!a.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
    }
}

}  // namespace

void gauge::add(double d) {
    atomic_add(v_, d);
}

histogram::histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)),
      buckets_(std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1)) {}

void histogram::observe(double seconds) {
    size_t i = 0;
    while (i < bounds_.size() && seconds > bounds_[i])
        ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
    atomic_add(sum_, seconds);
}

void histogram::render(std::string& out, const std::string& name,
                       const std::string& label_text) const {
    // label_text is "" or {a="b"}; bucket series add le="...".
    std::string inner = label_text.empty() ? "" : label_text.substr(1, label_text.size() - 2) + ",";
    uint64_t cum = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        cum += buckets_[i].load(std::memory_order_relaxed);
        std::string le = i < bounds_.size() ? fmt_double(bounds_[i]) : "+Inf";
        out += name + "_bucket{" + inner + "le=\"" + le + "\"} " + std::to_string(cum) + "\n";
    }
    out += name + "_sum" + label_text + " " + fmt_double(sum_.load()) + "\n";
    out += name + "_count" + label_text + " " + std::to_string(count_.load()) + "\n";
}

std::string format_labels(const labels& l) {
    if (l.empty())
        return "";
    std::string s = "{";
    for (size_t i = 0; i < l.size(); ++i) {
        if (i)
            s += ",";
        s += l[i].first + "=\"";
        for (char c : l[i].second) {
            if (c == '\\' || c == '"') {
                s += '\\';
                s += c;
            } else if (c == '\n') {
                s += "\\n";
            } else {
                s += c;
            }
        }
        s += "\"";
    }
    return s + "}";
}

registry::family& registry::fam(const std::string& name, const std::string& help, kind k) {
    auto [it, inserted] = families_.try_emplace(name);
    if (inserted) {
        it->second.help = help;
        it->second.k = k;
    }
    OTTER_ASSERT(it->second.k == k, "metric registered twice with different types");
    return it->second;
}

counter& registry::get_counter(const std::string& name, const std::string& help, const labels& l) {
    std::lock_guard lk(mu_);
    auto& slot = fam(name, help, kind::counter).counters[format_labels(l)];
    if (!slot)
        slot = std::make_unique<counter>();
    return *slot;
}

gauge& registry::get_gauge(const std::string& name, const std::string& help, const labels& l) {
    std::lock_guard lk(mu_);
    auto& slot = fam(name, help, kind::gauge).gauges[format_labels(l)];
    if (!slot)
        slot = std::make_unique<gauge>();
    return *slot;
}

histogram& registry::get_histogram(const std::string& name, const std::string& help,
                                   const labels& l) {
    std::lock_guard lk(mu_);
    auto& slot = fam(name, help, kind::histogram).histograms[format_labels(l)];
    if (!slot) {
        slot = std::make_unique<histogram>(std::vector<double>{0.0001, 0.00025, 0.0005, 0.001,
                                                               0.0025, 0.005, 0.01, 0.025, 0.05,
                                                               0.1, 0.25, 0.5, 1, 2.5, 5, 10});
    }
    return *slot;
}

void registry::add_collector(std::function<void(std::string&)> fn) {
    std::lock_guard lk(mu_);
    collectors_.push_back(std::move(fn));
}

std::string registry::render() const {
    std::string out;
    std::vector<std::function<void(std::string&)>> collectors;
    {
        std::lock_guard lk(mu_);
        for (auto& [name, f] : families_) {
            const char* type = f.k == kind::counter ? "counter"
                               : f.k == kind::gauge ? "gauge"
                                                    : "histogram";
            out += "# HELP " + name + " " + f.help + "\n# TYPE " + name + " " + type + "\n";
            for (auto& [lt, c] : f.counters) {
                out += name + lt + " " + std::to_string(c->value()) + "\n";
            }
            for (auto& [lt, g] : f.gauges) {
                out += name + lt + " " + fmt_double(g->value()) + "\n";
            }
            for (auto& [lt, h] : f.histograms) {
                h->render(out, name, lt);
            }
        }
        collectors = collectors_;
    }
    for (auto& c : collectors)
        c(out);
    return out;
}

}  // namespace otter::metrics

#include "metrics/registry.h"

#include <gtest/gtest.h>

namespace otter::metrics {
namespace {

TEST(metrics, renders_prometheus_text) {
    registry r;
    r.get_counter("otter_x_total", "X things.", {{"topic", "a\"b"}}).inc(3);
    r.get_gauge("otter_g", "G.").set(1.5);
    r.get_histogram("otter_lat_seconds", "Latency.", {{"api", "Produce"}}).observe(0.002);
    r.add_collector([](std::string& out) { out += "# TYPE otter_c gauge\notter_c 7\n"; });
    auto text = r.render();
    EXPECT_NE(text.find("# TYPE otter_x_total counter"), std::string::npos);
    EXPECT_NE(text.find("otter_x_total{topic=\"a\\\"b\"} 3"), std::string::npos);
    EXPECT_NE(text.find("otter_g 1.5"), std::string::npos);
    EXPECT_NE(text.find("otter_lat_seconds_bucket{api=\"Produce\",le=\"0.0025\"} 1"),
              std::string::npos);
    EXPECT_NE(text.find("otter_lat_seconds_bucket{api=\"Produce\",le=\"0.001\"} 0"),
              std::string::npos);
    EXPECT_NE(text.find("otter_lat_seconds_count{api=\"Produce\"} 1"), std::string::npos);
    EXPECT_NE(text.find("otter_c 7"), std::string::npos);
}

TEST(metrics, same_series_same_object) {
    registry r;
    auto& a = r.get_counter("c_total", "c", {{"k", "v"}});
    auto& b = r.get_counter("c_total", "c", {{"k", "v"}});
    EXPECT_EQ(&a, &b);
}

}  // namespace
}  // namespace otter::metrics

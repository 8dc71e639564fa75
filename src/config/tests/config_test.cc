#include <cstdio>
#include <fstream>

#include <gtest/gtest.h>

#include "config/broker_config.h"

namespace otter::config {
namespace {

std::string write_tmp(const std::string& text) {
    std::string path = ::testing::TempDir() + "otter_cfg_" +
                       std::to_string(reinterpret_cast<uintptr_t>(&text)) + ".yaml";
    std::ofstream(path) << text;
    return path;
}

TEST(config, parse_host_port) {
    auto hp = parse_host_port("127.0.0.1:9092");
    ASSERT_TRUE(hp);
    EXPECT_EQ(hp->host, "127.0.0.1");
    EXPECT_EQ(hp->port, 9092);
    EXPECT_FALSE(parse_host_port("nope"));
    EXPECT_FALSE(parse_host_port("h:99999"));
    EXPECT_FALSE(parse_host_port("h:12x"));
}

TEST(config, yaml_overrides_defaults) {
    broker_config c;
    auto path = write_tmp(
        "data_dir: /tmp/x\nkafka_addr: 0.0.0.0:19092\nauto_create_topics: false\n"
        "topic_defaults:\n  retention.ms: 1000\n");
    ASSERT_TRUE(apply_yaml_file(path, c));
    ASSERT_TRUE(finalize(c));
    EXPECT_EQ(c.data_dir, "/tmp/x");
    EXPECT_EQ(c.kafka_addr.port, 19092);
    EXPECT_EQ(c.advertised_kafka_addr.host, "127.0.0.1");
    EXPECT_FALSE(c.auto_create_topics);
    EXPECT_EQ(c.topic_defaults["retention.ms"], "1000");
}

TEST(config, unknown_key_is_an_error) {
    broker_config c;
    auto r = apply_yaml_file(write_tmp("dta_dir: /tmp\n"), c);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().find("dta_dir"), std::string::npos);
}

TEST(config, bad_type_is_an_error) {
    broker_config c;
    EXPECT_FALSE(apply_yaml_file(write_tmp("default_partitions: lots\n"), c));
    EXPECT_FALSE(apply_yaml_file("/nonexistent/otter.yaml", c));
}

}  // namespace
}  // namespace otter::config

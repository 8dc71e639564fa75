#include "storage/log_manager.h"

#include <algorithm>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "storage/log_config.h"
#include "storage/partition_log.h"
#include "storage/retention_service.h"
#include "storage/tests/test_util.h"

namespace otter::storage {
namespace {

using testing::make_batch;
using errc = log_manager::topic_errc;

TEST(log_config_test, defaults_overrides_and_errors) {
    auto c = make_log_config({}, {});
    ASSERT_TRUE(c);
    EXPECT_EQ(c->segment_bytes, 1ull << 30);
    EXPECT_EQ(c->retention_ms.count(), 604800000);
    EXPECT_FALSE(c->compact);
    EXPECT_TRUE(c->delete_policy);

    c = make_log_config({{"retention.ms", "1000"},
                         {"cleanup.policy", "compact,delete"},
                         {"message.timestamp.type", "LogAppendTime"},
                         {"segment.bytes", "1048576"},
                         {"max.message.bytes", "100"},
                         {"min.insync.replicas", "1"}},
                        {{"retention.bytes", "5000"}, {"retention.ms", "7"}});
    ASSERT_TRUE(c) << c.error();
    EXPECT_EQ(c->retention_ms.count(), 1000);
    EXPECT_EQ(c->retention_bytes, 5000);
    EXPECT_TRUE(c->compact);
    EXPECT_TRUE(c->delete_policy);
    EXPECT_TRUE(c->log_append_time);
    EXPECT_EQ(c->segment_bytes, 1048576u);
    EXPECT_EQ(c->max_message_bytes, 100u);

    c = make_log_config({{"cleanup.policy", "compact"}}, {});
    EXPECT_FALSE(c->delete_policy);

    auto bad = [](std::map<std::string, std::string> o, const std::string& needle) {
        auto r = make_log_config(o, {});
        ASSERT_FALSE(r);
        EXPECT_NE(r.error().find(needle), std::string::npos) << r.error();
    };
    bad({{"retention.ms", "abc"}}, "retention.ms");
    bad({{"retention.ms", "-2"}}, "'-2'");
    bad({{"segment.bytes", "10"}}, "segment.bytes");
    bad({{"segment.bytes", "4294967296"}}, "segment.bytes");
    bad({{"segment.ms", "0"}}, "segment.ms");
    bad({{"cleanup.policy", "keep"}}, "cleanup.policy");
    bad({{"cleanup.policy", ""}}, "cleanup.policy");
    bad({{"message.timestamp.type", "Now"}}, "message.timestamp.type");
    bad({{"retention.bytes", "1x"}}, "retention.bytes");
    bad({{"no.such.config", "1"}}, "no.such.config");
    bad({{"min.insync.replicas", "2"}}, "read-only");
    EXPECT_FALSE(make_log_config({}, {{"segment.ms", "-5"}}));
}

TEST(log_config_test, describe_reports_sources) {
    auto entries = describe_config({{"retention.ms", "5"}}, {{"segment.bytes", "2048"}});
    auto find = [&](const std::string& n) {
        return *std::find_if(entries.begin(), entries.end(),
                             [&](const config_entry& e) { return e.name == n; });
    };
    EXPECT_GE(entries.size(), 12u);
    EXPECT_EQ(find("retention.ms").value, "5");
    EXPECT_FALSE(find("retention.ms").is_default);
    EXPECT_EQ(find("segment.bytes").value, "2048");
    EXPECT_TRUE(find("segment.bytes").is_default);
    EXPECT_EQ(find("cleanup.policy").value, "delete");
    EXPECT_EQ(find("min.insync.replicas").value, "1");
    EXPECT_TRUE(find("min.insync.replicas").read_only);
    EXPECT_FALSE(find("max.message.bytes").read_only);
    EXPECT_EQ(find("compression.type").value, "producer");
}

TEST(log_manager_test, topic_lifecycle_and_reload) {
    io::mem_env env;
    const std::map<std::string, std::string> defaults{{"segment.bytes", "1000"}};
    {
        log_manager m(env, "/data", defaults);
        ASSERT_TRUE(m.load());
        EXPECT_TRUE(m.list_topics().empty());
        ASSERT_TRUE(m.create_topic("orders", 3, {{"retention.ms", "1000"}}));
        ASSERT_TRUE(m.create_topic("a.b_c-d", 1, {}));
        auto dup = m.create_topic("orders", 1, {});
        ASSERT_FALSE(dup);
        EXPECT_EQ(dup.error().code, errc::exists);

        auto t = m.topic("orders");
        ASSERT_TRUE(t);
        EXPECT_EQ(t->partitions, 3);
        EXPECT_EQ(t->overrides.at("retention.ms"), "1000");
        EXPECT_TRUE(env.exists("/data/kafka/orders/2"));
        EXPECT_TRUE(env.exists("/data/kafka/orders/topic.properties"));

        auto p = m.partition("orders", 1);
        ASSERT_TRUE(p);
        EXPECT_EQ(p->tp().partition, model::partition_id(1));
        EXPECT_EQ(p->config().segment_bytes, 1000u);  // broker default
        EXPECT_EQ(p->config().retention_ms.count(), 1000);
        EXPECT_FALSE(m.partition("orders", 3));
        EXPECT_FALSE(m.partition("orders", -1));
        EXPECT_FALSE(m.partition("nope", 0));
        ASSERT_TRUE(p->append(make_batch(2, 0), 0));
        ASSERT_TRUE(p->flush());

        ASSERT_TRUE(m.add_partitions("orders", 5));
        EXPECT_EQ(m.topic("orders")->partitions, 5);
        EXPECT_TRUE(m.partition("orders", 4));
        EXPECT_EQ(m.add_partitions("orders", 5).error().code, errc::invalid_partitions);
        EXPECT_EQ(m.add_partitions("orders", 2).error().code, errc::invalid_partitions);
        EXPECT_EQ(m.add_partitions("nope", 9).error().code, errc::not_found);

        ASSERT_TRUE(m.alter_config("orders", {{"cleanup.policy", "compact"}}));
        EXPECT_TRUE(p->config().compact);
        EXPECT_EQ(p->config().retention_ms.count(), 604800000);  // override replaced
        auto bad = m.alter_config("orders", {{"retention.ms", "x"}});
        EXPECT_EQ(bad.error().code, errc::invalid_config);
        EXPECT_TRUE(m.partition("orders", 0)->config().compact);  // unchanged
        EXPECT_EQ(m.alter_config("nope", {}).error().code, errc::not_found);
        EXPECT_EQ(m.all_partitions().size(), 6u);

        ASSERT_TRUE(m.create_topic("doomed", 2, {}));
        auto doomed = m.partition("doomed", 0);
        ASSERT_TRUE(doomed->append(make_batch(1, 0), 0));
        ASSERT_TRUE(m.delete_topic("doomed"));
        EXPECT_FALSE(m.topic("doomed"));
        EXPECT_FALSE(env.exists("/data/kafka/doomed"));
        EXPECT_EQ(m.delete_topic("doomed").error().code, errc::not_found);
        // The caller's reference still reads.
        EXPECT_TRUE(doomed->read(model::offset(0), 100, model::offset(10)));
        // A recreated topic starts empty.
        ASSERT_TRUE(m.create_topic("doomed", 1, {}));
        EXPECT_EQ(m.partition("doomed", 0)->log_end_offset(), model::offset(0));
    }
    // Leftovers that load() must clean or ignore.
    ASSERT_TRUE(env.create_dirs("/data/kafka/old~3.deleted/0"));
    ASSERT_TRUE(env.create_dirs("/data/kafka/half-created/0"));
    ASSERT_TRUE(env.create_dirs("/data/kafka/bad name"));

    log_manager m(env, "/data", defaults);
    ASSERT_TRUE(m.load());
    auto topics = m.list_topics();
    ASSERT_EQ(topics.size(), 3u);
    EXPECT_EQ(topics[0].name, "a.b_c-d");
    EXPECT_EQ(topics[1].name, "doomed");
    EXPECT_EQ(topics[2].name, "orders");
    EXPECT_EQ(topics[2].partitions, 5);
    EXPECT_EQ(topics[2].overrides,
              (std::map<std::string, std::string>{{"cleanup.policy", "compact"}}));
    EXPECT_TRUE(m.partition("orders", 0)->config().compact);
    EXPECT_EQ(m.partition("orders", 1)->log_end_offset(), model::offset(2));
    EXPECT_FALSE(env.exists("/data/kafka/old~3.deleted"));
    EXPECT_FALSE(m.topic("half-created"));
}

TEST(log_manager_test, rejects_bad_names_partitions_and_configs) {
    io::mem_env env;
    log_manager m(env, "/data", {});
    ASSERT_TRUE(m.load());
    for (const std::string& n : std::vector<std::string>{"", ".", "..", "a/b", "a b", "\xc3\xbc",
                                                         "x~1.deleted", std::string(250, 'a')}) {
        auto r = m.create_topic(n, 1, {});
        ASSERT_FALSE(r) << n;
        EXPECT_EQ(r.error().code, errc::invalid_name) << n;
    }
    EXPECT_TRUE(m.create_topic(std::string(249, 'a'), 1, {}));
    EXPECT_EQ(m.create_topic("t", 0, {}).error().code, errc::invalid_partitions);
    EXPECT_EQ(m.create_topic("t", -1, {}).error().code, errc::invalid_partitions);
    auto r = m.create_topic("t", 1, {{"segment.bytes", "1"}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::invalid_config);
    EXPECT_NE(r.error().message.find("segment.bytes"), std::string::npos);
    EXPECT_FALSE(m.topic("t"));
    EXPECT_FALSE(env.exists("/data/kafka/t"));
}

TEST(log_manager_test, retention_service_round) {
    io::mem_env env;
    log_manager m(env, "/data", {});
    ASSERT_TRUE(m.load());
    ASSERT_TRUE(m.create_topic("t", 2, {{"segment.bytes", "500"}, {"retention.bytes", "0"}}));
    for (int p = 0; p < 2; ++p) {
        auto log = m.partition("t", p);
        for (int i = 0; i < 20; ++i) {
            ASSERT_TRUE(log->append(make_batch(1, i), 0));
        }
        ASSERT_TRUE(log->flush());
    }
    EXPECT_GT(retention_service::run_once(m, 0), 0u);
    EXPECT_GT(m.partition("t", 0)->log_start_offset(), model::offset(0));

    retention_service svc;
    svc.start(m, std::chrono::milliseconds(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    svc.stop();
    svc.stop();
}

}  // namespace
}  // namespace otter::storage

// Kafka source and sink against librdkafka's in-process mock cluster (test.mock.num.brokers=1).
// The mock does not implement read_committed (it leaks aborted data), so only split, offset,
// bound and flush behaviour is tested here; the real broker is covered by
// tests/e2e/test_stream_kafka.py.
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "stream/api.h"

namespace otter::connectors::kafka {
namespace {

using namespace std::chrono_literals;
using stream::poll_result;

// Owns a mock cluster (through the host producer) and produces test data into it.
class mock_cluster {
  public:
    mock_cluster() {
        std::string err;
        conf_ptr conf = make_conf({{"test.mock.num.brokers", "1"}, {"linger.ms", "0"}}, err);
        EXPECT_TRUE(conf) << err;
        rk_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf), err);
        EXPECT_TRUE(rk_) << err;
        mc_ = rd_kafka_handle_mock_cluster(rk_.get());
        bootstraps_ = rd_kafka_mock_cluster_bootstraps(mc_);
    }
    void create_topic(const std::string& t, int partitions) {
        ASSERT_EQ(rd_kafka_mock_topic_create(mc_, t.c_str(), partitions, 1),
                  RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    void produce(const std::string& t, int32_t partition, const std::string& key,
                 const std::string& value, int64_t ts) {
        auto e = rd_kafka_producev(
            rk_.get(), RD_KAFKA_V_TOPIC(t.c_str()), RD_KAFKA_V_PARTITION(partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key.data(), key.size()),
            RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
            RD_KAFKA_V_HEADER("h", "v", 1), RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_END);
        ASSERT_EQ(e, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    void flush() { ASSERT_EQ(rd_kafka_flush(rk_.get(), 10000), RD_KAFKA_RESP_ERR_NO_ERROR); }
    const std::string& bootstraps() const { return bootstraps_; }
    rd_kafka_mock_cluster_t* mc() { return mc_; }

  private:
    handle_ptr rk_;
    rd_kafka_mock_cluster_t* mc_ = nullptr;
    std::string bootstraps_;
};

constexpr int64_t base_ts = 1'000'000;

// 3 partitions × n records; partition p record i has ts base_ts + 1000*i + p, value "p<p>-<i>".
void fill(mock_cluster& m, const std::string& topic, int n) {
    for (int i = 0; i < n; ++i)
        for (int p = 0; p < 3; ++p)
            m.produce(topic, p, "k" + std::to_string(i),
                      "p" + std::to_string(p) + "-" + std::to_string(i), base_ts + 1000 * i + p);
    m.flush();
}

kafka_source_config source_cfg(const mock_cluster& m, const std::string& topic) {
    kafka_source_config c;
    c.brokers = m.bootstraps();
    c.topic = topic;
    c.stop = stop_mode::latest_at_start;
    return c;
}

stream::operator_context test_ctx() {
    stream::operator_context ctx;
    ctx.job_name = "test";
    return ctx;
}

// Polls `r` until end (or `limit` records), collecting records.
template <typename T>
std::vector<T> drain(stream::source_reader<T>& r, size_t limit = SIZE_MAX,
                     std::vector<poll_result>* events = nullptr) {
    std::vector<T> out;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (out.size() < limit && std::chrono::steady_clock::now() < deadline) {
        stream::batch<T> b;
        poll_result res = r.poll(b, std::min<size_t>(limit - out.size(), 1024));
        if (events && res.k != poll_result::kind::no_data && res.k != poll_result::kind::tick) {
            events->push_back(res);
        }
        for (size_t i = 0; i < b.size(); ++i) {
            EXPECT_EQ(b.timestamps[i], b.values[i].timestamp);
            out.push_back(std::move(b.values[i]));
        }
        if (res.k == poll_result::kind::end) {
            break;
        }
        if (res.k == poll_result::kind::no_data) {
            std::this_thread::sleep_for(2ms);
        }
    }
    return out;
}

TEST(KafkaSource, OneSplitPerPartitionReadsEveryRecordWithOffsetsAndTimestamps) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 20);
    auto src = make_raw_kafka_source(source_cfg(m, "t"));
    ASSERT_TRUE(src) << src.error();
    ASSERT_EQ((*src)->split_count(), 3u);
    EXPECT_EQ((*src)->plan().stop, (std::vector<int64_t>{20, 20, 20}));

    auto reader = (*src)->create_reader({0, 1, 2}, test_ctx());
    std::vector<poll_result> events;
    auto recs = drain(*reader, SIZE_MAX, &events);
    ASSERT_EQ(recs.size(), 60u);
    std::map<int32_t, int64_t> next;
    for (const auto& r : recs) {
        // Records of a partition come in offset order; split i is partition i.
        EXPECT_EQ(r.offset, next[r.partition]++);
        EXPECT_EQ(*r.value, "p" + std::to_string(r.partition) + "-" + std::to_string(r.offset));
        EXPECT_EQ(*r.key, "k" + std::to_string(r.offset));
        EXPECT_EQ(r.timestamp, base_ts + 1000 * r.offset + r.partition);
        ASSERT_EQ(r.headers.size(), 1u);
        EXPECT_EQ(r.headers[0], (std::pair<std::string, std::string>{"h", "v"}));
    }
    size_t split_ends = 0;
    for (const auto& e : events) {
        split_ends += e.k == poll_result::kind::split_end;
        if (e.k == poll_result::kind::data) {
            EXPECT_LT(e.split, 3u);
        }
    }
    EXPECT_EQ(split_ends, 3u);
    EXPECT_EQ(events.back().k, poll_result::kind::end);
}

TEST(KafkaSource, DataPollsHoldRecordsOfTheirSplitOnly) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 10);
    auto src = make_raw_kafka_source(source_cfg(m, "t"));
    ASSERT_TRUE(src) << src.error();
    // A reader of splits {2, 0}: local split 0 is partition 2, local split 1 is partition 0.
    auto reader = (*src)->create_reader({2, 0}, test_ctx());
    size_t total = 0;
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
        stream::batch<kafka_record> b;
        poll_result res = reader->poll(b, 4);
        if (res.k == poll_result::kind::end) {
            break;
        }
        for (const auto& v : b.values) {
            EXPECT_EQ(v.partition, res.split == 0 ? 2 : 0);
            ++total;
        }
        EXPECT_LE(b.size(), 4u);
    }
    EXPECT_EQ(total, 20u);
}

TEST(KafkaSource, RestoredReaderResumesAtSnapshottedOffsets) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 30);
    auto src = make_raw_kafka_source(source_cfg(m, "t"));
    ASSERT_TRUE(src) << src.error();
    bytes snap;
    std::vector<kafka_record> first;
    {
        auto reader = (*src)->create_reader({0, 1, 2}, test_ctx());
        first = drain(*reader, 25);
        ASSERT_EQ(first.size(), 25u);
        stream::writer w(snap);
        reader->snapshot(w);
        // Records read after the snapshot are lost with the reader (as in a crash).
        drain(*reader, 10);
    }
    auto reader = (*src)->create_reader({0, 1, 2}, test_ctx());
    stream::reader r(snap);
    ASSERT_TRUE(reader->restore(r));
    auto rest = drain(*reader);
    std::set<std::pair<int32_t, int64_t>> seen;
    for (const auto& v : first)
        EXPECT_TRUE(seen.insert({v.partition, v.offset}).second);
    for (const auto& v : rest)
        EXPECT_TRUE(seen.insert({v.partition, v.offset}).second)
            << "duplicate p" << v.partition << "@" << v.offset;
    EXPECT_EQ(seen.size(), 90u);

    // A snapshot for another split count is refused.
    auto other = (*src)->create_reader({0, 1}, test_ctx());
    stream::reader r2(snap);
    EXPECT_FALSE(other->restore(r2));
}

TEST(KafkaSource, BoundedModeStopsAtTheHighWatermarkSeenAtStart) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 5);
    auto src = make_raw_kafka_source(source_cfg(m, "t"));
    ASSERT_TRUE(src) << src.error();
    fill(m, "t", 5);  // written after the source was created: not read
    auto reader = (*src)->create_reader({0, 1, 2}, test_ctx());
    auto recs = drain(*reader);
    EXPECT_EQ(recs.size(), 15u);
    for (const auto& r : recs)
        EXPECT_LT(r.offset, 5);
}

// Timestamp bounds (offsets_for_times) are not testable here: the 2.0.2 mock answers every
// ListOffsets-by-time with -1. They are covered against the real broker in the e2e test.
TEST(KafkaSource, BetweenTwoOffsets) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 10);
    auto c2 = source_cfg(m, "t");
    c2.partitions = {1};
    c2.start = start_mode::offsets;
    c2.start_offsets = {{1, 7}};
    c2.stop = stop_mode::offsets;
    c2.stop_offsets = {{1, 9}};
    auto src2 = make_raw_kafka_source(c2);
    ASSERT_TRUE(src2) << src2.error();
    EXPECT_EQ((*src2)->split_count(), 1u);
    auto reader2 = (*src2)->create_reader({0}, test_ctx());
    auto recs2 = drain(*reader2);
    ASSERT_EQ(recs2.size(), 2u);
    EXPECT_EQ(recs2[0].offset, 7);
    EXPECT_EQ(recs2[1].offset, 8);
    EXPECT_EQ(recs2[0].partition, 1);
}

TEST(KafkaSource, UnknownPartitionIsAClearError) {
    mock_cluster m;
    m.create_topic("t", 3);
    auto c = source_cfg(m, "t");
    c.partitions = {7};
    auto src = make_raw_kafka_source(c);
    ASSERT_FALSE(src);
    EXPECT_NE(src.error().find("partition 7 does not exist"), std::string::npos) << src.error();
}

TEST(KafkaSource, JsonFormatSkipsMalformedValues) {
    mock_cluster m;
    m.create_topic("j", 1);
    m.produce("j", 0, "a", R"({"n": 1})", 10);
    m.produce("j", 0, "b", "not json", 11);
    m.produce("j", 0, "c", R"({"n": 3})", 12);
    m.flush();
    auto src = make_json_kafka_source(source_cfg(m, "j"));
    ASSERT_TRUE(src) << src.error();
    auto reader = (*src)->create_reader({0}, test_ctx());
    std::vector<stream::json_record> out;
    std::vector<int64_t> ts;
    for (int k = 0; k < 10000; ++k) {
        stream::batch<stream::json_record> b;
        auto res = reader->poll(b, 100);
        for (size_t i = 0; i < b.size(); ++i) {
            out.push_back(b.values[i]);
            ts.push_back(b.timestamps[i]);
        }
        if (res.k == poll_result::kind::end) {
            break;
        }
        std::this_thread::sleep_for(1ms);
    }
    ASSERT_EQ(out.size(), 2u);
    EXPECT_EQ(out[0]["n"], 1);
    EXPECT_EQ(out[1]["n"], 3);
    EXPECT_EQ(ts, (std::vector<int64_t>{10, 12}));
    EXPECT_EQ((*src)->malformed(), 1u);
}

TEST(KafkaSource, CommitsSnapshottedOffsetsToTheMonitoringGroup) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 10);
    auto c = source_cfg(m, "t");
    c.commit_group = "lag-monitor";
    auto src = make_raw_kafka_source(c);
    ASSERT_TRUE(src) << src.error();
    auto reader = (*src)->create_reader({0, 1, 2}, test_ctx());
    ASSERT_EQ(drain(*reader).size(), 30u);
    bytes snap;
    stream::writer w(snap);
    reader->snapshot(w);

    std::string err;
    conf_ptr conf =
        make_conf({{"bootstrap.servers", m.bootstraps()}, {"group.id", "lag-monitor"}}, err);
    handle_ptr probe = make_handle(RD_KAFKA_CONSUMER, std::move(conf), err);
    ASSERT_TRUE(probe) << err;
    bool ok = false;
    for (int k = 0; k < 100 && !ok; ++k) {
        reader->poll(*std::make_unique<stream::batch<kafka_record>>(), 1);  // serves callbacks
        partition_list_ptr l = make_partition_list(3);
        for (int p = 0; p < 3; ++p)
            rd_kafka_topic_partition_list_add(l.get(), "t", p);
        ASSERT_EQ(rd_kafka_committed(probe.get(), l.get(), 5000), RD_KAFKA_RESP_ERR_NO_ERROR);
        ok = true;
        for (int i = 0; i < l->cnt; ++i)
            ok = ok && l->elems[i].offset == 10;
        if (!ok) {
            std::this_thread::sleep_for(50ms);
        }
    }
    EXPECT_TRUE(ok);
}

TEST(KafkaSource, RunsInAJobAtParallelismTwo) {
    mock_cluster m;
    m.create_topic("t", 3);
    fill(m, "t", 50);
    auto src = make_raw_kafka_source(source_cfg(m, "t"));
    ASSERT_TRUE(src) << src.error();
    stream::environment env(stream::job_config{.name = "kafka-src", .parallelism = 2});
    auto out = std::make_shared<stream::collecting_sink<kafka_record>>();
    env.from_source<kafka_record>(*src).sink(out);
    auto r = env.execute();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(out->size(), 150u);
}

// ---- sink ----

std::vector<kafka_record> read_all(mock_cluster& m, const std::string& topic) {
    auto src = make_raw_kafka_source(source_cfg(m, topic));
    EXPECT_TRUE(src) << src.error();
    if (!src) {
        return {};
    }
    auto reader = (*src)->create_reader({0}, test_ctx());
    return drain(*reader);
}

kafka_sink<std::string>::format_fn as_value() {
    return [](const std::string& s) {
        kafka_output o;
        o.key = s;
        o.value = s;
        o.timestamp = 42;
        o.headers = {{"x", "y"}};
        return o;
    };
}

TEST(KafkaSink, CheckpointBarrierFlushesBeforeTheAck) {
    mock_cluster m;
    m.create_topic("out", 1);
    kafka_sink_config c{.brokers = m.bootstraps(), .topic = "out"};
    c.props = {{"linger.ms", "1000"}};  // without the flush, records would wait a second
    auto sink = std::make_shared<kafka_sink<std::string>>(c, as_value());
    auto w = sink->create_writer(test_ctx());
    stream::batch<std::string> b;
    for (int i = 0; i < 100; ++i)
        b.push("v" + std::to_string(i), i);
    w->write(std::move(b));
    w->precommit(1);
    // Everything written before the barrier is in the topic when precommit returns.
    auto recs = read_all(m, "out");
    ASSERT_EQ(recs.size(), 100u);
    for (int i = 0; i < 100; ++i) {
        EXPECT_EQ(*recs[static_cast<size_t>(i)].value, "v" + std::to_string(i));
        EXPECT_EQ(recs[static_cast<size_t>(i)].timestamp, 42);
        EXPECT_EQ(recs[static_cast<size_t>(i)].headers.size(), 1u);
    }
}

TEST(KafkaSink, JobCheckpointCompletesOnlyAfterTheFlush) {
    mock_cluster m;
    m.create_topic("out", 1);
    auto limit = std::make_shared<std::atomic<size_t>>(30);
    std::vector<stream::timed<std::string>> data;
    for (int i = 0; i < 60; ++i)
        data.push_back({i, "r" + std::to_string(i)});
    auto src = std::make_shared<stream::vector_source<std::string>>(
        std::vector<std::vector<stream::timed<std::string>>>{data}, limit);
    kafka_sink_config c{.brokers = m.bootstraps(), .topic = "out"};
    c.props = {{"linger.ms", "2000"}};
    auto tmp = ::testing::TempDir() + "kafka_sink_chk";
    stream::environment env(stream::job_config{.name = "sink", .checkpoint_dir = tmp});
    env.from_source<std::string>(src).sink(
        std::make_shared<kafka_sink<std::string>>(c, as_value()));
    auto j = env.create_job();
    ASSERT_TRUE(j) << j.error().message;
    (*j)->start();
    while (src->emitted() < 30)
        std::this_thread::sleep_for(1ms);
    auto chk = (*j)->trigger_checkpoint();
    ASSERT_TRUE(chk) << chk.error().message;
    EXPECT_EQ(read_all(m, "out").size(), 30u);  // linger 2 s: only the barrier's flush sent them
    limit->store(60);
    auto r = (*j)->wait();
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(read_all(m, "out").size(), 60u);  // end of input flushes too
}

TEST(KafkaSink, DeliveryErrorFailsTheCheckpoint) {
    mock_cluster m;
    m.create_topic("out", 1);
    std::vector<rd_kafka_resp_err_t> errs(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(m.mc(), 0 /* Produce */, errs.size(), errs.data());
    kafka_sink_config c{.brokers = m.bootstraps(), .topic = "out"};
    c.flush_timeout = 10s;
    auto sink = std::make_shared<kafka_sink<std::string>>(c, as_value());
    auto w = sink->create_writer(test_ctx());
    stream::batch<std::string> b;
    b.push("x", 1);
    w->write(std::move(b));
    try {
        w->precommit(1);
        FAIL() << "precommit succeeded despite the delivery error";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("delivery failed"), std::string::npos) << e.what();
    }
}

TEST(KafkaSink, DeliveryErrorFailsTheJob) {
    mock_cluster m;
    m.create_topic("out", 1);
    std::vector<rd_kafka_resp_err_t> errs(50, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(m.mc(), 0 /* Produce */, errs.size(), errs.data());
    std::vector<stream::timed<std::string>> data{{1, "a"}, {2, "b"}};
    auto src = std::make_shared<stream::vector_source<std::string>>(
        std::vector<std::vector<stream::timed<std::string>>>{data});
    kafka_sink_config c{.brokers = m.bootstraps(), .topic = "out"};
    stream::environment env(stream::job_config{.name = "sink-fail"});
    env.from_source<std::string>(src).sink(
        std::make_shared<kafka_sink<std::string>>(c, as_value()));
    auto r = env.execute();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("delivery failed"), std::string::npos) << r.error().message;
}

}  // namespace
}  // namespace otter::connectors::kafka

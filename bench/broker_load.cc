// broker_load: a Kafka load generator on librdkafka's C API, in the spirit of
// rdkafka_performance. Used by bench/run_broker_bench.sh; works against any Kafka cluster and
// against librdkafka's in-process mock cluster (--mock).
//
//   broker_load produce --brokers H:P --topic T [--partitions P] [--records N] [--size S]
//                       [--acks 1|all|0] [--linger-ms L] [--batch-size B] [--rate R]
//                       [--set key=value ...] [--mock]
//   broker_load consume --brokers H:P --topic T [--records N] [--set key=value ...]
//
// produce: creates the topic with P partitions (CreateTopics; "already exists" is fine), sends N
// records of S bytes round-robin over the partitions (partition = i % P), and reports records/s,
// MB/s (1 MB = 10^6 bytes of record values) and p50/p99/max delivery latency, measured per record
// from the successful produce() call to its delivery report. Throughput time runs from the first
// produce() to the last delivery report. With --rate R, records are sent on a fixed schedule
// (R records/s), for a latency measurement below saturation.
//
// consume: starts every partition of the topic from the beginning (simple consumer, no group),
// reads N records; reports records/s and MB/s from the first record received to the N-th.
//
// --mock: use librdkafka's mock cluster (test.mock.num.brokers=1) instead of --brokers. The mock
// keeps data in memory and never fsyncs: an upper bound for the client and protocol path.
// produce only (see run_consume for why).
//
// The last line of output is machine-readable: "RESULT key=value ...".

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
    std::string mode;
    std::string brokers = "127.0.0.1:9092";
    std::string topic = "bench";
    int partitions = 1;
    long long records = 100000;
    size_t size = 1024;
    std::string acks = "1";
    int linger_ms = -1;   // -1: librdkafka default
    int batch_size = -1;  // -1: librdkafka default
    double rate = 0;      // records/s; 0 = as fast as possible
    bool mock = false;
    bool quiet = false;
    double timeout_s = 120;
    std::vector<std::pair<std::string, std::string>> extra;
};

[[noreturn]] void usage(const char* msg) {
    if (msg)
        std::fprintf(stderr, "broker_load: %s\n", msg);
    std::fprintf(stderr,
                 "usage: broker_load produce|consume [--brokers H:P | --mock] [--topic T]\n"
                 "         [--partitions P] [--records N] [--size BYTES] [--acks 0|1|all]\n"
                 "         [--linger-ms MS] [--batch-size BYTES] [--rate RECORDS_PER_S]\n"
                 "         [--set key=value]... [--timeout S] [--quiet]\n");
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    if (argc < 2)
        usage(nullptr);
    o.mode = argv[1];
    if (o.mode == "-h" || o.mode == "--help")
        usage(nullptr);
    if (o.mode != "produce" && o.mode != "consume")
        usage("mode must be produce or consume");
    for (int i = 2; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc)
                usage((a + " needs a value").c_str());
            return argv[++i];
        };
        if (a == "--brokers" || a == "-b")
            o.brokers = val();
        else if (a == "--topic" || a == "-t")
            o.topic = val();
        else if (a == "--partitions" || a == "-p")
            o.partitions = std::atoi(val().c_str());
        else if (a == "--records" || a == "-n")
            o.records = std::atoll(val().c_str());
        else if (a == "--size" || a == "-s")
            o.size = static_cast<size_t>(std::atoll(val().c_str()));
        else if (a == "--acks")
            o.acks = val();
        else if (a == "--linger-ms")
            o.linger_ms = std::atoi(val().c_str());
        else if (a == "--batch-size")
            o.batch_size = std::atoi(val().c_str());
        else if (a == "--rate")
            o.rate = std::atof(val().c_str());
        else if (a == "--timeout")
            o.timeout_s = std::atof(val().c_str());
        else if (a == "--mock")
            o.mock = true;
        else if (a == "--quiet" || a == "-q")
            o.quiet = true;
        else if (a == "--set" || a == "-X") {
            std::string kv = val();
            auto eq = kv.find('=');
            if (eq == std::string::npos)
                usage("--set needs key=value");
            o.extra.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
        } else
            usage(("unknown argument " + a).c_str());
    }
    if (o.partitions < 1 || o.records < 1 || o.size < 1)
        usage("--partitions, --records and --size must be positive");
    if (o.acks != "0" && o.acks != "1" && o.acks != "all" && o.acks != "-1")
        usage("--acks must be 0, 1 or all");
    return o;
}

[[noreturn]] void die(const char* what, const char* detail) {
    std::fprintf(stderr, "broker_load: %s: %s\n", what, detail);
    std::exit(1);
}

void set(rd_kafka_conf_t* conf, const std::string& k, const std::string& v) {
    char err[512];
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
        die(("config " + k).c_str(), err);
}

void log_cb(const rd_kafka_t*, int level, const char* fac, const char* buf) {
    static const bool all = std::getenv("BROKER_LOAD_LOG_ALL") != nullptr;
    if (level <= 4 || all)  // warnings and worse, or everything (debug=...)
        std::fprintf(stderr, "%.3f librdkafka %s: %s\n",
                     std::chrono::duration<double, std::milli>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count(),
                     fac, buf);
}

double secs(clock_type::duration d) {
    return std::chrono::duration<double>(d).count();
}

// ---------------------------------------------------------------------------------------------
// produce

struct produce_state {
    std::vector<clock_type::time_point> sent;  // per record: when produce() succeeded
    std::vector<float> latency_us;             // per delivered record
    std::atomic<long long> delivered{0};
    long long failed = 0;
    rd_kafka_resp_err_t first_error = RD_KAFKA_RESP_ERR_NO_ERROR;
    clock_type::time_point last_dr;
};

void dr_cb(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* st = static_cast<produce_state*>(opaque);
    auto now = clock_type::now();
    auto i = reinterpret_cast<intptr_t>(m->_private);
    if (m->err) {
        if (st->failed++ == 0)
            st->first_error = m->err;
    } else {
        st->latency_us.push_back(static_cast<float>(
            std::chrono::duration<double, std::micro>(now - st->sent[i]).count()));
    }
    st->last_dr = now;
    st->delivered.fetch_add(1, std::memory_order_relaxed);
}

void create_topic(rd_kafka_t* rk, const options& o) {
    if (o.mock) {
        auto* mc = rd_kafka_handle_mock_cluster(rk);
        if (!mc)
            die("mock", "no mock cluster on the handle");
        auto err = rd_kafka_mock_topic_create(mc, o.topic.c_str(), o.partitions, 1);
        if (err && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            die("mock topic create", rd_kafka_err2str(err));
        return;
    }
    char err[512];
    rd_kafka_NewTopic_t* nt =
        rd_kafka_NewTopic_new(o.topic.c_str(), o.partitions, 1, err, sizeof err);
    if (!nt)
        die("NewTopic", err);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    rd_kafka_AdminOptions_t* ao = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
    rd_kafka_AdminOptions_set_operation_timeout(ao, 10000, err, sizeof err);
    rd_kafka_CreateTopics(rk, &nt, 1, ao, q);
    rd_kafka_event_t* ev = rd_kafka_queue_poll(q, 15000);
    if (!ev)
        die("CreateTopics", "timed out");
    if (rd_kafka_event_error(ev))
        die("CreateTopics", rd_kafka_event_error_string(ev));
    const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t** tr = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
        auto e = rd_kafka_topic_result_error(tr[i]);
        if (e && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS)
            die("CreateTopics", rd_kafka_topic_result_error_string(tr[i]));
    }
    rd_kafka_event_destroy(ev);
    rd_kafka_AdminOptions_destroy(ao);
    rd_kafka_NewTopic_destroy(nt);
    rd_kafka_queue_destroy(q);
}

rd_kafka_t* new_producer(const options& o, produce_state* st) {
    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    if (o.mock)
        set(conf, "test.mock.num.brokers", "1");
    else
        set(conf, "bootstrap.servers", o.brokers);
    set(conf, "acks", o.acks == "all" ? "-1" : o.acks);
    if (o.linger_ms >= 0)
        set(conf, "linger.ms", std::to_string(o.linger_ms));
    if (o.batch_size > 0)
        set(conf, "batch.size", std::to_string(o.batch_size));
    for (auto& [k, v] : o.extra)
        set(conf, k, v);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
    rd_kafka_conf_set_opaque(conf, st);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
    if (!rk)
        die("rd_kafka_new", err);
    return rk;
}

double pct(std::vector<float>& v, double p) {
    if (v.empty())
        return 0;
    size_t k = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

// Sends o.records records and reports; returns the exit status.
int run_produce(const options& o) {
    produce_state st;
    st.sent.resize(static_cast<size_t>(o.records));
    st.latency_us.reserve(static_cast<size_t>(o.records));
    rd_kafka_t* rk = new_producer(o, &st);
    create_topic(rk, o);
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o.topic.c_str(), nullptr);

    // Wait until the partitions are known, so the first records are not stuck behind metadata.
    for (int tries = 0; tries < 100; ++tries) {
        const rd_kafka_metadata_t* md = nullptr;
        if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) {
            bool ok = md->topic_cnt == 1 && md->topics[0].err == 0 &&
                      md->topics[0].partition_cnt >= o.partitions;
            rd_kafka_metadata_destroy(md);
            if (ok)
                break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }

    std::vector<char> payload(o.size);
    uint64_t x = 0x9E3779B97F4A7C15ULL;
    for (auto& c : payload) {  // incompressible-ish bytes
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }

    const auto start = clock_type::now();
    const auto deadline = start + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(o.timeout_s));
    double max_behind_ms = 0;
    long long queue_full = 0;
    for (long long i = 0; i < o.records; ++i) {
        if (o.rate > 0) {
            auto due = start + std::chrono::duration_cast<clock_type::duration>(
                                   std::chrono::duration<double>(static_cast<double>(i) / o.rate));
            for (;;) {
                auto now = clock_type::now();
                if (now >= due) {
                    max_behind_ms =
                        std::max(max_behind_ms,
                                 std::chrono::duration<double, std::milli>(now - due).count());
                    break;
                }
                rd_kafka_poll(rk, 0);
                auto left = due - now;
                if (left > std::chrono::microseconds(200))
                    std::this_thread::sleep_for(left - std::chrono::microseconds(100));
            }
        }
        for (;;) {
            st.sent[static_cast<size_t>(i)] = clock_type::now();
            auto err = rd_kafka_produce(
                rkt, static_cast<int32_t>(i % o.partitions), RD_KAFKA_MSG_F_COPY, payload.data(),
                payload.size(), nullptr, 0, reinterpret_cast<void*>(static_cast<intptr_t>(i)));
            if (err == 0)
                break;
            auto e = rd_kafka_last_error();
            if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL)
                die("produce", rd_kafka_err2str(e));
            ++queue_full;
            rd_kafka_poll(rk, 1);
            if (clock_type::now() > deadline)
                die("produce", "timed out");
        }
        if ((i & 63) == 0)
            rd_kafka_poll(rk, 0);
    }
    while (st.delivered.load() < o.records) {
        rd_kafka_poll(rk, 50);
        if (clock_type::now() > deadline) {
            std::fprintf(stderr, "broker_load: timed out with %lld of %lld delivered\n",
                         st.delivered.load(), o.records);
            return 1;
        }
    }
    const double elapsed = secs(st.last_dr - start);
    int rc = 0;
    if (st.failed) {
        std::fprintf(stderr, "broker_load: %lld records failed, first error: %s\n", st.failed,
                     rd_kafka_err2str(st.first_error));
        rc = 1;
    }
    {
        const double n = static_cast<double>(o.records - st.failed);
        const double rps = n / elapsed;
        const double mbps = n * static_cast<double>(o.size) / 1e6 / elapsed;
        const double p50 = pct(st.latency_us, 0.50) / 1000, p99 = pct(st.latency_us, 0.99) / 1000;
        const double mx =
            st.latency_us.empty()
                ? 0
                : *std::max_element(st.latency_us.begin(), st.latency_us.end()) / 1000;
        if (!o.quiet)
            std::printf(
                "produce %s topic=%s partitions=%d acks=%s size=%zu: %lld records in %.3f s: "
                "%.0f records/s, %.2f MB/s; latency ms p50 %.3f p99 %.3f max %.3f%s\n",
                o.mock ? "mock" : o.brokers.c_str(), o.topic.c_str(), o.partitions, o.acks.c_str(),
                o.size, o.records, elapsed, rps, mbps, p50, p99, mx,
                o.rate > 0 ? (" (fixed rate " + std::to_string(static_cast<long>(o.rate)) +
                              "/s, max behind schedule " + std::to_string(max_behind_ms) + " ms)")
                                 .c_str()
                           : "");
        std::printf(
            "RESULT mode=produce mock=%d partitions=%d acks=%s size=%zu records=%lld failed=%lld "
            "seconds=%.4f rps=%.1f mbps=%.3f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f rate=%.0f "
            "max_behind_ms=%.3f queue_full=%lld\n",
            o.mock ? 1 : 0, o.partitions, o.acks.c_str(), o.size, o.records, st.failed, elapsed,
            rps, mbps, p50, p99, mx, o.rate, max_behind_ms, queue_full);
        std::fflush(stdout);
    }
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return rc;
}

// ---------------------------------------------------------------------------------------------
// consume

int run_consume(const options& o) {
    // No --mock here: librdkafka 2.0.2's mock cluster keeps only the newest ~5 MiB of each
    // partition (older message sets are dropped as new ones arrive), and re-reading that window
    // (seek back at its end, or stop and restart) stalls on fetch waits, so a mock consume
    // figure would measure those artefacts rather than the client.
    if (o.mock)
        usage("consume does not support --mock (the mock cluster retains only ~5 MiB/partition)");
    const std::string& brokers = o.brokers;

    rd_kafka_conf_t* conf = rd_kafka_conf_new();
    set(conf, "bootstrap.servers", brokers);
    set(conf, "enable.partition.eof", "false");
    for (auto& [k, v] : o.extra)
        set(conf, k, v);
    rd_kafka_conf_set_log_cb(conf, log_cb);
    char err[512];
    rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
    if (!rk)
        die("rd_kafka_new", err);

    int partitions = 0;
    {
        rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o.topic.c_str(), nullptr);
        const rd_kafka_metadata_t* md = nullptr;
        auto e = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
        if (e)
            die("metadata", rd_kafka_err2str(e));
        if (md->topic_cnt != 1 || md->topics[0].err)
            die("metadata", md->topic_cnt ? rd_kafka_err2str(md->topics[0].err) : "no topic");
        partitions = md->topics[0].partition_cnt;
        rd_kafka_metadata_destroy(md);
        rd_kafka_topic_destroy(rkt);
    }

    // The simple (legacy) consumer: every partition into one queue, no consumer group
    // (librdkafka 2.0's rd_kafka_assign() needs a group.id, and the group coordinator would add
    // FindCoordinator traffic the broker need not support).
    rd_kafka_topic_t* rkt = rd_kafka_topic_new(rk, o.topic.c_str(), nullptr);
    rd_kafka_queue_t* q = rd_kafka_queue_new(rk);
    const auto started = clock_type::now();
    const auto deadline = started + std::chrono::duration_cast<clock_type::duration>(
                                        std::chrono::duration<double>(o.timeout_s));
    for (int p = 0; p < partitions; ++p)
        if (rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q) != 0)
            die("consume_start", rd_kafka_err2str(rd_kafka_last_error()));
    std::vector<rd_kafka_message_t*> batch(1024);
    long long n = 0, bytes = 0;
    clock_type::time_point first{};
    while (n < o.records) {
        ssize_t got = rd_kafka_consume_batch_queue(q, 100, batch.data(), batch.size());
        if (got <= 0) {
            if (clock_type::now() > deadline) {
                std::fprintf(stderr, "broker_load: timed out after %lld of %lld records\n", n,
                             o.records);
                return 1;
            }
            continue;
        }
        for (ssize_t i = 0; i < got; ++i) {
            rd_kafka_message_t* m = batch[static_cast<size_t>(i)];
            if (m->err) {
                std::fprintf(stderr, "broker_load: consume error: %s\n",
                             rd_kafka_message_errstr(m));
            } else if (n < o.records) {
                if (n == 0)
                    first = clock_type::now();
                ++n;
                bytes += static_cast<long long>(m->len);
            }
            rd_kafka_message_destroy(m);
        }
    }
    const auto last = clock_type::now();
    // With one record there is no interval; count from the start then.
    const double elapsed = n > 1 ? secs(last - first) : secs(last - started);
    const double first_ms = std::chrono::duration<double, std::milli>(first - started).count();
    const double rps = static_cast<double>(n) / elapsed;
    const double mbps = static_cast<double>(bytes) / 1e6 / elapsed;
    if (!o.quiet)
        std::printf(
            "consume %s topic=%s partitions=%d: %lld records (%lld bytes) in %.3f s: "
            "%.0f records/s, %.2f MB/s; first record %.1f ms after start\n",
            o.mock ? "mock" : brokers.c_str(), o.topic.c_str(), partitions, n, bytes, elapsed, rps,
            mbps, first_ms);
    std::printf(
        "RESULT mode=consume mock=%d partitions=%d records=%lld bytes=%lld seconds=%.4f "
        "rps=%.1f mbps=%.3f first_ms=%.3f\n",
        o.mock ? 1 : 0, partitions, n, bytes, elapsed, rps, mbps, first_ms);
    std::fflush(stdout);
    for (int p = 0; p < partitions; ++p)
        rd_kafka_consume_stop(rkt, p);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    options o = parse(argc, argv);
    return o.mode == "produce" ? run_produce(o) : run_consume(o);
}

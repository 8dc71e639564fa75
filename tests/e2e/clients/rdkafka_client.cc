// A small client on librdkafka's C++ API, used by tests/e2e/test_librdkafka_cpp.py.
//
//   rdkafka_client produce BROKERS TOPIC N [PREFIX]
//       acks=all; sends N messages "<PREFIX>-<i>" to partition 0 and prints "offset <o> <value>"
//       for each delivered message, in delivery order. Exit 1 if any delivery failed.
//   rdkafka_client consume BROKERS TOPIC N [TIMEOUT_MS]
//       assigns partition 0 from the beginning (no group), prints "<offset> <value>" until N
//       messages are read; exit 1 on timeout or consumer error.
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafkacpp.h>

namespace {

void set(RdKafka::Conf* conf, const std::string& k, const std::string& v) {
    std::string err;
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
        std::cerr << "config " << k << "=" << v << ": " << err << "\n";
        std::exit(2);
    }
}

class DeliveryReport : public RdKafka::DeliveryReportCb {
  public:
    int failed = 0;
    int delivered = 0;
    void dr_cb(RdKafka::Message& m) override {
        if (m.err() != RdKafka::ERR_NO_ERROR) {
            ++failed;
            std::cerr << "delivery failed: " << m.errstr() << " (" << static_cast<int>(m.err())
                      << ")\n";
            return;
        }
        ++delivered;
        std::cout << "offset " << m.offset() << " "
                  << std::string(static_cast<const char*>(m.payload()), m.len()) << "\n";
    }
};

int produce(const std::string& brokers, const std::string& topic, int n,
            const std::string& prefix) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    set(conf.get(), "bootstrap.servers", brokers);
    set(conf.get(), "acks", "all");
    set(conf.get(), "linger.ms", "5");
    set(conf.get(), "message.timeout.ms", "20000");
    DeliveryReport dr;
    std::string err;
    if (conf->set("dr_cb", &dr, err) != RdKafka::Conf::CONF_OK) {
        std::cerr << err << "\n";
        return 2;
    }
    std::unique_ptr<RdKafka::Producer> p(RdKafka::Producer::create(conf.get(), err));
    if (!p) {
        std::cerr << "producer: " << err << "\n";
        return 2;
    }
    for (int i = 0; i < n; ++i) {
        std::string v = prefix + "-" + std::to_string(i);
        for (;;) {
            auto e = p->produce(topic, 0, RdKafka::Producer::RK_MSG_COPY, v.data(), v.size(),
                                nullptr, 0, 0, nullptr);
            if (e == RdKafka::ERR__QUEUE_FULL) {
                p->poll(50);
                continue;
            }
            if (e != RdKafka::ERR_NO_ERROR) {
                std::cerr << "produce: " << RdKafka::err2str(e) << "\n";
                return 1;
            }
            break;
        }
        p->poll(0);
    }
    auto e = p->flush(30000);
    if (e != RdKafka::ERR_NO_ERROR) {
        std::cerr << "flush: " << RdKafka::err2str(e) << " (" << p->outq_len() << " left)\n";
        return 1;
    }
    std::cout.flush();
    return (dr.failed == 0 && dr.delivered == n) ? 0 : 1;
}

int consume(const std::string& brokers, const std::string& topic, int n, int timeout_ms) {
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    set(conf.get(), "bootstrap.servers", brokers);
    set(conf.get(), "group.id", "otter-e2e-cpp-assign");  // required by the API; never joined
    set(conf.get(), "enable.auto.commit", "false");
    set(conf.get(), "enable.auto.offset.store", "false");
    set(conf.get(), "fetch.wait.max.ms", "100");
    std::string err;
    std::unique_ptr<RdKafka::KafkaConsumer> c(RdKafka::KafkaConsumer::create(conf.get(), err));
    if (!c) {
        std::cerr << "consumer: " << err << "\n";
        return 2;
    }
    std::vector<RdKafka::TopicPartition*> parts{
        RdKafka::TopicPartition::create(topic, 0, RdKafka::Topic::OFFSET_BEGINNING)};
    if (auto e = c->assign(parts); e != RdKafka::ERR_NO_ERROR) {
        std::cerr << "assign: " << RdKafka::err2str(e) << "\n";
        return 1;
    }
    RdKafka::TopicPartition::destroy(parts);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    int got = 0;
    int rc = 0;
    while (got < n) {
        if (std::chrono::steady_clock::now() > deadline) {
            std::cerr << "timed out after " << got << " of " << n << " messages\n";
            rc = 1;
            break;
        }
        std::unique_ptr<RdKafka::Message> m(c->consume(200));
        if (m->err() == RdKafka::ERR__TIMED_OUT || m->err() == RdKafka::ERR__PARTITION_EOF)
            continue;
        if (m->err() != RdKafka::ERR_NO_ERROR) {
            std::cerr << "consume: " << m->errstr() << "\n";
            rc = 1;
            break;
        }
        std::cout << m->offset() << " "
                  << std::string(static_cast<const char*>(m->payload()), m->len()) << "\n";
        ++got;
    }
    std::cout.flush();
    c->close();
    return rc;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 5) {
        std::cerr << "usage: " << argv[0] << " produce BROKERS TOPIC N [PREFIX]\n"
                  << "       " << argv[0] << " consume BROKERS TOPIC N [TIMEOUT_MS]\n";
        return 2;
    }
    const std::string mode = argv[1];
    const int n = std::atoi(argv[4]);
    if (mode == "produce")
        return produce(argv[2], argv[3], n, argc > 5 ? argv[5] : "cpp");
    if (mode == "consume")
        return consume(argv[2], argv[3], n, argc > 5 ? std::atoi(argv[5]) : 30000);
    std::cerr << "unknown mode " << mode << "\n";
    return 2;
}

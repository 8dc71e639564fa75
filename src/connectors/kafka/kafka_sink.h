// kafka_sink: writes a stream into one Kafka topic, at-least-once.
//
// Each sink subtask owns one librdkafka producer (acks=all). A user function turns every record
// into a kafka_output (key, value, optional partition, timestamp and headers). At each checkpoint
// barrier the writer flushes (rd_kafka_flush) and only then lets the task acknowledge the
// checkpoint, so every record before a completed checkpoint is in Kafka; after a restore the
// records since that checkpoint are written again (duplicates, never losses). A delivery error or
// a flush that does not finish within `flush_timeout` throws, which fails the job. End of input
// flushes too. Exactly-once (transactions) is not implemented here.
//
// Threads: delivery reports run on the sink task's thread (inside poll/flush); the sink object is
// immutable and shared by its writers.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "connectors/kafka/rdkafka_handles.h"
#include "stream/ops.h"

namespace otter::connectors::kafka {

struct kafka_output {
    std::optional<std::string> key;
    std::optional<std::string> value;
    int32_t partition = RD_KAFKA_PARTITION_UA;  // unassigned: the partitioner picks (by key)
    std::optional<int64_t> timestamp;           // ms; empty: the producer's current time
    std::vector<std::pair<std::string, std::string>> headers;
};

struct kafka_sink_config {
    std::string brokers;
    std::string topic;
    properties props;  // extra librdkafka properties (override the defaults)
    std::chrono::milliseconds flush_timeout{60000};
};

// One producer with delivery-error tracking. Not thread-safe: its sink task uses it.
class kafka_producer {
  public:
    kafka_producer(const kafka_sink_config& cfg, const std::string& client_id);
    ~kafka_producer();
    kafka_producer(const kafka_producer&) = delete;
    kafka_producer& operator=(const kafka_producer&) = delete;

    // Queues one record (waits while librdkafka's queue is full); throws on a delivery error
    // seen so far or a produce failure.
    void send(const kafka_output& o);
    // Waits until every queued record is acknowledged; throws if one failed or on timeout.
    void flush();
    uint64_t delivered() const { return delivered_; }
    size_t in_flight() const;

  private:
    static void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque);
    void check();

    kafka_sink_config cfg_;
    handle_ptr rk_;
    uint64_t delivered_ = 0;
    std::string error_;  // the first delivery error
};

template <typename T>
class kafka_sink final : public stream::sink<T> {
  public:
    using format_fn = std::function<kafka_output(const T&)>;

    kafka_sink(kafka_sink_config cfg, format_fn fn)
        : cfg_(std::make_shared<const kafka_sink_config>(std::move(cfg))), fn_(std::move(fn)) {}

    std::unique_ptr<stream::sink_writer<T>> create_writer(
        const stream::operator_context& ctx) override {
        std::string id = "otter-sink-" + ctx.job_name + "-" + std::to_string(ctx.subtask);
        return std::make_unique<writer_impl>(*cfg_, fn_, id);
    }

  private:
    class writer_impl final : public stream::sink_writer<T> {
      public:
        writer_impl(const kafka_sink_config& cfg, format_fn fn, const std::string& id)
            : p_(cfg, id), fn_(std::move(fn)) {}
        void write(stream::batch<T>&& b) override {
            for (const auto& v : b.values)
                p_.send(fn_(v));
        }
        // The checkpoint barrier: everything written so far must be in Kafka before the ack.
        bytes precommit(uint64_t) override {
            p_.flush();
            return {};
        }
        void finish() override { p_.flush(); }

      private:
        kafka_producer p_;
        format_fn fn_;
    };

    std::shared_ptr<const kafka_sink_config> cfg_;
    format_fn fn_;
};

}  // namespace otter::connectors::kafka

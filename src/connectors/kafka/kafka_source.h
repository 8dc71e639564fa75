// kafka_source: reads one topic of any Kafka cluster (Otter's broker or another) into a stream job.
//
// One split per partition (all partitions of the topic, or a chosen list). Each source reader
// (one per source subtask) owns one librdkafka consumer that assign()s its partitions — no group
// membership, no rebalances — with isolation.level=read_committed, and reads every partition from
// its own queue so each poll returns records of exactly one split. The split position is the next
// offset to read; the engine stores it in checkpoints and a restored reader seeks to it. Event
// timestamps are the record timestamps; watermarks are the engine's per-split watermarks (an
// unbounded job over a partition that receives nothing needs watermark_strategy::with_idleness,
// or that partition holds every window back; a bounded split ends and stops holding it back).
//
// Bounded mode: stop each partition at the high watermark seen when the source was created
// (stop_mode::latest_at_start), at given offsets, or before the first record whose timestamp is
// at or above a given time. Start at the earliest/latest offset, given offsets or a timestamp.
// With `commit_group` set, the offsets a reader snapshots for a checkpoint are also committed
// (asynchronously) to that group id — for lag monitoring only; restores always use checkpoints.
//
// Formats: raw records (kafka_record: key, value, headers, timestamp, partition, offset) or JSON
// values (json_record; values that are not valid JSON are skipped and counted).
//
// Threads: the source object is immutable after create() and shared by readers; each reader
// belongs to its task's thread. Errors librdkafka reports as fatal throw from poll(), which fails
// the job.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "base/result.h"
#include "connectors/kafka/rdkafka_handles.h"
#include "stream/json.h"
#include "stream/source.h"

namespace otter::connectors::kafka {

// A raw Kafka record. Null key/value are empty optionals.
struct kafka_record {
    std::optional<std::string> key;
    std::optional<std::string> value;
    std::vector<std::pair<std::string, std::string>> headers;
    int64_t timestamp = 0;  // ms; 0 if the record has none
    int32_t partition = 0;
    int64_t offset = 0;
    auto members() { return std::tie(key, value, headers, timestamp, partition, offset); }
    bool operator==(const kafka_record&) const = default;
};

enum class start_mode { earliest, latest, offsets, timestamp };
enum class stop_mode { unbounded, latest_at_start, offsets, timestamp };

struct kafka_source_config {
    std::string brokers;  // bootstrap.servers
    std::string topic;
    std::vector<int32_t> partitions;  // empty: every partition of the topic
    properties props;                 // extra librdkafka properties (override the defaults)
    start_mode start = start_mode::earliest;
    std::map<int32_t, int64_t> start_offsets;  // start_mode::offsets (missing: earliest)
    int64_t start_timestamp = 0;               // start_mode::timestamp
    stop_mode stop = stop_mode::unbounded;
    std::map<int32_t, int64_t> stop_offsets;   // stop_mode::offsets: exclusive end per partition
    int64_t stop_timestamp = 0;                // stop_mode::timestamp: first excluded timestamp
    std::string commit_group;                  // non-empty: commit checkpointed offsets here
    std::chrono::milliseconds timeout{10000};  // metadata/offset look-ups in create()
};

// What create() resolved: the partitions (split i reads partitions[i]) and their bounds.
struct kafka_source_plan {
    kafka_source_config cfg;
    std::vector<int32_t> partitions;
    std::vector<int64_t> start;  // first offset, or RD_KAFKA_OFFSET_BEGINNING/END
    std::vector<int64_t> stop;   // exclusive end offset; -1: unbounded
};

// Looks up the topic's partitions and the start/stop offsets (one short-lived client).
result<kafka_source_plan, std::string> make_source_plan(kafka_source_config cfg);

// The record-format-independent part of a reader: one consumer, one queue per partition.
class kafka_split_reader {
  public:
    kafka_split_reader(std::shared_ptr<const kafka_source_plan> plan, std::vector<size_t> splits,
                       std::string client_id);
    ~kafka_split_reader();
    kafka_split_reader(const kafka_split_reader&) = delete;
    kafka_split_reader& operator=(const kafka_split_reader&) = delete;

    // Fetches up to `max` messages of one split into `msgs` (caller destroys them) and says
    // what happened. Positions advance past the returned messages.
    stream::poll_result fetch(std::vector<message_ptr>& msgs, size_t max);
    size_t split_count() const { return splits_.size(); }
    void snapshot(stream::writer& w);
    bool restore(stream::reader& r);
    // Next offset to read per local split (-1: not started yet).
    const std::vector<int64_t>& positions() const { return pos_; }

  private:
    void open();
    void serve_events();
    void end_split(size_t i);
    bool reached_stop(size_t i) const;

    std::shared_ptr<const kafka_source_plan> plan_;
    std::vector<size_t> splits_;
    std::string client_id_;
    std::vector<int64_t> pos_;
    std::vector<bool> done_;
    size_t done_count_ = 0;
    size_t next_ = 0;
    handle_ptr rk_;
    queue_ptr main_q_;
    std::vector<queue_ptr> queues_;
};

// Converts one message into a T; false skips it (counted as malformed).
template <typename T>
using kafka_format = std::function<bool(const rd_kafka_message_t&, T&)>;

bool raw_format(const rd_kafka_message_t& m, kafka_record& out);
bool json_format(const rd_kafka_message_t& m, stream::json_record& out);

template <typename T>
class kafka_source final : public stream::source<T> {
  public:
    kafka_source(kafka_source_plan plan, kafka_format<T> format)
        : plan_(std::make_shared<const kafka_source_plan>(std::move(plan))),
          format_(std::move(format)) {}

    // Resolves partitions and bounds against the cluster; fails with a readable sentence.
    static result<std::shared_ptr<kafka_source>, std::string> create(kafka_source_config cfg,
                                                                     kafka_format<T> format) {
        auto plan = make_source_plan(std::move(cfg));
        if (!plan) {
            return unexpected<std::string>{plan.error()};
        }
        return std::make_shared<kafka_source>(std::move(*plan), std::move(format));
    }

    size_t split_count() const override { return plan_->partitions.size(); }
    const kafka_source_plan& plan() const { return *plan_; }
    uint64_t malformed() const { return malformed_->load(); }

    std::unique_ptr<stream::source_reader<T>> create_reader(
        std::vector<size_t> splits, const stream::operator_context& ctx) override {
        std::string id = "otter-stream-" + ctx.job_name + "-" + std::to_string(ctx.subtask);
        return std::make_unique<reader_impl>(plan_, std::move(splits), std::move(id), format_,
                                             malformed_);
    }

  private:
    class reader_impl final : public stream::source_reader<T> {
      public:
        reader_impl(std::shared_ptr<const kafka_source_plan> plan, std::vector<size_t> splits,
                    std::string id, kafka_format<T> format,
                    std::shared_ptr<std::atomic<uint64_t>> malformed)
            : r_(std::move(plan), std::move(splits), std::move(id)),
              format_(std::move(format)),
              malformed_(std::move(malformed)) {}

        stream::poll_result poll(stream::batch<T>& out, size_t max) override {
            msgs_.clear();
            stream::poll_result r = r_.fetch(msgs_, max);
            if (r.k != stream::poll_result::kind::data) {
                return r;
            }
            out.reserve(msgs_.size());
            for (auto& m : msgs_) {
                T v{};
                if (!format_(*m, v)) {
                    malformed_->fetch_add(1, std::memory_order_relaxed);
                    continue;
                }
                rd_kafka_timestamp_type_t tt;
                int64_t ts = rd_kafka_message_timestamp(m.get(), &tt);
                out.push(std::move(v), ts < 0 ? 0 : ts);
            }
            msgs_.clear();
            if (out.empty()) {
                r.k = stream::poll_result::kind::tick;
            }
            return r;
        }
        size_t split_count() const override { return r_.split_count(); }
        void snapshot(stream::writer& w) override { r_.snapshot(w); }
        bool restore(stream::reader& r) override { return r_.restore(r); }

      private:
        kafka_split_reader r_;
        kafka_format<T> format_;
        std::shared_ptr<std::atomic<uint64_t>> malformed_;
        std::vector<message_ptr> msgs_;
    };

    std::shared_ptr<const kafka_source_plan> plan_;
    kafka_format<T> format_;
    std::shared_ptr<std::atomic<uint64_t>> malformed_ = std::make_shared<std::atomic<uint64_t>>(0);
};

inline result<std::shared_ptr<kafka_source<kafka_record>>, std::string> make_raw_kafka_source(
    kafka_source_config cfg) {
    return kafka_source<kafka_record>::create(std::move(cfg), raw_format);
}
inline result<std::shared_ptr<kafka_source<stream::json_record>>, std::string>
make_json_kafka_source(kafka_source_config cfg) {
    return kafka_source<stream::json_record>::create(std::move(cfg), json_format);
}

}  // namespace otter::connectors::kafka

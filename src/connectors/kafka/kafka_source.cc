#include "connectors/kafka/kafka_source.h"

#include <algorithm>
#include <stdexcept>

namespace otter::connectors::kafka {

namespace {

using stream::poll_result;

std::string err_str(rd_kafka_resp_err_t e) {
    return rd_kafka_err2str(e);
}

}  // namespace

result<kafka_source_plan, std::string> make_source_plan(kafka_source_config cfg) {
    auto fail = [&](const std::string& why) {
        return unexpected<std::string>{"kafka source (topic " + cfg.topic + " at " + cfg.brokers +
                                       "): " + why};
    };
    std::string err;
    properties props{{"bootstrap.servers", cfg.brokers}};
    props.insert(props.end(), cfg.props.begin(), cfg.props.end());
    conf_ptr conf = make_conf(props, err);
    if (!conf) {
        return fail(err);
    }
    handle_ptr rk = make_handle(RD_KAFKA_PRODUCER, std::move(conf), err);
    if (!rk) {
        return fail(err);
    }
    int timeout = static_cast<int>(cfg.timeout.count());
    topic_ptr topic(rd_kafka_topic_new(rk.get(), cfg.topic.c_str(), nullptr));
    const rd_kafka_metadata_t* md = nullptr;
    rd_kafka_resp_err_t e = rd_kafka_metadata(rk.get(), 0, topic.get(), &md, timeout);
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail("metadata request failed: " + err_str(e));
    }
    metadata_ptr mdp(md);
    if (md->topic_cnt != 1 || md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return fail("topic not available: " +
                    (md->topic_cnt == 1 ? err_str(md->topics[0].err) : std::string("no metadata")));
    }
    std::vector<int32_t> all;
    for (int i = 0; i < md->topics[0].partition_cnt; ++i)
        all.push_back(md->topics[0].partitions[i].id);
    std::sort(all.begin(), all.end());
    kafka_source_plan plan;
    if (cfg.partitions.empty()) {
        plan.partitions = all;
    } else {
        for (int32_t p : cfg.partitions) {
            if (!std::binary_search(all.begin(), all.end(), p)) {
                return fail("partition " + std::to_string(p) + " does not exist");
            }
            plan.partitions.push_back(p);
        }
    }
    if (plan.partitions.empty()) {
        return fail("topic has no partitions");
    }
    const size_t n = plan.partitions.size();
    auto high_watermarks = [&](std::vector<int64_t>& out) -> std::optional<std::string> {
        out.resize(n);
        for (size_t i = 0; i < n; ++i) {
            int64_t lo = 0;
            int64_t hi = 0;
            auto qe = rd_kafka_query_watermark_offsets(rk.get(), cfg.topic.c_str(),
                                                       plan.partitions[i], &lo, &hi, timeout);
            if (qe != RD_KAFKA_RESP_ERR_NO_ERROR) {
                return "cannot read the end offset of partition " +
                       std::to_string(plan.partitions[i]) + ": " + err_str(qe);
            }
            out[i] = hi;
        }
        return std::nullopt;
    };
    // Offsets of the first record at or after `ts` per partition (-1: none).
    auto offsets_for = [&](int64_t ts, std::vector<int64_t>& out) -> std::optional<std::string> {
        partition_list_ptr l = make_partition_list(static_cast<int>(n));
        for (int32_t p : plan.partitions)
            rd_kafka_topic_partition_list_add(l.get(), cfg.topic.c_str(), p)->offset = ts;
        auto oe = rd_kafka_offsets_for_times(rk.get(), l.get(), timeout);
        if (oe != RD_KAFKA_RESP_ERR_NO_ERROR) {
            return "offsets for timestamp " + std::to_string(ts) + ": " + err_str(oe);
        }
        out.assign(n, -1);
        for (int i = 0; i < l->cnt; ++i) {
            if (l->elems[i].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                return "offsets for timestamp " + std::to_string(ts) + ": " +
                       err_str(l->elems[i].err);
            }
            out[static_cast<size_t>(i)] = l->elems[i].offset;
        }
        return std::nullopt;
    };

    switch (cfg.start) {
        case start_mode::earliest:
            plan.start.assign(n, RD_KAFKA_OFFSET_BEGINNING);
            break;
        case start_mode::latest:
            plan.start.assign(n, RD_KAFKA_OFFSET_END);
            break;
        case start_mode::offsets:
            for (int32_t p : plan.partitions) {
                auto it = cfg.start_offsets.find(p);
                plan.start.push_back(it == cfg.start_offsets.end() ? RD_KAFKA_OFFSET_BEGINNING
                                                                   : it->second);
            }
            break;
        case start_mode::timestamp: {
            if (auto why = offsets_for(cfg.start_timestamp, plan.start)) {
                return fail(*why);
            }
            for (auto& o : plan.start)
                o = o < 0 ? RD_KAFKA_OFFSET_END : o;
            break;
        }
    }
    switch (cfg.stop) {
        case stop_mode::unbounded:
            plan.stop.assign(n, -1);
            break;
        case stop_mode::latest_at_start:
            if (auto why = high_watermarks(plan.stop)) {
                return fail(*why);
            }
            break;
        case stop_mode::offsets:
            for (int32_t p : plan.partitions) {
                auto it = cfg.stop_offsets.find(p);
                plan.stop.push_back(it == cfg.stop_offsets.end() ? -1 : it->second);
            }
            break;
        case stop_mode::timestamp: {
            std::vector<int64_t> hw;
            if (auto why = high_watermarks(hw)) {
                return fail(*why);
            }
            if (auto why = offsets_for(cfg.stop_timestamp, plan.stop)) {
                return fail(*why);
            }
            for (size_t i = 0; i < n; ++i)
                plan.stop[i] = plan.stop[i] < 0 ? hw[i] : plan.stop[i];
            break;
        }
    }
    plan.cfg = std::move(cfg);
    return plan;
}

kafka_split_reader::kafka_split_reader(std::shared_ptr<const kafka_source_plan> plan,
                                       std::vector<size_t> splits, std::string client_id)
    : plan_(std::move(plan)),
      splits_(std::move(splits)),
      client_id_(std::move(client_id)),
      pos_(splits_.size(), -1),
      done_(splits_.size(), false) {}

kafka_split_reader::~kafka_split_reader() {
    queues_.clear();
    main_q_.reset();
    if (rk_) {
        rd_kafka_consumer_close(rk_.get());
    }
}

void kafka_split_reader::open() {
    const auto& cfg = plan_->cfg;
    std::string group = cfg.commit_group.empty() ? client_id_ : cfg.commit_group;
    properties props{{"bootstrap.servers", cfg.brokers},
                     {"client.id", client_id_},
                     {"group.id", group},
                     {"enable.auto.commit", "false"},
                     {"enable.auto.offset.store", "false"},
                     {"isolation.level", "read_committed"},
                     {"enable.partition.eof", "true"},
                     {"auto.offset.reset", "earliest"},
                     {"fetch.wait.max.ms", "100"}};
    props.insert(props.end(), cfg.props.begin(), cfg.props.end());
    std::string err;
    conf_ptr conf = make_conf(props, err);
    if (!conf) {
        throw std::runtime_error("kafka source: " + err);
    }
    rk_ = make_handle(RD_KAFKA_CONSUMER, std::move(conf), err);
    if (!rk_) {
        throw std::runtime_error("kafka source: " + err);
    }
    rd_kafka_poll_set_consumer(rk_.get());
    main_q_.reset(rd_kafka_queue_get_consumer(rk_.get()));
    partition_list_ptr l = make_partition_list(static_cast<int>(splits_.size()));
    for (size_t i = 0; i < splits_.size(); ++i) {
        size_t s = splits_[i];
        int32_t p = plan_->partitions[s];
        // Each partition gets its own queue (not forwarded to the consumer queue) so that one
        // fetch returns records of one split.
        queue_ptr q(rd_kafka_queue_get_partition(rk_.get(), cfg.topic.c_str(), p));
        if (!q) {
            throw std::runtime_error("kafka source: no queue for partition " + std::to_string(p));
        }
        rd_kafka_queue_forward(q.get(), nullptr);
        queues_.push_back(std::move(q));
        rd_kafka_topic_partition_list_add(l.get(), cfg.topic.c_str(), p)->offset =
            pos_[i] >= 0 ? pos_[i] : plan_->start[s];
    }
    if (auto e = rd_kafka_assign(rk_.get(), l.get()); e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("kafka source: assign failed: " + err_str(e));
    }
}

void kafka_split_reader::serve_events() {
    for (int k = 0; k < 100; ++k) {
        message_ptr m(rd_kafka_consume_queue(main_q_.get(), 0));
        if (!m) {
            return;
        }
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR || m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            continue;  // not expected on this queue
        }
        char buf[512];
        if (rd_kafka_fatal_error(rk_.get(), buf, sizeof(buf)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
            throw std::runtime_error(std::string("kafka source: fatal error: ") + buf);
        }
        // Other errors (a broker went away, a transient fetch error) are retried by librdkafka.
    }
}

bool kafka_split_reader::reached_stop(size_t i) const {
    int64_t stop = plan_->stop[splits_[i]];
    return stop >= 0 && (stop == 0 || (pos_[i] >= 0 && pos_[i] >= stop));
}

void kafka_split_reader::end_split(size_t i) {
    if (!done_[i]) {
        done_[i] = true;
        ++done_count_;
    }
}

poll_result kafka_split_reader::fetch(std::vector<message_ptr>& msgs, size_t max) {
    if (!rk_) {
        open();
    }
    serve_events();
    std::vector<rd_kafka_message_t*> arr(std::max<size_t>(max, 1));
    for (size_t k = 0; k < splits_.size(); ++k) {
        size_t i = (next_ + k) % splits_.size();
        if (done_[i]) {
            continue;
        }
        if (reached_stop(i)) {
            end_split(i);
            return {poll_result::kind::split_end, static_cast<uint32_t>(i), {}};
        }
        ssize_t n = rd_kafka_consume_batch_queue(queues_[i].get(), 0, arr.data(), arr.size());
        if (n < 0) {
            throw std::runtime_error("kafka source: consume failed: " +
                                     err_str(rd_kafka_last_error()));
        }
        int64_t stop = plan_->stop[splits_[i]];
        bool past_stop = false;
        for (ssize_t j = 0; j < n; ++j) {
            message_ptr m(arr[static_cast<size_t>(j)]);
            if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
                // The fetch position reached the end: skips control records and aborted data.
                pos_[i] = std::max(pos_[i], m->offset);
                continue;
            }
            if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                char buf[512];
                if (rd_kafka_fatal_error(rk_.get(), buf, sizeof(buf)) !=
                    RD_KAFKA_RESP_ERR_NO_ERROR) {
                    throw std::runtime_error(std::string("kafka source: fatal error: ") + buf);
                }
                if (m->err == RD_KAFKA_RESP_ERR_OFFSET_OUT_OF_RANGE ||
                    m->err == RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET) {
                    throw std::runtime_error("kafka source: partition " +
                                             std::to_string(m->partition) + ": " +
                                             rd_kafka_message_errstr(m.get()));
                }
                continue;  // transient: librdkafka retries
            }
            if (past_stop || (stop >= 0 && m->offset >= stop) || m->offset < pos_[i]) {
                past_stop = past_stop || (stop >= 0 && m->offset >= stop);
                continue;
            }
            pos_[i] = m->offset + 1;
            msgs.push_back(std::move(m));
        }
        if (!msgs.empty()) {
            next_ = i + 1;
            return {poll_result::kind::data, static_cast<uint32_t>(i), {}};
        }
        if (past_stop || reached_stop(i)) {
            end_split(i);
            return {poll_result::kind::split_end, static_cast<uint32_t>(i), {}};
        }
    }
    if (done_count_ == splits_.size()) {
        return {poll_result::kind::end, 0, {}};
    }
    return {poll_result::kind::no_data, 0, {}};
}

void kafka_split_reader::snapshot(stream::writer& w) {
    stream::write_value(w, pos_);
    if (plan_->cfg.commit_group.empty() || !rk_) {
        return;
    }
    partition_list_ptr l = make_partition_list(static_cast<int>(splits_.size()));
    for (size_t i = 0; i < splits_.size(); ++i) {
        if (pos_[i] >= 0) {
            rd_kafka_topic_partition_list_add(l.get(), plan_->cfg.topic.c_str(),
                                              plan_->partitions[splits_[i]])
                ->offset = pos_[i];
        }
    }
    if (l->cnt > 0) {
        // Lag monitoring only: asynchronous, failures are ignored (retried at the next one).
        rd_kafka_commit(rk_.get(), l.get(), 1);
    }
}

bool kafka_split_reader::restore(stream::reader& r) {
    std::vector<int64_t> pos;
    stream::read_value(r, pos);
    if (!r.ok() || pos.size() != pos_.size() || rk_) {
        return false;
    }
    pos_ = std::move(pos);
    return true;
}

bool raw_format(const rd_kafka_message_t& m, kafka_record& out) {
    if (m.key != nullptr) {
        out.key.emplace(static_cast<const char*>(m.key), m.key_len);
    }
    if (m.payload != nullptr) {
        out.value.emplace(static_cast<const char*>(m.payload), m.len);
    }
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(&m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs != nullptr) {
        const char* name = nullptr;
        const void* val = nullptr;
        size_t len = 0;
        for (size_t i = 0;
             rd_kafka_header_get_all(hdrs, i, &name, &val, &len) == RD_KAFKA_RESP_ERR_NO_ERROR;
             ++i) {
            out.headers.emplace_back(
                name, val ? std::string(static_cast<const char*>(val), len) : std::string());
        }
    }
    rd_kafka_timestamp_type_t tt;
    int64_t ts = rd_kafka_message_timestamp(&m, &tt);
    out.timestamp = ts < 0 ? 0 : ts;
    out.partition = m.partition;
    out.offset = m.offset;
    return true;
}

bool json_format(const rd_kafka_message_t& m, stream::json_record& out) {
    if (m.payload == nullptr) {
        return false;
    }
    const char* p = static_cast<const char*>(m.payload);
    out = stream::json_record::parse(p, p + m.len, nullptr, false);
    return !out.is_discarded();
}

}  // namespace otter::connectors::kafka

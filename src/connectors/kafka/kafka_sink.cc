#include "connectors/kafka/kafka_sink.h"

#include <stdexcept>

namespace otter::connectors::kafka {

kafka_producer::kafka_producer(const kafka_sink_config& cfg, const std::string& client_id)
    : cfg_(cfg) {
    properties props{{"bootstrap.servers", cfg.brokers},
                     {"client.id", client_id},
                     {"acks", "all"},
                     {"linger.ms", "5"}};
    props.insert(props.end(), cfg.props.begin(), cfg.props.end());
    std::string err;
    conf_ptr conf = make_conf(props, err);
    if (!conf) {
        throw std::runtime_error("kafka sink: " + err);
    }
    rd_kafka_conf_set_dr_msg_cb(conf.get(), &kafka_producer::on_delivery);
    rd_kafka_conf_set_opaque(conf.get(), this);
    rk_ = make_handle(RD_KAFKA_PRODUCER, std::move(conf), err);
    if (!rk_) {
        throw std::runtime_error("kafka sink: " + err);
    }
}

kafka_producer::~kafka_producer() {
    // Records not flushed are dropped: after a failure or cancel the job restores from a
    // checkpoint and writes them again.
    if (rk_) {
        rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
        rd_kafka_poll(rk_.get(), 0);
    }
}

void kafka_producer::on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<kafka_producer*>(opaque);
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        ++self->delivered_;
    } else if (self->error_.empty()) {
        self->error_ = rd_kafka_err2str(m->err);
    }
}

void kafka_producer::check() {
    if (!error_.empty()) {
        throw std::runtime_error("kafka sink (topic " + cfg_.topic +
                                 "): delivery failed: " + error_);
    }
    char buf[512];
    if (rd_kafka_fatal_error(rk_.get(), buf, sizeof(buf)) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("kafka sink (topic " + cfg_.topic + "): fatal error: " + buf);
    }
}

size_t kafka_producer::in_flight() const {
    return static_cast<size_t>(rd_kafka_outq_len(rk_.get()));
}

void kafka_producer::send(const kafka_output& o) {
    while (true) {
        check();
        rd_kafka_headers_t* hdrs = nullptr;
        if (!o.headers.empty()) {
            hdrs = rd_kafka_headers_new(o.headers.size());
            for (const auto& [k, v] : o.headers)
                rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                                    static_cast<ssize_t>(v.size()));
        }
        // The RD_KAFKA_V_* macros cast their arguments: pass plain variables.
        void* key = o.key ? const_cast<char*>(o.key->data()) : nullptr;
        size_t key_len = o.key ? o.key->size() : 0;
        void* value = o.value ? const_cast<char*>(o.value->data()) : nullptr;
        size_t value_len = o.value ? o.value->size() : 0;
        int64_t ts = o.timestamp.value_or(0);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk_.get(), RD_KAFKA_V_TOPIC(cfg_.topic.c_str()), RD_KAFKA_V_PARTITION(o.partition),
            RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
            RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_TIMESTAMP(ts), RD_KAFKA_V_HEADERS(hdrs),
            RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR) {
            rd_kafka_poll(rk_.get(), 0);
            return;
        }
        if (hdrs != nullptr) {
            rd_kafka_headers_destroy(hdrs);  // not taken over on failure
        }
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            throw std::runtime_error("kafka sink (topic " + cfg_.topic +
                                     "): produce failed: " + rd_kafka_err2str(e));
        }
        rd_kafka_poll(rk_.get(), 100);
    }
}

void kafka_producer::flush() {
    rd_kafka_resp_err_t e = rd_kafka_flush(rk_.get(), static_cast<int>(cfg_.flush_timeout.count()));
    check();
    if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
        throw std::runtime_error("kafka sink (topic " + cfg_.topic +
                                 "): flush failed: " + rd_kafka_err2str(e) + " (" +
                                 std::to_string(in_flight()) + " records not acknowledged)");
    }
}

}  // namespace otter::connectors::kafka

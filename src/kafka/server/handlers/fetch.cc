#include "kafka/protocol/messages/fetch.h"

#include <algorithm>

#include "kafka/server/handlers/handler.h"
#include "metrics/registry.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

namespace otter::kafka {
namespace {

class fetch_op_impl final : public fetch_op {
  public:
    fetch_op_impl(broker_context& b, fetch_request req, int16_t version)
        : b_(b), req_(std::move(req)), version_(version) {
        auto wait = std::chrono::milliseconds(std::clamp(req_.max_wait_ms, 0, 30000));
        deadline_ = std::chrono::steady_clock::now() + wait;
        for (const auto& t : req_.topics) {
            for (const auto& p : t.partitions) {
                auto log = b_.logs.partition(t.topic, p.partition);
                logs_.push_back(log);
            }
        }
    }

    std::unique_ptr<handler_response> poll(bool final) override {
        fetch_response resp;
        resp.error_code = error_code::none;
        resp.session_id = 0;
        size_t total = 0;
        bool any_error = false;
        const size_t max_bytes = req_.max_bytes > 0 ? static_cast<size_t>(req_.max_bytes) : 0;
        size_t i = 0;
        for (const auto& t : req_.topics) {
            auto& tr = resp.responses.emplace_back();
            tr.topic = t.topic;
            for (const auto& p : t.partitions) {
                const auto& log = logs_[i++];
                auto& pr = tr.partitions.emplace_back();
                pr.partition_index = p.partition;
                pr.high_watermark = -1;
                pr.last_stable_offset = -1;
                pr.log_start_offset = -1;
                pr.preferred_read_replica = -1;
                if (!log) {
                    pr.error_code = error_code::unknown_topic_or_partition;
                    any_error = true;
                    continue;
                }
                auto hwm = log->high_watermark();
                auto start = log->log_start_offset();
                pr.high_watermark = hwm.value();
                pr.last_stable_offset = hwm.value();  // no open transactions yet
                pr.log_start_offset = start.value();
                // read_committed clients expect an empty (not null) aborted list.
                pr.aborted_transactions = std::vector<fetch_response::aborted_transaction>{};
                model::offset from(p.fetch_offset);
                if (from < start || from > log->log_end_offset()) {
                    pr.error_code = error_code::offset_out_of_range;
                    any_error = true;
                    continue;
                }
                pr.error_code = error_code::none;
                if (from >= hwm)
                    continue;
                size_t part_max =
                    p.partition_max_bytes > 0 ? static_cast<size_t>(p.partition_max_bytes) : 0;
                // KIP-74: the first non-empty partition may exceed the limits by one batch.
                size_t budget = total == 0
                                    ? std::max<size_t>(part_max, 1)
                                    : std::min(part_max, max_bytes > total ? max_bytes - total : 0);
                if (budget == 0)
                    continue;
                auto r = log->read(from, budget, hwm);
                if (!r) {
                    // The offset was truncated away by retention while we looked.
                    pr.error_code = error_code::offset_out_of_range;
                    any_error = true;
                    continue;
                }
                if (total > 0 && r->data.size() > budget)
                    continue;
                total += r->data.size();
                b_.metrics
                    .get_counter("otter_kafka_bytes_out_total",
                                 "Record batch bytes returned to fetchers, per topic.",
                                 {{"topic", t.topic}})
                    .inc(r->data.size());
                pr.records = std::move(r->data);
            }
        }
        size_t min_bytes = req_.min_bytes > 0 ? static_cast<size_t>(req_.min_bytes) : 0;
        if (!final && !any_error && total < std::max<size_t>(min_bytes, 1)) {
            return nullptr;
        }
        auto out = std::make_unique<handler_response>();
        *out = handler_response::of(encode_body(resp, version_));
        return out;
    }

    std::chrono::steady_clock::time_point deadline() const override { return deadline_; }

    std::vector<const storage::partition_log*> partitions() const override {
        std::vector<const storage::partition_log*> out;
        for (const auto& l : logs_) {
            if (l)
                out.push_back(l.get());
        }
        return out;
    }

  private:
    broker_context& b_;
    fetch_request req_;
    int16_t version_;
    std::chrono::steady_clock::time_point deadline_;
    std::vector<std::shared_ptr<storage::partition_log>> logs_;  // in request order
};

}  // namespace

std::unique_ptr<fetch_op> start_fetch(request_ctx& ctx, handler_response& out) {
    fetch_request req;
    if (!req.decode(ctx.body, ctx.hdr.version)) {
        out = handler_response::close_connection();
        return nullptr;
    }
    return std::make_unique<fetch_op_impl>(ctx.broker, std::move(req), ctx.hdr.version);
}

}  // namespace otter::kafka

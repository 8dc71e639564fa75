#include "kafka/protocol/messages/produce.h"

#include <atomic>

#include "base/log.h"
#include "kafka/server/groups/group_coordinator.h"
#include "kafka/server/handlers/handler.h"
#include "metrics/registry.h"
#include "model/record_batch.h"
#include "storage/flusher.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

namespace otter::kafka {
namespace {

error_code to_error(model::batch_error e) {
    switch (e) {
        case model::batch_error::corrupt:
            return error_code::corrupt_message;
        case model::batch_error::invalid_record:
            return error_code::invalid_record;
        case model::batch_error::too_large:
            return error_code::message_too_large;
    }
    return error_code::unknown_server_error;
}

// Shared by the flusher callbacks of one acks=all request; the last one to finish sends.
struct pending_produce {
    produce_response resp;
    int16_t version = 0;
    std::atomic<int> outstanding{0};
    std::shared_ptr<deferred_body> out;

    void finish_one() {
        if (outstanding.fetch_sub(1) == 1)
            out->complete(encode_body(resp, version));
    }
};

}  // namespace

handler_response handle_produce(request_ctx& ctx) {
    produce_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    auto& b = ctx.broker;
    const int16_t acks = req.acks;

    auto pending = std::make_shared<pending_produce>();
    pending->version = ctx.hdr.version;
    auto& resp = pending->resp;
    // Durable waits are registered after the response layout is final (no reallocation).
    std::vector<std::tuple<std::shared_ptr<storage::partition_log>, model::offset,
                           produce_response::partition_produce_response*>>
        waits;
    std::vector<std::shared_ptr<storage::partition_log>> dirty;
    bool any_error = false;
    int64_t now = now_ms();

    resp.responses.reserve(req.topic_data.size());
    for (const auto& td : req.topic_data) {
        auto& tr = resp.responses.emplace_back();
        tr.name = td.name;
        tr.partition_responses.reserve(td.partition_data.size());
        auto& bytes_in =
            b.metrics.get_counter("otter_kafka_bytes_in_total",
                                  "Record batch bytes appended, per topic.", {{"topic", td.name}});
        auto& records_in = b.metrics.get_counter(
            "otter_kafka_records_in_total", "Records appended, per topic.", {{"topic", td.name}});
        for (const auto& pd : td.partition_data) {
            auto& pr = tr.partition_responses.emplace_back();
            pr.index = pd.index;
            pr.base_offset = -1;
            pr.log_append_time_ms = -1;
            pr.log_start_offset = -1;
            auto fail = [&](error_code ec, std::string msg = {}) {
                pr.error_code = ec;
                if (!msg.empty())
                    spdlog::debug("produce error: {}", msg);
                any_error = true;
            };
            if (acks != 0 && acks != 1 && acks != -1) {
                fail(error_code::invalid_required_acks);
                continue;
            }
            if (td.name == groups::offsets_topic) {
                // Kafka refuses client writes to its internal topics.
                fail(error_code::invalid_topic_exception, "cannot produce to an internal topic");
                continue;
            }
            auto log = b.logs.partition(td.name, pd.index);
            if (!log) {
                fail(error_code::unknown_topic_or_partition);
                continue;
            }
            if (!pd.records || pd.records->empty()) {
                fail(error_code::corrupt_message, "no records");
                continue;
            }
            const auto& lc = log->config();
            model::validate_options opt;
            opt.max_batch_bytes = lc.max_message_bytes;
            opt.require_keys = lc.compact;
            auto summary = model::validate_batch(*pd.records, opt);
            if (!summary) {
                spdlog::debug("produce to {}/{} refused: {}", td.name, pd.index,
                              summary.error().detail);
                fail(to_error(summary.error().kind), summary.error().detail);
                continue;
            }
            auto appended = log->append(bytes(pd.records->begin(), pd.records->end()), now);
            if (!appended) {
                spdlog::error("append to {}/{} failed: {}", td.name, pd.index, appended.error());
                fail(error_code::kafka_storage_error, appended.error());
                continue;
            }
            bytes_in.inc(pd.records->size());
            records_in.inc(static_cast<uint64_t>(summary->record_count));
            pr.error_code = error_code::none;
            pr.base_offset = appended->base_offset.value();
            pr.log_append_time_ms = appended->log_append_time;
            pr.log_start_offset = log->log_start_offset().value();
            if (acks == -1) {
                waits.emplace_back(log, appended->last_offset, &pr);
            } else {
                dirty.push_back(log);
            }
        }
    }
    for (auto& log : dirty)
        b.flusher.mark_dirty(log);

    if (acks == 0) {
        // No response is expected; Kafka closes the connection to signal an error.
        return any_error ? handler_response::close_connection() : handler_response::no_response();
    }
    if (waits.empty()) {
        return handler_response::of(encode_body(resp, ctx.hdr.version));
    }
    pending->out = std::make_shared<deferred_body>();
    pending->outstanding = static_cast<int>(waits.size()) + 1;
    for (auto& [log, last, pr] : waits) {
        auto* slot = pr;
        b.flusher.when_durable(log, last, [pending, slot](bool ok) {
            if (!ok) {
                slot->error_code = error_code::kafka_storage_error;
                slot->base_offset = -1;
            }
            pending->finish_one();
        });
    }
    auto out = pending->out;
    pending->finish_one();  // drop the registration guard
    handler_response r;
    r.what = handler_response::kind::deferred;
    r.later = std::move(out);
    return r;
}

}  // namespace otter::kafka

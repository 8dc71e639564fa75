#include "kafka/protocol/messages/list_offsets.h"

#include "kafka/server/handlers/handler.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

namespace otter::kafka {

namespace {
constexpr int64_t latest_timestamp = -1;
constexpr int64_t earliest_timestamp = -2;
}  // namespace

handler_response handle_list_offsets(request_ctx& ctx) {
    list_offsets_request req;
    if (!req.decode(ctx.body, ctx.hdr.version))
        return handler_response::close_connection();
    const int16_t v = ctx.hdr.version;
    list_offsets_response resp;
    for (const auto& t : req.topics) {
        auto& tr = resp.topics.emplace_back();
        tr.name = t.name;
        for (const auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            pr.timestamp = -1;
            pr.offset = -1;
            auto log = ctx.broker.logs.partition(t.name, p.partition_index);
            if (!log) {
                pr.error_code = error_code::unknown_topic_or_partition;
                continue;
            }
            pr.error_code = error_code::none;
            if (p.timestamp == latest_timestamp) {
                // No transactions yet, so the last stable offset equals the high watermark.
                pr.offset = log->high_watermark().value();
            } else if (p.timestamp == earliest_timestamp) {
                pr.offset = log->log_start_offset().value();
            } else if (p.timestamp < 0) {
                pr.error_code = error_code::unsupported_version;  // e.g. -3 (max timestamp, v7+)
            } else if (auto found = log->offset_for_timestamp(p.timestamp)) {
                // Only durable offsets are visible.
                if (found->first < log->high_watermark()) {
                    pr.offset = found->first.value();
                    pr.timestamp = found->second;
                }
            }
            if (v == 0 && pr.error_code == error_code::none) {
                pr.old_style_offsets = {pr.offset >= 0 ? pr.offset : log->high_watermark().value()};
            }
        }
    }
    return handler_response::of(encode_body(resp, v));
}

}  // namespace otter::kafka

#include "kafka/protocol/messages/offset_delete.h"

#include "kafka/protocol/messages/codec.h"

namespace otter::kafka {

// Version 0 only, never flexible: plain strings and int32 array counts.

bool offset_delete_request::decode(reader& r, int16_t /*version*/) {
    group_id = r.string(false);
    read_array(r, false, topics, [&](offset_delete_request_topic& t) {
        t.name = r.string(false);
        read_array(r, false, t.partitions,
                   [&](offset_delete_request_partition& p) { p.partition_index = r.i32(); });
    });
    return r.ok();
}

void offset_delete_request::encode(writer& w, int16_t /*version*/) const {
    w.string(group_id, false);
    write_array(w, false, topics, [&](const offset_delete_request_topic& t) {
        w.string(t.name, false);
        write_array(w, false, t.partitions,
                    [&](const offset_delete_request_partition& p) { w.i32(p.partition_index); });
    });
}

bool offset_delete_response::decode(reader& r, int16_t /*version*/) {
    error_code = read_error_code(r);
    throttle_time_ms = r.i32();
    read_array(r, false, topics, [&](offset_delete_response_topic& t) {
        t.name = r.string(false);
        read_array(r, false, t.partitions, [&](offset_delete_response_partition& p) {
            p.partition_index = r.i32();
            p.error_code = read_error_code(r);
        });
    });
    return r.ok();
}

void offset_delete_response::encode(writer& w, int16_t /*version*/) const {
    write_error_code(w, error_code);
    w.i32(throttle_time_ms);
    write_array(w, false, topics, [&](const offset_delete_response_topic& t) {
        w.string(t.name, false);
        write_array(w, false, t.partitions, [&](const offset_delete_response_partition& p) {
            w.i32(p.partition_index);
            write_error_code(w, p.error_code);
        });
    });
}

}  // namespace otter::kafka

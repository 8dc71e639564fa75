#include "kafka/rdkafka/handles.h"

namespace otter::rdkafka {

partition_list_ptr make_partition_list(int capacity) {
    return partition_list_ptr(rd_kafka_topic_partition_list_new(capacity));
}

conf_ptr make_conf(const properties& props, std::string& err) {
    conf_ptr conf(rd_kafka_conf_new());
    char buf[512];
    for (const auto& [k, v] : props) {
        if (rd_kafka_conf_set(conf.get(), k.c_str(), v.c_str(), buf, sizeof(buf)) !=
            RD_KAFKA_CONF_OK) {
            err = "kafka property " + k + "=" + v + ": " + buf;
            return nullptr;
        }
    }
    return conf;
}

handle_ptr make_handle(rd_kafka_type_t type, conf_ptr conf, std::string& err) {
    char buf[512];
    rd_kafka_t* rk = rd_kafka_new(type, conf.get(), buf, sizeof(buf));
    if (rk == nullptr) {
        err = std::string("cannot create kafka client: ") + buf;
        return nullptr;
    }
    conf.release();  // owned by rk now
    return handle_ptr(rk);
}

}  // namespace otter::rdkafka

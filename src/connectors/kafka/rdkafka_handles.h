// The librdkafka handles the connector uses, from the shared module src/kafka/rdkafka, brought
// into this namespace.
#pragma once

#include "kafka/rdkafka/handles.h"

namespace otter::connectors::kafka {

using rdkafka::conf_ptr;
using rdkafka::handle_ptr;
using rdkafka::make_conf;
using rdkafka::make_handle;
using rdkafka::make_partition_list;
using rdkafka::message_ptr;
using rdkafka::metadata_ptr;
using rdkafka::partition_list_ptr;
using rdkafka::properties;
using rdkafka::queue_ptr;
using rdkafka::topic_ptr;

}  // namespace otter::connectors::kafka

// Writes a few valid request frames (header + body) as the libFuzzer seed corpus:
//   make_seed_corpus fuzz/corpus/kafka_request
// Run by hand when the codecs change; its output is committed.
#include <cstdio>
#include <string>

#include "kafka/protocol/header.h"
#include "kafka/protocol/messages/all.h"

namespace {

using namespace otter;
using namespace otter::kafka;

const bytes k_batch = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3d, 0, 0, 0, 0, 2, 1, 2, 3, 4};

template <typename T>
void emit(const std::string& dir, const char* name, api_key key, int16_t version, const T& msg) {
    writer w;
    encode_request_header(w, {key, version, 1, std::string("seed")});
    msg.encode(w, version);
    std::string path = dir + "/" + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) {
        std::perror(path.c_str());
        std::exit(1);
    }
    std::fwrite(w.buf().data(), 1, w.size(), f);
    std::fclose(f);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    std::string dir = argv[1];

    api_versions_request av;
    av.client_software_name = "librdkafka";
    av.client_software_version = "2.0.2";
    emit(dir, "api_versions_v0", api_key::api_versions, 0, av);
    emit(dir, "api_versions_v3", api_key::api_versions, 3, av);

    metadata_request md;
    md.topics.emplace();
    md.topics->push_back({"orders"});
    emit(dir, "metadata_v1", api_key::metadata, 1, md);
    emit(dir, "metadata_v8", api_key::metadata, 8, md);

    produce_request pr;
    pr.acks = -1;
    pr.timeout_ms = 30000;
    pr.topic_data.push_back({"orders", {{0, bytes_view(k_batch)}, {1, std::nullopt}}});
    emit(dir, "produce_v3", api_key::produce, 3, pr);
    pr.transactional_id = "txn";
    emit(dir, "produce_v7", api_key::produce, 7, pr);

    fetch_request fr;
    fr.max_wait_ms = 500;
    fr.min_bytes = 1;
    fr.rack_id = "rack";
    auto& ft = fr.topics.emplace_back();
    ft.topic = "orders";
    ft.partitions.push_back({0, -1, 42, -1, 1 << 20});
    fr.forgotten_topics_data.push_back({"old", {1, 2}});
    emit(dir, "fetch_v4", api_key::fetch, 4, fr);
    emit(dir, "fetch_v11", api_key::fetch, 11, fr);

    list_offsets_request lo;
    auto& lt = lo.topics.emplace_back();
    lt.name = "orders";
    lt.partitions.push_back({0, -1, -1, 1});
    emit(dir, "list_offsets_v0", api_key::list_offsets, 0, lo);
    emit(dir, "list_offsets_v5", api_key::list_offsets, 5, lo);

    create_topics_request ct;
    auto& t = ct.topics.emplace_back();
    t.name = "new";
    t.num_partitions = 3;
    t.replication_factor = 1;
    t.configs.push_back({"cleanup.policy", std::string("compact")});
    emit(dir, "create_topics_v4", api_key::create_topics, 4, ct);

    join_group_request jg;
    jg.group_id = "g";
    jg.session_timeout_ms = 10000;
    jg.rebalance_timeout_ms = 30000;
    jg.protocol_type = "consumer";
    jg.protocols.push_back({"range", bytes{0, 1, 0, 0}});
    emit(dir, "join_group_v5", api_key::join_group, 5, jg);

    offset_commit_request oc;
    oc.group_id = "g";
    oc.member_id = "m";
    auto& ot = oc.topics.emplace_back();
    ot.name = "orders";
    ot.partitions.push_back({0, 10, -1, -1, std::string("meta")});
    emit(dir, "offset_commit_v2", api_key::offset_commit, 2, oc);
    emit(dir, "offset_commit_v7", api_key::offset_commit, 7, oc);

    offset_fetch_request of;
    of.group_id = "g";
    emit(dir, "offset_fetch_v5", api_key::offset_fetch, 5, of);

    find_coordinator_request fc;
    fc.key = "g";
    emit(dir, "find_coordinator_v0", api_key::find_coordinator, 0, fc);

    describe_configs_request dc;
    dc.resources.push_back({2, "orders", std::nullopt});
    emit(dir, "describe_configs_v3", api_key::describe_configs, 3, dc);

    sasl_handshake_request sh;
    sh.mechanism = "PLAIN";
    emit(dir, "sasl_handshake_v1", api_key::sasl_handshake, 1, sh);
    return 0;
}

// kafka_to_iceberg: JSON records from a Kafka topic into an Iceberg table, exactly once.
//
// Each record's value is a JSON object; its fields are mapped by name onto the table's columns
// (missing fields and JSON nulls become nulls). The table is created when it does not exist,
// with --schema / --partition (default: the demo schema below, unpartitioned). With
// checkpoints, the Iceberg sink commits one snapshot per completed checkpoint and a restored
// job (--restore latest) neither loses nor duplicates rows: see
// src/connectors/iceberg_sink/README.md.
//
//   kafka_to_iceberg --brokers 127.0.0.1:9092 --topic events --warehouse /data/wh --table db.events
//       [--schema "id long required, name string"] [--partition "bucket[4](id)"] [--bounded]
//       [--parallelism N] [--checkpoint-dir DIR] [--checkpoint-interval 1s] [--restore latest|DIR]
//       [--admin-addr HOST:PORT] [--record-delay-us US] [--job-name NAME]
//       [--target-file-bytes B] [--max-open-files N]
// The standard job flags and the admin endpoint come from src/jobhost.
//
// A record whose value is not a JSON object, or whose field does not fit its column (a required
// column missing, "abc" for a long, ...), is skipped and counted on stderr; the Kafka source
// already skips and counts values that are not JSON.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "connectors/iceberg/schema.h"
#include "connectors/iceberg/table.h"
#include "connectors/iceberg_sink/iceberg_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "jobhost/host.h"
#include "stream/api.h"
#include "stream/json.h"

using namespace otter;
using namespace otter::stream;
using otter::iceberg::value;

namespace {

constexpr const char* demo_schema = "id long required, name string, amount double, ts timestamptz";

// One JSON field as a cell of Iceberg type `type`; nullopt when it does not fit.
std::optional<value> to_cell(const iceberg::field& f, const nlohmann::json& j) {
    if (j.is_null())
        return f.required ? std::nullopt : std::optional<value>(value{});
    const std::string& t = f.type;
    if (t == "long" || t == "int") {
        if (j.is_number_integer())
            return value{j.get<int64_t>()};
        return std::nullopt;
    }
    if (t == "string")
        return value{j.is_string() ? j.get<std::string>() : j.dump()};
    if (t == "double" || t == "float") {
        if (j.is_number())
            return value{j.get<double>()};
        return std::nullopt;
    }
    if (t == "boolean") {
        if (j.is_boolean())
            return value{j.get<bool>()};
        return std::nullopt;
    }
    if (t == "timestamp" || t == "timestamptz") {
        if (j.is_number_integer())
            return value{j.get<int64_t>()};  // microseconds since the epoch
        if (j.is_string()) {
            if (auto us = iceberg::parse_timestamp(j.get<std::string>()))
                return value{*us};
        }
        return std::nullopt;
    }
    if (t == "date") {
        if (j.is_number_integer())
            return value{j.get<int64_t>()};
        if (j.is_string()) {
            if (auto d = iceberg::parse_date(j.get<std::string>()))
                return value{static_cast<int64_t>(*d)};
        }
        return std::nullopt;
    }
    int32_t p = 0, s = 0;
    if (iceberg::decimal_params(t, p, s)) {
        std::string text = j.is_string() ? j.get<std::string>() : j.dump();
        if (auto d = iceberg::parse_decimal(text, p, s))
            return value{parquet::decimal_value{*d}};
        return std::nullopt;
    }
    return std::nullopt;
}

struct row_mapper {
    iceberg::schema schema;
    std::shared_ptr<std::atomic<int64_t>> rejected = std::make_shared<std::atomic<int64_t>>(0);

    // An empty vector: the record does not fit the schema.
    std::vector<value> operator()(const json_record& j) const {
        std::vector<value> row;
        if (!j.is_object())
            return row;
        row.reserve(schema.fields.size());
        for (const auto& f : schema.fields) {
            auto it = j.find(f.name);
            auto cell = to_cell(f, it == j.end() ? nlohmann::json() : *it);
            if (!cell) {
                rejected->fetch_add(1);
                return {};
            }
            row.push_back(std::move(*cell));
        }
        return row;
    }
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"kafka_to_iceberg: JSON records from a Kafka topic into an Iceberg table"};
    std::string brokers = "127.0.0.1:9092", topic, warehouse, table;
    std::string schema_text, partition_text;
    bool bounded = false;
    // --name, --parallelism, --checkpoint-dir, --checkpoint-interval, --restore,
    // --from-savepoint, --admin-addr ... (src/jobhost).
    jobhost::job_options f{.name = "kafka_to_iceberg"};
    jobhost::add_job_flags(app, f);
    int64_t record_delay_us = 0;
    std::string job_name = "kafka_to_iceberg";
    size_t target_file_bytes = 128u << 20, max_open_files = 32;
    app.add_option("--brokers", brokers, "Kafka bootstrap servers");
    app.add_option("--topic", topic, "input topic (JSON object values)")->required();
    app.add_option("--warehouse", warehouse, "warehouse directory")->required();
    app.add_option("--table", table, "table identifier, e.g. db.events")->required();
    app.add_option("--schema", schema_text,
                   std::string("schema when the table is created (default: ") + demo_schema + ")");
    app.add_option("--partition", partition_text, "partition spec when the table is created");
    app.add_flag("--bounded", bounded, "stop at the topic's end offsets seen at start");
    app.add_option("--record-delay-us", record_delay_us, "sleep per record (crash tests)");
    app.add_option("--job-name", job_name, "prefix of the job id stamped on snapshots");
    app.add_option("--target-file-bytes", target_file_bytes, "roll data files at this size");
    app.add_option("--max-open-files", max_open_files, "open data files per subtask");
    CLI11_PARSE(app, argc, argv);

    if (max_open_files == 0) {
        std::fprintf(stderr, "kafka_to_iceberg: --max-open-files must be > 0\n");
        return 2;
    }
    auto dir = iceberg::table_dir(warehouse, table);
    if (!dir) {
        std::fprintf(stderr, "kafka_to_iceberg: %s\n", dir.error().c_str());
        return 2;
    }
    auto loaded = iceberg::load_table(*dir);
    if (!loaded) {
        iceberg::create_request req;
        auto s = iceberg::parse_schema_text(schema_text.empty() ? demo_schema : schema_text);
        if (!s) {
            std::fprintf(stderr, "kafka_to_iceberg: --schema: %s\n", s.error().c_str());
            return 2;
        }
        req.table_schema = *s;
        if (!partition_text.empty()) {
            auto p = iceberg::parse_partition_text(partition_text, *s);
            if (!p) {
                std::fprintf(stderr, "kafka_to_iceberg: --partition: %s\n", p.error().c_str());
                return 2;
            }
            req.spec = *p;
        }
        auto created = iceberg::create_table(*dir, req);
        // Another instance may have created it meanwhile: load again before giving up.
        loaded = iceberg::load_table(*dir);
        if (!loaded) {
            std::fprintf(stderr, "kafka_to_iceberg: cannot create table %s: %s\n", dir->c_str(),
                         created ? loaded.error().c_str() : created.error().c_str());
            return 1;
        }
        if (created)
            std::fprintf(stderr, "kafka_to_iceberg: created table %s\n", dir->c_str());
    }
    row_mapper mapper;
    mapper.schema = *loaded->meta.current_schema();

    connectors::kafka::kafka_source_config in;
    in.brokers = brokers;
    in.topic = topic;
    in.stop = bounded ? connectors::kafka::stop_mode::latest_at_start
                      : connectors::kafka::stop_mode::unbounded;
    auto src = connectors::kafka::make_json_kafka_source(in);
    if (!src) {
        std::fprintf(stderr, "kafka_to_iceberg: %s\n", src.error().c_str());
        return 1;
    }

    connectors::iceberg_sink::iceberg_sink_config sc;
    sc.table_dir = *dir;
    sc.job_name = job_name;
    sc.target_file_bytes = target_file_bytes;
    sc.max_open_files = max_open_files;
    auto sink = connectors::iceberg_sink::make_iceberg_sink<std::vector<value>>(
        sc, [](const std::vector<value>& row) { return row; });

    jobhost::host h(f);
    job_config cfg = h.config();
    // Small batches let barriers through often (the record delay is for kill tests).
    if (record_delay_us > 0)
        cfg.batch_size = 16;
    environment env(cfg);
    env.from_source<json_record>(*src, watermark_strategy<json_record>{})
        .flat_map<std::vector<value>>(
            [mapper, record_delay_us](const json_record& j, collector<std::vector<value>>& out) {
                if (record_delay_us > 0)
                    std::this_thread::sleep_for(std::chrono::microseconds(record_delay_us));
                auto row = mapper(j);
                if (!row.empty())
                    out.emit(std::move(row));
            },
            "to_row")
        .sink(sink, "iceberg");

    std::fprintf(stderr, "kafka_to_iceberg: job id %s\n", sink->job_id().c_str());
    // The host restores (--restore / --from-savepoint), serves --admin-addr and turns
    // SIGINT/SIGTERM into a cancel. The sink opens the table while the job is built: its errors
    // are exceptions.
    int rc;
    try {
        rc = h.run(env);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "kafka_to_iceberg: %s\n", e.what());
        return 1;
    }
    auto st = sink->get_committer().get_stats();
    std::fprintf(stderr,
                 "kafka_to_iceberg: %s; %lld snapshots, %lld files, %lld rows committed, %lld "
                 "checkpoints already in the table, %lld records rejected, %llu non-JSON\n",
                 rc == 0 ? "done" : "job failed", static_cast<long long>(st.snapshots),
                 static_cast<long long>(st.files), static_cast<long long>(st.rows),
                 static_cast<long long>(st.checkpoints_skipped),
                 static_cast<long long>(mapper.rejected->load()),
                 static_cast<unsigned long long>((*src)->malformed()));
    return rc;
}

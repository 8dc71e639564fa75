// word_count_kafka: the stream engine's first Kafka job, an end-to-end example.
//
// Reads a topic of text lines (record timestamps are event time), splits them into words, keys by
// word, counts per tumbling event-time window of 10 s, and writes one record per word and window
// to an output topic: key = word, value = "word,window_end,count". At-least-once: with
// checkpoints, a restored job may write whole window results again.
//
//   word_count_kafka --brokers 127.0.0.1:9092 --input lines --output counts [--bounded]
//       [--out-of-orderness-ms MS] [--batch-size N] [--record-delay-us US]
//       [--from-ts MS] [--until-ts MS]
//       + the standard job flags (src/jobhost): --name, --parallelism, --checkpoint-dir,
//         --checkpoint-interval 10s, --checkpoints-retained, --restore latest|DIR,
//         --from-savepoint DIR, --admin-addr HOST:PORT, --log-level
//
// --bounded stops at the input's end offsets seen at start (every window then fires); --from-ts
// and --until-ts read only records of each partition from the first one at or after from-ts up
// to (excluding) the first one at or after until-ts (a bounded run);
// --record-delay-us slows the job down per line and a small --batch-size lets barriers and
// watermarks through often (both for kill-and-restore tests).
#include <cctype>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>

#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "jobhost/host.h"
#include "stream/api.h"

using namespace otter::stream;
using namespace otter::connectors::kafka;

namespace {

struct options {
    std::string brokers = "127.0.0.1:9092";
    std::string input;
    std::string output;
    bool bounded = false;
    int64_t out_of_orderness_ms = 0;
    int64_t record_delay_us = 0;
    size_t batch_size = default_batch_size;
    std::optional<int64_t> from_ts;
    std::optional<int64_t> until_ts;
};

}  // namespace

int main(int argc, char** argv) {
    otter::jobhost::job_options jo{.name = "word_count_kafka"};
    options o;
    CLI::App app{"word_count_kafka: count words per 10 s event-time window, Kafka to Kafka"};
    otter::jobhost::add_job_flags(app, jo);
    app.add_option("--brokers", o.brokers, "Bootstrap brokers")->capture_default_str();
    app.add_option("--input", o.input, "Input topic of text lines")->required();
    app.add_option("--output", o.output, "Output topic (word,window_end,count)")->required();
    app.add_flag("--bounded", o.bounded, "Stop at the input's end offsets seen at start");
    app.add_option("--out-of-orderness-ms", o.out_of_orderness_ms, "Watermark delay")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--batch-size", o.batch_size, "Records per batch")
        ->check(CLI::Range(1, 1 << 20));
    app.add_option("--record-delay-us", o.record_delay_us, "Sleep per input line (tests)")
        ->check(CLI::NonNegativeNumber);
    app.add_option("--from-ts", o.from_ts, "Start at the first record at or after this time (ms)");
    app.add_option("--until-ts", o.until_ts, "Stop before the first record at or after this (ms)");
    CLI11_PARSE(app, argc, argv);

    kafka_source_config in;
    in.brokers = o.brokers;
    in.topic = o.input;
    in.stop = o.bounded ? stop_mode::latest_at_start : stop_mode::unbounded;
    if (o.from_ts) {
        in.start = start_mode::timestamp;
        in.start_timestamp = *o.from_ts;
    }
    if (o.until_ts) {
        in.stop = stop_mode::timestamp;
        in.stop_timestamp = *o.until_ts;
    }
    auto src = make_raw_kafka_source(in);
    if (!src) {
        std::fprintf(stderr, "word_count_kafka: %s\n", src.error().c_str());
        return 1;
    }

    kafka_sink_config out;
    out.brokers = o.brokers;
    out.topic = o.output;
    using result_t = window_result<std::string, int64_t>;
    auto sink = std::make_shared<kafka_sink<result_t>>(out, [](const result_t& r) {
        kafka_output k;
        k.key = r.key;
        k.value = r.key + "," + std::to_string(r.window.end) + "," + std::to_string(r.value);
        return k;
    });

    otter::jobhost::host host(jo);
    environment env(host.config());
    env.config().batch_size = o.batch_size;
    int64_t delay_us = o.record_delay_us;
    env.from_source<kafka_record>(*src, watermark_strategy<kafka_record>{}.with_out_of_orderness(
                                            millis(o.out_of_orderness_ms)))
        .flat_map<std::string>(
            [delay_us](const kafka_record& r, collector<std::string>& words) {
                if (delay_us > 0) {
                    std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
                }
                const std::string& line = r.value ? *r.value : std::string();
                size_t i = 0;
                while (i < line.size()) {
                    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) {
                        ++i;
                    }
                    size_t j = i;
                    while (j < line.size() && !std::isspace(static_cast<unsigned char>(line[j]))) {
                        ++j;
                    }
                    if (j > i) {
                        words.emit(line.substr(i, j - i));
                    }
                    i = j;
                }
            },
            "split")
        .key_by([](const std::string& w) { return w; })
        .window(tumbling(std::chrono::seconds(10)))
        .aggregate(count_agg{}, "count")
        .sink(sink, "kafka");

    return host.run(env);
}

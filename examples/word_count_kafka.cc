// word_count_kafka: the stream engine's first Kafka job, an end-to-end example.
//
// Reads a topic of text lines (record timestamps are event time), splits them into words, keys by
// word, counts per tumbling event-time window of 10 s, and writes one record per word and window
// to an output topic: key = word, value = "word,window_end,count". At-least-once: with
// checkpoints, a restored job may write whole window results again.
//
//   word_count_kafka --brokers 127.0.0.1:9092 --input lines --output counts [--bounded]
//       [--parallelism N] [--checkpoint-dir DIR --checkpoint-interval-ms MS]
//       [--restore latest|DIR] [--out-of-orderness-ms MS] [--batch-size N] [--record-delay-us US]
//       [--from-ts MS] [--until-ts MS]
//
// --bounded stops at the input's end offsets seen at start (every window then fires); --from-ts
// and --until-ts read only records of each partition from the first one at or after from-ts up
// to (excluding) the first one at or after until-ts (a bounded run);
// --record-delay-us slows the job down per line and a small --batch-size lets barriers and
// watermarks through often (both for kill-and-restore tests).
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <thread>

#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "stream/api.h"

using namespace otter::stream;
using namespace otter::connectors::kafka;

namespace {

struct options {
    std::string brokers = "127.0.0.1:9092";
    std::string input;
    std::string output;
    bool bounded = false;
    uint32_t parallelism = 1;
    std::string checkpoint_dir;
    int64_t checkpoint_interval_ms = 0;
    std::string restore;
    int64_t out_of_orderness_ms = 0;
    int64_t record_delay_us = 0;
    size_t batch_size = default_batch_size;
    std::optional<int64_t> from_ts;
    std::optional<int64_t> until_ts;
};

[[noreturn]] void usage(const char* why) {
    std::fprintf(stderr,
                 "word_count_kafka: %s\nusage: word_count_kafka --brokers B --input T --output T "
                 "[--bounded] [--parallelism N] [--checkpoint-dir D] [--checkpoint-interval-ms MS] "
                 "[--restore latest|DIR] [--out-of-orderness-ms MS] [--batch-size N] "
                 "[--record-delay-us US] [--from-ts MS] [--until-ts MS]\n",
                 why);
    std::exit(2);
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto val = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage(("missing value for " + a).c_str());
            }
            return argv[++i];
        };
        if (a == "--brokers") {
            o.brokers = val();
        } else if (a == "--input") {
            o.input = val();
        } else if (a == "--output") {
            o.output = val();
        } else if (a == "--bounded") {
            o.bounded = true;
        } else if (a == "--parallelism") {
            o.parallelism = static_cast<uint32_t>(std::stoul(val()));
        } else if (a == "--checkpoint-dir") {
            o.checkpoint_dir = val();
        } else if (a == "--checkpoint-interval-ms") {
            o.checkpoint_interval_ms = std::stoll(val());
        } else if (a == "--restore") {
            o.restore = val();
        } else if (a == "--out-of-orderness-ms") {
            o.out_of_orderness_ms = std::stoll(val());
        } else if (a == "--from-ts") {
            o.from_ts = std::stoll(val());
        } else if (a == "--until-ts") {
            o.until_ts = std::stoll(val());
        } else if (a == "--batch-size") {
            o.batch_size = std::stoul(val());
        } else if (a == "--record-delay-us") {
            o.record_delay_us = std::stoll(val());
        } else {
            usage(("unknown argument " + a).c_str());
        }
    }
    if (o.input.empty() || o.output.empty()) {
        usage("--input and --output are required");
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    options o = parse(argc, argv);

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

    job_config cfg{.name = "word_count_kafka", .parallelism = o.parallelism};
    cfg.batch_size = o.batch_size;
    cfg.checkpoint_dir = o.checkpoint_dir;
    cfg.checkpoint_interval = millis(o.checkpoint_interval_ms);
    environment env(cfg);
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

    auto j = env.create_job(run_options{o.restore});
    if (!j) {
        std::fprintf(stderr, "word_count_kafka: %s\n", j.error().message.c_str());
        return 1;
    }
    if (const auto& from = (*j)->restored_from()) {
        std::fprintf(stderr, "word_count_kafka: restored from %s (checkpoint %llu)\n",
                     from->path.c_str(), static_cast<unsigned long long>(from->id));
    }
    (*j)->start();
    auto r = (*j)->wait();
    if (!r) {
        std::fprintf(stderr, "word_count_kafka: job failed: %s\n", r.error().message.c_str());
        return 1;
    }
    std::fprintf(stderr, "word_count_kafka: done, %llu checkpoints\n",
                 static_cast<unsigned long long>((*j)->completed_checkpoints()));
    return 0;
}

// A complete job compiled against the installed headers and libraries: counts records per key in
// 10 s tumbling event-time windows over an in-memory source and checks the results. Exit code 0
// when the counts are right. Also includes the Kafka connector headers, so a package whose
// connector headers or imported librdkafka target were missing would fail to build.
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "stream/api.h"

using namespace otter::stream;

int main() {
    std::vector<std::vector<timed<std::string>>> splits(2);
    std::map<std::pair<std::string, int64_t>, int64_t> want;
    const char* keys[] = {"otter", "river", "stone"};
    for (int i = 0; i < 3000; ++i) {
        int64_t ts = i * 37;
        std::string k = keys[i % 3];
        splits[static_cast<size_t>(i % 2)].push_back({ts, k});
        ++want[{k, ts / 10000 * 10000 + 10000}];
    }
    environment env(job_config{.name = "installed-job", .parallelism = 2});
    auto out = std::make_shared<collecting_sink<window_result<std::string, int64_t>>>();
    env.from_source<std::string>(std::make_shared<vector_source<std::string>>(std::move(splits)))
        .key_by([](const std::string& s) { return s; })
        .window(tumbling(std::chrono::milliseconds(10000)))
        .aggregate(count_agg{})
        .sink(out);
    if (auto r = env.execute(); !r) {
        std::fprintf(stderr, "installed_job: the job failed: %s\n", r.error().message.c_str());
        return 1;
    }
    std::map<std::pair<std::string, int64_t>, int64_t> got;
    for (const auto& r : out->results()) {
        got[{r.key, r.window.end}] += r.value;
    }
    if (got != want) {
        std::fprintf(stderr, "installed_job: %zu window results, want %zu (or counts differ)\n",
                     got.size(), want.size());
        return 1;
    }
    std::printf("installed_job: %zu window results correct\n", got.size());
    return 0;
}

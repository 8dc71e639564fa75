// The user-facing Kafka client commands of the `otter` program: `topic`, `produce`, `consume`
// and `cluster`. They speak the Kafka protocol through librdkafka, so they work against Otter
// and against any Kafka-API cluster (`--brokers`, default 127.0.0.1:9092 or $OTTER_BROKERS).
//
// librdkafka stays out of this header; see README.md for the commands and their threads.
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace otter::cli {

// Adds subcommands `topic`, `produce`, `consume`, `cluster` to `root`. When one of them is
// selected and parsed, its callback stores the work in `action`; main() then runs it and exits
// with its return value (0 on success, 1 after printing one "error: ..." line to stderr).
// `action` must outlive the parse of `root`. Not thread-safe; call once, from main().
void add_client_commands(CLI::App& root, std::function<int()>& action);

}  // namespace otter::cli

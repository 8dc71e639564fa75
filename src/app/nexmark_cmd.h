// `otter nexmark generate|run`: the Nexmark benchmark from the command line (src/nexmark).
//
// `generate` writes the events of a generator configuration (events, rate, seed, generator
// instances) as JSON lines (a file or stdout), as three Parquet files (person, auction, bid) or
// to a Kafka topic, so that other tools read the very same events. `run` runs one query as an
// engine job over the same events (the same configuration gives the same events, whatever the
// parallelism), into a blackhole or a JSON-lines file, and prints throughput, CPU, memory and
// checkpoint figures.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace otter::app {

// Registers the `nexmark` command family on `root`; the selected command stores its work in
// `action` (run after parsing; returns the exit code).
void add_nexmark_commands(CLI::App& root, std::function<int()>& action);

}  // namespace otter::app

// `otter table create|append|describe|snapshots|files|write-parquet`: Iceberg tables in a
// filesystem catalog (connectors/iceberg), from the command line.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

namespace otter::app {

// Registers the `table` command family on `root`; the selected command stores its work in
// `action` (run after parsing; returns the exit code).
void add_table_commands(CLI::App& root, std::function<int()>& action);

}  // namespace otter::app

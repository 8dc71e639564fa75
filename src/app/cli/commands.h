// Internal to src/app/cli: how cli.cc wires the command files together.
#pragma once

#include <atomic>
#include <csignal>
#include <functional>
#include <memory>
#include <string_view>

#include <CLI/CLI.hpp>

#include "app/cli/kafka_client.h"

namespace otter::cli {

// The action slot that add_client_commands() fills in.
using action_slot = std::function<int()>;

// Adds --brokers (env OTTER_BROKERS), -X key=value (repeatable), --timeout and --verbose to `cmd`,
// storing into `options`, which must outlive parsing.
void add_client_options(CLI::App& cmd, client_options& options);

// Prints "error: <message>" to stderr and returns the command's failure exit code (1).
int fail(std::string_view message);

// Makes `cmd` store `run(*args)` into `action` when it is selected. `args` is shared (shared_ptr)
// between the options that fill it while parsing and the stored action that runs after parsing
// and outlives the registering function.
template <typename Args, typename Run>
void bind_action(CLI::App& cmd, action_slot& action, std::shared_ptr<Args> args, Run run) {
    cmd.callback([&action, args, run] { action = [args, run] { return run(*args); }; });
}

// Registration of each command family; each stores its work into `action` when selected.
void add_topic_commands(CLI::App& root, action_slot& action);
void add_produce_command(CLI::App& root, action_slot& action);
void add_consume_command(CLI::App& root, action_slot& action);
void add_cluster_commands(CLI::App& root, action_slot& action);
void add_group_commands(CLI::App& root, action_slot& action);
void add_job_commands(CLI::App& root, action_slot& action);

// While alive, SIGINT and SIGTERM set interrupted() instead of killing the process, and
// interrupt blocking reads (no SA_RESTART), so a command can stop cleanly: flush what it
// produced, or close its consumer. Restores the previous handlers on destruction.
// One instance at a time, on the main thread.
class interrupt_guard {
  public:
    interrupt_guard();
    ~interrupt_guard();
    interrupt_guard(const interrupt_guard&) = delete;
    interrupt_guard& operator=(const interrupt_guard&) = delete;

    static bool interrupted();

  private:
    struct sigaction old_int_ {};
    struct sigaction old_term_ {};
};

}  // namespace otter::cli

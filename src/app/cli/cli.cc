#include "app/cli/cli.h"

#include <cstdio>

#include <fmt/format.h>

#include "app/cli/commands.h"

namespace otter::cli {

namespace {

// Written from a signal handler, read by the main thread.
std::atomic<bool> interrupt_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free, "used from a signal handler");

extern "C" void on_interrupt(int /*signo*/) {
    interrupt_flag.store(true, std::memory_order_relaxed);
}

}  // namespace

void add_client_commands(CLI::App& root, std::function<int()>& action) {
    add_topic_commands(root, action);
    add_produce_command(root, action);
    add_consume_command(root, action);
    add_cluster_commands(root, action);
    add_group_commands(root, action);
    add_job_commands(root, action);
}

void add_client_options(CLI::App& cmd, client_options& options) {
    cmd.add_option("--brokers", options.brokers, "Comma-separated bootstrap brokers, host:port")
        ->envname("OTTER_BROKERS")
        ->capture_default_str();
    cmd.add_option("-X", options.properties,
                   "librdkafka client property key=value, repeatable (e.g. -X "
                   "security.protocol=SSL)")
        ->type_name("KEY=VALUE")
        ->allow_extra_args(false);
    cmd.add_option("--timeout", options.timeout_s,
                   "Seconds to wait for the cluster before giving up")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd.add_flag("--verbose", options.verbose, "Print librdkafka's log messages to stderr");
}

int fail(std::string_view message) {
    fmt::print(stderr, "error: {}\n", message);
    return 1;
}

interrupt_guard::interrupt_guard() {
    interrupt_flag.store(false, std::memory_order_relaxed);
    struct sigaction sa {};
    sa.sa_handler = on_interrupt;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: a blocking read of stdin returns EINTR
    sigaction(SIGINT, &sa, &old_int_);
    sigaction(SIGTERM, &sa, &old_term_);
}

interrupt_guard::~interrupt_guard() {
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
}

bool interrupt_guard::interrupted() {
    return interrupt_flag.load(std::memory_order_relaxed);
}

}  // namespace otter::cli

// jobhost: what turns a stream job written against stream/api.h into a runnable job process.
//
// It gives every job program the same command-line flags (job_options, add_job_flags), builds the
// job configuration from them, restores from a checkpoint or a savepoint, serves the job's admin
// HTTP endpoint (/metrics, /v1/status, POST /v1/savepoints), handles SIGTERM/SIGINT and turns the
// outcome into an exit code:
//
//   int main(int argc, char** argv) {
//       otter::jobhost::job_options o{.name = "my_job"};
//       CLI::App app{"my job"};
//       otter::jobhost::add_job_flags(app, o);
//       ... job-specific flags ...
//       CLI11_PARSE(app, argc, argv);
//       otter::jobhost::host h(o);
//       otter::stream::environment env(h.config());
//       ... build the graph ...
//       return h.run(env);
//   }
//
// Exit codes of run(): 0 when the bounded input ended (every sink finished and committed), or when
// SIGTERM/SIGINT asked the job to stop (it is cancelled like a kill: nothing further is committed,
// and `--restore latest` resumes from the last completed checkpoint); 1 when the job cannot start
// (bad flags, a missing, corrupt or incompatible checkpoint, an admin port in use) or failed while
// running. Each error is one line on stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.h"
#include "metrics/registry.h"
#include "stream/api.h"

namespace CLI {
class App;
}

namespace otter::jobhost {

// The standard flags of every job process.
struct job_options {
    std::string name;                                  // --name (default given by the program)
    uint32_t parallelism = 1;                          // --parallelism
    std::string checkpoint_dir;                        // --checkpoint-dir
    std::chrono::milliseconds checkpoint_interval{0};  // --checkpoint-interval 10s|500ms|2m
    size_t checkpoints_retained = 3;                   // --checkpoints-retained
    std::string restore;                               // --restore latest|DIR
    std::string from_savepoint;  // --from-savepoint DIR (exclusive with --restore)
    std::string admin_addr;      // --admin-addr HOST:PORT (port 0 = pick; "" = no server)
    std::string log_level = "info";
};

// Adds the standard flags to `app`, storing into `o` (which must outlive parsing). The current
// values of `o` are the defaults. Parsing rejects malformed durations, addresses and levels, and
// --restore together with --from-savepoint.
void add_job_flags(CLI::App& app, job_options& o);

// "500ms", "10s", "2m", "1h" (a non-negative integer and a unit); "0" alone means zero.
result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text);

struct host_port {
    std::string host;
    uint16_t port = 0;
};
// "HOST:PORT" with PORT in 0..65535 (the last colon splits; "[::1]:80" keeps the brackets off).
result<host_port, std::string> parse_host_port(std::string_view text);

// Cross-flag checks run() makes before anything starts (e.g. --restore latest needs
// --checkpoint-dir; a checkpoint interval needs a checkpoint directory).
result<void, std::string> validate(const job_options& o);

// Runs one job in this process. Not thread-safe: construct, config(), run() from one thread
// (main); the admin endpoint's handlers run on the HTTP server's threads and only read the job
// through its thread-safe methods.
class host {
  public:
    explicit host(job_options o);
    ~host();
    host(const host&) = delete;
    host& operator=(const host&) = delete;

    // Name, parallelism, checkpointing and the host's metrics registry.
    stream::job_config config();
    // Creates the job from `env`'s graph (restoring per the flags), starts the admin server,
    // starts the job and waits for it to end or for SIGTERM/SIGINT. Returns the exit code (see
    // the top of this file). Call once; `env` must have been built from config().
    int run(stream::environment& env);

    metrics::registry& metrics() { return registry_; }
    // The job's status when run() returned (the job itself, and with it its per-operator metric
    // series, is gone by then); nullopt if it never started.
    const std::optional<stream::job_status>& final_status() const { return final_; }
    const job_options& options() const { return o_; }

  private:
    job_options o_;
    metrics::registry registry_;
    std::optional<stream::job_status> final_;
};

}  // namespace otter::jobhost

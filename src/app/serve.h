// `otter serve`: the composition root of a broker node. Builds every service from its
// dependencies, starts them in order, waits for SIGTERM/SIGINT, and stops them in reverse.
#pragma once

#include "config/broker_config.h"

namespace otter::app {

// Runs a node until a stop signal. Returns the process exit code. Errors are printed to stderr.
int run_serve(config::broker_config cfg);

}  // namespace otter::app

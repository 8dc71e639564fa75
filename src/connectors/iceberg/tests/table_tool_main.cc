// Development stand-in for `otter table ...` until src/app links app/table_cmd.cc: the same
// commands under a separate binary (build-dir/otter-table-dev table ...).
#include <CLI/CLI.hpp>

#include "app/table_cmd.h"

int main(int argc, char** argv) {
    CLI::App app{"otter (table commands only; development build)"};
    app.require_subcommand(1);
    std::function<int()> action;
    otter::app::add_table_commands(app, action);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    }
    return action ? action() : 0;
}

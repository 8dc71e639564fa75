// `otter job status|savepoint`: talks to the admin endpoint of a running job process
// (src/jobhost: GET /v1/status, POST /v1/savepoints) over HTTP.
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/format.h"

namespace otter::cli {

namespace {

using nlohmann::json;

struct job_args {
    std::string admin = "127.0.0.1:9645";
    double timeout_s = 60;
    bool json_out = false;
    std::string dir;  // savepoint
};

void add_common(CLI::App& cmd, job_args& a) {
    cmd.add_option("--admin", a.admin, "The job's admin address HOST:PORT (its --admin-addr)")
        ->required();
    cmd.add_option("--timeout", a.timeout_s, "Seconds to wait for the answer")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd.add_flag("--json", a.json_out, "Print the endpoint's JSON answer as it is");
}

// "HOST:PORT" → client; brackets around an IPv6 host are removed.
std::optional<httplib::Client> make_client(const job_args& a, std::string& why) {
    auto colon = a.admin.rfind(':');
    int port = -1;
    if (colon != std::string::npos && colon > 0) {
        try {
            size_t used = 0;
            port = std::stoi(a.admin.substr(colon + 1), &used);
            if (used != a.admin.size() - colon - 1) {
                port = -1;
            }
        } catch (const std::exception&) {
            port = -1;
        }
    }
    if (port <= 0 || port > 65535) {
        why = fmt::format("--admin '{}' is not HOST:PORT", a.admin);
        return std::nullopt;
    }
    std::string host = a.admin.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    std::optional<httplib::Client> c;
    c.emplace(host, port);
    auto t = std::chrono::duration<double>(a.timeout_s);
    c->set_connection_timeout(std::chrono::duration_cast<std::chrono::microseconds>(t));
    c->set_read_timeout(std::chrono::duration_cast<std::chrono::microseconds>(t));
    c->set_write_timeout(std::chrono::duration_cast<std::chrono::microseconds>(t));
    return c;
}

std::string transport_error(const job_args& a, httplib::Error e) {
    return fmt::format(
        "cannot reach the job's admin endpoint at {}: {} (is the job running with "
        "--admin-addr {}?)",
        a.admin, httplib::to_string(e), a.admin);
}

// The "error" field of a JSON error answer, else the body itself.
std::string answer_error(const httplib::Result& r) {
    json j = json::parse(r->body, nullptr, false);
    if (j.is_object() && j.contains("error") && j["error"].is_string()) {
        return j["error"].get<std::string>();
    }
    return fmt::format("HTTP {}: {}", r->status, r->body);
}

std::string num_or_dash(const json& v) {
    if (v.is_null()) {
        return "-";
    }
    if (v.is_string()) {
        return v.get<std::string>();
    }
    return v.dump();
}

std::string bytes_text(uint64_t n) {
    if (n < 1024) {
        return fmt::format("{} B", n);
    }
    if (n < 1024 * 1024) {
        return fmt::format("{:.1f} KiB", static_cast<double>(n) / 1024);
    }
    return fmt::format("{:.1f} MiB", static_cast<double>(n) / (1024 * 1024));
}

void print_status(const json& s) {
    fmt::print("job {}: {}, up {:.1f} s, parallelism {}\n", s.value("name", "?"),
               s.value("state", "?"), s.value("uptime_ms", int64_t{0}) / 1000.0,
               s.value("parallelism", 0));
    if (s.contains("failure")) {
        fmt::print("failure: {}\n", s["failure"].get<std::string>());
    }
    const json& c = s["checkpoints"];
    std::string last = "none";
    if (!c["last_id"].is_null()) {
        last = fmt::format("{} {} at {}, {:.0f} ms, {}", c["last_kind"].get<std::string>(),
                           c["last_id"].get<uint64_t>(), c["last_path"].get<std::string>(),
                           c["last_duration_ms"].get<double>(),
                           bytes_text(c["last_size_bytes"].get<uint64_t>()));
    }
    fmt::print("checkpoints: {} completed, {} failed; last: {}\n", c.value("completed", 0),
               c.value("failed", 0), last);
    if (!c["restored_from"].is_null()) {
        fmt::print("restored from: {}\n", c["restored_from"].get<std::string>());
    }
    std::vector<std::vector<std::string>> rows{{"OPERATOR", "SUBTASK", "RECORDS_IN", "RECORDS_OUT",
                                                "WATERMARK", "LAG_S", "BACKPRESSURE_S",
                                                "BACKPRESSURE"}};
    for (const auto& o : s["operators"]) {
        const json& lag = o["watermark_lag_seconds"];
        rows.push_back({o["name"].get<std::string>(), num_or_dash(o["subtask"]),
                        num_or_dash(o["records_in"]), num_or_dash(o["records_out"]),
                        num_or_dash(o["watermark"]),
                        lag.is_null() ? "-" : fmt::format("{:.1f}", lag.get<double>()),
                        fmt::format("{:.3f}", o["backpressure_seconds"].get<double>()),
                        fmt::format("{:.0f}%", 100 * o["backpressure_ratio"].get<double>())});
    }
    fmt::print("{}", format_table(rows));
}

int run_status(const job_args& a) {
    std::string why;
    auto c = make_client(a, why);
    if (!c) {
        return fail(why);
    }
    auto r = c->Get("/v1/status");
    if (!r) {
        return fail(transport_error(a, r.error()));
    }
    if (r->status != 200) {
        return fail(answer_error(r));
    }
    json s = json::parse(r->body, nullptr, false);
    if (s.is_discarded() || !s.is_object() || !s.contains("checkpoints") ||
        !s.contains("operators")) {
        return fail(
            fmt::format("{} answered /v1/status with something that is not a job status", a.admin));
    }
    if (a.json_out) {
        fmt::print("{}\n", s.dump(2));
        return 0;
    }
    try {
        print_status(s);
    } catch (const json::exception& e) {
        return fail(fmt::format("malformed job status from {}: {}", a.admin, e.what()));
    }
    return 0;
}

int run_savepoint(const job_args& a) {
    std::string why;
    auto c = make_client(a, why);
    if (!c) {
        return fail(why);
    }
    auto r = c->Post("/v1/savepoints", json{{"dir", a.dir}}.dump(), "application/json");
    if (!r) {
        return fail(transport_error(a, r.error()));
    }
    if (r->status != 200) {
        return fail(fmt::format("savepoint not taken: {}", answer_error(r)));
    }
    if (a.json_out) {
        fmt::print("{}", r->body);
        return 0;
    }
    json s = json::parse(r->body, nullptr, false);
    if (s.is_discarded() || !s.is_object() || !s.contains("path") || !s.contains("id")) {
        return fail(fmt::format("unexpected answer from {}: {}", a.admin, r->body));
    }
    fmt::print("savepoint {} written to {}\n", num_or_dash(s["id"]), s["path"].get<std::string>());
    return 0;
}

}  // namespace

void add_job_commands(CLI::App& root, action_slot& action) {
    auto* job = root.add_subcommand("job", "Inspect and control a running stream job process");
    job->require_subcommand(1);

    auto status_args = std::make_shared<job_args>();
    auto* status = job->add_subcommand(
        "status", "State, checkpoints and per-operator figures of a job (GET /v1/status)");
    add_common(*status, *status_args);
    bind_action(*status, action, status_args, run_status);

    auto sp_args = std::make_shared<job_args>();
    auto* sp = job->add_subcommand(
        "savepoint", "Take a savepoint into --dir and wait for it (POST /v1/savepoints)");
    add_common(*sp, *sp_args);
    sp->add_option("--dir", sp_args->dir,
                   "Savepoint directory (on the job's machine); restore with --from-savepoint")
        ->required();
    bind_action(*sp, action, sp_args, run_savepoint);
}

}  // namespace otter::cli

#include "jobhost/host.h"

#include <atomic>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <thread>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <pthread.h>
#include <signal.h>

#include "base/log.h"
#include "http/server.h"

namespace otter::jobhost {

namespace {

using nlohmann::json;

// CLI11 validators that reuse the parsers below, so a bad value fails at parse time.
CLI::Validator duration_check() {
    return CLI::Validator(
        [](std::string& v) -> std::string {
            auto d = parse_duration(v);
            return d ? std::string() : d.error();
        },
        "DURATION");
}

CLI::Validator address_check() {
    return CLI::Validator(
        [](std::string& v) -> std::string {
            if (v.empty()) {
                return {};
            }
            auto a = parse_host_port(v);
            return a ? std::string() : a.error();
        },
        "HOST:PORT");
}

json status_json(const stream::job_status& st) {
    json ops = json::array();
    for (const auto& o : st.operators) {
        json j{{"name", o.name},
               {"node", o.node},
               {"subtask", o.subtask},
               {"records_in", o.records_in},
               {"records_out", o.records_out},
               {"backpressure_seconds", o.backpressure_seconds},
               {"backpressure_ratio", o.backpressure_ratio}};
        // A watermark is event time in ms; before the first one it is null, after the end of input
        // the string "end".
        if (!o.watermark) {
            j["watermark"] = nullptr;
        } else if (*o.watermark == stream::max_timestamp) {
            j["watermark"] = "end";
        } else {
            j["watermark"] = *o.watermark;
        }
        j["watermark_lag_seconds"] =
            o.watermark_lag_seconds ? json(*o.watermark_lag_seconds) : json(nullptr);
        ops.push_back(std::move(j));
    }
    const auto& c = st.checkpoints;
    json chk{{"completed", c.completed},
             {"failed", c.failed},
             {"last_id", c.last_id ? json(*c.last_id) : json(nullptr)},
             {"last_kind", c.last_id ? json(c.last_kind) : json(nullptr)},
             {"last_path", c.last_id ? json(c.last_path) : json(nullptr)},
             {"last_duration_ms", c.last_duration_ms},
             {"last_size_bytes", c.last_size_bytes},
             {"restored_from", c.restored_from ? json(c.restored_from->path) : json(nullptr)}};
    json out{{"name", st.name},
             {"state", stream::to_string(st.state)},
             {"uptime_ms", st.uptime.count()},
             {"parallelism", st.parallelism},
             {"checkpoints", std::move(chk)},
             {"operators", std::move(ops)}};
    if (!st.failure.empty()) {
        out["failure"] = st.failure;
    }
    return out;
}

http::response json_response(int status, const json& body) {
    return {status, "application/json", body.dump() + "\n"};
}

http::response json_error(int status, const std::string& message) {
    return json_response(status, json{{"error", message}});
}

// POST /v1/savepoints {"dir": "..."}.
http::response take_savepoint(stream::job& j, const std::string& body) {
    json req = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (req.is_discarded() || !req.is_object()) {
        return json_error(400, "the body must be a JSON object {\"dir\": \"...\"}");
    }
    auto it = req.find("dir");
    if (it == req.end() || !it->is_string() || it->get<std::string>().empty()) {
        return json_error(400, "\"dir\" must be a non-empty string: the savepoint directory");
    }
    const std::string dir = it->get<std::string>();
    std::error_code ec;
    if (std::filesystem::exists(std::filesystem::path(dir) / "_manifest", ec)) {
        return json_error(409, dir +
                                   " already holds a checkpoint or savepoint; choose a new "
                                   "directory");
    }
    auto r = j.trigger_savepoint(dir);
    if (!r) {
        switch (r.error().code) {
            case stream::errc::declined:
                return json_error(409, "cannot take a savepoint now: " + r.error().message);
            case stream::errc::cancelled:
                return json_error(503, "the job is stopping: " + r.error().message);
            default:
                return json_error(500, "savepoint failed: " + r.error().message);
        }
    }
    return json_response(200, json{{"path", r->path},
                                   {"id", r->id},
                                   {"size_bytes", r->total_bytes},
                                   {"created_ms", r->created_ms}});
}

}  // namespace

result<std::chrono::milliseconds, std::string> parse_duration(std::string_view text) {
    auto bad = [&] {
        return unexpected<std::string>{"'" + std::string(text) +
                                       "' is not a duration: use a number and a unit, e.g. 500ms, "
                                       "10s, 2m, 1h"};
    };
    if (text == "0") {
        return std::chrono::milliseconds(0);
    }
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc() || end == text.data()) {
        return bad();
    }
    std::string_view unit(end, static_cast<size_t>(text.data() + text.size() - end));
    uint64_t scale;
    if (unit == "ms") {
        scale = 1;
    } else if (unit == "s") {
        scale = 1000;
    } else if (unit == "m") {
        scale = 60'000;
    } else if (unit == "h") {
        scale = 3'600'000;
    } else {
        return bad();
    }
    constexpr uint64_t max_ms = uint64_t{1} << 50;  // ~35 000 years: anything above is a typo
    if (n > max_ms / scale) {
        return unexpected<std::string>{"'" + std::string(text) + "' is too long a duration"};
    }
    return std::chrono::milliseconds(static_cast<int64_t>(n * scale));
}

result<host_port, std::string> parse_host_port(std::string_view text) {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return unexpected<std::string>{"'" + std::string(text) + "' is not HOST:PORT"};
    }
    std::string_view host = text.substr(0, colon);
    std::string_view port = text.substr(colon + 1);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    uint32_t p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || p > 65535) {
        return unexpected<std::string>{"'" + std::string(text) +
                                       "': the port must be a number from 0 to 65535"};
    }
    return host_port{std::string(host), static_cast<uint16_t>(p)};
}

void add_job_flags(CLI::App& app, job_options& o) {
    app.add_option("--name", o.name, "Job name (metrics label, checkpoint manifests)")
        ->capture_default_str();
    app.add_option("--parallelism", o.parallelism, "Default parallelism of sources and operators")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();
    app.add_option("--checkpoint-dir", o.checkpoint_dir,
                   "Directory of checkpoints (chk-<id>/); empty disables checkpoints");
    app.add_option_function<std::string>(
           "--checkpoint-interval",
           [&o](const std::string& v) { o.checkpoint_interval = *parse_duration(v); },
           "Periodic checkpoints, e.g. 10s, 500ms, 2m; 0 = only savepoints on request")
        ->check(duration_check());
    app.add_option("--checkpoints-retained", o.checkpoints_retained,
                   "Completed checkpoints kept in --checkpoint-dir")
        ->check(CLI::Range(size_t{1}, size_t{1000}))
        ->capture_default_str();
    auto* restore = app.add_option(
        "--restore", o.restore,
        "Resume from 'latest' (newest completed checkpoint in --checkpoint-dir) or a checkpoint "
        "directory");
    auto* savepoint = app.add_option("--from-savepoint", o.from_savepoint,
                                     "Start from the savepoint in this directory");
    restore->excludes(savepoint);
    app.add_option("--admin-addr", o.admin_addr,
                   "Admin HTTP address HOST:PORT (/metrics, /v1/status, /v1/savepoints); port 0 "
                   "picks a free one; empty: no admin server")
        ->check(address_check());
    app.add_option("--log-level", o.log_level, "trace, debug, info, warn, error or off")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
        ->capture_default_str();
}

result<void, std::string> validate(const job_options& o) {
    if (o.name.empty()) {
        return unexpected<std::string>{"--name must not be empty"};
    }
    if (o.parallelism == 0) {
        return unexpected<std::string>{"--parallelism must be at least 1"};
    }
    if (o.checkpoints_retained == 0) {
        return unexpected<std::string>{"--checkpoints-retained must be at least 1"};
    }
    if (!o.restore.empty() && !o.from_savepoint.empty()) {
        return unexpected<std::string>{"--restore and --from-savepoint exclude each other"};
    }
    if (o.restore == "latest" && o.checkpoint_dir.empty()) {
        return unexpected<std::string>{"--restore latest needs --checkpoint-dir"};
    }
    if (o.checkpoint_interval.count() > 0 && o.checkpoint_dir.empty()) {
        return unexpected<std::string>{"--checkpoint-interval needs --checkpoint-dir"};
    }
    if (!o.admin_addr.empty()) {
        if (auto a = parse_host_port(o.admin_addr); !a) {
            return unexpected<std::string>{"--admin-addr: " + a.error()};
        }
    }
    if (!set_log_level(o.log_level.c_str())) {
        return unexpected<std::string>{"--log-level: unknown level '" + o.log_level + "'"};
    }
    return {};
}

host::host(job_options o) : o_(std::move(o)) {}

host::~host() = default;

stream::job_config host::config() {
    stream::job_config c;
    c.name = o_.name;
    c.parallelism = o_.parallelism;
    c.checkpoint_dir = o_.checkpoint_dir;
    c.checkpoint_interval = o_.checkpoint_interval;
    c.checkpoints_retained = o_.checkpoints_retained;
    c.metrics = &registry_;
    return c;
}

int host::run(stream::environment& env) {
    const std::string& name = o_.name;
    auto fail = [&](const std::string& why) {
        std::fprintf(stderr, "%s: %s\n", name.c_str(), why.c_str());
        return 1;
    };
    if (auto v = validate(o_); !v) {
        return fail(v.error());
    }
    if (env.config().metrics == nullptr) {
        env.config().metrics = &registry_;
    }

    // SIGINT/SIGTERM are blocked in every thread (the job's and the HTTP server's threads inherit
    // the mask) and taken synchronously by this thread's sigtimedwait below.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    sigset_t old_mask;
    pthread_sigmask(SIG_BLOCK, &stop_signals, &old_mask);
    struct mask_restore {
        sigset_t* old;
        ~mask_restore() { pthread_sigmask(SIG_SETMASK, old, nullptr); }
    } restore_mask{&old_mask};

    stream::run_options ro;
    ro.restore_from = !o_.from_savepoint.empty() ? o_.from_savepoint : o_.restore;
    auto created = env.create_job(ro);
    if (!created) {
        const char* what =
            !o_.from_savepoint.empty() ? "cannot start from savepoint" : "cannot restore";
        return fail(ro.restore_from.empty() ? "cannot create the job: " + created.error().message
                                            : std::string(what) + " " + ro.restore_from + ": " +
                                                  created.error().message);
    }
    stream::job& j = **created;
    if (const auto& from = j.restored_from()) {
        std::fprintf(stderr, "%s: restored from %s (%s %llu)\n", name.c_str(), from->path.c_str(),
                     from->kind.c_str(), static_cast<unsigned long long>(from->id));
    }

    http::server admin;
    if (!o_.admin_addr.empty()) {
        host_port a = *parse_host_port(o_.admin_addr);
        admin.get("/metrics", [this](const http::request&) {
            return http::response{200, "text/plain; version=0.0.4; charset=utf-8",
                                  registry_.render()};
        });
        admin.get("/v1/status", [&j](const http::request&) {
            return json_response(200, status_json(j.status()));
        });
        admin.post("/v1/savepoints",
                   [&j](const http::request& req) { return take_savepoint(j, req.body); });
        if (auto r = admin.start(a.host, a.port); !r) {
            return fail(r.error());
        }
        std::fprintf(stderr, "admin listening on %s:%u\n", a.host.c_str(),
                     static_cast<unsigned>(admin.port()));
        std::fflush(stderr);
    }

    j.start();
    std::atomic<bool> done{false};
    result<void, stream::error> outcome;
    std::thread waiter([&] {
        outcome = j.wait();
        done.store(true);
    });
    bool stop_requested = false;
    while (!done.load()) {
        timespec tick{0, 100'000'000};
        int sig = sigtimedwait(&stop_signals, nullptr, &tick);
        if ((sig == SIGINT || sig == SIGTERM) && !stop_requested) {
            stop_requested = true;
            std::fprintf(stderr, "%s: %s received, cancelling the job\n", name.c_str(),
                         sig == SIGINT ? "SIGINT" : "SIGTERM");
            j.cancel();
        }
    }
    waiter.join();
    admin.stop();
    final_ = j.status();
    if (stop_requested && (outcome || outcome.error().code == stream::errc::cancelled)) {
        std::fprintf(stderr, "%s: stopped on request after %llu checkpoints\n", name.c_str(),
                     static_cast<unsigned long long>(j.completed_checkpoints()));
        return 0;
    }
    if (!outcome) {
        return fail("job failed: " + outcome.error().message);
    }
    std::fprintf(stderr, "%s: done, %llu checkpoints\n", name.c_str(),
                 static_cast<unsigned long long>(j.completed_checkpoints()));
    return 0;
}

}  // namespace otter::jobhost

// github_commits: the platform's first pipeline job — GitHub commit events in, per-repository
// commit counts and per-author sessions out, late and malformed events to a dead-letter topic.
//
// Input: a topic whose record values are JSON commit events, one per record:
//   {"sha": "…", "repo": "owner/name", "author": "login", "timestamp": "2026-11-25T10:00:00Z", …}
// "repo" and "author" must be non-empty strings; "sha" and any other field are ignored. Event
// time comes from "timestamp": ISO-8601 as GitHub writes it, YYYY-MM-DDTHH:MM:SS with optional
// fractional seconds (truncated to milliseconds) and a zone "Z" or an offset ±HH:MM / ±HHMM /
// ±HH (a time without a zone is rejected: it is ambiguous; lowercase t/z and a decimal comma
// are accepted), or a JSON integer of epoch milliseconds, years 0000-9999. Kafka record
// timestamps are not used. A record that is not such an object
// (invalid JSON, a null value, a missing field, a bad timestamp) is malformed: it is skipped,
// counted in github_commits_malformed_records_total, and — with --late-topic — written to the
// dead-letter topic (below). It never fails the job.
//
// Event time and lateness: watermarks are generated per input partition with bounded
// out-of-orderness D (--out-of-orderness, default 5m): after the newest event time M of a
// partition, its watermark is M - D - 1, so an event at most D older than the newest one of its
// partition is on time. The job's watermark is the minimum over partitions; a partition without
// records for 1 minute (processing time) is idle and stops holding it back. A window fires when
// the watermark reaches its end - 1. An event is late for an aggregation when every window it
// would belong to has already fired and is past the allowed lateness L (--allowed-lateness,
// default 0): tumbling windows when window_end - 1 + L <= watermark; sessions when
// ts + gap - 1 + L <= watermark and it touches no session still held. Late events are counted in
// otter_stream_late_records_total{operator="commits_per_repo"|"author_sessions"} and, with
// --late-topic, written there. Within L a fired window takes the event and is emitted again with
// the updated result (consumers keep the last result per key and window).
//
// Output 1 (--counts-topic): commits per repository per tumbling event-time window (--window,
// default 1h, aligned to the epoch), one record per repository and window:
//   key = repo, value = {"repo", "window_start", "window_end", "window_start_ms", "window_end_ms",
//                        "commits"}
// Window bounds are [start, end), as ISO-8601 UTC with milliseconds ("2026-11-25T10:00:00.000Z")
// and as epoch milliseconds.
// Output 2 (--sessions-topic): per-author sessions: a session is a maximal run of an author's
// commits in which consecutive commits are at most --session-gap (default 30m) apart:
//   key = author, value = {"author", "session_start", "session_end", "last_commit",
//                          "session_start_ms", "session_end_ms", "last_commit_ms", "commits",
//                          "repos"}
// session_start is the first commit's time, last_commit the last one's, session_end =
// last_commit + gap (exclusive: the moment the session closes); repos lists the distinct
// repositories, sorted. Commits are counted as they come: a repeated event counts twice.
// Dead-letter (--late-topic, optional): the original record (key and value bytes unchanged) with
// headers otter.reason = "late-for-counts" | "late-for-sessions" | "malformed", otter.source =
// "<topic>/<partition>/<offset>" and, for malformed ones, otter.error = why. An event late for
// both aggregations is written twice, once per reason.
//
// Delivery: checkpoints (--checkpoint-dir, --checkpoint-interval) hold the input offsets, the
// partition watermarks and the window state; the Kafka sinks flush at each checkpoint barrier, so
// every result before a completed checkpoint is in Kafka. At-least-once: a job restored with
// --restore latest (or --from-savepoint) writes the results that followed the checkpoint again,
// whole and with the same values. Restore with the same job flags (windows, gap, lateness): the
// checkpoint checks the graph's shape, not these values. Output record timestamps are the
// producer's time. SIGINT/SIGTERM cancel the job without a further checkpoint (resume with
// --restore latest, which rewrites what followed the last one); the process then prints its
// summary line and exits 0.
//
//   github_commits --brokers B --input T --counts-topic T --sessions-topic T [--late-topic T]
//       [--bounded] [--name N] [--parallelism N] [--checkpoint-dir D] [--checkpoint-interval 10s]
//       [--checkpoints-retained N] [--restore latest|DIR | --from-savepoint DIR]
//       [--admin-addr HOST:PORT]
// The standard job flags and the admin endpoint (/metrics, /v1/status, POST /v1/savepoints,
// `otter job status|savepoint`) come from src/jobhost.
//       [--out-of-orderness 5m] [--window 1h] [--session-gap 30m] [--allowed-lateness 0s]
//       [--record-delay-us US] [--batch-size N]
//
// --bounded stops every partition at the end offset seen at start (then every window and session
// fires); --record-delay-us slows the job down per record and a small --batch-size lets barriers
// and watermarks through often (both for kill-and-restore tests). Durations are an integer and a
// unit: ms, s, m or h.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "connectors/kafka/kafka_sink.h"
#include "connectors/kafka/kafka_source.h"
#include "jobhost/host.h"
#include "metrics/registry.h"
#include "stream/api.h"

using namespace otter;
using namespace otter::stream;
using namespace otter::connectors::kafka;
using namespace std::chrono_literals;

namespace {

// ---- time -----------------------------------------------------------------------------------

// Valid event times: 0000-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
constexpr int64_t min_event_ms = -62167219200000;
constexpr int64_t max_event_ms = 253402300799999;
constexpr int64_t ms_per_day = 86400000;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2 ? 1 : 0;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const int64_t yoe = y - era * 400;
    const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const int64_t doe = z - era * 146097;
    const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const int64_t mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = yoe + era * 400 + (m <= 2 ? 1 : 0);
}

bool leap_year(int64_t y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int64_t days_in_month(int64_t y, int64_t m) {
    static constexpr int64_t days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap_year(y) ? 29 : days[m - 1];
}

// Reads exactly `n` decimal digits at s[i..]; advances i.
bool digits(std::string_view s, size_t& i, size_t n, int64_t& out) {
    if (i + n > s.size()) {
        return false;
    }
    int64_t v = 0;
    for (size_t k = 0; k < n; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '9') {
            return false;
        }
        v = v * 10 + (c - '0');
    }
    i += n;
    out = v;
    return true;
}

bool expect(std::string_view s, size_t& i, char c) {
    if (i < s.size() && s[i] == c) {
        ++i;
        return true;
    }
    return false;
}

// Parses an ISO-8601 date-time with a zone (see the header comment) into epoch milliseconds.
std::optional<int64_t> parse_iso8601(std::string_view s) {
    size_t i = 0;
    int64_t y, mo, d, h, mi, sec;
    if (!digits(s, i, 4, y) || !expect(s, i, '-') || !digits(s, i, 2, mo) || !expect(s, i, '-') ||
        !digits(s, i, 2, d) || !(expect(s, i, 'T') || expect(s, i, 't')) || !digits(s, i, 2, h) ||
        !expect(s, i, ':') || !digits(s, i, 2, mi) || !expect(s, i, ':') || !digits(s, i, 2, sec)) {
        return std::nullopt;
    }
    if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 59) {
        return std::nullopt;
    }
    int64_t frac_ms = 0;
    if (expect(s, i, '.') || expect(s, i, ',')) {
        size_t n = 0;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
            if (n < 3) {
                frac_ms = frac_ms * 10 + (s[i] - '0');
            }
            ++n;
            ++i;
        }
        if (n == 0) {
            return std::nullopt;
        }
        for (size_t k = n; k < 3; ++k)
            frac_ms *= 10;
    }
    int64_t offset_min = 0;
    if (expect(s, i, 'Z') || expect(s, i, 'z')) {
        // UTC
    } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
        const int64_t sign = s[i] == '-' ? -1 : 1;
        ++i;
        int64_t oh = 0, om = 0;
        if (!digits(s, i, 2, oh)) {
            return std::nullopt;
        }
        if (i < s.size()) {
            expect(s, i, ':');
            if (!digits(s, i, 2, om)) {
                return std::nullopt;
            }
        }
        if (oh > 23 || om > 59) {
            return std::nullopt;
        }
        offset_min = sign * (oh * 60 + om);
    } else {
        return std::nullopt;  // no zone
    }
    if (i != s.size()) {
        return std::nullopt;
    }
    const int64_t local =
        days_from_civil(y, mo, d) * ms_per_day + ((h * 60 + mi) * 60 + sec) * 1000 + frac_ms;
    const int64_t utc = local - offset_min * 60000;
    if (utc < min_event_ms || utc > max_event_ms) {
        return std::nullopt;
    }
    return utc;
}

// "2026-11-25T10:00:00.000Z" (UTC, milliseconds).
std::string format_iso8601(int64_t ms) {
    int64_t days = ms / ms_per_day;
    int64_t rem = ms % ms_per_day;
    if (rem < 0) {
        rem += ms_per_day;
        --days;
    }
    int64_t y, m, d;
    civil_from_days(days, y, m, d);
    char buf[96];  // ample for any int64 fields (the compiler cannot see their ranges)
    std::snprintf(buf, sizeof(buf),
                  "%04" PRId64 "-%02" PRId64 "-%02" PRId64 "T%02" PRId64 ":%02" PRId64 ":%02" PRId64
                  ".%03" PRId64 "Z",
                  y, m, d, rem / 3600000, rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
    return buf;
}

// ---- events ---------------------------------------------------------------------------------

// One input record, parsed. Malformed records flow too (error set, no event time) so that the
// dead-letter sink can write them; the original key and value travel along for the same reason.
struct commit_event {
    std::string repo;
    std::string author;
    int64_t ts = 0;     // event time, epoch ms
    std::string error;  // non-empty: malformed, and why
    int32_t partition = 0;
    int64_t offset = 0;
    std::optional<std::string> key;
    std::optional<std::string> value;
    auto members() { return std::tie(repo, author, ts, error, partition, offset, key, value); }
};

// Fills e from j; returns the reason it is malformed, or an empty string.
std::string read_commit(const nlohmann::json& j, commit_event& e) {
    if (!j.is_object()) {
        return "not a JSON object";
    }
    auto str = [&](const char* field, std::string& out) {
        auto it = j.find(field);
        if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
            return false;
        }
        out = it->get<std::string>();
        return true;
    };
    if (!str("repo", e.repo)) {
        return "\"repo\" is missing or not a non-empty string";
    }
    if (!str("author", e.author)) {
        return "\"author\" is missing or not a non-empty string";
    }
    auto t = j.find("timestamp");
    if (t == j.end()) {
        return "\"timestamp\" is missing";
    }
    if (t->is_string()) {
        auto ms = parse_iso8601(t->get_ref<const std::string&>());
        if (!ms) {
            return "\"timestamp\" is not an ISO-8601 date-time with a zone";
        }
        e.ts = *ms;
    } else if (t->is_number_unsigned()) {
        uint64_t v = t->get<uint64_t>();
        if (v > static_cast<uint64_t>(max_event_ms)) {
            return "\"timestamp\" is out of range";
        }
        e.ts = static_cast<int64_t>(v);
    } else if (t->is_number_integer()) {
        int64_t v = t->get<int64_t>();
        if (v < min_event_ms || v > max_event_ms) {
            return "\"timestamp\" is out of range";
        }
        e.ts = v;
    } else {
        return "\"timestamp\" is neither an ISO-8601 string nor integer epoch milliseconds";
    }
    return {};
}

// The source's record format: never rejects a record (malformed ones carry `error`).
bool parse_commit(const rd_kafka_message_t& m, commit_event& e, metrics::counter& malformed) {
    e.partition = m.partition;
    e.offset = m.offset;
    if (m.key != nullptr) {
        e.key.emplace(static_cast<const char*>(m.key), m.key_len);
    }
    if (m.payload == nullptr) {
        e.error = "null value";
    } else {
        const char* p = static_cast<const char*>(m.payload);
        e.value.emplace(p, m.len);
        try {
            auto j = nlohmann::json::parse(p, p + m.len, nullptr, /*allow_exceptions=*/false);
            e.error = j.is_discarded() ? std::string("not valid JSON") : read_commit(j, e);
        } catch (const nlohmann::json::exception& ex) {
            e.error = std::string("not valid JSON: ") + ex.what();
        }
    }
    if (!e.error.empty()) {
        malformed.inc();
    }
    return true;
}

// ---- aggregations ---------------------------------------------------------------------------

struct session_summary {
    int64_t commits = 0;
    std::vector<std::string> repos;  // distinct, sorted
    auto members() { return std::tie(commits, repos); }
    bool operator==(const session_summary&) const = default;
};

void add_repo(std::vector<std::string>& repos, const std::string& r) {
    auto it = std::lower_bound(repos.begin(), repos.end(), r);
    if (it == repos.end() || *it != r) {
        repos.insert(it, r);
    }
}

struct session_agg {
    using acc_type = session_summary;
    session_summary create() const { return {}; }
    void add(session_summary& a, const commit_event& e) const {
        ++a.commits;
        add_repo(a.repos, e.repo);
    }
    const session_summary& result(const session_summary& a) const { return a; }
    void merge(session_summary& a, const session_summary& b) const {
        a.commits += b.commits;
        for (const auto& r : b.repos)
            add_repo(a.repos, r);
    }
};

using count_result = window_result<std::string, int64_t>;
using session_result = window_result<std::string, session_summary>;

std::string dump(const nlohmann::ordered_json& j) {
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// ---- flags ----------------------------------------------------------------------------------

// The flags of this job.
struct opts {
    std::string brokers = "127.0.0.1:9092";
    std::string input;
    std::string counts_topic;
    std::string sessions_topic;
    std::string late_topic;
    bool bounded = false;
    millis out_of_orderness = 5min;
    millis window = 1h;
    millis session_gap = 30min;
    millis allowed_lateness{0};
    millis idleness = 1min;
    int64_t record_delay_us = 0;
    size_t batch_size = default_batch_size;
};

CLI::Option* add_duration(CLI::App& app, const std::string& name, millis& out,
                          const std::string& help, bool positive) {
    return app
        .add_option_function<std::string>(
            name,
            [name, &out, positive](const std::string& s) {
                auto d = jobhost::parse_duration(s);
                if (!d || d->count() > max_event_ms || (positive && d->count() == 0)) {
                    throw CLI::ValidationError(
                        name, "'" + s + "' is not a " + (positive ? "positive " : "") +
                                  "duration (an integer and ms, s, m or h, e.g. 500ms, 10s, 5m)");
                }
                out = *d;
            },
            help)
        ->type_name("DURATION");
}

void add_opts(CLI::App& app, opts& o) {
    app.add_option("--brokers", o.brokers, "Kafka bootstrap servers")->capture_default_str();
    app.add_option("--input", o.input, "Topic of JSON commit events")->required();
    app.add_option("--counts-topic", o.counts_topic, "Topic of commits per repo and window")
        ->required();
    app.add_option("--sessions-topic", o.sessions_topic, "Topic of per-author sessions")
        ->required();
    app.add_option("--late-topic", o.late_topic,
                   "Dead-letter topic for late and malformed events (none: only counted)");
    app.add_flag("--bounded", o.bounded, "Stop at the end offsets seen at start");
    add_duration(app, "--out-of-orderness", o.out_of_orderness,
                 "How much older than the newest event of its partition an event may be", false)
        ->default_str("5m");
    add_duration(app, "--window", o.window, "Tumbling window size", true)->default_str("1h");
    add_duration(app, "--session-gap", o.session_gap, "Session gap", true)->default_str("30m");
    add_duration(app, "--allowed-lateness", o.allowed_lateness,
                 "How long fired windows still take late events", false)
        ->default_str("0s");
    app.add_option("--record-delay-us", o.record_delay_us, "Sleep per record (tests)")
        ->check(CLI::Range(int64_t{0}, int64_t{10000000}));
    app.add_option("--batch-size", o.batch_size, "Records per batch")
        ->check(CLI::Range(size_t{1}, size_t{1} << 20))
        ->capture_default_str();
}

// ---- the job graph ----------------------------------------------------------------------------

// Adds the pipeline to `env`: source → parse → {commits per repo window, author sessions} →
// Kafka topics, late/malformed → dead-letter. Fails (a sentence) when the input topic cannot be
// looked up.
result<void, std::string> build(environment& env, const opts& o) {
    // shared_ptr: the counter outlives build() in the source's format function when the
    // environment has no metrics registry.
    std::shared_ptr<metrics::counter> own_malformed;
    metrics::counter* malformed;
    if (env.config().metrics != nullptr) {
        malformed = &env.config().metrics->get_counter(
            "github_commits_malformed_records_total",
            "Input records that are not valid commit events (skipped)",
            {{"job", env.config().name}});
    } else {
        own_malformed = std::make_shared<metrics::counter>();
        malformed = own_malformed.get();
    }

    kafka_source_config in;
    in.brokers = o.brokers;
    in.topic = o.input;
    in.stop = o.bounded ? stop_mode::latest_at_start : stop_mode::unbounded;
    auto src = kafka_source<commit_event>::create(
        in, [malformed, own_malformed](const rd_kafka_message_t& m, commit_event& e) {
            return parse_commit(m, e, *malformed);
        });
    if (!src) {
        return unexpected<std::string>{src.error()};
    }

    auto sink_cfg = [&](const std::string& topic) {
        kafka_sink_config c;
        c.brokers = o.brokers;
        c.topic = topic;
        return c;
    };
    auto dead_letter = [&](std::string reason) {
        std::string topic = o.input;
        return std::make_shared<kafka_sink<commit_event>>(
            sink_cfg(o.late_topic), [reason, topic](const commit_event& e) {
                kafka_output k;
                k.key = e.key;
                k.value = e.value;
                k.headers.emplace_back("otter.reason", reason);
                k.headers.emplace_back("otter.source", topic + "/" + std::to_string(e.partition) +
                                                           "/" + std::to_string(e.offset));
                if (!e.error.empty()) {
                    k.headers.emplace_back("otter.error", e.error);
                }
                return k;
            });
    };
    const bool dead_letters = !o.late_topic.empty();

    auto ws = watermark_strategy<commit_event>{}
                  .with_timestamps([](const commit_event& e) {
                      // Malformed records have no event time: they must not move watermarks.
                      return e.error.empty() ? e.ts : min_timestamp;
                  })
                  .with_out_of_orderness(o.out_of_orderness)
                  .with_idleness(o.idleness);
    auto events = env.from_source<commit_event>(*src, ws, 0, "commits");

    const int64_t delay_us = o.record_delay_us;
    auto valid = events.filter(
        [delay_us](const commit_event& e) {
            if (delay_us > 0) {
                std::this_thread::sleep_for(std::chrono::microseconds(delay_us));
            }
            return e.error.empty();
        },
        "valid");
    if (dead_letters) {
        events.filter([](const commit_event& e) { return !e.error.empty(); }, "malformed")
            .sink(dead_letter("malformed"), "malformed_sink");
    }

    // Output 1: commits per repo per tumbling window.
    output_tag<commit_event> late_counts("late_counts");
    auto per_repo =
        valid.key_by([](const commit_event& e) { return e.repo; }).window(tumbling(o.window));
    per_repo.allowed_lateness(o.allowed_lateness).side_output_late_data(late_counts);
    auto counts = per_repo.aggregate(count_agg{}, "commits_per_repo");
    counts.sink(std::make_shared<kafka_sink<count_result>>(
                    sink_cfg(o.counts_topic),
                    [](const count_result& r) {
                        nlohmann::ordered_json v;
                        v["repo"] = r.key;
                        v["window_start"] = format_iso8601(r.window.start);
                        v["window_end"] = format_iso8601(r.window.end);
                        v["window_start_ms"] = r.window.start;
                        v["window_end_ms"] = r.window.end;
                        v["commits"] = r.value;
                        kafka_output k;
                        k.key = r.key;
                        k.value = dump(v);
                        return k;
                    }),
                "counts_sink");
    if (dead_letters) {
        counts.side_output(late_counts).sink(dead_letter("late-for-counts"), "late_counts_sink");
    }

    // Output 2: per-author sessions.
    output_tag<commit_event> late_sessions("late_sessions");
    auto per_author =
        valid.key_by([](const commit_event& e) { return e.author; }).window(session(o.session_gap));
    per_author.allowed_lateness(o.allowed_lateness).side_output_late_data(late_sessions);
    auto sessions = per_author.aggregate(session_agg{}, "author_sessions");
    const int64_t gap = o.session_gap.count();
    sessions.sink(std::make_shared<kafka_sink<session_result>>(
                      sink_cfg(o.sessions_topic),
                      [gap](const session_result& r) {
                          const int64_t last = r.window.end - gap;
                          nlohmann::ordered_json v;
                          v["author"] = r.key;
                          v["session_start"] = format_iso8601(r.window.start);
                          v["session_end"] = format_iso8601(r.window.end);
                          v["last_commit"] = format_iso8601(last);
                          v["session_start_ms"] = r.window.start;
                          v["session_end_ms"] = r.window.end;
                          v["last_commit_ms"] = last;
                          v["commits"] = r.value.commits;
                          v["repos"] = r.value.repos;
                          kafka_output k;
                          k.key = r.key;
                          k.value = dump(v);
                          return k;
                      }),
                  "sessions_sink");
    if (dead_letters) {
        sessions.side_output(late_sessions)
            .sink(dead_letter("late-for-sessions"), "late_sessions_sink");
    }
    return {};
}

// Sums a counter family's samples whose labels include `label` (e.g. operator="x").
uint64_t counter_total(const metrics::registry& reg, const std::string& name,
                       const std::string& label) {
    uint64_t total = 0;
    std::string text = reg.render();
    size_t pos = 0;
    while (pos < text.size()) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string::npos) {
            eol = text.size();
        }
        std::string_view line(text.data() + pos, eol - pos);
        pos = eol + 1;
        if (line.substr(0, name.size()) != name || line.size() <= name.size() ||
            (line[name.size()] != '{' && line[name.size()] != ' ') ||
            (!label.empty() && line.find(label) == std::string_view::npos)) {
            continue;
        }
        size_t sp = line.rfind(' ');
        double v = std::strtod(std::string(line.substr(sp + 1)).c_str(), nullptr);
        total += static_cast<uint64_t>(v);
    }
    return total;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "github_commits: commits per repository and window, and per-author sessions, "
        "from a topic of GitHub commit events"};
    jobhost::job_options f{.name = "github_commits"};
    opts o;
    jobhost::add_job_flags(app, f);
    add_opts(app, o);
    CLI11_PARSE(app, argc, argv);

    // The host restores (--restore / --from-savepoint), serves --admin-addr (/metrics,
    // /v1/status, POST /v1/savepoints) and turns SIGINT/SIGTERM into a cancel.
    jobhost::host h(f);
    job_config cfg = h.config();
    cfg.batch_size = o.batch_size;
    environment env(cfg);
    if (auto r = build(env, o); !r) {
        std::fprintf(stderr, "github_commits: %s\n", r.error().c_str());
        return 1;
    }
    int rc = h.run(env);
    const auto& st = h.final_status();
    if (rc != 0 || !st) {
        return rc != 0 ? rc : 1;
    }
    const auto& reg = h.metrics();
    std::fprintf(
        stderr,
        "github_commits: %s, %llu checkpoints, %llu malformed, late for counts %llu, late for "
        "sessions %llu\n",
        st->state == job_state::cancelled ? "stopped by signal" : "done",
        static_cast<unsigned long long>(st->checkpoints.completed),
        static_cast<unsigned long long>(
            counter_total(reg, "github_commits_malformed_records_total", "")),
        static_cast<unsigned long long>(
            counter_total(reg, "otter_stream_late_records_total", "operator=\"commits_per_repo\"")),
        static_cast<unsigned long long>(
            counter_total(reg, "otter_stream_late_records_total", "operator=\"author_sessions\"")));
    return 0;
}

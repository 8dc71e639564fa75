// `otter nexmark generate|run`: see nexmark_cmd.h. Event and result formats are described in
// src/nexmark/README.md ("otter nexmark").
#include "app/nexmark_cmd.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "app/cli/commands.h"
#include "app/cli/format.h"
#include "app/cli/kafka_client.h"
#include "base/process_usage.h"
#include "connectors/parquet/writer.h"
#include "nexmark/queries.h"

namespace otter::app {

namespace {

namespace nx = otter::nexmark;
using std::chrono::milliseconds;

int fail(std::string_view msg) {
    std::fprintf(stderr, "error: %.*s\n", static_cast<int>(msg.size()), msg.data());
    return 1;
}

// ---- the generator configuration both commands share -----------------------------------------

// What selects the events. The same values give the same events in `generate` and `run`, whatever
// `run`'s parallelism: the generator instances are the source's splits, not its subtasks.
struct event_options {
    int64_t events = 0;
    double rate = 10'000'000;
    uint64_t seed = 1;
    uint32_t generators = 1;
};

void add_event_options(CLI::App& cmd, event_options& o) {
    cmd.add_option("--events", o.events, "Number of events (persons, auctions and bids)")
        ->required()
        ->check(CLI::Range(int64_t{1}, int64_t{1} << 50));
    cmd.add_option("--rate", o.rate,
                   "Event-time rate, events per second over all generators (sets timestamps, "
                   "not speed)")
        ->capture_default_str();
    cmd.add_option("--seed", o.seed, "Seed of the generator's random strings and prices")
        ->capture_default_str();
    cmd.add_option("--generators", o.generators,
                   "Generator instances (source splits) sharing one timeline; part of the event "
                   "definition: use the same value for generate and run")
        ->check(CLI::Range(1u, 1024u))
        ->capture_default_str();
}

result<nx::generator_config, std::string> make_config(const event_options& o) {
    if (!(o.rate > 0) || !std::isfinite(o.rate) || o.rate > 1e12) {
        return unexpected{std::string("--rate must be a positive number of events per second")};
    }
    nx::generator_config cfg;
    cfg.event_rate = o.rate;
    cfg.num_event_generators = o.generators;
    cfg.max_events = o.events;
    cfg.seed = o.seed;
    return cfg;
}

// ---- JSON ------------------------------------------------------------------------------------

void append_int(std::string& out, int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Event time as Flink's JSON format writes and reads TIMESTAMP(3) ('SQL' standard):
// "2023-11-14 22:13:20.000", UTC. The date/time part is cached per second.
class sql_timestamp_formatter {
  public:
    void append(std::string& out, int64_t ms) {
        int64_t sec = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
        int64_t frac = ms - sec * 1000;
        if (sec != cached_sec_) {
            std::time_t t = static_cast<std::time_t>(sec);
            std::tm tm{};
            gmtime_r(&t, &tm);
            char buf[40];
            int n =
                std::snprintf(buf, sizeof buf, "%04d-%02d-%02d %02d:%02d:%02d", tm.tm_year + 1900,
                              tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
            cached_.assign(buf, static_cast<size_t>(n));
            cached_sec_ = sec;
        }
        out += '"';
        out += cached_;
        char f[5] = {'.', static_cast<char>('0' + frac / 100),
                     static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10),
                     '"'};
        out.append(f, sizeof f);
    }

  private:
    int64_t cached_sec_ = INT64_MIN;
    std::string cached_;
};

// One event in the shape of nexmark/nexmark's Kafka table (ddl_kafka.sql, 'format' = 'json'):
// {"event_type":2,"person":null,"auction":null,"bid":{"auction":...,"dateTime":"...",...}}.
class event_json_encoder {
  public:
    void append(std::string& out, const nx::event& e) {
        out += "{\"event_type\":";
        append_int(out, static_cast<int>(e.type()));
        out += ",\"person\":";
        if (e.is_person()) {
            const auto& p = e.as_person();
            out += "{\"id\":";
            append_int(out, p.id);
            str(out, ",\"name\":", p.name);
            str(out, ",\"emailAddress\":", p.email_address);
            str(out, ",\"creditCard\":", p.credit_card);
            str(out, ",\"city\":", p.city);
            str(out, ",\"state\":", p.state);
            out += ",\"dateTime\":";
            ts_.append(out, p.date_time);
            str(out, ",\"extra\":", p.extra);
            out += '}';
        } else {
            out += "null";
        }
        out += ",\"auction\":";
        if (e.is_auction()) {
            const auto& a = e.as_auction();
            out += "{\"id\":";
            append_int(out, a.id);
            str(out, ",\"itemName\":", a.item_name);
            str(out, ",\"description\":", a.description);
            out += ",\"initialBid\":";
            append_int(out, a.initial_bid);
            out += ",\"reserve\":";
            append_int(out, a.reserve);
            out += ",\"dateTime\":";
            ts_.append(out, a.date_time);
            out += ",\"expires\":";
            ts_.append(out, a.expires);
            out += ",\"seller\":";
            append_int(out, a.seller);
            out += ",\"category\":";
            append_int(out, a.category);
            str(out, ",\"extra\":", a.extra);
            out += '}';
        } else {
            out += "null";
        }
        out += ",\"bid\":";
        if (e.is_bid()) {
            const auto& b = e.as_bid();
            out += "{\"auction\":";
            append_int(out, b.auction);
            out += ",\"bidder\":";
            append_int(out, b.bidder);
            out += ",\"price\":";
            append_int(out, b.price);
            str(out, ",\"channel\":", b.channel);
            str(out, ",\"url\":", b.url);
            out += ",\"dateTime\":";
            ts_.append(out, b.date_time);
            str(out, ",\"extra\":", b.extra);
            out += '}';
        } else {
            out += "null";
        }
        out += '}';
    }

  private:
    static void str(std::string& out, std::string_view key, std::string_view v) {
        out += key;
        cli::append_json_string(out, v);
    }
    sql_timestamp_formatter ts_;
};

// A result cell as JSON: integers and booleans as numbers/literals, floating point in the
// shortest form that reads back exactly (non-finite: null), strings escaped, optionals as null.
template <typename T>
struct is_optional : std::false_type {};
template <typename T>
struct is_optional<std::optional<T>> : std::true_type {};

template <typename V>
void append_json_value(std::string& out, const V& v) {
    if constexpr (std::is_same_v<V, bool>) {
        out += v ? "true" : "false";
    } else if constexpr (std::is_integral_v<V>) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v);
        out.append(buf, r.ptr);
    } else if constexpr (std::is_floating_point_v<V>) {
        if (!std::isfinite(v)) {
            out += "null";
        } else {
            char buf[32];
            auto r = std::to_chars(buf, buf + sizeof buf, v);
            out.append(buf, r.ptr);
        }
    } else if constexpr (std::is_convertible_v<const V&, std::string_view>) {
        cli::append_json_string(out, v);
    } else if constexpr (is_optional<V>::value) {
        if (v) {
            append_json_value(out, *v);
        } else {
            out += "null";
        }
    } else {
        static_assert(!sizeof(V*), "no JSON encoding for this result member type");
    }
}

// A result row as one JSON object, keys = Row::fields, values = Row::members() in order.
template <typename Row>
void append_row_json(std::string& out, Row& row) {
    auto members = row.members();
    static_assert(std::tuple_size_v<decltype(members)> == Row::fields.size(),
                  "Row::fields must name every member of Row::members()");
    out += '{';
    std::apply(
        [&](const auto&... m) {
            size_t i = 0;
            ((out += (i == 0 ? "" : ","), cli::append_json_string(out, Row::fields[i]), out += ':',
              append_json_value(out, m), ++i),
             ...);
        },
        members);
    out += "}\n";
}

// ---- files -----------------------------------------------------------------------------------

// An output file (or stdout) written through stdio; close() reports any write error.
// Not thread-safe.
class text_output {
  public:
    static result<std::unique_ptr<text_output>, std::string> open(const std::string& path) {
        if (path.empty() || path == "-") {
            return std::unique_ptr<text_output>(new text_output(stdout, "stdout", false));
        }
        std::FILE* f = std::fopen(path.c_str(), "wb");
        if (f == nullptr) {
            return unexpected{"cannot create " + path + ": " + std::strerror(errno)};
        }
        return std::unique_ptr<text_output>(new text_output(f, path, true));
    }
    ~text_output() {
        if (owned_ && f_ != nullptr) {
            std::fclose(f_);
        }
    }
    text_output(const text_output&) = delete;
    text_output& operator=(const text_output&) = delete;

    bool write(std::string_view s) {
        if (failed_errno_ == 0 && std::fwrite(s.data(), 1, s.size(), f_) != s.size()) {
            failed_errno_ = errno != 0 ? errno : EIO;
        }
        return failed_errno_ == 0;
    }
    result<void, std::string> close() {
        if (std::fflush(f_) != 0 && failed_errno_ == 0) {
            failed_errno_ = errno;
        }
        if (owned_) {
            if (std::fclose(f_) != 0 && failed_errno_ == 0) {
                failed_errno_ = errno;
            }
            f_ = nullptr;
        }
        if (failed_errno_ != 0) {
            return unexpected{"writing " + name_ + " failed: " + std::strerror(failed_errno_)};
        }
        return {};
    }
    const std::string& name() const { return name_; }

  private:
    text_output(std::FILE* f, std::string name, bool owned)
        : f_(f), name_(std::move(name)), owned_(owned) {}
    std::FILE* f_;
    std::string name_;
    bool owned_;
    int failed_errno_ = 0;
};

// ---- generate --------------------------------------------------------------------------------

// Where `generate` puts events. Not thread-safe (the command is single-threaded).
class event_sink {
  public:
    virtual ~event_sink() = default;
    virtual result<void, std::string> write(const nx::event& e) = 0;
    virtual result<void, std::string> close() = 0;
};

class jsonl_event_sink final : public event_sink {
  public:
    explicit jsonl_event_sink(std::unique_ptr<text_output> out) : out_(std::move(out)) {}
    result<void, std::string> write(const nx::event& e) override {
        enc_.append(buf_, e);
        buf_ += '\n';
        if (buf_.size() >= (1u << 20)) {
            return flush();
        }
        return {};
    }
    result<void, std::string> close() override {
        if (auto r = flush(); !r) {
            return r;
        }
        return out_->close();
    }

  private:
    result<void, std::string> flush() {
        bool ok = out_->write(buf_);
        buf_.clear();
        if (!ok) {
            return out_->close();  // reports the error
        }
        return {};
    }
    std::unique_ptr<text_output> out_;
    event_json_encoder enc_;
    std::string buf_;
};

// person.parquet, auction.parquet and bid.parquet with the columns of nexmark/nexmark's views
// (ddl_views.sql), times as TIMESTAMP (microseconds, no zone; whole milliseconds).
class parquet_event_sink final : public event_sink {
  public:
    static result<std::unique_ptr<parquet_event_sink>, std::string> create(const std::string& dir) {
        std::error_code ec;
        std::filesystem::create_directories(dir, ec);
        if (ec) {
            return unexpected{"cannot create directory " + dir + ": " + ec.message()};
        }
        using parquet::column_type;
        auto col = [](std::string name, int32_t id, column_type t) {
            return parquet::column_spec{
                .name = std::move(name), .field_id = id, .type = t, .required = true};
        };
        const auto i64 = column_type::int64, str = column_type::string, ts = column_type::timestamp;
        std::unique_ptr<parquet_event_sink> s(new parquet_event_sink);
        struct table {
            const char* file;
            std::vector<parquet::column_spec> cols;
            std::unique_ptr<parquet::file_writer>* into;
        } tables[] = {
            {"person.parquet",
             {col("id", 1, i64), col("name", 2, str), col("emailAddress", 3, str),
              col("creditCard", 4, str), col("city", 5, str), col("state", 6, str),
              col("dateTime", 7, ts), col("extra", 8, str)},
             &s->person_},
            {"auction.parquet",
             {col("id", 1, i64), col("itemName", 2, str), col("description", 3, str),
              col("initialBid", 4, i64), col("reserve", 5, i64), col("dateTime", 6, ts),
              col("expires", 7, ts), col("seller", 8, i64), col("category", 9, i64),
              col("extra", 10, str)},
             &s->auction_},
            {"bid.parquet",
             {col("auction", 1, i64), col("bidder", 2, i64), col("price", 3, i64),
              col("channel", 4, str), col("url", 5, str), col("dateTime", 6, ts),
              col("extra", 7, str)},
             &s->bid_},
        };
        for (auto& t : tables) {
            std::string path = (std::filesystem::path(dir) / t.file).string();
            auto out = parquet::open_file_output(path, /*exclusive=*/true);
            if (!out) {
                return unexpected{out.error()};
            }
            auto w = parquet::file_writer::create(std::move(t.cols), parquet::writer_options{},
                                                  std::move(*out));
            if (!w) {
                return unexpected{path + ": " + w.error()};
            }
            *t.into = std::move(*w);
        }
        return s;
    }

    result<void, std::string> write(const nx::event& e) override {
        switch (e.type()) {
            case nx::event_type::person: {
                const auto& p = e.as_person();
                auto& w = *person_;
                w.column<int64_t>(0).append(p.id);
                w.byte_array(1).append(p.name);
                w.byte_array(2).append(p.email_address);
                w.byte_array(3).append(p.credit_card);
                w.byte_array(4).append(p.city);
                w.byte_array(5).append(p.state);
                w.column<int64_t>(6).append(micros(p.date_time));
                w.byte_array(7).append(p.extra);
                return rows(w, persons_);
            }
            case nx::event_type::auction: {
                const auto& a = e.as_auction();
                auto& w = *auction_;
                w.column<int64_t>(0).append(a.id);
                w.byte_array(1).append(a.item_name);
                w.byte_array(2).append(a.description);
                w.column<int64_t>(3).append(a.initial_bid);
                w.column<int64_t>(4).append(a.reserve);
                w.column<int64_t>(5).append(micros(a.date_time));
                w.column<int64_t>(6).append(micros(a.expires));
                w.column<int64_t>(7).append(a.seller);
                w.column<int64_t>(8).append(a.category);
                w.byte_array(9).append(a.extra);
                return rows(w, auctions_);
            }
            case nx::event_type::bid: {
                const auto& b = e.as_bid();
                auto& w = *bid_;
                w.column<int64_t>(0).append(b.auction);
                w.column<int64_t>(1).append(b.bidder);
                w.column<int64_t>(2).append(b.price);
                w.byte_array(3).append(b.channel);
                w.byte_array(4).append(b.url);
                w.column<int64_t>(5).append(micros(b.date_time));
                w.byte_array(6).append(b.extra);
                return rows(w, bids_);
            }
        }
        return {};
    }

    result<void, std::string> close() override {
        for (auto* w : {&person_, &auction_, &bid_}) {
            if (auto r = (*w)->end_rows(); !r) {
                return r;
            }
            if (auto r = (*w)->close(); !r) {
                return unexpected{r.error()};
            }
        }
        return {};
    }

  private:
    parquet_event_sink() = default;
    static int64_t micros(int64_t ms) { return ms * 1000; }
    // Row-group limits are only checked in end_rows(): call it every few thousand rows.
    static result<void, std::string> rows(parquet::file_writer& w, int64_t& n) {
        if (++n % 4096 == 0) {
            return w.end_rows();
        }
        return {};
    }

    std::unique_ptr<parquet::file_writer> person_, auction_, bid_;
    int64_t persons_ = 0, auctions_ = 0, bids_ = 0;
};

// One JSON event per Kafka record (null key, the default partitioner), acks=all; close() waits
// for every delivery report.
class kafka_event_sink final : public event_sink {
  public:
    static result<std::unique_ptr<kafka_event_sink>, std::string> create(
        const cli::client_options& opts, const std::string& topic) {
        auto client = cli::kafka_client::create(
            RD_KAFKA_PRODUCER, opts,
            {{"acks", "all"},
             {"linger.ms", "20"},
             {"message.timeout.ms", std::to_string(opts.timeout().count())}});
        if (!client) {
            return unexpected{client.error()};
        }
        auto md = client->metadata("looking up topic '" + topic + "'");
        if (!md) {
            return unexpected{md.error()};
        }
        const rd_kafka_metadata_topic_t* t = cli::find_topic(**md, topic);
        if (t == nullptr || t->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART) {
            return unexpected{"topic '" + topic +
                              "' does not exist; create it with `otter topic "
                              "create " +
                              topic + "`"};
        }
        std::unique_ptr<kafka_event_sink> s(new kafka_event_sink(std::move(*client), topic));
        s->client_.state().on_delivery = [p = s.get()](const rd_kafka_message_t& m) {
            ++p->reports_;
            if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR && p->first_error_ == 0) {
                p->first_error_ = m.err;
                p->first_error_text_ = rd_kafka_message_errstr(&m);
            }
            if (m.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
                ++p->failed_;
            }
        };
        return s;
    }

    result<void, std::string> write(const nx::event& e) override {
        buf_.clear();
        enc_.append(buf_, e);
        rd_kafka_t* rk = client_.get();
        while (true) {
            rd_kafka_resp_err_t err = rd_kafka_producev(
                rk, RD_KAFKA_V_TOPIC(topic_.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                RD_KAFKA_V_VALUE(buf_.data(), buf_.size()), RD_KAFKA_V_END);
            if (err == RD_KAFKA_RESP_ERR_NO_ERROR) {
                ++sent_;
                break;
            }
            if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                rd_kafka_poll(rk, 100);  // let deliveries drain the local queue
                continue;
            }
            return unexpected{client_.explain("producing to topic '" + topic_ + "'", err)};
        }
        rd_kafka_poll(rk, 0);
        if (failed_ > 0) {
            return unexpected{delivery_error()};
        }
        return {};
    }

    result<void, std::string> close() override {
        // Every queued record gets a report within message.timeout.ms.
        rd_kafka_flush(client_.get(), client_.options().timeout_ms() + 5000);
        if (reports_ < sent_) {
            failed_ += sent_ - reports_;
            if (first_error_ == 0) {
                first_error_ = RD_KAFKA_RESP_ERR__MSG_TIMED_OUT;
                first_error_text_ = rd_kafka_err2str(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT);
            }
        }
        if (failed_ > 0) {
            return unexpected{delivery_error()};
        }
        return {};
    }

  private:
    kafka_event_sink(cli::kafka_client client, std::string topic)
        : topic_(std::move(topic)), client_(std::move(client)) {}
    std::string delivery_error() const {
        return client_.explain(
            "delivering " + std::to_string(failed_) + " of " + std::to_string(sent_) + " events",
            static_cast<rd_kafka_resp_err_t>(first_error_), first_error_text_);
    }

    std::string topic_;
    event_json_encoder enc_;
    std::string buf_;
    int64_t sent_ = 0, reports_ = 0, failed_ = 0;  // reports arrive on this thread (poll/flush)
    int first_error_ = 0;
    std::string first_error_text_;
    // Last: destroyed first, before the counters its delivery callback writes.
    cli::kafka_client client_;
};

struct generate_args {
    event_options ev;
    std::string format = "jsonl";
    std::string out;
    std::string topic;
    cli::client_options client;
};

int run_generate(const generate_args& a) {
    auto cfg = make_config(a.ev);
    if (!cfg) {
        return fail(cfg.error());
    }
    std::unique_ptr<event_sink> sink;
    if (!a.topic.empty()) {
        if (!a.out.empty() || a.format != "jsonl") {
            return fail(
                "--topic writes JSON events to Kafka; it cannot be combined with --out or "
                "--format parquet");
        }
        auto s = kafka_event_sink::create(a.client, a.topic);
        if (!s) {
            return fail(s.error());
        }
        sink = std::move(*s);
    } else if (a.format == "parquet") {
        if (a.out.empty() || a.out == "-") {
            return fail(
                "--format parquet needs --out DIR (it writes person.parquet, "
                "auction.parquet and bid.parquet there)");
        }
        auto s = parquet_event_sink::create(a.out);
        if (!s) {
            return fail(s.error());
        }
        sink = std::move(*s);
    } else {
        auto o = text_output::open(a.out);
        if (!o) {
            return fail(o.error());
        }
        sink = std::make_unique<jsonl_event_sink>(std::move(*o));
    }

    // The instances in turn, one event each: they share one timeline, so the output is in
    // event-time order up to the generator's own out-of-orderness.
    std::vector<nx::generator> gens;
    for (const auto& inst : nx::split_instances(*cfg)) {
        gens.emplace_back(*cfg, inst);
    }
    nx::event e;
    int64_t ts = 0;
    int64_t counts[3] = {0, 0, 0};
    for (bool any = true; any;) {
        any = false;
        for (auto& g : gens) {
            if (!g.has_next()) {
                continue;
            }
            any = true;
            g.next(e, ts);
            ++counts[static_cast<int>(e.type())];
            if (auto r = sink->write(e); !r) {
                return fail(r.error());
            }
        }
    }
    if (auto r = sink->close(); !r) {
        return fail(r.error());
    }
    std::fprintf(stderr, "generated %lld events: %lld persons, %lld auctions, %lld bids\n",
                 static_cast<long long>(counts[0] + counts[1] + counts[2]),
                 static_cast<long long>(counts[0]), static_cast<long long>(counts[1]),
                 static_cast<long long>(counts[2]));
    return 0;
}

// ---- run -------------------------------------------------------------------------------------

// "10s", "500ms", "2m", "1.5s"; "0" (or "0s") = off.
result<milliseconds, std::string> parse_interval(std::string_view s) {
    auto bad = [&] {
        return unexpected{
            "--checkpoint-interval: expected a duration like 10s, 500ms or 1m, got '" +
            std::string(s) + "'"};
    };
    size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) != 0 || s[i] == '.')) {
        ++i;
    }
    if (i == 0) {
        return bad();
    }
    std::string num(s.substr(0, i));
    std::string_view unit = s.substr(i);
    char* end = nullptr;
    double v = std::strtod(num.c_str(), &end);
    if (end != num.c_str() + num.size() || !std::isfinite(v)) {
        return bad();
    }
    double ms;
    if (unit == "ms") {
        ms = v;
    } else if (unit == "s") {
        ms = v * 1000;
    } else if (unit == "m" || unit == "min") {
        ms = v * 60'000;
    } else if (unit.empty() && v == 0) {
        ms = 0;
    } else {
        return bad();
    }
    if (ms > 86'400'000.0 * 365) {
        return bad();
    }
    return milliseconds(static_cast<int64_t>(std::llround(ms)));
}

// Result rows as JSON lines into one file, from every sink subtask: each writer formats into
// its own buffer and appends whole buffers under the file's mutex. Not transactional (a `run`
// never restores, so every record is written exactly once). Thread-safe.
class row_file {
  public:
    explicit row_file(std::unique_ptr<text_output> out) : out_(std::move(out)) {}
    void append(std::string_view s) {
        std::lock_guard lk(mu_);
        out_->write(s);
    }
    result<void, std::string> close() {
        std::lock_guard lk(mu_);
        return out_->close();
    }

  private:
    std::mutex mu_;
    std::unique_ptr<text_output> out_;  // guarded by mu_
};

// Counts the rows it receives and, with a row_file, writes them as JSON lines.
template <typename Row>
class result_sink final : public stream::sink<Row> {
  public:
    explicit result_sink(std::shared_ptr<row_file> file) : file_(std::move(file)) {}
    std::unique_ptr<stream::sink_writer<Row>> create_writer(
        const stream::operator_context&) override {
        return std::make_unique<w>(this);
    }
    uint64_t rows() const { return rows_.load(std::memory_order_relaxed); }

  private:
    class w final : public stream::sink_writer<Row> {
      public:
        explicit w(result_sink* s) : s_(s) {}
        void write(stream::batch<Row>&& b) override {
            s_->rows_.fetch_add(b.size(), std::memory_order_relaxed);
            if (!s_->file_) {
                return;
            }
            for (auto& row : b.values) {
                append_row_json(buf_, row);
            }
            if (buf_.size() >= (256u << 10)) {
                flush();
            }
        }
        void finish() override { flush(); }
        ~w() override { flush(); }

      private:
        void flush() {
            if (!buf_.empty()) {
                s_->file_->append(buf_);
                buf_.clear();
            }
        }
        result_sink* s_;
        std::string buf_;
    };

    std::shared_ptr<row_file> file_;  // null: count only (a blackhole)
    std::atomic<uint64_t> rows_{0};
};

// Triggers a checkpoint every `interval` while the job runs and keeps the figures. A checkpoint
// is timed from the trigger to its completion (all snapshots written, manifest last).
// Thread-safe: its own thread calls the job; stop() from the owner.
class checkpoint_driver {
  public:
    struct figures {
        uint64_t completed = 0;
        uint64_t declined = 0;  // e.g. a task had already reached the end of its input
        uint64_t failed = 0;
        std::string first_failure;
        double total_ms = 0, max_ms = 0;
        uint64_t total_bytes = 0, max_bytes = 0;
    };

    checkpoint_driver(stream::job& j, milliseconds interval) : job_(j), interval_(interval) {
        thread_ = std::thread([this] { loop(); });
    }
    ~checkpoint_driver() { stop(); }
    checkpoint_driver(const checkpoint_driver&) = delete;
    checkpoint_driver& operator=(const checkpoint_driver&) = delete;

    void stop() {
        {
            std::lock_guard lk(mu_);
            stop_ = true;
        }
        cv_.notify_all();
        if (thread_.joinable()) {
            thread_.join();
        }
    }
    figures get() const {
        std::lock_guard lk(mu_);
        return f_;
    }

  private:
    void loop() {
        std::unique_lock lk(mu_);
        while (!stop_) {
            if (cv_.wait_for(lk, interval_, [&] { return stop_; })) {
                return;
            }
            lk.unlock();
            auto t0 = std::chrono::steady_clock::now();
            auto r = job_.trigger_checkpoint();
            double ms =
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0)
                    .count();
            lk.lock();
            if (r) {
                ++f_.completed;
                f_.total_ms += ms;
                f_.max_ms = std::max(f_.max_ms, ms);
                f_.total_bytes += r->total_bytes;
                f_.max_bytes = std::max<uint64_t>(f_.max_bytes, r->total_bytes);
            } else if (r.error().code == stream::errc::declined ||
                       r.error().code == stream::errc::cancelled) {
                ++f_.declined;
            } else {
                if (f_.failed++ == 0) {
                    f_.first_failure = r.error().message;
                }
            }
        }
    }

    stream::job& job_;
    milliseconds interval_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    bool stop_ = false;  // guarded by mu_
    figures f_;          // guarded by mu_
    std::thread thread_;
};

struct run_args {
    event_options ev;
    std::string query;
    uint32_t parallelism = 1;
    std::string checkpoint_interval = "0";
    std::string checkpoint_dir;
    std::string output;
    bool json = false;
};

// The figures `run` prints.
struct run_report {
    std::string query;
    int64_t events = 0;
    uint64_t rows = 0;
    double wall_s = 0, cpu_s = 0;
    int64_t peak_rss = 0;
    milliseconds interval{0};
    checkpoint_driver::figures chk;
};

void print_report(const run_args& a, const run_report& r, std::FILE* out) {
    double eps = static_cast<double>(r.events) / r.wall_s;
    double epc = r.cpu_s > 0 ? static_cast<double>(r.events) / r.cpu_s : 0;
    double avg_ms = r.chk.completed ? r.chk.total_ms / static_cast<double>(r.chk.completed) : 0;
    double avg_bytes = r.chk.completed ? static_cast<double>(r.chk.total_bytes) /
                                             static_cast<double>(r.chk.completed)
                                       : 0;
    if (a.json) {
        std::string o = "{\"query\":";
        cli::append_json_string(o, r.query);
        char buf[1024];
        std::snprintf(buf, sizeof buf,
                      ",\"events\":%lld,\"rate\":%.17g,\"seed\":%llu,\"generators\":%u,"
                      "\"parallelism\":%u,\"rows\":%llu,\"wall_seconds\":%.6f,"
                      "\"events_per_second\":%.1f,\"cpu_seconds\":%.6f,"
                      "\"events_per_cpu_second\":%.1f,\"peak_rss_bytes\":%lld,"
                      "\"checkpoint_interval_ms\":%lld,\"checkpoints_completed\":%llu,"
                      "\"checkpoints_declined\":%llu,\"checkpoints_failed\":%llu,"
                      "\"checkpoint_avg_ms\":%.3f,\"checkpoint_max_ms\":%.3f,"
                      "\"checkpoint_avg_bytes\":%.0f,\"checkpoint_max_bytes\":%llu}\n",
                      static_cast<long long>(r.events), a.ev.rate,
                      static_cast<unsigned long long>(a.ev.seed), a.ev.generators, a.parallelism,
                      static_cast<unsigned long long>(r.rows), r.wall_s, eps, r.cpu_s, epc,
                      static_cast<long long>(r.peak_rss),
                      static_cast<long long>(r.interval.count()),
                      static_cast<unsigned long long>(r.chk.completed),
                      static_cast<unsigned long long>(r.chk.declined),
                      static_cast<unsigned long long>(r.chk.failed), avg_ms, r.chk.max_ms,
                      avg_bytes, static_cast<unsigned long long>(r.chk.max_bytes));
        o += buf;
        std::fputs(o.c_str(), out);
        return;
    }
    std::fprintf(out,
                 "query %s: %lld events (rate %.0f/s event time, seed %llu, %u generator(s)), "
                 "parallelism %u\n",
                 r.query.c_str(), static_cast<long long>(r.events), a.ev.rate,
                 static_cast<unsigned long long>(a.ev.seed), a.ev.generators, a.parallelism);
    std::fprintf(out, "  result rows        %llu\n", static_cast<unsigned long long>(r.rows));
    std::fprintf(out, "  wall               %.3f s\n", r.wall_s);
    std::fprintf(out, "  events/s           %.0f\n", eps);
    std::fprintf(out, "  CPU (user+sys)     %.3f s\n", r.cpu_s);
    std::fprintf(out, "  events per CPU-s   %.0f\n", epc);
    std::fprintf(out, "  peak RSS           %.1f MiB\n",
                 static_cast<double>(r.peak_rss) / 1048576.0);
    if (r.interval.count() > 0) {
        std::fprintf(out,
                     "  checkpoints        %llu completed every %s (%llu declined, %llu failed), "
                     "avg %.1f ms, max %.1f ms, avg size %.1f KiB, max %.1f KiB\n",
                     static_cast<unsigned long long>(r.chk.completed),
                     cli::describe_duration(r.interval).c_str(),
                     static_cast<unsigned long long>(r.chk.declined),
                     static_cast<unsigned long long>(r.chk.failed), avg_ms, r.chk.max_ms,
                     avg_bytes / 1024.0, static_cast<double>(r.chk.max_bytes) / 1024.0);
    } else {
        std::fprintf(out, "  checkpoints        off\n");
    }
}

template <typename S>
struct stream_row;
template <typename T>
struct stream_row<stream::stream<T>> {
    using type = T;
};

// Runs query `q` (a function from the event stream to its result stream) as one job.
template <typename Query>
int run_query(const run_args& a, const nx::generator_config& cfg, Query q) {
    using Row = typename stream_row<decltype(q(std::declval<stream::stream<nx::event>>()))>::type;
    auto interval = parse_interval(a.checkpoint_interval);
    if (!interval) {
        return fail(interval.error());
    }

    // Checkpoints go to --checkpoint-dir, else to a fresh temporary directory removed at exit.
    std::string chk_dir = a.checkpoint_dir;
    struct temp_dir {
        std::string path;
        ~temp_dir() {
            if (!path.empty()) {
                std::error_code ec;
                std::filesystem::remove_all(path, ec);
            }
        }
    } temp;
    if (interval->count() > 0 && chk_dir.empty()) {
        std::error_code ec;
        auto base = std::filesystem::temp_directory_path(ec);
        if (ec) {
            base = "/tmp";
        }
        std::string tmpl = (base / "otter-nexmark-XXXXXX").string();
        if (mkdtemp(tmpl.data()) == nullptr) {
            return fail("cannot create a temporary checkpoint directory under " + base.string() +
                        ": " + std::strerror(errno));
        }
        chk_dir = temp.path = tmpl;
    }

    std::shared_ptr<row_file> file;
    if (!a.output.empty()) {
        auto o = text_output::open(a.output);
        if (!o) {
            return fail(o.error());
        }
        file = std::make_shared<row_file>(std::move(*o));
    }

    stream::environment env(stream::job_config{
        .name = "nexmark-" + a.query,
        .parallelism = a.parallelism,
        .checkpoint_dir = interval->count() > 0 ? chk_dir : std::string(),
    });
    auto src = std::make_shared<nx::nexmark_source>(cfg);
    auto sink = std::make_shared<result_sink<Row>>(file);
    q(env.from_source<nx::event>(src, nx::nexmark_watermarks(), 0, "nexmark")).sink(sink);

    run_report rep;
    rep.query = a.query;
    rep.events = cfg.max_events;
    rep.interval = *interval;
    double cpu0 = process_cpu_seconds();
    auto t0 = std::chrono::steady_clock::now();
    auto j = env.create_job();
    if (!j) {
        return fail("query " + a.query + ": " + j.error().message);
    }
    (*j)->start();
    std::optional<checkpoint_driver> driver;
    if (interval->count() > 0) {
        driver.emplace(**j, *interval);
    }
    auto done = (*j)->wait();
    if (driver) {
        driver->stop();
        rep.chk = driver->get();
    }
    rep.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    rep.cpu_s = process_cpu_seconds() - cpu0;
    rep.peak_rss = peak_rss_bytes();
    rep.rows = sink->rows();
    j->reset();  // sink writers flush their last rows when destroyed
    if (!done) {
        return fail("query " + a.query + " failed: " + done.error().message);
    }
    if (file) {
        if (auto r = file->close(); !r) {
            return fail(r.error());
        }
    }
    if (src->emitted() != cfg.max_events) {
        return fail("query " + a.query + ": the source emitted " + std::to_string(src->emitted()) +
                    " events instead of " + std::to_string(cfg.max_events));
    }
    if (rep.chk.failed > 0) {
        std::fprintf(stderr, "warning: %llu checkpoint(s) failed; first: %s\n",
                     static_cast<unsigned long long>(rep.chk.failed),
                     rep.chk.first_failure.c_str());
    }
    // The figures go to stdout, unless the result rows do.
    print_report(a, rep, a.output == "-" ? stderr : stdout);
    return rep.chk.failed > 0 ? 1 : 0;
}

// The queries `run` knows: one line each.
struct query_entry {
    std::string_view name;
    std::string_view what;
    int (*run)(const run_args&, const nx::generator_config&);
};

template <auto Query>
int run_named(const run_args& a, const nx::generator_config& c) {
    return run_query(a, c, Query);
}

constexpr query_entry queries[] = {
    {"q0", "pass-through", &run_named<&nx::q0>},
    {"q1", "currency conversion", &run_named<&nx::q1>},
    {"q2", "selection", &run_named<&nx::q2>},
    {"q3", "local item suggestion (join)", &run_named<&nx::q3>},
    {"q4", "average closing price per category (join, aggregate)", &run_named<&nx::q4>},
    {"q5", "hot items (HOP window)", &run_named<&nx::q5>},
    {"q7", "highest bid (TUMBLE window, join)", &run_named<&nx::q7>},
    {"q8", "new users (TUMBLE window join)", &run_named<&nx::q8>},
    {"q11", "user sessions (SESSION window)", &run_named<&nx::q11>},
    {"q12", "bids per bidder per processing-time window", &run_named<&nx::q12>},
};

// "q0, q1, ..." or, with `describe`, "q0 (pass-through), q1 (...), ...".
std::string known_queries(bool describe = false) {
    std::string s;
    for (const auto& q : queries) {
        s += s.empty() ? "" : ", ";
        s += q.name;
        if (describe) {
            s += " (";
            s += q.what;
            s += ')';
        }
    }
    return s;
}

int run_run(const run_args& a) {
    const query_entry* q = nullptr;
    for (const auto& e : queries) {
        if (e.name == a.query) {
            q = &e;
        }
    }
    if (q == nullptr) {
        std::fprintf(stderr, "error: unknown query '%s'; known queries: %s\n", a.query.c_str(),
                     known_queries().c_str());
        return 2;
    }
    auto cfg = make_config(a.ev);
    if (!cfg) {
        return fail(cfg.error());
    }
    return q->run(a, *cfg);
}

}  // namespace

void add_nexmark_commands(CLI::App& root, std::function<int()>& action) {
    auto* nex = root.add_subcommand(
        "nexmark", "The Nexmark benchmark: generate its events, run its queries on the engine");
    nex->require_subcommand(1);

    auto g = std::make_shared<generate_args>();
    auto* gen = nex->add_subcommand(
        "generate", "Write Nexmark events as JSON lines, Parquet (person/auction/bid) or to Kafka");
    add_event_options(*gen, g->ev);
    gen->add_option("--format", g->format, "jsonl or parquet")
        ->check(CLI::IsMember({"jsonl", "parquet"}))
        ->capture_default_str();
    gen->add_option("--out", g->out,
                    "jsonl: output file ('-' or none: stdout); parquet: directory for "
                    "person.parquet, auction.parquet, bid.parquet (must not exist yet)");
    gen->add_option("--topic", g->topic,
                    "Kafka topic to produce JSON events to (instead of --out)");
    cli::add_client_options(*gen, g->client);
    gen->callback([&action, g] { action = [g] { return run_generate(*g); }; });

    auto r = std::make_shared<run_args>();
    auto* run = nex->add_subcommand(
        "run", "Run one Nexmark query over generated events and print throughput figures");
    run->add_option("--query", r->query, "Query: " + known_queries(/*describe=*/true))->required();
    add_event_options(*run, r->ev);
    run->add_option("--parallelism", r->parallelism, "Job parallelism (source and operators)")
        ->check(CLI::Range(1u, 256u))
        ->capture_default_str();
    run->add_option("--checkpoint-interval", r->checkpoint_interval,
                    "Checkpoint every interval (e.g. 10s, 500ms; 0 = off), in-memory state")
        ->capture_default_str();
    run->add_option("--checkpoint-dir", r->checkpoint_dir,
                    "Checkpoint directory [a temporary directory, removed at exit]");
    run->add_option("--output", r->output,
                    "Write the result rows as JSON lines to this file ('-': stdout) instead of a "
                    "blackhole");
    run->add_flag("--json", r->json, "Print the figures as one JSON object");
    run->callback([&action, r] { action = [r] { return run_run(*r); }; });
}

}  // namespace otter::app

// Data-driven event-time semantics tests. Each file in cases/ holds a job configuration, an input
// script (events, watermark hints, processing-clock advances, split ends, in arrival order) and
// the expected window results, late records and counters. Every case runs at parallelism 1 and 4
// and must produce exactly the expected multiset of outputs both times. Format: cases/README.md.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "metrics/registry.h"
#include "stream/api.h"
#include "stream/tests/scripted_source.h"

namespace otter::stream {
namespace {

using namespace std::chrono_literals;
using testing::ev;
using testing::script_line;
using testing::scripted_source;

struct sum_count {
    using acc_type = std::pair<int64_t, int64_t>;  // count, sum
    acc_type create() const { return {0, 0}; }
    void add(acc_type& a, const ev& e) const {
        ++a.first;
        a.second += e.value;
    }
    acc_type result(const acc_type& a) const { return a; }
    void merge(acc_type& a, const acc_type& b) const {
        a.first += b.first;
        a.second += b.second;
    }
};

struct test_case {
    std::string name;
    std::string window = "tumbling";
    std::vector<int64_t> window_args{10};
    int64_t lateness = 0;
    int64_t out_of_orderness = 0;
    int64_t idle_timeout = 0;
    size_t splits = 1;
    bool side_output = true;
    std::vector<script_line> script;
    std::vector<std::string> want_results;
    std::vector<std::string> want_late;
    std::map<std::string, uint64_t> want_counters;
};

std::string fmt_time(int64_t t) {
    if (t == min_timestamp)
        return "min";
    if (t == max_timestamp)
        return "max";
    return std::to_string(t);
}

test_case parse_case(const std::filesystem::path& p) {
    test_case c;
    c.name = p.stem().string();
    std::ifstream in(p);
    std::string line;
    int n = 0;
    while (std::getline(in, line)) {
        ++n;
        auto hash = line.find('#');
        if (hash != std::string::npos)
            line.resize(hash);
        std::istringstream ss(line);
        std::string op;
        if (!(ss >> op))
            continue;
        auto fail = [&] { ADD_FAILURE() << p << ":" << n << ": cannot parse '" << line << "'"; };
        if (op == "window") {
            ss >> c.window;
            c.window_args.clear();
            int64_t a;
            while (ss >> a)
                c.window_args.push_back(a);
        } else if (op == "lateness") {
            ss >> c.lateness;
        } else if (op == "out_of_orderness") {
            ss >> c.out_of_orderness;
        } else if (op == "idle_timeout") {
            ss >> c.idle_timeout;
        } else if (op == "splits") {
            ss >> c.splits;
        } else if (op == "side_output") {
            std::string v;
            ss >> v;
            c.side_output = v == "yes";
        } else if (op == "e") {
            script_line l;
            ss >> l.split >> l.e.key >> l.ts;
            if (!(ss >> l.e.value))
                l.e.value = 1;
            c.script.push_back(l);
        } else if (op == "w") {
            script_line l;
            l.k = script_line::kind::hint;
            ss >> l.split >> l.ts;
            c.script.push_back(l);
        } else if (op == "t") {
            script_line l;
            l.k = script_line::kind::advance;
            ss >> l.ts;
            c.script.push_back(l);
        } else if (op == "x") {
            script_line l;
            l.k = script_line::kind::split_end;
            ss >> l.split;
            c.script.push_back(l);
        } else if (op == "r") {
            std::string key, s, e;
            int64_t cnt, sum;
            ss >> key >> s >> e >> cnt >> sum;
            c.want_results.push_back(key + " " + s + " " + e + " " + std::to_string(cnt) + " " +
                                     std::to_string(sum));
        } else if (op == "l") {
            std::string key;
            int64_t ts;
            ss >> key >> ts;
            c.want_late.push_back(key + " " + std::to_string(ts));
        } else if (op == "m") {
            std::string name;
            uint64_t v;
            ss >> name >> v;
            c.want_counters[name] = v;
        } else {
            fail();
        }
    }
    std::sort(c.want_results.begin(), c.want_results.end());
    std::sort(c.want_late.begin(), c.want_late.end());
    return c;
}

struct run_output {
    std::vector<std::string> results;
    std::vector<std::string> late;
    std::map<std::string, uint64_t> counters;
};

template <typename Assigner>
void build_window(
    keyed_stream<ev, std::function<std::string(const ev&)>> ks, Assigner a, const test_case& c,
    const output_tag<ev>& tag,
    std::shared_ptr<collecting_sink<window_result<std::string, std::pair<int64_t, int64_t>>>> out,
    std::shared_ptr<collecting_sink<timed<ev>>> late) {
    auto w = ks.window(a);
    w.allowed_lateness(millis(c.lateness));
    if (c.side_output)
        w.side_output_late_data(tag);
    if constexpr (std::is_same_v<Assigner, global_windows>) {
        w.trigger(count_trigger{static_cast<uint64_t>(c.window_args.at(0))});
    }
    auto res = w.aggregate(sum_count{});
    res.sink(out);
    if (c.side_output) {
        // Keep the late record's timestamp: the late stream maps records to timed<ev>.
        res.side_output(tag)
            .template flat_map<timed<ev>>([](const ev& e, collector<timed<ev>>& col) {
                col.emit(timed<ev>{col.timestamp(), e});
            })
            .sink(late);
    }
}

run_output run_case(const test_case& c, uint32_t parallelism) {
    manual_clock clk(0);
    metrics::registry reg;
    job_config cfg;
    cfg.name = c.name;
    cfg.parallelism = parallelism;
    cfg.proc_clock = &clk;
    cfg.metrics = &reg;
    environment env(cfg);
    auto out = std::make_shared<
        collecting_sink<window_result<std::string, std::pair<int64_t, int64_t>>>>();
    auto late = std::make_shared<collecting_sink<timed<ev>>>();
    output_tag<ev> tag("late");
    watermark_strategy<ev> ws;
    ws.with_out_of_orderness(millis(c.out_of_orderness)).with_idleness(millis(c.idle_timeout));
    auto ks =
        env.from_source<ev>(std::make_shared<scripted_source>(c.script, c.splits, &clk), ws, 1)
            .key_by(std::function<std::string(const ev&)>([](const ev& e) { return e.key; }));
    const auto& a = c.window_args;
    if (c.window == "tumbling") {
        build_window(ks, tumbling(millis(a.at(0))), c, tag, out, late);
    } else if (c.window == "sliding") {
        build_window(ks, sliding(millis(a.at(0)), millis(a.at(1))), c, tag, out, late);
    } else if (c.window == "session") {
        build_window(ks, session(millis(a.at(0))), c, tag, out, late);
    } else if (c.window == "global") {
        build_window(ks, global(), c, tag, out, late);
    } else {
        ADD_FAILURE() << "unknown window " << c.window;
    }
    auto r = env.execute();
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    run_output o;
    for (const auto& w : out->results()) {
        o.results.push_back(w.key + " " + fmt_time(w.window.start) + " " + fmt_time(w.window.end) +
                            " " + std::to_string(w.value.first) + " " +
                            std::to_string(w.value.second));
    }
    for (const auto& l : late->results()) {
        o.late.push_back(l.value.key + " " + std::to_string(l.ts));
    }
    std::sort(o.results.begin(), o.results.end());
    std::sort(o.late.begin(), o.late.end());
    metrics::labels l{{"job", c.name}, {"operator", "window"}};
    o.counters["late"] = reg.get_counter("otter_stream_late_records_total", "", l).value();
    o.counters["dropped"] =
        reg.get_counter("otter_stream_late_records_dropped_total", "", l).value();
    o.counters["updates"] =
        reg.get_counter("otter_stream_late_window_updates_total", "", l).value();
    return o;
}

std::string join(const std::vector<std::string>& v) {
    std::string s;
    for (const auto& x : v)
        s += "  " + x + "\n";
    return s;
}

class case_test : public ::testing::TestWithParam<std::string> {};

TEST_P(case_test, matches_expected_output) {
    test_case c = parse_case(GetParam());
    for (uint32_t p : {1u, 4u}) {
        SCOPED_TRACE(std::string("parallelism ") + std::to_string(p));
        run_output o = run_case(c, p);
        EXPECT_EQ(o.results, c.want_results) << "got results:\n"
                                             << join(o.results) << "want:\n"
                                             << join(c.want_results);
        EXPECT_EQ(o.late, c.want_late) << "got late:\n" << join(o.late);
        for (const auto& [name, v] : c.want_counters) {
            EXPECT_EQ(o.counters[name], v) << "counter " << name;
        }
    }
}

std::vector<std::string> case_files() {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(OTTER_STREAM_CASES_DIR)) {
        if (e.path().extension() == ".case")
            out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

INSTANTIATE_TEST_SUITE_P(cases, case_test, ::testing::ValuesIn(case_files()),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                             return std::filesystem::path(i.param).stem().string();
                         });

}  // namespace
}  // namespace otter::stream

namespace otter::stream {
namespace {

// Counts records per key and 10 ms bucket; an event-time timer at the bucket's end emits the
// count. A record behind the watermark registers a timer in the past, which fires at the next
// watermark advance (here the final one).
struct bucket_fn {
    map_state<std::string, int64_t, int64_t>* counts = nullptr;
    void open(keyed_state_backend<std::string>& st) {
        counts = &st.map<int64_t, int64_t>("counts");
    }
    void process_element(const ev&, keyed_context<std::string, std::string>& c) {
        int64_t end = c.timestamp() / 10 * 10 + 9;
        const int64_t* n = counts->get(end);
        counts->put(end, n ? *n + 1 : 1);
        c.register_event_time_timer(end);
    }
    void on_timer(int64_t ts, time_domain d, keyed_context<std::string, std::string>& c) {
        EXPECT_EQ(d, time_domain::event_time);
        EXPECT_LE(ts, c.current_watermark());
        const int64_t* n = counts->get(ts);
        c.emit(c.key() + " " + std::to_string(ts) + " " + std::to_string(n ? *n : -1) + " @" +
               std::to_string(c.timestamp()));
        counts->remove(ts);
    }
};

TEST(process_function, event_time_timers_fire_in_order_at_any_parallelism) {
    std::vector<script_line> script;
    auto e = [&](const std::string& k, int64_t ts) {
        script_line l;
        l.e.key = k;
        l.ts = ts;
        script.push_back(l);
    };
    e("a", 1);
    e("a", 5);
    e("b", 3);
    e("a", 12);  // wm 11: bucket 9 fires for a (2) and b (1)
    e("a", 15);
    e("b", 30);  // wm 29: a's bucket 19 fires (2)
    e("a", 2);   // behind the watermark: its timer (9) fires at the next advance (the end)
    for (uint32_t p : {1u, 4u}) {
        manual_clock clk(0);
        job_config cfg;
        cfg.parallelism = p;
        cfg.proc_clock = &clk;
        environment env(cfg);
        auto out = std::make_shared<collecting_sink<std::string>>();
        env.from_source<ev>(std::make_shared<scripted_source>(script, 1, &clk), {}, 1)
            .key_by([](const ev& v) { return v.key; })
            .process<std::string>(bucket_fn{})
            .sink(out);
        ASSERT_TRUE(env.execute());
        auto r = out->results();
        std::sort(r.begin(), r.end());
        EXPECT_EQ(r, (std::vector<std::string>{"a 19 2 @19", "a 9 1 @9", "a 9 2 @9", "b 39 1 @39",
                                               "b 9 1 @9"}))
            << "parallelism " << p;
    }
}

}  // namespace
}  // namespace otter::stream

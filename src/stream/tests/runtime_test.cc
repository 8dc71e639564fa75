// Runtime tests: watermark valve, channels, serde, state, and small jobs end to end.
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "metrics/registry.h"
#include "stream/api.h"
#include "stream/file_source.h"
#include "stream/tests/scripted_source.h"

namespace otter::stream {
namespace {

using namespace std::chrono_literals;

TEST(watermark_valve, min_over_inputs_and_monotonic) {
    watermark_valve v(2);
    EXPECT_FALSE(v.on_watermark(0, 10));
    EXPECT_EQ(v.on_watermark(1, 5), std::optional<int64_t>(5));
    EXPECT_EQ(v.on_watermark(1, 20), std::optional<int64_t>(10));
    EXPECT_FALSE(v.on_watermark(1, 15));  // an input going back changes nothing
    EXPECT_EQ(v.current(), 10);
}

TEST(watermark_valve, idle_inputs_are_excluded_and_rejoin) {
    watermark_valve v(2);
    v.on_watermark(0, 100);
    v.on_watermark(1, 3);
    EXPECT_EQ(v.current(), 3);
    EXPECT_EQ(v.on_idle(1, true), std::optional<int64_t>(100));
    EXPECT_FALSE(v.all_idle());
    EXPECT_FALSE(v.on_idle(0, true));
    EXPECT_TRUE(v.all_idle());
    // Input 1 wakes behind the output watermark: the output stays (monotonic).
    EXPECT_FALSE(v.on_idle(1, false));
    EXPECT_FALSE(v.on_watermark(1, 50));
    EXPECT_EQ(v.current(), 100);
    EXPECT_EQ(v.on_watermark(1, 120), std::optional<int64_t>(120));  // input 0 idle
    EXPECT_EQ(v.current(), 120);
}

TEST(watermark_valve, ended_inputs_release_and_all_ended_is_max) {
    watermark_valve v(2);
    v.on_watermark(0, 7);
    EXPECT_EQ(v.on_end(1), std::optional<int64_t>(7));
    v.on_idle(0, true);
    EXPECT_EQ(v.current(), 7);  // idle + ended: hold
    EXPECT_EQ(v.on_end(0), std::optional<int64_t>(max_timestamp));
}

TEST(channel, bounded_and_blocks_producer_until_pop) {
    doorbell bell;
    channel<int> ch(2, &bell);
    element<int> e;
    e.kind = element_kind::watermark;
    EXPECT_TRUE(ch.push(element<int>(e)));
    EXPECT_TRUE(ch.push(element<int>(e)));
    std::atomic<bool> pushed{false};
    std::thread t([&] {
        ch.push(element<int>(e));
        pushed = true;
    });
    std::this_thread::sleep_for(20ms);
    EXPECT_FALSE(pushed.load());
    element<int> out;
    EXPECT_TRUE(ch.try_pop(out));
    t.join();
    EXPECT_TRUE(pushed.load());
    ch.close();
    EXPECT_FALSE(ch.push(element<int>(e)));
}

struct point {
    std::string name;
    int64_t x = 0;
    std::vector<double> ys;
    auto members() { return std::tie(name, x, ys); }
    bool operator==(const point&) const = default;
};

TEST(serde, round_trip_and_truncation) {
    std::map<std::string, point> m{{"a", {"p", -5, {1.5, 2}}}, {"b", {"q", 1 << 30, {}}}};
    bytes b;
    writer w(b);
    write_value(w, m);
    write_value(w, std::optional<int64_t>(42));
    reader r(b);
    std::map<std::string, point> m2;
    std::optional<int64_t> o;
    read_value(r, m2);
    read_value(r, o);
    EXPECT_TRUE(r.ok());
    EXPECT_TRUE(r.at_end());
    EXPECT_EQ(m, m2);
    EXPECT_EQ(o, 42);
    for (size_t cut = 0; cut < b.size(); ++cut) {
        reader rc(bytes_view(b.data(), cut));
        std::map<std::string, point> m3;
        std::optional<int64_t> o3;
        read_value(rc, m3);
        read_value(rc, o3);
        EXPECT_FALSE(rc.ok()) << cut;
    }
}

TEST(keyed_state, value_list_map_aggregating_and_ttl) {
    keyed_state_backend<std::string> st;
    auto& v = st.value<int64_t>("v", state_ttl{10ms});
    auto& l = st.list<int>("l");
    auto& m = st.map<std::string, int>("m");
    auto& a = st.aggregating("a", count_agg{});
    std::string k1 = "k1", k2 = "k2";
    st.set_processing_time(100);
    st.set_current_key(&k1);
    v.update(5);
    l.add(1);
    l.add(2);
    m.put("x", 3);
    a.add(0);
    a.add(0);
    st.set_current_key(&k2);
    EXPECT_EQ(v.get(), nullptr);
    EXPECT_EQ(l.get(), nullptr);
    v.update(7);
    st.set_current_key(&k1);
    EXPECT_EQ(*v.get(), 5);
    EXPECT_EQ(l.get()->size(), 2u);
    EXPECT_EQ(*m.get("x"), 3);
    EXPECT_EQ(a.result(), std::optional<int64_t>(2));

    // Snapshot, restore into a fresh backend.
    bytes b;
    writer w(b);
    st.snapshot(w);
    keyed_state_backend<std::string> st2;
    auto& v2 = st2.value<int64_t>("v", state_ttl{10ms});
    auto& l2 = st2.list<int>("l");
    st2.map<std::string, int>("m");
    st2.aggregating("a", count_agg{});
    reader r(b);
    ASSERT_TRUE(st2.restore(r));
    st2.set_processing_time(105);
    st2.set_current_key(&k1);
    EXPECT_EQ(*v2.get(), 5);
    EXPECT_EQ(*l2.get(), (std::vector<int>{1, 2}));
    // TTL: 10 ms after the last write the value is gone; other states have no TTL.
    st2.set_processing_time(110);
    EXPECT_EQ(v2.get(), nullptr);
    EXPECT_NE(l2.get(), nullptr);
    // Expired entries are not in snapshots.
    bytes b2;
    writer w2(b2);
    st2.set_current_key(nullptr);
    st2.snapshot(w2);
    keyed_state_backend<std::string> st3;
    auto& v3 = st3.value<int64_t>("v", state_ttl{10ms});
    st3.list<int>("l");
    st3.map<std::string, int>("m");
    st3.aggregating("a", count_agg{});
    reader r2(b2);
    ASSERT_TRUE(st3.restore(r2));
    EXPECT_EQ(v3.size(), 0u);
}

// Model-based test: random operations on the heap backend and on a trivial model (std::map with
// explicit expiry), with snapshots restored into fresh backends at random points.
TEST(keyed_state, model_based_random_operations) {
    std::mt19937_64 rng(42);
    struct model_entry {
        int64_t value;
        int64_t expires;
    };
    std::map<std::pair<int64_t, int64_t>, model_entry> value_model;  // (key, ns) → value
    std::map<int64_t, std::map<int64_t, int64_t>> map_model;         // key → map
    std::map<int64_t, std::vector<int64_t>> list_model;
    auto make = [](keyed_state_backend<int64_t>& st) {
        return std::make_tuple(&st.value<int64_t>("v", state_ttl{30ms}),
                               &st.map<int64_t, int64_t>("m"), &st.list<int64_t>("l"));
    };
    auto st = std::make_unique<keyed_state_backend<int64_t>>();
    auto [v, m, l] = make(*st);
    int64_t now = 0;
    for (int step = 0; step < 20000; ++step) {
        int64_t key = static_cast<int64_t>(rng() % 8);
        int64_t ns = static_cast<int64_t>(rng() % 3);
        time_window w{ns * 10, ns * 10 + 10};
        now += static_cast<int64_t>(rng() % 3);
        st->set_processing_time(now);
        st->set_current_key(&key, w);
        switch (rng() % 8) {
            case 0: {
                int64_t x = static_cast<int64_t>(rng() % 1000);
                v->update(x);
                value_model[{key, ns}] = {x, now + 30};
                break;
            }
            case 1: {
                const int64_t* got = v->get();
                auto it = value_model.find({key, ns});
                bool live = it != value_model.end() && it->second.expires > now;
                ASSERT_EQ(got != nullptr, live) << step;
                if (live) {
                    ASSERT_EQ(*got, it->second.value) << step;
                }
                break;
            }
            case 2:
                v->clear();
                value_model.erase({key, ns});
                break;
            case 3: {
                st->set_current_key(&key);
                int64_t uk = static_cast<int64_t>(rng() % 4);
                m->put(uk, step);
                map_model[key][uk] = step;
                break;
            }
            case 4: {
                st->set_current_key(&key);
                int64_t uk = static_cast<int64_t>(rng() % 4);
                m->remove(uk);
                map_model[key].erase(uk);
                const auto* all = m->entries();
                const auto& want = map_model[key];
                std::map<int64_t, int64_t> got_map;
                if (all != nullptr) {
                    got_map = *all;
                }
                ASSERT_EQ(got_map, want) << step;
                break;
            }
            case 5: {
                st->set_current_key(&key);
                l->add(step);
                list_model[key].push_back(step);
                const auto* got = l->get();
                ASSERT_NE(got, nullptr);
                ASSERT_EQ(*got, list_model[key]);
                break;
            }
            case 6: {
                // Snapshot and continue on a restored copy.
                bytes b;
                writer wr(b);
                st->snapshot(wr);
                auto fresh = std::make_unique<keyed_state_backend<int64_t>>();
                std::tie(v, m, l) = make(*fresh);
                reader rd(b);
                ASSERT_TRUE(fresh->restore(rd)) << step;
                st = std::move(fresh);
                break;
            }
            default:
                st->cleanup_expired();
                break;
        }
    }
}

std::vector<std::vector<timed<int64_t>>> numbers(size_t splits, int64_t per_split) {
    std::vector<std::vector<timed<int64_t>>> out(splits);
    for (size_t s = 0; s < splits; ++s) {
        for (int64_t i = 0; i < per_split; ++i) {
            out[s].push_back({i, static_cast<int64_t>(s) * per_split + i});
        }
    }
    return out;
}

class parallelism_test : public ::testing::TestWithParam<uint32_t> {};

TEST_P(parallelism_test, map_filter_flat_map_chain) {
    job_config cfg;
    cfg.parallelism = GetParam();
    cfg.batch_size = 64;
    environment env(cfg);
    auto out = std::make_shared<collecting_sink<int64_t>>();
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(numbers(3, 1000)))
        .map([](int64_t x) { return x * 2; })
        .filter([](const int64_t& x) { return x % 3 == 0; })
        .flat_map<int64_t>([](const int64_t& x, collector<int64_t>& c) {
            c.emit(x);
            c.emit(-x);
        })
        .sink(out);
    ASSERT_TRUE(env.execute());
    auto r = out->results();
    std::sort(r.begin(), r.end());
    std::vector<int64_t> want;
    for (int64_t i = 0; i < 3000; ++i) {
        if ((i * 2) % 3 == 0) {
            want.push_back(i * 2);
            want.push_back(-i * 2);
        }
    }
    std::sort(want.begin(), want.end());
    EXPECT_EQ(r, want);
}

TEST_P(parallelism_test, keyed_tumbling_count_and_sum) {
    job_config cfg;
    cfg.parallelism = GetParam();
    cfg.batch_size = 50;
    cfg.channel_capacity = 2;  // exercise backpressure
    environment env(cfg);
    using R = window_result<int64_t, int64_t>;
    auto out = std::make_shared<collecting_sink<R>>();
    // 4 splits of 2000 records, timestamps 0..1999 ms; key = value % 7.
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(numbers(4, 2000)))
        .key_by([](const int64_t& x) { return x % 7; })
        .window(tumbling(100ms))
        .reduce([](int64_t a, int64_t b) { return a + b; })
        .sink(out);
    ASSERT_TRUE(env.execute());
    std::map<std::pair<int64_t, int64_t>, int64_t> got, want;
    for (const auto& r : out->results()) {
        EXPECT_EQ(r.window.end - r.window.start, 100);
        EXPECT_TRUE(got.emplace(std::make_pair(r.key, r.window.start), r.value).second);
    }
    for (int64_t s = 0; s < 4; ++s) {
        for (int64_t i = 0; i < 2000; ++i) {
            int64_t v = s * 2000 + i;
            want[{v % 7, i / 100 * 100}] += v;
        }
    }
    EXPECT_EQ(got, want);
}

// Per-operator parallelism: a source at the job's parallelism, a keyed window with 3 subtasks, a
// rebalance to 2 and a keyed sum at 5; every record still counted once.
TEST_P(parallelism_test, operators_with_their_own_parallelism) {
    job_config cfg;
    cfg.parallelism = GetParam();
    cfg.batch_size = 40;
    environment env(cfg);
    using R = window_result<int64_t, int64_t>;
    auto out = std::make_shared<collecting_sink<R>>();
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(numbers(4, 1500)))
        .key_by([](const int64_t& x) { return x % 11; }, 3)
        .window(tumbling(100ms))
        .aggregate(count_agg{})
        .rebalance("spread", 2)
        .key_by([](const R& r) { return r.key; }, 5)
        .window(tumbling(1000ms))
        .reduce([](R a, const R& b) {
            a.value += b.value;
            return a;
        })
        .map([](window_result<int64_t, R>&& r) {
            return R{r.key, r.window, r.value.value};
        })
        .sink(out);
    const auto& nodes = env.graph().nodes();
    ASSERT_GE(nodes.size(), 5u);
    EXPECT_EQ(nodes[1].parallelism, 3u);
    EXPECT_EQ(nodes[2].parallelism, 2u);
    ASSERT_TRUE(env.execute());
    std::map<std::pair<int64_t, int64_t>, int64_t> got, want;
    for (const auto& r : out->results()) {
        EXPECT_TRUE(got.emplace(std::make_pair(r.key, r.window.start), r.value).second);
    }
    for (int64_t s = 0; s < 4; ++s) {
        for (int64_t i = 0; i < 1500; ++i) {
            ++want[{(s * 1500 + i) % 11, i / 1000 * 1000}];
        }
    }
    EXPECT_EQ(got, want);
}

TEST(job, parallelism_above_the_key_groups_is_refused) {
    environment env(job_config{.parallelism = 1});
    auto out = std::make_shared<collecting_sink<int64_t>>();
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(numbers(1, 10)))
        .key_by([](const int64_t& x) { return x; }, max_parallelism + 1)
        .window(tumbling(100ms))
        .reduce([](int64_t a, int64_t b) { return a + b; })
        .map([](const window_result<int64_t, int64_t>& r) { return r.value; })
        .sink(out);
    auto j = env.create_job();
    ASSERT_FALSE(j);
    EXPECT_NE(j.error().message.find("parallelism 129 is outside 1..128"), std::string::npos)
        << j.error().message;
}

TEST_P(parallelism_test, more_subtasks_than_splits_do_not_stall) {
    job_config cfg;
    cfg.parallelism = GetParam();
    environment env(cfg);
    auto out = std::make_shared<collecting_sink<window_result<int64_t, int64_t>>>();
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(numbers(1, 500)))
        .key_by([](const int64_t& x) { return x % 2; })
        .window(tumbling(100ms))
        .aggregate(count_agg{})
        .sink(out);
    ASSERT_TRUE(env.execute());
    EXPECT_EQ(out->size(), 10u);
}

TEST_P(parallelism_test, process_window_function_sees_all_records_of_a_session) {
    job_config cfg;
    cfg.parallelism = GetParam();
    environment env(cfg);
    // Split 0: key 1 at 0, 3, 6 (one session with gap 5), key 2 at 100; split 1: key 1 at 50.
    std::vector<std::vector<timed<int64_t>>> d{{{0, 1}, {3, 1}, {6, 1}, {100, 2}}, {{50, 1}}};
    auto out = std::make_shared<collecting_sink<std::string>>();
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(d))
        .key_by([](const int64_t& x) { return x; })
        .window(session(5ms))
        .process<std::string>([](const int64_t& key, const time_window& w,
                                 const std::vector<int64_t>& recs, collector<std::string>& c) {
            c.emit(std::to_string(key) + " [" + std::to_string(w.start) + "," +
                   std::to_string(w.end) + ") n=" + std::to_string(recs.size()) + " @" +
                   std::to_string(c.timestamp()));
        })
        .sink(out);
    ASSERT_TRUE(env.execute());
    auto r = out->results();
    std::sort(r.begin(), r.end());
    EXPECT_EQ(r, (std::vector<std::string>{"1 [0,11) n=3 @10", "1 [50,55) n=1 @54",
                                           "2 [100,105) n=1 @104"}));
}

INSTANTIATE_TEST_SUITE_P(p, parallelism_test, ::testing::Values(1u, 4u));

// Records what an operator emits, for driving operators directly.
template <typename T>
struct capture final : output<T> {
    std::vector<std::pair<T, int64_t>> got;
    std::vector<int64_t> watermarks;
    void push(batch<T>&& b) override {
        for (size_t i = 0; i < b.size(); ++i)
            got.emplace_back(b.values[i], b.timestamps[i]);
    }
    void on_watermark(int64_t wm) override { watermarks.push_back(wm); }
    void on_idle(bool) override {}
    void on_barrier(uint64_t) override {}
    void on_end() override {}
};

struct timer_fn {
    void process_element(const int64_t& v, keyed_context<int64_t, std::string>& c) {
        c.register_processing_time_timer(c.current_processing_time() + 50);
        c.register_event_time_timer(c.timestamp() + 10);
        c.register_event_time_timer(c.timestamp() + 10);  // deduplicated
        if (v < 0) {
            c.delete_event_time_timer(c.timestamp() + 10);
        }
    }
    void on_timer(int64_t ts, time_domain d, keyed_context<int64_t, std::string>& c) {
        c.emit(std::to_string(c.key()) + (d == time_domain::event_time ? " event " : " proc ") +
               std::to_string(ts));
    }
};

TEST(keyed_process_op, processing_and_event_time_timers_with_manual_clock_and_restore) {
    auto key = [](const int64_t& v) { return v < 0 ? -v : v; };
    using op_t = keyed_process_op<int64_t, int64_t, decltype(key), std::string, timer_fn>;
    manual_clock clk(1000);
    operator_context ctx;
    ctx.proc_clock = &clk;
    capture<std::string> cap;
    std::vector<output_base*> outs{&cap};
    op_t op(key, timer_fn{}, outs);
    op.open(ctx);
    batch<int64_t> b;
    b.push(1, 100);
    b.push(2, 105);
    b.push(-3, 107);  // deletes its event-time timer
    op.push(std::move(b));
    op.on_processing_time(1049);
    EXPECT_TRUE(cap.got.empty());
    // Snapshot now, and check a restored copy fires the same timers.
    bytes snap;
    writer w(snap);
    op.snapshot(1, w);
    clk.set(1050);
    op.on_processing_time(1050);
    op.on_watermark(114);
    std::vector<std::string> got;
    for (auto& [v, ts] : cap.got)
        got.push_back(v + "@" + std::to_string(ts));
    EXPECT_EQ(got, (std::vector<std::string>{"1 proc 1050@1050", "2 proc 1050@1050",
                                             "3 proc 1050@1050", "1 event 110@110"}));
    capture<std::string> cap2;
    std::vector<output_base*> outs2{&cap2};
    op_t restored(key, timer_fn{}, outs2);
    restored.open(ctx);
    reader r(snap);
    ASSERT_TRUE(restored.restore(r));
    restored.on_watermark(200);
    ASSERT_EQ(cap2.got.size(), 2u);
    EXPECT_EQ(cap2.got[0].first, "1 event 110");
    EXPECT_EQ(cap2.got[1].first, "2 event 115");
}

// Records everything a task hands its head, in order.
struct trace_output final : output<int> {
    std::vector<std::string> seen;
    void push(batch<int>&& b) override {
        for (int v : b.values)
            seen.push_back(std::string("r") + std::to_string(v));
    }
    void on_watermark(int64_t wm) override {
        seen.push_back(wm == max_timestamp ? "w:max" : std::string("w") + std::to_string(wm));
    }
    void on_idle(bool idle) override { seen.push_back(idle ? "idle" : "active"); }
    void on_barrier(uint64_t id) override { seen.push_back(std::string("b") + std::to_string(id)); }
    void on_end() override { seen.push_back("end"); }
};

struct fake_runtime final : task_runtime {
    bool cancelled() const override { return false; }
    void ack(size_t, uint64_t id, task_snapshot&&) override { acks.push_back(id); }
    std::vector<uint64_t> acks;
};

element<int> el(element_kind k, int64_t v = 0) {
    element<int> e;
    e.kind = k;
    e.value = v;
    return e;
}
element<int> rec(int v) {
    element<int> e;
    e.data.push(v, 0);
    return e;
}

TEST(input_task, aligns_barriers_and_combines_watermarks_with_idle_channels) {
    doorbell bell;
    manual_clock clk;
    channel<int> c0(16, &bell), c1(16, &bell);
    // Read round-robin: c0, c1, c0, c1, ...
    for (auto e : {el(element_kind::watermark, 10), el(element_kind::barrier, 1), rec(3),
                   el(element_kind::watermark, 30), el(element_kind::end)}) {
        c0.push(std::move(e));
    }
    for (auto e : {el(element_kind::watermark, 5), rec(1), rec(2), el(element_kind::barrier, 1),
                   el(element_kind::idle), el(element_kind::active),
                   el(element_kind::watermark, 40), el(element_kind::end)}) {
        c1.push(std::move(e));
    }
    trace_output head;
    fake_runtime rt;
    input_task<int> t({&c0, &c1}, &head);
    t.rt = &rt;
    t.bell = &bell;
    t.proc_clock = &clk;
    t.run();
    // c0's barrier blocks c0 (record 3 waits) until c1 delivers its barrier after 1 and 2.
    // c1 idle excludes it (watermark jumps to c0's 10, then 30); when it is active again at 5
    // the watermark does not go back; after c0 ends, c1's 40 leads.
    EXPECT_EQ(head.seen, (std::vector<std::string>{"w5", "r1", "r2", "b1", "r3", "w10", "w30",
                                                   "w40", "w:max", "end"}));
    EXPECT_EQ(rt.acks, (std::vector<uint64_t>{1}));
}

TEST(source_task, subtask_goes_idle_when_all_splits_idle_and_wakes_on_data) {
    using testing::ev;
    using testing::script_line;
    manual_clock clk(0);
    std::vector<script_line> script;
    auto e = [&](uint32_t split, int64_t ts) {
        script_line l;
        l.split = split;
        l.ts = ts;
        l.e.key = "k";
        script.push_back(l);
    };
    auto adv = [&](int64_t ms) {
        script_line l;
        l.k = script_line::kind::advance;
        l.ts = ms;
        script.push_back(l);
    };
    e(0, 10);
    e(1, 20);
    adv(100);  // both splits silent for 100 ms >= 50: the subtask is idle
    e(1, 30);  // split 1 wakes: active; the watermark is min over active splits
    testing::scripted_source src(script, 2, &clk);
    struct ev_trace final : output<ev> {
        std::vector<std::string> seen;
        void push(batch<ev>&& b) override {
            for (auto t : b.timestamps)
                seen.push_back(std::string("r") + std::to_string(t));
        }
        void on_watermark(int64_t wm) override {
            seen.push_back(wm == max_timestamp ? "w:max" : std::string("w") + std::to_string(wm));
        }
        void on_idle(bool idle) override { seen.push_back(idle ? "idle" : "active"); }
        void on_barrier(uint64_t) override {}
        void on_end() override { seen.push_back("end"); }
    } out;
    operator_context ctx;
    source_task<ev> t(0, src.create_reader({0, 1}, ctx), &out,
                      watermark_strategy<ev>{}.with_idleness(50ms), 16);
    fake_runtime rt;
    doorbell bell;
    t.rt = &rt;
    t.bell = &bell;
    t.proc_clock = &clk;
    t.run();
    // Waking, split 1 rejoins with its old watermark 19 (split 0 stays idle), then moves to 29.
    EXPECT_EQ(out.seen, (std::vector<std::string>{"r10", "r20", "w9", "idle", "active", "w19",
                                                  "r30", "w29", "w:max", "end"}));
}

TEST(job, user_exception_fails_the_job_with_a_clear_error) {
    job_config cfg;
    cfg.parallelism = 2;
    environment env(cfg);
    auto out = std::make_shared<collecting_sink<int64_t>>();
    env.from_source<int64_t>(std::make_shared<vector_source<int64_t>>(numbers(2, 100)))
        .map([](int64_t x) {
            if (x == 150) {
                throw std::runtime_error("bad record 150");
            }
            return x;
        })
        .key_by([](const int64_t& x) { return x; })
        .process<int64_t>([] {
            struct fn {
                void process_element(const int64_t& v, keyed_context<int64_t, int64_t>& c) {
                    c.emit(v);
                }
            };
            return fn{};
        }())
        .sink(out);
    auto r = env.execute();
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, errc::failed);
    EXPECT_NE(r.error().message.find("bad record 150"), std::string::npos);
}

TEST(json_file_source, reads_lines_with_timestamps_and_counts_malformed) {
    io::mem_env fs;
    std::string a = "{\"repo\":\"x\",\"ts\":5}\n\n{\"repo\":\"y\",\"ts\":15}\nnot json\n";
    std::string b = "{\"repo\":\"x\",\"ts\":7}";  // no trailing newline
    ASSERT_TRUE(fs.write_file_atomic("/a.jsonl", bytes(a.begin(), a.end())));
    ASSERT_TRUE(fs.write_file_atomic("/b.jsonl", bytes(b.begin(), b.end())));
    auto src = std::make_shared<json_file_source>(
        fs, std::vector<std::string>{"/a.jsonl", "/b.jsonl"}, "ts");
    job_config cfg;
    cfg.parallelism = 2;
    environment env(cfg);
    auto out = std::make_shared<collecting_sink<window_result<std::string, int64_t>>>();
    env.from_source<json_record>(src)
        .key_by([](const json_record& j) { return j.value("repo", std::string()); })
        .window(tumbling(10ms))
        .aggregate(count_agg{})
        .sink(out);
    ASSERT_TRUE(env.execute());
    auto r = out->results();
    std::sort(r.begin(), r.end(), [](const auto& x, const auto& y) {
        return std::tie(x.key, x.window.start) < std::tie(y.key, y.window.start);
    });
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].key, "x");
    EXPECT_EQ(r[0].value, 2);
    EXPECT_EQ(r[1].key, "y");
    EXPECT_EQ(r[1].window.start, 10);
    EXPECT_EQ(src->malformed_lines(), 1u);
}

}  // namespace
}  // namespace otter::stream

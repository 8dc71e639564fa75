// The typed C++ API for building stream jobs:
//
//   environment env(cfg);
//   auto out = std::make_shared<collecting_sink<window_result<std::string, int64_t>>>();
//   env.from_source(src, watermark_strategy<event>{}.with_out_of_orderness(5s))
//       .filter([](const event& e) { return e.valid; })
//       .key_by([](const event& e) { return e.user; })
//       .window(tumbling(10s))
//       .aggregate(count_agg{})
//       .sink(out);
//   auto r = env.execute();
//
// Each call adds a node to the environment's job graph. Operators after a source or a stateless
// operator are chained into the same task (same parallelism); key_by inserts a hash-partitioned
// exchange and the keyed operator runs at the job's parallelism unless key_by names another. The
// environment must outlive the jobs created from it. Not thread-safe: build the graph on one
// thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "stream/exchange.h"
#include "stream/graph.h"
#include "stream/job.h"
#include "stream/ops.h"
#include "stream/process.h"
#include "stream/source.h"
#include "stream/window.h"

namespace otter::stream {

inline uint32_t next_output_tag_id() {
    static std::atomic<uint32_t> next{1};
    return next.fetch_add(1);
}

// Names a typed side output of an operator (e.g. late records of a window).
template <typename T>
struct output_tag {
    explicit output_tag(std::string n) : name(std::move(n)), id(next_output_tag_id()) {}
    std::string name;
    uint32_t id;
};

template <typename T>
class stream;
template <typename T, typename KeyFn>
class keyed_stream;
template <typename T, typename KeyFn, typename Assigner>
class windowed_stream;

class environment {
  public:
    explicit environment(job_config cfg = {}) : cfg_(std::move(cfg)) {}

    // Adds a source read by `parallelism` subtasks (0: the job's parallelism).
    template <typename T>
    stream<T> from_source(std::shared_ptr<source<T>> src, watermark_strategy<T> ws = {},
                          uint32_t parallelism = 0, std::string name = "source");

    job_graph& graph() { return graph_; }
    job_config& config() { return cfg_; }
    const job_config& config() const { return cfg_; }

    // Creates a job from the graph (restoring if asked); the caller starts and waits for it.
    result<std::unique_ptr<job>, error> create_job(const run_options& opts = {}) {
        return job::create(graph_, cfg_, opts);
    }
    // Runs the graph to completion (bounded sources).
    result<void, error> execute(const run_options& opts = {}) {
        auto j = create_job(opts);
        if (!j) {
            return unexpected<error>{j.error()};
        }
        (*j)->start();
        return (*j)->wait();
    }

  private:
    job_config cfg_;
    job_graph graph_;
};

namespace detail {

// An operator's parallelism: `requested`, or the job's when 0. job::create refuses values above
// max_parallelism (the number of key groups).
inline uint32_t operator_parallelism(const environment& env, uint32_t requested) {
    return requested == 0 ? env.config().parallelism : requested;
}

template <typename T>
class typed_source_factory final : public source_factory {
  public:
    typed_source_factory(std::shared_ptr<source<T>> src, watermark_strategy<T> ws)
        : src_(std::move(src)), ws_(std::move(ws)) {}
    size_t split_count() const override { return src_->split_count(); }
    std::unique_ptr<task> make_task(uint32_t node, std::vector<size_t> splits,
                                    build_context& bc) override {
        auto reader = src_->create_reader(std::move(splits), bc.ctx);
        std::vector<std::unique_ptr<output_base>> owned;
        output<T>* out = resolve_output<T>(bc.outs[0], owned);
        auto t = std::make_unique<source_task<T>>(node, std::move(reader), out, ws_, bc.batch_size);
        t->owned_outputs = std::move(owned);
        return t;
    }

  private:
    std::shared_ptr<source<T>> src_;
    watermark_strategy<T> ws_;
};

template <typename Op>
built_operator finish_op(std::unique_ptr<Op> op, build_context& bc) {
    op->open(bc.ctx);
    output_base* in = op.get();
    return {std::move(op), in};
}

}  // namespace detail

template <typename T>
class stream {
  public:
    stream(environment* env, uint32_t node, uint32_t tag = 0) : env_(env), node_(node), tag_(tag) {}

    // f(T) -> U, one output per record.
    template <typename F>
    auto map(F f, std::string name = "map") {
        using U = std::decay_t<std::invoke_result_t<F&, T&&>>;
        return stream<U>(env_, add(std::move(name), [f](build_context& bc) {
                             return detail::finish_op(
                                 std::make_unique<map_op<T, U, F>>(f, bc.outs[0]), bc);
                         }));
    }
    // f(const T&) -> bool keeps the records for which it is true.
    template <typename F>
    stream<T> filter(F f, std::string name = "filter") {
        return stream<T>(env_, add(std::move(name), [f](build_context& bc) {
                             return detail::finish_op(
                                 std::make_unique<filter_op<T, F>>(f, bc.outs[0]), bc);
                         }));
    }
    // f(const T&, collector<U>&) emits any number of records.
    template <typename U, typename F>
    stream<U> flat_map(F f, std::string name = "flat_map") {
        return stream<U>(env_, add(std::move(name), [f](build_context& bc) {
                             return detail::finish_op(
                                 std::make_unique<flat_map_op<T, U, F>>(f, bc.outs[0]), bc);
                         }));
    }
    // Partitions by key(const T&): the next operator is keyed and runs with `parallelism`
    // subtasks (0: the job's parallelism; at most max_key_groups).
    template <typename KeyFn>
    keyed_stream<T, KeyFn> key_by(KeyFn key, uint32_t parallelism = 0) {
        return keyed_stream<T, KeyFn>(env_, node_, tag_, std::move(key),
                                      detail::operator_parallelism(*env_, parallelism));
    }
    // Redistributes batches round-robin over `parallelism` subtasks (0: the job's parallelism).
    stream<T> rebalance(std::string name = "rebalance", uint32_t parallelism = 0) {
        graph_node n;
        n.name = std::move(name);
        n.parallelism = detail::operator_parallelism(*env_, parallelism);
        n.input = static_cast<int>(node_);
        n.input_tag = tag_;
        n.exchange = std::make_shared<rebalance_exchange<T>>();
        n.counting = &make_counting_output<T>;
        n.make = [](build_context& bc) {
            return detail::finish_op(std::make_unique<identity_op<T>>(bc.outs[0]), bc);
        };
        return stream<T>(env_, env_->graph().add(std::move(n)).id);
    }
    // The records an upstream operator sent to side output `tag`.
    template <typename U>
    stream<U> side_output(const output_tag<U>& tag) {
        graph_node n;
        n.name = "side:" + tag.name;
        n.parallelism = parallelism();
        n.input = static_cast<int>(node_);
        n.input_tag = tag.id;
        n.counting = &make_counting_output<U>;
        n.make = [](build_context& bc) {
            return detail::finish_op(std::make_unique<identity_op<U>>(bc.outs[0]), bc);
        };
        return stream<U>(env_, env_->graph().add(std::move(n)).id);
    }
    // Ends the stream in `s` (its committer runs when checkpoints complete).
    void sink(std::shared_ptr<sink<T>> s, std::string name = "sink") {
        uint32_t id = add(std::move(name), [s](build_context& bc) {
            return detail::finish_op(std::make_unique<sink_op<T>>(s->create_writer(bc.ctx)), bc);
        });
        env_->graph().node(id).commit = [s](uint32_t subtask, uint64_t chk, bytes_view c) {
            s->commit(subtask, chk, c);
        };
    }

    uint32_t node_id() const { return node_; }
    uint32_t parallelism() const { return env_->graph().node(node_).parallelism; }

  private:
    uint32_t add(std::string name, operator_factory f) {
        graph_node n;
        n.name = std::move(name);
        n.parallelism = parallelism();
        n.input = static_cast<int>(node_);
        n.input_tag = tag_;
        n.counting = &make_counting_output<T>;
        n.make = std::move(f);
        return env_->graph().add(std::move(n)).id;
    }

    environment* env_;
    uint32_t node_;
    uint32_t tag_;
};

template <typename T>
stream<T> environment::from_source(std::shared_ptr<source<T>> src, watermark_strategy<T> ws,
                                   uint32_t parallelism, std::string name) {
    graph_node n;
    n.name = std::move(name);
    n.parallelism = parallelism == 0 ? cfg_.parallelism : parallelism;
    n.source = std::make_shared<detail::typed_source_factory<T>>(std::move(src), std::move(ws));
    return stream<T>(this, graph_.add(std::move(n)).id);
}

template <typename T, typename KeyFn>
class keyed_stream {
  public:
    using K = std::decay_t<std::invoke_result_t<KeyFn&, const T&>>;

    keyed_stream(environment* env, uint32_t node, uint32_t tag, KeyFn key, uint32_t parallelism)
        : env_(env), node_(node), tag_(tag), key_(std::move(key)), parallelism_(parallelism) {}

    template <typename Assigner>
    windowed_stream<T, KeyFn, Assigner> window(Assigner a) {
        return windowed_stream<T, KeyFn, Assigner>(*this, a);
    }

    // Runs process function `fn` (see process.h) per record with keyed state and timers.
    template <typename Out, typename Fn>
    stream<Out> process(Fn fn, std::string name = "process") {
        KeyFn key = key_;
        return stream<Out>(
            env_, add(std::move(name), [key, fn](build_context& bc) {
                return detail::finish_op(
                    std::make_unique<keyed_process_op<T, K, KeyFn, Out, Fn>>(key, fn, bc.outs[0]),
                    bc);
            }));
    }

    // Adds a keyed node (hash exchange from the parent) built by `f`.
    uint32_t add(std::string name, operator_factory f) {
        graph_node n;
        n.name = std::move(name);
        n.parallelism = parallelism_;
        n.input = static_cast<int>(node_);
        n.input_tag = tag_;
        n.exchange = std::make_shared<keyed_exchange<T, KeyFn>>(key_);
        n.counting = &make_counting_output<T>;
        n.make = std::move(f);
        return env_->graph().add(std::move(n)).id;
    }
    environment* env() const { return env_; }
    const KeyFn& key() const { return key_; }

  private:
    environment* env_;
    uint32_t node_;
    uint32_t tag_;
    KeyFn key_;
    uint32_t parallelism_;
};

template <typename T, typename KeyFn, typename Assigner>
class windowed_stream {
  public:
    using K = typename keyed_stream<T, KeyFn>::K;

    windowed_stream(keyed_stream<T, KeyFn> ks, Assigner a) : ks_(std::move(ks)), a_(a) {}

    // Keeps window state this long after the window fired; late records within it update and
    // re-emit the result.
    windowed_stream& allowed_lateness(millis l) {
        lateness_ = l;
        return *this;
    }
    // Records later than the allowed lateness go to `tag` (read with stream::side_output).
    windowed_stream& side_output_late_data(const output_tag<T>& tag) {
        late_tag_ = tag.id;
        return *this;
    }
    // For global windows: fire every `t.count` records per key.
    windowed_stream& trigger(count_trigger t) {
        trigger_ = t;
        return *this;
    }

    // One window_result<K, R> per key and window, R = agg.result(acc).
    template <typename Agg>
    auto aggregate(Agg agg, std::string name = "window") {
        using E = result_emitter<K, Agg>;
        return build<Agg, E>(agg, E{agg}, std::move(name));
    }
    // Folds records with f(const T&, const T&) -> T; one window_result<K, T> per window.
    template <typename F>
    auto reduce(F f, std::string name = "window") {
        using Agg = reduce_agg<T, F>;
        return aggregate(Agg{f}, std::move(name));
    }
    // f(const K&, const time_window&, const std::vector<T>&, collector<Out>&) sees all records.
    template <typename Out, typename F>
    stream<Out> process(F f, std::string name = "window") {
        using E = process_emitter<K, T, Out, F>;
        return build<list_agg<T>, E>(list_agg<T>{}, E{f}, std::move(name));
    }

  private:
    template <typename Agg, typename E>
    stream<typename E::out_type> build(Agg agg, E emit, std::string name) {
        using Out = typename E::out_type;
        KeyFn key = ks_.key();
        int64_t lateness = lateness_.count();
        uint32_t late_tag = late_tag_;
        operator_factory f;
        if constexpr (std::is_same_v<Assigner, tumbling_windows> ||
                      std::is_same_v<Assigner, sliding_windows>) {
            int64_t size = a_.size.count();
            int64_t slide;
            if constexpr (std::is_same_v<Assigner, tumbling_windows>) {
                slide = size;
            } else {
                slide = a_.slide.count();
            }
            int64_t offset = a_.offset.count();
            f = [=](build_context& bc) {
                using Op = aligned_window_op<T, K, KeyFn, Agg, E>;
                return detail::finish_op(
                    std::make_unique<Op>(
                        key, agg, emit, size, slide, offset, lateness, bc.outs[0],
                        late_tag ? bc.outs[late_tag] : std::vector<output_base*>{}),
                    bc);
            };
        } else if constexpr (std::is_same_v<Assigner, session_windows>) {
            int64_t gap = a_.gap.count();
            f = [=](build_context& bc) {
                using Op = session_window_op<T, K, KeyFn, Agg, E>;
                return detail::finish_op(
                    std::make_unique<Op>(
                        key, agg, emit, gap, lateness, bc.outs[0],
                        late_tag ? bc.outs[late_tag] : std::vector<output_base*>{}),
                    bc);
            };
        } else {
            static_assert(std::is_same_v<Assigner, global_windows>, "unknown window assigner");
            OTTER_ASSERT(trigger_.has_value(), "global windows need a trigger (count_trigger)");
            count_trigger trig = *trigger_;
            f = [=](build_context& bc) {
                using Op = count_window_op<T, K, KeyFn, Agg, E>;
                return detail::finish_op(std::make_unique<Op>(key, agg, emit, trig, bc.outs[0]),
                                         bc);
            };
        }
        uint32_t id = ks_.add(std::move(name), std::move(f));
        return stream<Out>(ks_.env(), id);
    }

    keyed_stream<T, KeyFn> ks_;
    Assigner a_;
    millis lateness_{0};
    uint32_t late_tag_ = 0;
    std::optional<count_trigger> trigger_;
};

}  // namespace otter::stream

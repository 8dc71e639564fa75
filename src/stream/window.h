// Event-time windows: assigners (tumbling, sliding, session, global + count trigger), aggregate
// functions, and the window operators.
//
// Semantics follow Flink's DataStream API:
// - a window fires when the watermark reaches its max timestamp (end - 1) and emits one result
//   per key, with that max timestamp as the result's event time;
// - with allowed lateness L, the window's state is kept until watermark >= max_ts + L; a record
//   arriving for a fired but not yet purged window updates it and re-emits the result at once;
// - a record whose every window is past max_ts + L is late: it goes to the late side output if
//   one is set, and is counted (otter_stream_late_records_total) either way;
// - session windows merge when they overlap or touch (gap-based), and fire at the merged end.
// Operators keep state as typed hash tables (no per-record serialisation); snapshots use serde<>,
// so keys and accumulators need serde specialisations (or a members() method).
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <queue>
#include <unordered_map>
#include <utility>
#include <vector>

#include "metrics/registry.h"
#include "stream/hash.h"
#include "stream/operator.h"

namespace otter::stream {

struct tumbling_windows {
    millis size;
    millis offset{0};
};
struct sliding_windows {
    millis size;
    millis slide;
    millis offset{0};
};
struct session_windows {
    millis gap;
};
struct global_windows {};

inline tumbling_windows tumbling(millis size, millis offset = millis(0)) {
    return {size, offset};
}
inline sliding_windows sliding(millis size, millis slide, millis offset = millis(0)) {
    return {size, slide, offset};
}
inline session_windows session(millis gap) {
    return {gap};
}
inline global_windows global() {
    return {};
}

// Fires a global window every `count` records of a key; with `purge` the accumulator restarts.
struct count_trigger {
    uint64_t count = 1;
    bool purge = true;
};

// One result of a window for one key.
template <typename K, typename R>
struct window_result {
    K key{};
    time_window window;
    R value{};
    auto members() { return std::tie(key, window, value); }
    bool operator==(const window_result&) const = default;
};

// Aggregate function concept (like Flink's AggregateFunction):
//   using acc_type = ...;
//   acc_type create() const;                   // empty accumulator
//   void add(acc_type&, const In&) const;      // fold one record
//   R result(const acc_type&) const;           // the window's result
//   void merge(acc_type& into, const acc_type& from) const;  // session merging
struct count_agg {
    using acc_type = int64_t;
    int64_t create() const { return 0; }
    template <typename In>
    void add(int64_t& a, const In&) const {
        ++a;
    }
    int64_t result(const int64_t& a) const { return a; }
    void merge(int64_t& a, const int64_t& b) const { a += b; }
};

template <typename T, typename F>
struct reduce_agg {
    F f;
    using acc_type = std::optional<T>;
    acc_type create() const { return std::nullopt; }
    void add(acc_type& a, const T& v) const { a = a ? f(*a, v) : v; }
    T result(const acc_type& a) const { return *a; }
    void merge(acc_type& a, const acc_type& b) const {
        if (b) {
            add(a, *b);
        }
    }
};

// Keeps every record of the window for a process window function.
template <typename T>
struct list_agg {
    using acc_type = std::vector<T>;
    acc_type create() const { return {}; }
    void add(acc_type& a, const T& v) const { a.push_back(v); }
    const acc_type& result(const acc_type& a) const { return a; }
    void merge(acc_type& a, const acc_type& b) const { a.insert(a.end(), b.begin(), b.end()); }
};

// Emits window_result{key, window, agg.result(acc)}.
template <typename K, typename Agg>
struct result_emitter {
    Agg agg;
    using acc_type = typename Agg::acc_type;
    using R =
        std::decay_t<decltype(std::declval<const Agg&>().result(std::declval<const acc_type&>()))>;
    using out_type = window_result<K, R>;
    void operator()(const K& k, const time_window& w, const acc_type& a, batch<out_type>& out,
                    int64_t ts) const {
        out.push(out_type{k, w, agg.result(a)}, ts);
    }
};

// Calls fn(key, window, const std::vector<T>& records, collector<Out>&).
template <typename K, typename T, typename Out, typename F>
struct process_emitter {
    F fn;
    using acc_type = std::vector<T>;
    using out_type = Out;
    void operator()(const K& k, const time_window& w, const acc_type& a, batch<Out>& out,
                    int64_t ts) const {
        collector<Out> c(out, ts);
        fn(k, w, a, c);
    }
};

// Late-record accounting shared by the window operators.
class late_counters {
  public:
    void open(const operator_context& ctx, bool has_side_output) {
        if (ctx.metrics != nullptr) {
            metrics::labels l{{"job", ctx.job_name}, {"operator", ctx.operator_name}};
            late_ = &ctx.metrics->get_counter(
                "otter_stream_late_records_total",
                "Records later than the allowed lateness (sent to the late side output or dropped)",
                l);
            dropped_ = &ctx.metrics->get_counter(
                "otter_stream_late_records_dropped_total",
                "Late records dropped because the window has no late side output", l);
            updates_ = &ctx.metrics->get_counter(
                "otter_stream_late_window_updates_total",
                "Records within the allowed lateness that updated and re-emitted a fired window",
                l);
        }
        side_ = has_side_output;
    }
    void late(uint64_t n) {
        late_->inc(n);
        if (!side_) {
            dropped_->inc(n);
        }
    }
    void update() { updates_->inc(); }

  private:
    metrics::counter local_late_, local_dropped_, local_updates_;
    metrics::counter* late_ = &local_late_;
    metrics::counter* dropped_ = &local_dropped_;
    metrics::counter* updates_ = &local_updates_;
    bool side_ = false;
};

inline int64_t floor_mod(int64_t a, int64_t b) {
    int64_t m = a % b;
    return m < 0 ? m + b : m;
}

// Tumbling and sliding windows (size, slide; tumbling has slide == size). State is laid out
// window-major: an ordered map from window start to a hash table key → accumulator, so firing
// walks the front of the map and never needs a timer per key.
template <typename In, typename K, typename KeyFn, typename Agg, typename Emit>
class aligned_window_op final : public one_input_operator<In> {
  public:
    using acc_type = typename Agg::acc_type;
    using Out = typename Emit::out_type;

    aligned_window_op(KeyFn key, Agg agg, Emit emit, int64_t size, int64_t slide, int64_t offset,
                      int64_t lateness, const std::vector<output_base*>& outs,
                      const std::vector<output_base*>& late_outs)
        : key_(std::move(key)),
          agg_(std::move(agg)),
          emit_(std::move(emit)),
          size_(size),
          slide_(slide),
          offset_(offset),
          lateness_(lateness) {
        out_ = this->template add_output<Out>(outs);
        if (!late_outs.empty()) {
            late_out_ = this->template add_output<In>(late_outs);
        }
    }

    void open(const operator_context& ctx) override {
        operator_base::open(ctx);
        counters_.open(ctx, late_out_ != nullptr);
    }

    void push(batch<In>&& b) override {
        batch<Out> fired;
        batch<In> late;
        for (size_t i = 0; i < b.size(); ++i) {
            const int64_t ts = b.timestamps[i];
            const In& v = b.values[i];
            K k = key_(v);
            bool any = false;
            const int64_t last_start = ts - floor_mod(ts - offset_, slide_);
            for (int64_t start = last_start; start > ts - size_; start -= slide_) {
                time_window w{start, start + size_};
                if (is_late(w)) {
                    continue;
                }
                any = true;
                pane& p = pane_for(start);
                auto it = p.accs.find(k);
                if (it == p.accs.end()) {
                    it = p.accs.emplace(k, agg_.create()).first;
                }
                agg_.add(it->second, v);
                if (w.max_ts() <= wm_) {
                    // Late but within the allowed lateness: re-emit the updated result now.
                    emit_(k, w, it->second, fired, w.max_ts());
                    counters_.update();
                }
            }
            if (!any) {
                if (late_out_ != nullptr) {
                    late.push(v, ts);
                }
                counters_.late(1);
            }
        }
        if (!fired.empty()) {
            out_->push(std::move(fired));
        }
        if (!late.empty()) {
            late_out_->push(std::move(late));
        }
    }

    void on_watermark(int64_t wm) override {
        wm_ = wm;
        batch<Out> fired;
        for (auto it = panes_.begin(); it != panes_.end();) {
            time_window w{it->first, it->first + size_};
            if (w.max_ts() > wm) {
                break;
            }
            if (!it->second.fired) {
                for (const auto& [k, acc] : it->second.accs)
                    emit_(k, w, acc, fired, w.max_ts());
                it->second.fired = true;
            }
            if (is_late(w)) {
                if (cached_ == &it->second) {
                    cached_ = nullptr;
                }
                it = panes_.erase(it);
            } else {
                ++it;
            }
        }
        if (!fired.empty()) {
            out_->push(std::move(fired));
        }
        one_input_operator<In>::on_watermark(wm);
    }

    void snapshot(uint64_t, writer& w) override {
        w.i64(wm_);
        w.u64(panes_.size());
        for (const auto& [start, p] : panes_) {
            w.i64(start);
            w.u64(p.fired ? 1 : 0);
            w.u64(p.accs.size());
            for (const auto& [k, a] : p.accs) {
                write_value(w, k);
                write_value(w, a);
            }
        }
    }
    bool restore(reader& r) override {
        panes_.clear();
        cached_ = nullptr;
        wm_ = r.i64();
        size_t n = r.length();
        for (size_t i = 0; i < n && r.ok(); ++i) {
            int64_t start = r.i64();
            pane& p = panes_[start];
            p.fired = r.u64() != 0;
            size_t m = r.length();
            for (size_t j = 0; j < m && r.ok(); ++j) {
                K k{};
                acc_type a{};
                read_value(r, k);
                read_value(r, a);
                p.accs.emplace(std::move(k), std::move(a));
            }
        }
        return r.ok();
    }

  private:
    struct pane {
        std::unordered_map<K, acc_type, key_hash<K>> accs;
        bool fired = false;
    };
    bool is_late(const time_window& w) const {
        return wm_ != min_timestamp && w.max_ts() + lateness_ <= wm_;
    }
    pane& pane_for(int64_t start) {
        if (cached_ != nullptr && cached_start_ == start) {
            return *cached_;
        }
        cached_ = &panes_[start];
        cached_start_ = start;
        return *cached_;
    }

    KeyFn key_;
    Agg agg_;
    Emit emit_;
    int64_t size_, slide_, offset_, lateness_;
    int64_t wm_ = min_timestamp;
    std::map<int64_t, pane> panes_;
    pane* cached_ = nullptr;  // the pane of the last record: consecutive records usually share it
    int64_t cached_start_ = 0;
    output<Out>* out_;
    output<In>* late_out_ = nullptr;
    late_counters counters_;
};

// Session windows: per key, a short list of open sessions that merge on overlap.
template <typename In, typename K, typename KeyFn, typename Agg, typename Emit>
class session_window_op final : public one_input_operator<In> {
  public:
    using acc_type = typename Agg::acc_type;
    using Out = typename Emit::out_type;

    session_window_op(KeyFn key, Agg agg, Emit emit, int64_t gap, int64_t lateness,
                      const std::vector<output_base*>& outs,
                      const std::vector<output_base*>& late_outs)
        : key_(std::move(key)),
          agg_(std::move(agg)),
          emit_(std::move(emit)),
          gap_(gap),
          lateness_(lateness) {
        out_ = this->template add_output<Out>(outs);
        if (!late_outs.empty()) {
            late_out_ = this->template add_output<In>(late_outs);
        }
    }

    void open(const operator_context& ctx) override {
        operator_base::open(ctx);
        counters_.open(ctx, late_out_ != nullptr);
    }

    void push(batch<In>&& b) override {
        batch<Out> fired;
        batch<In> late;
        for (size_t i = 0; i < b.size(); ++i) {
            const int64_t ts = b.timestamps[i];
            const In& v = b.values[i];
            K k = key_(v);
            auto& ss = sessions_[k];
            session merged{{ts, ts + gap_}, agg_.create(), false};
            bool overlapped = false;
            for (auto it = ss.begin(); it != ss.end();) {
                if (it->w.intersects(merged.w)) {
                    merged.w = merged.w.cover(it->w);
                    agg_.merge(merged.acc, it->acc);
                    overlapped = true;
                    it = ss.erase(it);
                } else {
                    ++it;
                }
            }
            if (!overlapped && is_late(merged.w)) {
                if (ss.empty()) {
                    sessions_.erase(k);
                }
                if (late_out_ != nullptr) {
                    late.push(v, ts);
                }
                counters_.late(1);
                continue;
            }
            agg_.add(merged.acc, v);
            if (merged.w.max_ts() <= wm_) {
                emit_(k, merged.w, merged.acc, fired, merged.w.max_ts());
                merged.fired = true;
                counters_.update();
                timers_.push({merged.w.max_ts() + lateness_, k});
            } else {
                timers_.push({merged.w.max_ts(), k});
            }
            ss.push_back(std::move(merged));
        }
        if (!fired.empty()) {
            out_->push(std::move(fired));
        }
        if (!late.empty()) {
            late_out_->push(std::move(late));
        }
    }

    void on_watermark(int64_t wm) override {
        wm_ = wm;
        batch<Out> fired;
        while (!timers_.empty() && timers_.top().first <= wm) {
            K k = timers_.top().second;
            timers_.pop();
            auto it = sessions_.find(k);
            if (it == sessions_.end()) {
                continue;
            }
            auto& ss = it->second;
            for (auto s = ss.begin(); s != ss.end();) {
                if (!s->fired && s->w.max_ts() <= wm) {
                    emit_(k, s->w, s->acc, fired, s->w.max_ts());
                    s->fired = true;
                    if (!is_late(s->w)) {
                        timers_.push({s->w.max_ts() + lateness_, k});
                    }
                }
                s = is_late(s->w) ? ss.erase(s) : std::next(s);
            }
            if (ss.empty()) {
                sessions_.erase(it);
            }
        }
        if (!fired.empty()) {
            out_->push(std::move(fired));
        }
        one_input_operator<In>::on_watermark(wm);
    }

    void snapshot(uint64_t, writer& w) override {
        w.i64(wm_);
        w.u64(sessions_.size());
        for (const auto& [k, ss] : sessions_) {
            write_value(w, k);
            w.u64(ss.size());
            for (const auto& s : ss) {
                write_value(w, s.w);
                write_value(w, s.acc);
                w.u64(s.fired ? 1 : 0);
            }
        }
    }
    bool restore(reader& r) override {
        sessions_.clear();
        timers_ = {};
        wm_ = r.i64();
        size_t n = r.length();
        for (size_t i = 0; i < n && r.ok(); ++i) {
            K k{};
            read_value(r, k);
            auto& ss = sessions_[k];
            size_t m = r.length();
            for (size_t j = 0; j < m && r.ok(); ++j) {
                session s{};
                read_value(r, s.w);
                read_value(r, s.acc);
                s.fired = r.u64() != 0;
                timers_.push({s.fired ? s.w.max_ts() + lateness_ : s.w.max_ts(), k});
                ss.push_back(std::move(s));
            }
        }
        return r.ok();
    }

  private:
    struct session {
        time_window w;
        acc_type acc;
        bool fired = false;
    };
    struct later {
        bool operator()(const std::pair<int64_t, K>& a, const std::pair<int64_t, K>& b) const {
            return a.first > b.first;
        }
    };
    bool is_late(const time_window& w) const {
        return wm_ != min_timestamp && w.max_ts() + lateness_ <= wm_;
    }

    KeyFn key_;
    Agg agg_;
    Emit emit_;
    int64_t gap_, lateness_;
    int64_t wm_ = min_timestamp;
    std::unordered_map<K, std::vector<session>, key_hash<K>> sessions_;
    // (time, key) at which a key's sessions need a look; stale entries are skipped.
    std::priority_queue<std::pair<int64_t, K>, std::vector<std::pair<int64_t, K>>, later> timers_;
    output<Out>* out_;
    output<In>* late_out_ = nullptr;
    late_counters counters_;
};

// The global window with a count trigger. Results carry the timestamp of the record that
// completed the count (Flink would stamp Long.MAX_VALUE, which is useless downstream).
template <typename In, typename K, typename KeyFn, typename Agg, typename Emit>
class count_window_op final : public one_input_operator<In> {
  public:
    using acc_type = typename Agg::acc_type;
    using Out = typename Emit::out_type;

    count_window_op(KeyFn key, Agg agg, Emit emit, count_trigger trig,
                    const std::vector<output_base*>& outs)
        : key_(std::move(key)), agg_(std::move(agg)), emit_(std::move(emit)), trig_(trig) {
        out_ = this->template add_output<Out>(outs);
    }

    void push(batch<In>&& b) override {
        batch<Out> fired;
        for (size_t i = 0; i < b.size(); ++i) {
            K k = key_(b.values[i]);
            auto it = state_.find(k);
            if (it == state_.end()) {
                it = state_.emplace(k, entry{agg_.create(), 0}).first;
            }
            agg_.add(it->second.acc, b.values[i]);
            if (++it->second.count >= trig_.count) {
                emit_(k, global_window, it->second.acc, fired, b.timestamps[i]);
                if (trig_.purge) {
                    state_.erase(it);
                } else {
                    it->second.count = 0;
                }
            }
        }
        if (!fired.empty()) {
            out_->push(std::move(fired));
        }
    }

    void snapshot(uint64_t, writer& w) override {
        w.u64(state_.size());
        for (const auto& [k, e] : state_) {
            write_value(w, k);
            write_value(w, e.acc);
            w.u64(e.count);
        }
    }
    bool restore(reader& r) override {
        state_.clear();
        size_t n = r.length();
        for (size_t i = 0; i < n && r.ok(); ++i) {
            K k{};
            entry e{};
            read_value(r, k);
            read_value(r, e.acc);
            e.count = r.u64();
            state_.emplace(std::move(k), std::move(e));
        }
        return r.ok();
    }

  private:
    struct entry {
        acc_type acc;
        uint64_t count = 0;
    };
    KeyFn key_;
    Agg agg_;
    Emit emit_;
    count_trigger trig_;
    std::unordered_map<K, entry, key_hash<K>> state_;
    output<Out>* out_;
};

}  // namespace otter::stream

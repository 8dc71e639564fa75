// Keyed process functions: per-record user code with keyed state and event-time and
// processing-time timers (Flink's KeyedProcessFunction).
//
// The user function is a class with
//   void open(keyed_state_backend<K>& state);                        // optional: declare state
//   void process_element(const In& v, keyed_context<K, Out>& ctx);
//   void on_timer(int64_t ts, time_domain d, keyed_context<K, Out>& ctx);   // optional
// Timers are per (key, timestamp), deduplicated, fired in timestamp order: event-time timers when
// the watermark reaches them, processing-time timers when the task's clock does. Timers and state
// are checkpointed. Keys need operator< (timers are ordered sets) and serde<K>.
#pragma once

#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "stream/operator.h"
#include "stream/state.h"

namespace otter::stream {

enum class time_domain { event_time, processing_time };

template <typename K>
class timer_service {
  public:
    void register_event_time(const K& k, int64_t ts) { event_.emplace(ts, k); }
    void delete_event_time(const K& k, int64_t ts) { event_.erase({ts, k}); }
    void register_processing_time(const K& k, int64_t ts) { proc_.emplace(ts, k); }
    void delete_processing_time(const K& k, int64_t ts) { proc_.erase({ts, k}); }
    // Pops the earliest timer at or before `t`, if any.
    bool pop_event(int64_t t, std::pair<int64_t, K>& out) { return pop(event_, t, out); }
    bool pop_processing(int64_t t, std::pair<int64_t, K>& out) { return pop(proc_, t, out); }
    size_t size() const { return event_.size() + proc_.size(); }

    void snapshot(writer& w) const {
        write_value(w, std::vector<std::pair<int64_t, K>>(event_.begin(), event_.end()));
        write_value(w, std::vector<std::pair<int64_t, K>>(proc_.begin(), proc_.end()));
    }
    bool restore(reader& r) {
        std::vector<std::pair<int64_t, K>> e, p;
        read_value(r, e);
        read_value(r, p);
        event_ = {e.begin(), e.end()};
        proc_ = {p.begin(), p.end()};
        return r.ok();
    }

  private:
    using set = std::set<std::pair<int64_t, K>>;
    static bool pop(set& s, int64_t t, std::pair<int64_t, K>& out) {
        if (s.empty() || s.begin()->first > t) {
            return false;
        }
        out = *s.begin();
        s.erase(s.begin());
        return true;
    }
    set event_;
    set proc_;
};

// What a process function sees for the current record or timer.
template <typename K, typename Out>
class keyed_context {
  public:
    keyed_context(keyed_state_backend<K>& st, timer_service<K>& timers)
        : state_(&st), timers_(&timers) {}
    const K& key() const { return *key_; }
    // Event time of the current record, or the time of the firing timer.
    int64_t timestamp() const { return ts_; }
    int64_t current_watermark() const { return wm_; }
    int64_t current_processing_time() const { return now_; }
    void register_event_time_timer(int64_t ts) { timers_->register_event_time(*key_, ts); }
    void delete_event_time_timer(int64_t ts) { timers_->delete_event_time(*key_, ts); }
    void register_processing_time_timer(int64_t ts) {
        timers_->register_processing_time(*key_, ts);
    }
    void delete_processing_time_timer(int64_t ts) { timers_->delete_processing_time(*key_, ts); }
    void emit(Out v) { out_->push(std::move(v), ts_); }
    void emit(Out v, int64_t ts) { out_->push(std::move(v), ts); }
    keyed_state_backend<K>& state() { return *state_; }

  private:
    template <typename, typename, typename, typename, typename>
    friend class keyed_process_op;
    keyed_state_backend<K>* state_;
    timer_service<K>* timers_;
    const K* key_ = nullptr;
    int64_t ts_ = 0;
    int64_t wm_ = min_timestamp;
    int64_t now_ = 0;
    batch<Out>* out_ = nullptr;
};

template <typename In, typename K, typename KeyFn, typename Out, typename Fn>
class keyed_process_op final : public one_input_operator<In> {
  public:
    keyed_process_op(KeyFn key, Fn fn, const std::vector<output_base*>& outs)
        : key_(std::move(key)), fn_(std::move(fn)), kctx_(state_, timers_) {
        out_ = this->template add_output<Out>(outs);
    }

    void open(const operator_context& c) override {
        operator_base::open(c);
        if constexpr (requires(Fn f, keyed_state_backend<K> & s) { f.open(s); }) {
            fn_.open(state_);
        }
    }

    void push(batch<In>&& b) override {
        batch<Out> o;
        kctx_.out_ = &o;
        kctx_.now_ = this->ctx_clock_now();
        state_.set_processing_time(kctx_.now_);
        for (size_t i = 0; i < b.size(); ++i) {
            K k = key_(b.values[i]);
            state_.set_current_key(&k);
            kctx_.key_ = &k;
            kctx_.ts_ = b.timestamps[i];
            fn_.process_element(static_cast<const In&>(b.values[i]), kctx_);
        }
        state_.set_current_key(nullptr);
        kctx_.key_ = nullptr;
        if (!o.empty()) {
            out_->push(std::move(o));
        }
    }

    void on_watermark(int64_t wm) override {
        kctx_.wm_ = wm;
        fire(time_domain::event_time, wm);
        one_input_operator<In>::on_watermark(wm);
    }

    void on_processing_time(int64_t now) override {
        if (timers_.size() > 0) {
            fire(time_domain::processing_time, now);
        }
    }

    void snapshot(uint64_t, writer& w) override {
        w.i64(kctx_.wm_);
        timers_.snapshot(w);
        state_.snapshot(w);
    }
    bool restore(reader& r) override {
        kctx_.wm_ = r.i64();
        return timers_.restore(r) && state_.restore(r);
    }

  private:
    int64_t ctx_clock_now() const {
        return operator_base::ctx_.proc_clock != nullptr ? operator_base::ctx_.proc_clock->now_ms()
                                                         : 0;
    }

    void fire(time_domain d, int64_t t) {
        batch<Out> o;
        kctx_.out_ = &o;
        kctx_.now_ = ctx_clock_now();
        state_.set_processing_time(kctx_.now_);
        std::pair<int64_t, K> timer;
        while (d == time_domain::event_time ? timers_.pop_event(t, timer)
                                            : timers_.pop_processing(t, timer)) {
            state_.set_current_key(&timer.second);
            kctx_.key_ = &timer.second;
            kctx_.ts_ = timer.first;
            if constexpr (requires(Fn f, keyed_context<K, Out> & c) {
                              f.on_timer(int64_t{}, d, c);
                          }) {
                fn_.on_timer(timer.first, d, kctx_);
            }
        }
        state_.set_current_key(nullptr);
        kctx_.key_ = nullptr;
        if (!o.empty()) {
            out_->push(std::move(o));
        }
    }

    KeyFn key_;
    Fn fn_;
    keyed_state_backend<K> state_;
    timer_service<K> timers_;
    keyed_context<K, Out> kctx_;
    output<Out>* out_;
};

}  // namespace otter::stream

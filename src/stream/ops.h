// Stateless operators (map, filter, flat_map), the pass-through used for side outputs, and sinks.
//
// Each operator is a template over the user function, so the per-record loop calls the function
// inline; the only virtual call is push() once per batch. Not thread-safe (one task owns each).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <type_traits>
#include <utility>
#include <vector>

#include "stream/operator.h"

namespace otter::stream {

template <typename In, typename Out, typename F>
class map_op final : public one_input_operator<In> {
  public:
    map_op(F f, const std::vector<output_base*>& outs) : f_(std::move(f)) {
        out_ = this->template add_output<Out>(outs);
    }
    void push(batch<In>&& b) override {
        batch<Out> o;
        o.values.reserve(b.size());
        for (auto& v : b.values) {
            o.values.push_back(f_(std::move(v)));
        }
        o.timestamps = std::move(b.timestamps);
        out_->push(std::move(o));
    }

  private:
    F f_;
    output<Out>* out_;
};

template <typename T, typename F>
class filter_op final : public one_input_operator<T> {
  public:
    filter_op(F f, const std::vector<output_base*>& outs) : f_(std::move(f)) {
        out_ = this->template add_output<T>(outs);
    }
    void push(batch<T>&& b) override {
        // Compacts in place: kept records move left; no allocation.
        size_t w = 0;
        for (size_t r = 0; r < b.size(); ++r) {
            if (f_(static_cast<const T&>(b.values[r]))) {
                if (w != r) {
                    b.values[w] = std::move(b.values[r]);
                    b.timestamps[w] = b.timestamps[r];
                }
                ++w;
            }
        }
        b.values.erase(b.values.begin() + static_cast<ptrdiff_t>(w), b.values.end());
        b.timestamps.resize(w);
        if (!b.empty()) {
            out_->push(std::move(b));
        }
    }

  private:
    F f_;
    output<T>* out_;
};

// f(const In&, collector<Out>&) emits zero or more records per input.
template <typename In, typename Out, typename F>
class flat_map_op final : public one_input_operator<In> {
  public:
    flat_map_op(F f, const std::vector<output_base*>& outs) : f_(std::move(f)) {
        out_ = this->template add_output<Out>(outs);
    }
    void push(batch<In>&& b) override {
        batch<Out> o;
        o.reserve(b.size());
        collector<Out> c(o, 0);
        for (size_t i = 0; i < b.size(); ++i) {
            c.set_timestamp(b.timestamps[i]);
            f_(static_cast<const In&>(b.values[i]), c);
        }
        if (!o.empty()) {
            out_->push(std::move(o));
        }
    }

  private:
    F f_;
    output<Out>* out_;
};

template <typename T>
class identity_op final : public one_input_operator<T> {
  public:
    explicit identity_op(const std::vector<output_base*>& outs) {
        out_ = this->template add_output<T>(outs);
    }
    void push(batch<T>&& b) override { out_->push(std::move(b)); }

  private:
    output<T>* out_;
};

// ---- sinks ----

// Writes the records of one sink subtask. Not thread-safe (its task owns it).
template <typename T>
class sink_writer {
  public:
    virtual ~sink_writer() = default;
    virtual void write(batch<T>&& b) = 0;
    // Pre-commits everything written so far for checkpoint `id`: returns the committables the
    // sink's commit() will receive once the checkpoint is complete.
    virtual bytes precommit(uint64_t /*id*/) { return {}; }
    virtual void snapshot(writer& /*w*/) {}
    virtual bool restore(reader& /*r*/) { return true; }
    // End of input: publish everything (a bounded job's final commit).
    virtual void finish() {}
};

// A sink definition, shared by all subtasks and by the checkpoint coordinator.
template <typename T>
class sink {
  public:
    virtual ~sink() = default;
    virtual std::unique_ptr<sink_writer<T>> create_writer(const operator_context& ctx) = 0;
    // Commits the committables of `subtask` from completed checkpoint `checkpoint`.
    // Called from the coordinator (and again on restore): must be thread-safe and idempotent.
    virtual void commit(uint32_t /*subtask*/, uint64_t /*checkpoint*/, bytes_view /*c*/) {}
};

template <typename T>
class sink_op final : public one_input_operator<T> {
  public:
    explicit sink_op(std::unique_ptr<sink_writer<T>> w) : w_(std::move(w)) {}
    void push(batch<T>&& b) override { w_->write(std::move(b)); }
    void on_end() override { w_->finish(); }
    void snapshot(uint64_t, writer& w) override { w_->snapshot(w); }
    bool restore(reader& r) override { return w_->restore(r); }
    bytes precommit(uint64_t id) override { return w_->precommit(id); }

  private:
    std::unique_ptr<sink_writer<T>> w_;
};

// Calls `fn(batch<T>&&)` for every batch, from the sink subtask's thread (fn must be thread-safe
// when parallelism > 1). No delivery guarantee beyond at-least-once. For benchmarks (a blackhole)
// and quick inspection.
template <typename T, typename F>
class function_sink final : public sink<T> {
  public:
    explicit function_sink(F fn) : fn_(std::move(fn)) {}
    std::unique_ptr<sink_writer<T>> create_writer(const operator_context&) override {
        return std::make_unique<w>(fn_);
    }

  private:
    class w final : public sink_writer<T> {
      public:
        explicit w(F& fn) : fn_(fn) {}
        void write(batch<T>&& b) override { fn_(std::move(b)); }

      private:
        F& fn_;
    };
    F fn_;
};

// Collects records in memory with two-phase-commit semantics (the model for transactional
// sinks). Records a subtask writes between two barriers form an epoch named by the checkpoint id;
// at the barrier the epoch is pre-committed (it travels in the checkpoint as a committable), and
// it becomes visible in results() only when that checkpoint completes, or at end of input.
// Commits are idempotent per (subtask, epoch): re-committing a restored checkpoint adds nothing.
// An epoch whose checkpoint was declined rides along with the next one. So the committed output of
// a job killed and restored from its latest checkpoint equals that of an uninterrupted run: no
// loss, no duplicates. (Restoring an older checkpoint than the last committed one re-emits its
// records: at-least-once, as with any two-phase-commit sink.) Requires serde<T>. Thread-safe.
template <typename T>
class collecting_sink final : public sink<T> {
  public:
    std::unique_ptr<sink_writer<T>> create_writer(const operator_context& ctx) override {
        return std::make_unique<w>(this, ctx.subtask);
    }

    void commit(uint32_t subtask, uint64_t, bytes_view c) override {
        reader r(c);
        std::vector<std::pair<uint64_t, std::vector<T>>> epochs;
        read_value(r, epochs);
        if (!r.ok()) {
            return;
        }
        std::lock_guard lk(mu_);
        for (auto& [epoch, recs] : epochs) {
            if (committed_epochs_[subtask].insert(epoch).second) {
                committed_.insert(committed_.end(), recs.begin(), recs.end());
            } else {
                skipped_ += recs.size();
            }
        }
    }

    // Committed records so far.
    std::vector<T> results() const {
        std::lock_guard lk(mu_);
        return committed_;
    }
    size_t size() const {
        std::lock_guard lk(mu_);
        return committed_.size();
    }
    // Records offered again in an epoch that was already committed (and not added).
    uint64_t duplicates_skipped() const {
        std::lock_guard lk(mu_);
        return skipped_;
    }

  private:
    bool is_committed(uint32_t subtask, uint64_t epoch) const {
        std::lock_guard lk(mu_);
        auto it = committed_epochs_.find(subtask);
        return it != committed_epochs_.end() && it->second.count(epoch) != 0;
    }
    void commit_final(const std::vector<std::pair<uint64_t, std::vector<T>>>& epochs,
                      uint32_t subtask, std::vector<T>&& rest) {
        std::lock_guard lk(mu_);
        for (const auto& [epoch, recs] : epochs) {
            if (committed_epochs_[subtask].insert(epoch).second) {
                committed_.insert(committed_.end(), recs.begin(), recs.end());
            }
        }
        for (auto& v : rest)
            committed_.push_back(std::move(v));
    }

    class w final : public sink_writer<T> {
      public:
        w(collecting_sink* s, uint32_t subtask) : s_(s), subtask_(subtask) {}
        void write(batch<T>&& b) override {
            for (auto& v : b.values)
                current_.push_back(std::move(v));
        }
        bytes precommit(uint64_t id) override {
            epochs_.emplace_back(id, std::move(current_));
            current_.clear();
            std::erase_if(epochs_,
                          [&](const auto& e) { return s_->is_committed(subtask_, e.first); });
            bytes out;
            writer wr(out);
            write_value(wr, epochs_);
            return out;
        }
        void finish() override {
            s_->commit_final(epochs_, subtask_, std::move(current_));
            epochs_.clear();
            current_.clear();
        }

      private:
        collecting_sink* s_;
        uint32_t subtask_;
        std::vector<T> current_;
        std::vector<std::pair<uint64_t, std::vector<T>>>
            epochs_;  // pre-committed, not yet seen committed
    };

    mutable std::mutex mu_;
    std::vector<T> committed_;                                 // guarded by mu_
    std::map<uint32_t, std::set<uint64_t>> committed_epochs_;  // guarded by mu_
    uint64_t skipped_ = 0;                                     // guarded by mu_
};

}  // namespace otter::stream

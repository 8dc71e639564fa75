// Operator interfaces: how chained operators hand batches and control elements to each other.
//
// Inside a task (one thread), operators form a tree: each calls its downstream `output<T>::push`
// once per batch; the per-record loop inside an operator is a template instantiated with the user
// function, so user code inlines and no virtual call happens per record. Control elements
// (watermarks, idle status, barriers, end of input) travel through the same calls, in order with
// the batches. Not thread-safe: a task's thread owns its operators.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "stream/batch.h"
#include "stream/serde.h"
#include "stream/time.h"

namespace otter::metrics {
class registry;
}

namespace otter::stream {

// What an operator instance knows about where it runs. Lives as long as the task.
struct operator_context {
    std::string job_name;
    std::string operator_name;
    uint32_t node_id = 0;
    uint32_t subtask = 0;
    uint32_t parallelism = 1;
    const clock* proc_clock = nullptr;     // processing time; never null at open()
    metrics::registry* metrics = nullptr;  // may be null
};

// The receiving side of control elements.
class output_base {
  public:
    virtual ~output_base() = default;
    // The event-time watermark advanced to `wm` (monotonic).
    virtual void on_watermark(int64_t wm) = 0;
    // All inputs upstream became idle (true) or one became active again (false).
    virtual void on_idle(bool idle) = 0;
    // Checkpoint barrier `id`; the task has already snapshotted every operator of the chain.
    virtual void on_barrier(uint64_t id) = 0;
    // End of input: nothing follows. A MAX watermark always precedes it.
    virtual void on_end() = 0;
};

template <typename T>
class output : public output_base {
  public:
    virtual void push(batch<T>&& b) = 0;
};

// Lifecycle and state of one operator instance.
class operator_base {
  public:
    virtual ~operator_base() = default;
    virtual void open(const operator_context& ctx) { ctx_ = ctx; }
    // Writes the operator's state for checkpoint `id`. May move data out (a sink's pending
    // records become the checkpoint's committables).
    virtual void snapshot(uint64_t /*id*/, writer& /*w*/) {}
    // Reloads state written by snapshot(); false if the bytes are malformed.
    virtual bool restore(reader& /*r*/) { return true; }
    // Committables a sink pre-committed for checkpoint `id` (empty for other operators); the
    // coordinator hands them to the sink's committer once the checkpoint is complete.
    virtual bytes precommit(uint64_t /*id*/) { return {}; }
    // Called by the task loop with the current processing time, between batches.
    virtual void on_processing_time(int64_t /*now*/) {}
    const operator_context& context() const { return ctx_; }

  protected:
    operator_context ctx_;
};

// A null output: drops everything (an operator output nobody consumes).
template <typename T>
class discard_output final : public output<T> {
  public:
    void push(batch<T>&&) override {}
    void on_watermark(int64_t) override {}
    void on_idle(bool) override {}
    void on_barrier(uint64_t) override {}
    void on_end() override {}
};

// Copies each batch to several consumers (a stream used twice); the last one gets the original.
template <typename T>
class fanout_output final : public output<T> {
  public:
    explicit fanout_output(std::vector<output<T>*> outs) : outs_(std::move(outs)) {}
    void push(batch<T>&& b) override {
        for (size_t i = 0; i + 1 < outs_.size(); ++i) {
            batch<T> copy = b;
            outs_[i]->push(std::move(copy));
        }
        outs_.back()->push(std::move(b));
    }
    void on_watermark(int64_t wm) override {
        for (auto* o : outs_)
            o->on_watermark(wm);
    }
    void on_idle(bool idle) override {
        for (auto* o : outs_)
            o->on_idle(idle);
    }
    void on_barrier(uint64_t id) override {
        for (auto* o : outs_)
            o->on_barrier(id);
    }
    void on_end() override {
        for (auto* o : outs_)
            o->on_end();
    }

  private:
    std::vector<output<T>*> outs_;
};

// Resolves the consumers of one operator output (main or a side output) to one typed output:
// nothing → discard, one → itself, several → a fanout. `owned` keeps created adapters alive.
template <typename T>
output<T>* resolve_output(const std::vector<output_base*>& outs,
                          std::vector<std::unique_ptr<output_base>>& owned) {
    if (outs.size() == 1) {
        return static_cast<output<T>*>(outs[0]);
    }
    if (outs.empty()) {
        owned.push_back(std::make_unique<discard_output<T>>());
        return static_cast<output<T>*>(owned.back().get());
    }
    std::vector<output<T>*> typed;
    for (auto* o : outs)
        typed.push_back(static_cast<output<T>*>(o));
    owned.push_back(std::make_unique<fanout_output<T>>(std::move(typed)));
    return static_cast<output<T>*>(owned.back().get());
}

// Base of one-input operators: holds the downstream outputs and forwards control elements to all
// of them (main and side outputs). Subclasses override push() and whatever control they handle.
template <typename In>
class one_input_operator : public output<In>, public operator_base {
  public:
    void on_watermark(int64_t wm) override {
        for (auto* o : control_)
            o->on_watermark(wm);
    }
    void on_idle(bool idle) override {
        for (auto* o : control_)
            o->on_idle(idle);
    }
    void on_barrier(uint64_t id) override {
        for (auto* o : control_)
            o->on_barrier(id);
    }
    void on_end() override {
        for (auto* o : control_)
            o->on_end();
    }

  protected:
    // Registers a typed output (from resolve_output) for control forwarding and returns it.
    template <typename T>
    output<T>* add_output(const std::vector<output_base*>& outs) {
        output<T>* o = resolve_output<T>(outs, owned_);
        control_.push_back(o);
        return o;
    }

    std::vector<output_base*> control_;
    std::vector<std::unique_ptr<output_base>> owned_;
};

}  // namespace otter::stream

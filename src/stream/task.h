// Tasks: one subtask of one operator chain, run on its own thread.
//
// A chain starts at a source or at a keyed/rebalancing exchange and continues through every
// operator connected to it by a forward edge. source_task drives a source_reader and generates
// watermarks per split; input_task reads the channels of an exchange, combines their watermarks
// (watermark_valve) and aligns checkpoint barriers (a channel that delivered barrier n is not read
// again until every live channel has delivered it). Both hand batches to the chain's head
// operator. A task is built and restored on the job's thread, then run() on its own thread; the
// job talks to it only through `barrier_request`, the doorbell and the cancel flag.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "stream/channel.h"
#include "stream/checkpoint.h"
#include "stream/operator.h"
#include "stream/source.h"
#include "stream/watermark.h"

namespace otter::stream {

// Services the job offers its tasks. Thread-safe.
class task_runtime {
  public:
    virtual ~task_runtime() = default;
    virtual bool cancelled() const = 0;
    // The task finished checkpoint `id` (state snapshotted, barrier forwarded).
    virtual void ack(size_t task_index, uint64_t id, task_snapshot&& s) = 0;
};

// Thrown inside a task to unwind it when the job is cancelled (a blocked push was released).
struct task_cancelled {};

class task {
  public:
    virtual ~task() = default;
    // Runs until end of input (returns), cancellation (returns), or failure (throws).
    virtual void run() = 0;
    // Loads state sections from a checkpoint; false if any section is malformed.
    virtual bool restore(const std::vector<state_section>& sections);
    virtual bool is_source() const { return false; }

    task_runtime* rt = nullptr;
    size_t index = 0;
    std::string name;  // "t<root node id>"
    uint32_t subtask = 0;
    const clock* proc_clock = nullptr;
    // The chain's operators with their node ids, in a fixed order (state sections follow it).
    std::vector<std::pair<uint32_t, std::unique_ptr<operator_base>>> ops;
    doorbell* bell = nullptr;  // owned by the job; producers of this task's inputs ring it
    std::atomic<uint64_t> barrier_request{0};  // source tasks: a checkpoint to inject
    std::atomic<bool> finished{false};
    // Set when run() reached end of input: the state this task contributes to every later
    // checkpoint (a finished source keeps its end positions), read by the job after the task
    // thread reported done.
    std::optional<task_snapshot> final_state;
    std::vector<std::unique_ptr<output_base>> owned_outputs;  // adapters the chain head uses

  protected:
    virtual task_snapshot final_snapshot() { return snapshot_ops(0); }
    // Snapshots every operator of the chain for checkpoint `id` (state and committables).
    task_snapshot snapshot_ops(uint64_t id);
    void processing_time_tick();
};

// Drives one source subtask.
template <typename T>
class source_task final : public task {
  public:
    source_task(uint32_t source_node, std::unique_ptr<source_reader<T>> reader, output<T>* out,
                watermark_strategy<T> ws, size_t batch_size)
        : source_node_(source_node),
          reader_(std::move(reader)),
          out_(out),
          ws_(std::move(ws)),
          batch_size_(batch_size),
          valve_(reader_->split_count()),
          max_ts_(reader_->split_count(), min_timestamp),
          last_active_(reader_->split_count(), 0) {}

    bool restore(const std::vector<state_section>& sections) override {
        for (const auto& s : sections) {
            if (s.kind == section_kind::source && s.node == source_node_) {
                reader r(s.data);
                if (!reader_->restore(r)) {
                    return false;
                }
                std::vector<int64_t> max_ts;
                std::vector<int64_t> wms;
                read_value(r, max_ts);
                read_value(r, wms);
                if (!r.ok() || max_ts.size() != max_ts_.size() || wms.size() != max_ts_.size()) {
                    return false;
                }
                max_ts_ = max_ts;
                for (size_t i = 0; i < wms.size(); ++i)
                    valve_.on_watermark(i, wms[i]);
                restored_wm_ = valve_.current();
            }
        }
        return task::restore(sections);
    }

    bool is_source() const override { return true; }

    void run() override {
        int64_t now = proc_clock->now_ms();
        for (auto& t : last_active_)
            t = now;
        if (restored_wm_ != min_timestamp) {
            out_->on_watermark(restored_wm_);
        }
        batch<T> b;
        while (!rt->cancelled()) {
            uint64_t seen = bell->seq();
            if (uint64_t id = barrier_request.exchange(0); id != 0) {
                checkpoint(id);
            }
            b.clear();
            poll_result r = reader_->poll(b, batch_size_);
            now = proc_clock->now_ms();
            switch (r.k) {
                case poll_result::kind::data:
                    if (!b.empty()) {
                        on_data(r.split, b, now);
                    }
                    break;
                case poll_result::kind::split_end:
                    emit_wm(valve_.on_end(r.split));
                    break;
                case poll_result::kind::end:
                    for (size_t i = 0; i < valve_.size(); ++i) {
                        if (!valve_.input_ended(i))
                            emit_wm(valve_.on_end(i));
                    }
                    finish();
                    final_state = final_snapshot();
                    return;
                case poll_result::kind::tick:
                case poll_result::kind::no_data:
                    break;
            }
            if (r.watermark_hint && !valve_.input_ended(r.split)) {
                // A hint is a sign of life: the split is active again.
                last_active_[r.split] = now;
                wake(r.split);
                emit_wm(valve_.on_watermark(r.split, *r.watermark_hint));
            }
            check_idle(now);
            processing_time_tick();
            if (r.k == poll_result::kind::no_data) {
                bell->wait(seen, std::chrono::milliseconds(1));
            }
        }
    }

  private:
    void on_data(uint32_t split, batch<T>& b, int64_t now) {
        if (ws_.assign_batch) {
            ws_.assign_batch(b);
        }
        int64_t mx = max_ts_[split];
        for (int64_t ts : b.timestamps)
            mx = ts > mx ? ts : mx;
        max_ts_[split] = mx;
        last_active_[split] = now;
        wake(split);
        out_->push(std::move(b));
        b = batch<T>();
        emit_wm(valve_.on_watermark(split, bounded_watermark(mx, ws_.out_of_orderness)));
    }

    // Split `split` shows activity: announce the subtask active before any watermark it allows.
    void wake(uint32_t split) {
        std::optional<int64_t> wm;
        if (valve_.input_idle(split)) {
            wm = valve_.on_idle(split, false);
        }
        update_status();
        emit_wm(wm);
    }

    void check_idle(int64_t now) {
        if (ws_.idle_timeout.count() <= 0) {
            return;
        }
        idle_now_.clear();
        for (size_t i = 0; i < valve_.size(); ++i) {
            if (!valve_.input_ended(i) && !valve_.input_idle(i) &&
                now - last_active_[i] >= ws_.idle_timeout.count()) {
                idle_now_.push_back(i);
            }
        }
        if (!idle_now_.empty()) {
            emit_wm(valve_.on_idle_all(idle_now_));
            update_status();
        }
    }

    void update_status() {
        bool idle = valve_.all_idle();
        if (idle != idle_out_) {
            idle_out_ = idle;
            out_->on_idle(idle);
        }
    }

    void emit_wm(std::optional<int64_t> wm) {
        if (wm) {
            out_->on_watermark(*wm);
        }
    }

    task_snapshot final_snapshot() override { return source_snapshot(0); }

    task_snapshot source_snapshot(uint64_t id) {
        task_snapshot s = snapshot_ops(id);
        state_section src{source_node_, section_kind::source, {}};
        writer w(src.data);
        reader_->snapshot(w);
        std::vector<int64_t> wms;
        for (size_t i = 0; i < valve_.size(); ++i)
            wms.push_back(valve_.input_watermark(i));
        write_value(w, max_ts_);
        write_value(w, wms);
        s.sections.push_back(std::move(src));
        return s;
    }

    void checkpoint(uint64_t id) {
        task_snapshot s = source_snapshot(id);
        out_->on_barrier(id);
        rt->ack(index, id, std::move(s));
    }

    void finish() {
        if (valve_.current() != max_timestamp) {
            out_->on_watermark(max_timestamp);
        }
        out_->on_end();
    }

    uint32_t source_node_;
    std::unique_ptr<source_reader<T>> reader_;
    output<T>* out_;
    watermark_strategy<T> ws_;
    size_t batch_size_;
    watermark_valve valve_;
    std::vector<int64_t> max_ts_;
    std::vector<int64_t> last_active_;
    std::vector<size_t> idle_now_;
    bool idle_out_ = false;
    int64_t restored_wm_ = min_timestamp;
};

// Reads the input channels of an exchange and drives the chain behind it.
template <typename T>
class input_task final : public task {
  public:
    input_task(std::vector<channel<T>*> inputs, output<T>* head)
        : inputs_(std::move(inputs)),
          head_(head),
          valve_(inputs_.size()),
          blocked_(inputs_.size(), false) {}

    void run() override {
        const size_t n = inputs_.size();
        size_t rr = 0;
        element<T> e;
        while (!rt->cancelled()) {
            uint64_t seen = bell->seq();
            bool progressed = false;
            for (size_t k = 0; k < n; ++k) {
                size_t i = (rr + k) % n;
                if (blocked_[i] || valve_.input_ended(i)) {
                    continue;
                }
                if (inputs_[i]->try_pop(e)) {
                    progressed = true;
                    rr = i + 1;
                    handle(i, e);
                    break;
                }
            }
            processing_time_tick();
            if (valve_.all_ended()) {
                head_->on_end();
                final_state = final_snapshot();
                return;
            }
            if (!progressed) {
                bell->wait(seen, std::chrono::milliseconds(5));
            }
        }
    }

  private:
    void handle(size_t i, element<T>& e) {
        switch (e.kind) {
            case element_kind::records:
                head_->push(std::move(e.data));
                e.data = batch<T>();
                break;
            case element_kind::watermark:
                emit_wm(valve_.on_watermark(i, e.value));
                break;
            case element_kind::idle:
                emit_wm(valve_.on_idle(i, true));
                update_status();
                break;
            case element_kind::active:
                emit_wm(valve_.on_idle(i, false));
                update_status();
                break;
            case element_kind::barrier:
                aligning_ = static_cast<uint64_t>(e.value);
                blocked_[i] = true;
                check_aligned();
                break;
            case element_kind::end:
                emit_wm(valve_.on_end(i));
                update_status();
                check_aligned();
                break;
        }
    }

    void check_aligned() {
        if (aligning_ == 0) {
            return;
        }
        for (size_t i = 0; i < inputs_.size(); ++i) {
            if (!blocked_[i] && !valve_.input_ended(i)) {
                return;
            }
        }
        uint64_t id = aligning_;
        aligning_ = 0;
        task_snapshot s = snapshot_ops(id);
        head_->on_barrier(id);
        rt->ack(index, id, std::move(s));
        std::fill(blocked_.begin(), blocked_.end(), false);
    }

    void update_status() {
        bool idle = valve_.all_idle();
        if (idle != idle_out_) {
            idle_out_ = idle;
            head_->on_idle(idle);
        }
    }

    void emit_wm(std::optional<int64_t> wm) {
        if (wm) {
            head_->on_watermark(*wm);
        }
    }

    std::vector<channel<T>*> inputs_;
    output<T>* head_;
    watermark_valve valve_;
    std::vector<bool> blocked_;
    uint64_t aligning_ = 0;
    bool idle_out_ = false;
};

}  // namespace otter::stream

// Exchanges between tasks: hash partitioning by key (key_by) and round-robin rebalancing.
//
// The writer sits at the end of the producing chain: it splits each batch into one buffer per
// consuming subtask and pushes full buffers into bounded channels (blocking when full:
// backpressure). Before forwarding a control element it flushes every buffer, then broadcasts the
// element to all channels, so control stays ordered with data on each channel.
#pragma once

#include <memory>
#include <utility>
#include <vector>

#include "stream/graph.h"
#include "stream/hash.h"

namespace otter::stream {

template <typename T>
class exchange_writer_base : public output<T>, public operator_base {
  public:
    exchange_writer_base(std::vector<channel<T>*> outs, size_t batch_size)
        : outs_(std::move(outs)), bufs_(outs_.size()), batch_size_(batch_size) {}

    void on_watermark(int64_t wm) override { broadcast(element_kind::watermark, wm); }
    void on_idle(bool idle) override {
        broadcast(idle ? element_kind::idle : element_kind::active, 0);
    }
    void on_barrier(uint64_t id) override {
        broadcast(element_kind::barrier, static_cast<int64_t>(id));
    }
    void on_end() override { broadcast(element_kind::end, 0); }

  protected:
    void flush(size_t d) {
        if (bufs_[d].empty()) {
            return;
        }
        element<T> e;
        e.kind = element_kind::records;
        e.data = std::move(bufs_[d]);
        bufs_[d] = batch<T>();
        send(d, std::move(e));
    }
    void send(size_t d, element<T>&& e) {
        if (!outs_[d]->push(std::move(e))) {
            throw task_cancelled{};
        }
    }
    void broadcast(element_kind k, int64_t v) {
        for (size_t d = 0; d < outs_.size(); ++d) {
            flush(d);
            element<T> e;
            e.kind = k;
            e.value = v;
            send(d, std::move(e));
        }
    }

    std::vector<channel<T>*> outs_;
    std::vector<batch<T>> bufs_;
    size_t batch_size_;
};

template <typename T, typename KeyFn>
class keyed_writer final : public exchange_writer_base<T> {
  public:
    keyed_writer(std::vector<channel<T>*> outs, size_t batch_size, KeyFn key)
        : exchange_writer_base<T>(std::move(outs), batch_size), key_(std::move(key)) {}

    void push(batch<T>&& b) override {
        using K = std::decay_t<std::invoke_result_t<KeyFn&, const T&>>;
        const auto p = static_cast<uint32_t>(this->outs_.size());
        if (p == 1) {
            this->bufs_[0] = std::move(b);
            this->flush(0);
            return;
        }
        for (size_t i = 0; i < b.size(); ++i) {
            uint32_t d = subtask_for_hash(key_hash<K>{}(key_(b.values[i])), p);
            auto& buf = this->bufs_[d];
            if (buf.values.capacity() == 0) {
                buf.reserve(this->batch_size_);
            }
            buf.push(std::move(b.values[i]), b.timestamps[i]);
            if (buf.size() >= this->batch_size_) {
                this->flush(d);
            }
        }
        for (size_t d = 0; d < p; ++d)
            this->flush(d);
    }

  private:
    KeyFn key_;
};

template <typename T>
class rebalance_writer final : public exchange_writer_base<T> {
  public:
    using exchange_writer_base<T>::exchange_writer_base;
    void push(batch<T>&& b) override {
        size_t d = next_++ % this->outs_.size();
        this->bufs_[d] = std::move(b);
        this->flush(d);
    }

  private:
    size_t next_ = 0;
};

template <typename T>
class typed_exchange : public exchange_factory {
  public:
    std::vector<std::unique_ptr<channel_base>> make_channels(
        uint32_t up, uint32_t down, size_t capacity,
        const std::vector<doorbell*>& down_bells) override {
        std::vector<std::unique_ptr<channel_base>> out;
        for (uint32_t u = 0; u < up; ++u) {
            for (uint32_t d = 0; d < down; ++d) {
                out.push_back(std::make_unique<channel<T>>(capacity, down_bells[d]));
            }
        }
        return out;
    }
    std::unique_ptr<task> make_input_task(std::vector<channel_base*> ins,
                                          output_base* head) override {
        std::vector<channel<T>*> typed;
        for (auto* c : ins)
            typed.push_back(static_cast<channel<T>*>(c));
        return std::make_unique<input_task<T>>(std::move(typed), static_cast<output<T>*>(head));
    }

  protected:
    static std::vector<channel<T>*> cast(const std::vector<channel_base*>& outs) {
        std::vector<channel<T>*> typed;
        for (auto* c : outs)
            typed.push_back(static_cast<channel<T>*>(c));
        return typed;
    }
};

template <typename T, typename KeyFn>
class keyed_exchange final : public typed_exchange<T> {
  public:
    explicit keyed_exchange(KeyFn key) : key_(std::move(key)) {}
    built_operator make_writer(std::vector<channel_base*> outs, size_t batch_size) override {
        auto w = std::make_unique<keyed_writer<T, KeyFn>>(this->cast(outs), batch_size, key_);
        output_base* in = w.get();
        return {std::move(w), in};
    }

  private:
    KeyFn key_;
};

template <typename T>
class rebalance_exchange final : public typed_exchange<T> {
  public:
    built_operator make_writer(std::vector<channel_base*> outs, size_t batch_size) override {
        auto w = std::make_unique<rebalance_writer<T>>(this->cast(outs), batch_size);
        output_base* in = w.get();
        return {std::move(w), in};
    }
};

}  // namespace otter::stream

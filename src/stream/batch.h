// batch<T>: the unit in which records move between operators and threads.
//
// Records and their event timestamps are parallel vectors (structure of arrays), so operators
// that only look at values or only at timestamps touch contiguous memory. A batch is a value
// type, moved (never copied) along a chain; it is not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

namespace otter::stream {

// Default number of records a source puts in one batch.
inline constexpr size_t default_batch_size = 1024;

template <typename T>
struct batch {
    std::vector<T> values;
    std::vector<int64_t> timestamps;  // event time in ms, timestamps[i] belongs to values[i]

    size_t size() const { return values.size(); }
    bool empty() const { return values.empty(); }
    void reserve(size_t n) {
        values.reserve(n);
        timestamps.reserve(n);
    }
    void push(T v, int64_t ts) {
        values.push_back(std::move(v));
        timestamps.push_back(ts);
    }
    void clear() {
        values.clear();
        timestamps.clear();
    }
};

// Emits records into a batch; handed to flat_map and process functions. Not virtual: calls
// inline into the operator's loop.
template <typename T>
class collector {
  public:
    collector(batch<T>& out, int64_t ts) : out_(&out), ts_(ts) {}
    // Emits `v` with the timestamp of the record (or timer) being processed.
    void emit(T v) { out_->push(std::move(v), ts_); }
    // Emits `v` with an explicit event timestamp.
    void emit(T v, int64_t ts) { out_->push(std::move(v), ts); }
    int64_t timestamp() const { return ts_; }
    void set_timestamp(int64_t ts) { ts_ = ts; }

  private:
    batch<T>* out_;
    int64_t ts_;
};

}  // namespace otter::stream

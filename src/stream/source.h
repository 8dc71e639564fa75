// Sources: where records enter a job.
//
// A source is split into `split_count()` independent splits (Kafka partitions, files, vector
// slices). Split i is read by source subtask i % parallelism, through one source_reader per
// subtask that owns all of that subtask's splits (Flink's FLIP-27 shape). Watermarks are generated
// per split by the source task (bounded out-of-orderness, optional hints from the reader) and
// combined as the minimum over the subtask's live splits; idle splits are excluded.
// A reader's position is saved in checkpoints so a restored job resumes exactly after it.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <utility>
#include <vector>

#include "stream/batch.h"
#include "stream/operator.h"
#include "stream/serde.h"

namespace otter::stream {

struct poll_result {
    enum class kind {
        data,       // `out` holds records of split `split`
        tick,       // nothing yet, call again immediately (the reader made other progress)
        no_data,    // nothing available now: the task may wait a little
        split_end,  // split `split` is exhausted
        end,        // every split of this reader is exhausted
    };
    kind k = kind::no_data;
    uint32_t split = 0;                     // local index into the reader's splits
    std::optional<int64_t> watermark_hint;  // the split promises no records at or below this
};

// Reads the splits of one source subtask. Not thread-safe: called from its task only.
template <typename T>
class source_reader {
  public:
    virtual ~source_reader() = default;
    // Appends up to `max` records of one split to `out` (timestamps included, or left to the
    // job's timestamp assigner) and says what happened.
    virtual poll_result poll(batch<T>& out, size_t max) = 0;
    virtual size_t split_count() const = 0;
    // Saves and restores the read position of every split.
    virtual void snapshot(writer& w) = 0;
    virtual bool restore(reader& r) = 0;
};

// A source definition: shared by the job graph, creates one reader per subtask.
template <typename T>
class source {
  public:
    virtual ~source() = default;
    virtual size_t split_count() const = 0;
    virtual std::unique_ptr<source_reader<T>> create_reader(std::vector<size_t> splits,
                                                            const operator_context& ctx) = 0;
};

// How event time and watermarks are derived at the source.
template <typename T>
struct watermark_strategy {
    // Records may arrive up to this much later than the newest record of their split.
    millis out_of_orderness{0};
    // A split without records for this long (processing time) stops holding the watermark back;
    // 0 disables idleness.
    millis idle_timeout{0};
    // Extracts the event timestamp (ms) from a record; empty keeps the reader's timestamps.
    // Called once per batch through std::function, the loop over records is inlined.
    std::function<void(batch<T>&)> assign_batch;

    template <typename F>
    watermark_strategy& with_timestamps(F f) {
        assign_batch = [f](batch<T>& b) {
            for (size_t i = 0; i < b.size(); ++i)
                b.timestamps[i] = f(b.values[i]);
        };
        return *this;
    }
    watermark_strategy& with_out_of_orderness(millis d) {
        out_of_orderness = d;
        return *this;
    }
    watermark_strategy& with_idleness(millis d) {
        idle_timeout = d;
        return *this;
    }
};

template <typename T>
struct timed {
    int64_t ts = 0;
    T value{};
    auto members() { return std::tie(ts, value); }
};

// A bounded source over in-memory vectors: split i is `splits[i]`, read in order. For tests and
// benchmarks. Optional `limit`: a reader does not read past position *limit in any split and
// reports no_data there (simulates an unbounded source waiting for more input); the test raises it.
template <typename T>
class vector_source final : public source<T> {
  public:
    explicit vector_source(std::vector<std::vector<timed<T>>> splits,
                           std::shared_ptr<std::atomic<size_t>> limit = nullptr)
        : splits_(std::make_shared<std::vector<std::vector<timed<T>>>>(std::move(splits))),
          limit_(std::move(limit)) {}

    size_t split_count() const override { return splits_->size(); }

    std::unique_ptr<source_reader<T>> create_reader(std::vector<size_t> splits,
                                                    const operator_context&) override {
        return std::make_unique<reader_impl>(splits_, std::move(splits), limit_, emitted_);
    }

    // Records emitted by all readers so far (for tests that wait for progress).
    size_t emitted() const { return emitted_->load(); }

  private:
    using data = std::vector<std::vector<timed<T>>>;
    class reader_impl final : public source_reader<T> {
      public:
        reader_impl(std::shared_ptr<const data> d, std::vector<size_t> splits,
                    std::shared_ptr<std::atomic<size_t>> limit,
                    std::shared_ptr<std::atomic<size_t>> emitted)
            : d_(std::move(d)),
              splits_(std::move(splits)),
              pos_(splits_.size(), 0),
              done_(splits_.size(), false),
              limit_(std::move(limit)),
              emitted_(std::move(emitted)) {}

        poll_result poll(batch<T>& out, size_t max) override {
            size_t limit = limit_ ? limit_->load(std::memory_order_acquire) : SIZE_MAX;
            for (size_t k = 0; k < splits_.size(); ++k) {
                size_t i = (next_ + k) % splits_.size();
                if (done_[i]) {
                    continue;
                }
                const auto& s = (*d_)[splits_[i]];
                if (pos_[i] >= s.size()) {
                    done_[i] = true;
                    ++done_count_;
                    return {poll_result::kind::split_end, static_cast<uint32_t>(i), {}};
                }
                size_t n =
                    std::min({max, s.size() - pos_[i], limit > pos_[i] ? limit - pos_[i] : 0});
                if (n == 0) {
                    continue;
                }
                out.reserve(n);
                for (size_t j = 0; j < n; ++j) {
                    out.push(s[pos_[i] + j].value, s[pos_[i] + j].ts);
                }
                pos_[i] += n;
                next_ = i + 1;
                emitted_->fetch_add(n);
                return {poll_result::kind::data, static_cast<uint32_t>(i), {}};
            }
            if (done_count_ == splits_.size()) {
                return {poll_result::kind::end, 0, {}};
            }
            return {poll_result::kind::no_data, 0, {}};
        }
        size_t split_count() const override { return splits_.size(); }
        void snapshot(writer& w) override { write_value(w, pos_); }
        bool restore(reader& r) override {
            std::vector<size_t> pos;
            read_value(r, pos);
            if (!r.ok() || pos.size() != pos_.size()) {
                return false;
            }
            pos_ = std::move(pos);
            return true;
        }

      private:
        std::shared_ptr<const data> d_;
        std::vector<size_t> splits_;
        std::vector<size_t> pos_;
        std::vector<bool> done_;
        size_t done_count_ = 0;
        size_t next_ = 0;
        std::shared_ptr<std::atomic<size_t>> limit_;
        std::shared_ptr<std::atomic<size_t>> emitted_;
    };

    // shared_ptr: the data is shared by every reader of the job, and by restarted jobs in tests.
    std::shared_ptr<const data> splits_;
    std::shared_ptr<std::atomic<size_t>> limit_;
    std::shared_ptr<std::atomic<size_t>> emitted_ = std::make_shared<std::atomic<size_t>>(0);
};

}  // namespace otter::stream

// The Nexmark generator as a parallel engine source: one split per generator instance (the
// reference's split config), read by source subtask split % parallelism. A split's position is
// its event count, saved in checkpoints; since every event is a function of (seed, event id), a
// restored reader continues with exactly the events an uninterrupted run would have produced.
// Event timestamps come from the generator (event number and configured rate), never the clock.
//
//   generator_config cfg{.num_event_generators = 4, .max_events = 10'000'000};
//   auto events = env.from_source<event>(std::make_shared<nexmark_source>(cfg),
//                                        nexmark_watermarks(), 4);
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "nexmark/generator.h"
#include "stream/source.h"

namespace otter::nexmark {

class nexmark_source final : public stream::source<event> {
  public:
    // `limit` (tests): no split reads past event count *limit; the reader reports no_data there
    // (an unbounded source waiting for input) until the limit is raised.
    explicit nexmark_source(generator_config cfg,
                            std::shared_ptr<std::atomic<int64_t>> limit = nullptr)
        : cfg_(cfg), instances_(split_instances(cfg_)), limit_(std::move(limit)) {}

    size_t split_count() const override { return instances_.size(); }

    std::unique_ptr<stream::source_reader<event>> create_reader(
        std::vector<size_t> splits, const stream::operator_context&) override {
        std::vector<generator> gens;
        gens.reserve(splits.size());
        for (size_t s : splits) {
            gens.emplace_back(cfg_, instances_[s]);
        }
        return std::make_unique<reader_impl>(std::move(gens), limit_, emitted_);
    }

    const generator_config& config() const { return cfg_; }
    // Events emitted by all readers so far.
    int64_t emitted() const { return emitted_->load(); }

  private:
    class reader_impl final : public stream::source_reader<event> {
      public:
        reader_impl(std::vector<generator> gens, std::shared_ptr<std::atomic<int64_t>> limit,
                    std::shared_ptr<std::atomic<int64_t>> emitted)
            : gens_(std::move(gens)),
              ended_(gens_.size(), false),
              limit_(std::move(limit)),
              emitted_(std::move(emitted)) {}

        stream::poll_result poll(stream::batch<event>& out, size_t max) override {
            using kind = stream::poll_result::kind;
            int64_t limit = limit_ ? limit_->load(std::memory_order_acquire) : INT64_MAX;
            bool all_ended = true;
            for (size_t k = 0; k < gens_.size(); ++k) {
                size_t i = (next_ + k) % gens_.size();
                if (ended_[i]) {
                    continue;
                }
                generator& g = gens_[i];
                if (!g.has_next()) {
                    ended_[i] = true;
                    return {kind::split_end, static_cast<uint32_t>(i), {}};
                }
                all_ended = false;
                int64_t n = std::min(static_cast<int64_t>(max), limit - g.position());
                if (n <= 0) {
                    continue;
                }
                out.reserve(out.size() + static_cast<size_t>(n));
                int64_t made = 0;
                for (; made < n && g.has_next(); ++made) {
                    out.values.emplace_back();
                    out.timestamps.emplace_back();
                    g.next(out.values.back(), out.timestamps.back());
                }
                if (emitted_) {
                    emitted_->fetch_add(made, std::memory_order_relaxed);
                }
                next_ = i + 1;
                return {kind::data, static_cast<uint32_t>(i), {}};
            }
            return {all_ended ? kind::end : kind::no_data, 0, {}};
        }

        size_t split_count() const override { return gens_.size(); }

        void snapshot(stream::writer& w) override {
            std::vector<int64_t> pos;
            pos.reserve(gens_.size());
            for (const auto& g : gens_) {
                pos.push_back(g.position());
            }
            stream::write_value(w, pos);
            stream::write_value(w, next_);  // so a restored reader interleaves splits alike
        }

        bool restore(stream::reader& r) override {
            std::vector<int64_t> pos;
            size_t next = 0;
            stream::read_value(r, pos);
            stream::read_value(r, next);
            if (!r.ok() || pos.size() != gens_.size()) {
                return false;
            }
            for (size_t i = 0; i < pos.size(); ++i) {
                if (pos[i] < 0 || pos[i] > gens_[i].instance().max_events) {
                    return false;
                }
                gens_[i].seek(pos[i]);
            }
            next_ = next;
            return true;
        }

      private:
        std::vector<generator> gens_;
        std::vector<bool> ended_;
        size_t next_ = 0;
        std::shared_ptr<std::atomic<int64_t>> limit_;
        std::shared_ptr<std::atomic<int64_t>> emitted_;
    };

    generator_config cfg_;
    std::vector<generator_instance> instances_;
    std::shared_ptr<std::atomic<int64_t>> limit_;
    std::shared_ptr<std::atomic<int64_t>> emitted_ = std::make_shared<std::atomic<int64_t>>(0);
};

}  // namespace otter::nexmark

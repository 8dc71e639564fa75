// A test source that replays a script of events, watermark hints, processing-clock advances and
// split ends in exactly the given order (one reader reads every split), so event-time behaviour
// is deterministic whatever the parallelism downstream.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "stream/source.h"

namespace otter::stream::testing {

struct ev {
    std::string key;
    int64_t value = 1;
    auto members() { return std::tie(key, value); }
    bool operator==(const ev&) const = default;
};

struct script_line {
    enum class kind { event, hint, advance, split_end } k = kind::event;
    uint32_t split = 0;
    int64_t ts = 0;  // event time, hint, or clock advance (ms)
    ev e;
};

class scripted_source final : public source<ev> {
  public:
    scripted_source(std::vector<script_line> lines, size_t splits, manual_clock* clock)
        : lines_(std::move(lines)), splits_(splits), clock_(clock) {}
    size_t split_count() const override { return splits_; }
    std::unique_ptr<source_reader<ev>> create_reader(std::vector<size_t> splits,
                                                     const operator_context&) override {
        return std::make_unique<reader_impl>(this, std::move(splits));
    }

  private:
    class reader_impl final : public source_reader<ev> {
      public:
        reader_impl(scripted_source* s, std::vector<size_t> splits)
            : s_(s), splits_(std::move(splits)) {}
        poll_result poll(batch<ev>& out, size_t) override {
            while (pos_ < s_->lines_.size()) {
                const script_line& l = s_->lines_[pos_++];
                int local = local_split(l.split);
                if (l.k == script_line::kind::advance) {
                    s_->clock_->advance(millis(l.ts));
                    return {poll_result::kind::tick, 0, {}};
                }
                if (local < 0) {
                    continue;
                }
                auto sp = static_cast<uint32_t>(local);
                switch (l.k) {
                    case script_line::kind::event:
                        out.push(l.e, l.ts);
                        return {poll_result::kind::data, sp, {}};
                    case script_line::kind::hint:
                        return {poll_result::kind::tick, sp, l.ts};
                    case script_line::kind::split_end:
                        return {poll_result::kind::split_end, sp, {}};
                    default:
                        break;
                }
            }
            return {poll_result::kind::end, 0, {}};
        }
        size_t split_count() const override { return splits_.size(); }
        void snapshot(writer& w) override { w.u64(pos_); }
        bool restore(reader& r) override {
            pos_ = r.u64();
            return r.ok();
        }

      private:
        int local_split(uint32_t global) const {
            for (size_t i = 0; i < splits_.size(); ++i) {
                if (splits_[i] == global)
                    return static_cast<int>(i);
            }
            return -1;
        }
        scripted_source* s_;
        std::vector<size_t> splits_;
        size_t pos_ = 0;
    };

    std::vector<script_line> lines_;
    size_t splits_;
    manual_clock* clock_;
};

}  // namespace otter::stream::testing

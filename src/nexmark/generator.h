// The Nexmark event generator, a re-implementation of the reference generator used by the
// published Flink and RisingWave results (nexmark/nexmark `generator/*.java`, itself Beam's).
// Spec and pitfalls: shared research notes, "stream-processors.md" section 2.
//
// What follows the reference exactly (ids, types and timestamps are bit-for-bit the same):
// - event type by event id: id % 50 < 1 person, < 4 auction, else bid (1:3:46, configurable);
// - person / auction ids from the event id (lastBase0PersonId / lastBase0AuctionId), +1000;
// - hot sellers / bidders / auctions (ratios 4 / 4 / 2, blocks of 100; hot bidder = block + 1),
//   active people (last 1000 + 10 lead), in-flight auctions (last 100 + 10 lead);
// - price = round(10^(U[0,1) * 6) * 100), reserve = initial bid + price, category 10 + U[0,5),
//   auction expiry = ts + 1 + U[0, 2 * horizon) where horizon = time of the next 1666 events;
// - string lengths (names U[3,20), descriptions U[3,100), 1/13 spaces, trimmed; e-mail, credit
//   card, cities, states, first and last names), bid channel / url (1/2 hot channels, else one of
//   10,000 `channel-i`, 9/10 of whose URLs carry `&channel_id=`), and `extra` padding each event to
//   the reference average size (200 / 500 / 100) with the reference's +-20 % spread;
// - timestamps from the event number, never the wall clock:
//   base_time + (int64)(number * 1e6 / rate * generators) / 1000 ms;
// - out-of-order groups: number -> (n / G) * G + (n * 953) % G, watermark = time of n / G * G;
// - split(n): n instances with disjoint event-id (so person / auction id) ranges that share one
//   timeline (same first event number, each with n times the inter-event delay).
// What differs: the random numbers. The reference draws from one unseeded java.util.Random per
// generator, so its strings and prices are not reproducible; here every event draws from a
// splitmix64 stream seeded by (seed, event id) (Beam's per-event seeding idea), so a generator is
// deterministic for a seed and can start at any position (checkpoint restore). The distributions
// are the reference's. `extra` is a slice of a pre-generated random letter pool, as in
// nexmark/nexmark (extra_pool_bytes). Only the constant rate is implemented (the Flink generator
// ignores rate shapes).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nexmark/model.h"

namespace otter::nexmark {

inline constexpr int64_t first_person_id = 1000;
inline constexpr int64_t first_auction_id = 1000;
inline constexpr int64_t first_category_id = 10;

// The reference's NexmarkConfiguration (generator part), with its defaults.
struct generator_config {
    // Event-time rate over all generator instances, events per second (the Flink benchmark uses
    // 10 M: with 8 instances each advances 0.8 us per event).
    double event_rate = 10'000'000;
    // Number of generator instances sharing the timeline (Flink: the source parallelism).
    uint32_t num_event_generators = 1;
    // Event time of event number 0, ms (the reference uses the job's start time; fixed here so
    // runs are reproducible: 2023-11-14T22:13:20Z).
    int64_t base_time = 1'700'000'000'000;
    // Events over all instances; 0 = unbounded (the reference's overflow-safe maximum).
    int64_t max_events = 0;
    uint64_t seed = 0;

    int person_proportion = 1;
    int auction_proportion = 3;
    int bid_proportion = 46;
    int avg_person_byte_size = 200;
    int avg_auction_byte_size = 500;
    int avg_bid_byte_size = 100;
    int hot_auction_ratio = 2;
    int hot_sellers_ratio = 4;
    int hot_bidders_ratio = 4;
    int num_active_people = 1000;
    int num_in_flight_auctions = 100;
    int64_t out_of_order_group_size = 1;
    // nexmark/nexmark's BidGenerator adds FIRST_PERSON_ID to the bidder twice (bidder ids +2000
    // relative to Beam). Off: Beam semantics (bidders are real person ids); on: match Flink/RW.
    bool flink_bidder_offset = false;
    // Size of the pre-generated random letter pool that `extra` fields are sliced from
    // (nexmark/nexmark: 1 MiB). Random slices of a pool larger than the cache are a third of the
    // generator's cost; 64 KiB makes it ~1.6x faster with the same lengths (content repeats more).
    size_t extra_pool_bytes = 1 << 20;

    int total_proportion() const { return person_proportion + auction_proportion + bid_proportion; }
    // Microseconds of event time between two events of one instance.
    double inter_event_delay_us() const { return 1e6 / event_rate * num_event_generators; }
};

// One instance's share of the id space (the reference's split GeneratorConfig).
struct generator_instance {
    int64_t first_event_id = 0;
    int64_t max_events = 0;          // events this instance produces
    int64_t first_event_number = 0;  // shared by all instances: their common timeline
};

// Splits cfg.max_events (or the unbounded maximum) over cfg.num_event_generators instances like
// the reference's GeneratorConfig.split: equal shares, the last takes the remainder, consecutive
// disjoint event-id ranges, the same first event number.
std::vector<generator_instance> split_instances(const generator_config& cfg);

// Tables shared by all instances of one config (random letters, channel URLs); immutable.
struct generator_tables;

// One generator instance. Not thread-safe; cheap to copy (the tables are shared).
class generator {
  public:
    generator(const generator_config& cfg, generator_instance inst);
    // A single instance covering the whole config (num_event_generators must be 1 for a faithful
    // timeline; otherwise this is instance 0).
    explicit generator(const generator_config& cfg);

    bool has_next() const { return count_ < inst_.max_events; }
    // The next event and its event timestamp (ms); advances the position.
    void next(event& out, int64_t& timestamp);
    event next() {
        event e;
        int64_t ts;
        next(e, ts);
        return e;
    }

    // Events produced so far: the position saved in checkpoints.
    int64_t position() const { return count_; }
    void seek(int64_t count) { count_ = count; }

    // The reference's bookkeeping, public for tests and watermarking.
    int64_t next_event_id() const { return inst_.first_event_id + adjusted_event_number(count_); }
    int64_t event_number(int64_t count) const { return inst_.first_event_number + count; }
    int64_t adjusted_event_number(int64_t count) const;
    // Event time below which this instance emits nothing any more (the watermark of the
    // reference's NextEvent) after `count` events.
    int64_t watermark_after(int64_t count) const;
    int64_t timestamp_for_event(int64_t number) const;

    const generator_config& config() const { return cfg_; }
    const generator_instance& instance() const { return inst_; }

  private:
    generator_config cfg_;
    generator_instance inst_;
    double delay_us_;
    int64_t count_ = 0;
    std::shared_ptr<const generator_tables> tables_;
};

// The reference's id helpers (base 0, i.e. without the first_*_id offsets).
int64_t last_base0_person_id(const generator_config& cfg, int64_t event_id);
int64_t last_base0_auction_id(const generator_config& cfg, int64_t event_id);

}  // namespace otter::nexmark

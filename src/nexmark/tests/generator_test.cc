// Generator tests: determinism, proportions, ids, instances, timestamps, sizes, distributions,
// and the source reader's checkpoint position.
#include "nexmark/generator.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <vector>

#include <gtest/gtest.h>

#include "nexmark/source.h"

namespace otter::nexmark {
namespace {

std::vector<std::pair<event, int64_t>> take(generator& g, size_t n) {
    std::vector<std::pair<event, int64_t>> out;
    out.reserve(std::min<size_t>(n, 1 << 20));
    while (out.size() < n && g.has_next()) {
        event e;
        int64_t ts = 0;
        g.next(e, ts);
        out.emplace_back(std::move(e), ts);
    }
    return out;
}

TEST(nexmark_generator, deterministic_for_a_seed) {
    generator_config cfg{.seed = 42};
    generator a(cfg);
    generator b(cfg);
    auto ea = take(a, 20000);
    auto eb = take(b, 20000);
    EXPECT_EQ(ea, eb);

    // Another seed: same types, ids and timestamps, different random content.
    generator c(generator_config{.seed = 43});
    auto ec = take(c, 20000);
    size_t same_content = 0;
    for (size_t i = 0; i < ea.size(); ++i) {
        ASSERT_EQ(ea[i].first.type(), ec[i].first.type());
        ASSERT_EQ(ea[i].second, ec[i].second);
        if (ea[i].first.is_person()) {
            ASSERT_EQ(ea[i].first.as_person().id, ec[i].first.as_person().id);
        }
        if (ea[i].first.is_auction()) {
            ASSERT_EQ(ea[i].first.as_auction().id, ec[i].first.as_auction().id);
        }
        same_content += ea[i].first == ec[i].first;
    }
    EXPECT_LT(same_content, 10u);
}

TEST(nexmark_generator, seek_continues_exactly) {
    generator_config cfg{.seed = 7, .out_of_order_group_size = 16};
    generator a(cfg);
    auto all = take(a, 5000);
    generator b(cfg);
    b.seek(3210);
    auto tail = take(b, 5000 - 3210);
    ASSERT_EQ(tail.size(), 5000u - 3210u);
    for (size_t i = 0; i < tail.size(); ++i) {
        ASSERT_EQ(tail[i], all[3210 + i]) << i;
    }
}

TEST(nexmark_generator, proportions_1_3_46_by_event_id) {
    generator g(generator_config{});
    auto ev = take(g, 50 * 2000);
    std::map<event_type, size_t> counts;
    for (size_t i = 0; i < ev.size(); ++i) {
        event_type t = ev[i].first.type();
        ++counts[t];
        size_t rem = i % 50;
        event_type want =
            rem < 1 ? event_type::person : (rem < 4 ? event_type::auction : event_type::bid);
        ASSERT_EQ(t, want) << i;
    }
    EXPECT_EQ(counts[event_type::person], 2000u);
    EXPECT_EQ(counts[event_type::auction], 6000u);
    EXPECT_EQ(counts[event_type::bid], 92000u);
}

TEST(nexmark_generator, ids_follow_the_reference) {
    generator g(generator_config{});
    auto ev = take(g, 50 * 500);
    int64_t next_person = first_person_id;
    int64_t next_auction = first_auction_id;
    int64_t last_person = first_person_id - 1;
    int64_t last_auction = first_auction_id - 1;
    for (const auto& [e, ts] : ev) {
        if (e.is_person()) {
            ASSERT_EQ(e.as_person().id, next_person++);
            last_person = e.as_person().id;
        } else if (e.is_auction()) {
            const auto& a = e.as_auction();
            ASSERT_EQ(a.id, next_auction++);
            last_auction = a.id;
            // Hot seller = first of the last block of 100 persons, else an active person
            // (last 1000) or up to 10 ahead.
            ASSERT_LE(a.seller, last_person + 10);
            ASSERT_GE(a.seller, std::max<int64_t>(first_person_id, last_person - 1000));
            ASSERT_GE(a.category, 10);
            ASSERT_LT(a.category, 15);
            ASSERT_GT(a.expires, a.date_time);
            ASSERT_GT(a.reserve, a.initial_bid);
        } else {
            const auto& b = e.as_bid();
            ASSERT_LE(b.auction, last_auction + 10);
            ASSERT_GE(b.auction, std::max<int64_t>(first_auction_id, last_auction - 100));
            ASSERT_LE(b.bidder, last_person + 10);
            ASSERT_GE(b.price, 100);
            ASSERT_LE(b.price, 100'000'000);
        }
    }
}

TEST(nexmark_generator, hot_ratios_and_price_distribution) {
    generator g(generator_config{.seed = 3});
    auto ev = take(g, 500'000);
    size_t bids = 0, hot_auction = 0, hot_bidder = 0, auctions = 0, hot_seller = 0, hot_chan = 0;
    size_t price_below_1000 = 0;  // log-uniform over 10^2 .. 10^8: P(< 10^3) = 1/6
    for (const auto& [e, ts] : ev) {
        if (e.is_bid()) {
            const auto& b = e.as_bid();
            ++bids;
            hot_auction += (b.auction - first_auction_id) % 100 == 0;
            hot_bidder += (b.bidder - first_person_id) % 100 == 1;
            hot_chan += b.channel.find("channel-") != 0;
            price_below_1000 += b.price < 1000;
        } else if (e.is_auction()) {
            ++auctions;
            hot_seller += (e.as_auction().seller - first_person_id) % 100 == 0;
        }
    }
    auto frac = [](size_t a, size_t b) { return static_cast<double>(a) / static_cast<double>(b); };
    // Hot with P = 1 - 1/ratio, plus the random picks that land on a hot id by chance (~1 %).
    EXPECT_NEAR(frac(hot_auction, bids), 0.5, 0.02);
    EXPECT_NEAR(frac(hot_bidder, bids), 0.75, 0.02);
    EXPECT_NEAR(frac(hot_seller, auctions), 0.75, 0.02);
    EXPECT_NEAR(frac(hot_chan, bids), 0.5, 0.01);
    EXPECT_NEAR(frac(price_below_1000, bids), 1.0 / 6.0, 0.01);
}

TEST(nexmark_generator, average_sizes_near_the_reference) {
    generator g(generator_config{.seed = 11});
    auto ev = take(g, 500'000);
    std::map<event_type, std::pair<double, size_t>> sizes;
    double total = 0;
    for (const auto& [e, ts] : ev) {
        auto& s = sizes[e.type()];
        s.first += static_cast<double>(e.reference_size());
        ++s.second;
        total += static_cast<double>(e.reference_size());
    }
    auto avg = [&](event_type t) { return sizes[t].first / static_cast<double>(sizes[t].second); };
    EXPECT_NEAR(avg(event_type::person), 200, 4);
    EXPECT_NEAR(avg(event_type::auction), 500, 5);
    EXPECT_NEAR(avg(event_type::bid), 100, 1);
    EXPECT_NEAR(total / static_cast<double>(ev.size()), 126, 2);  // 6300 B per 50 events
}

TEST(nexmark_generator, string_fields_have_the_reference_shapes) {
    generator g(generator_config{.seed = 5});
    auto ev = take(g, 5000);
    for (const auto& [e, ts] : ev) {
        if (e.is_person()) {
            const auto& p = e.as_person();
            ASSERT_EQ(p.credit_card.size(), 19u);
            ASSERT_EQ(p.state.size(), 2u);
            ASSERT_NE(p.email_address.find('@'), std::string::npos);
            ASSERT_TRUE(p.email_address.ends_with(".com"));
            ASSERT_NE(p.name.find(' '), std::string::npos);
        } else if (e.is_auction()) {
            const auto& a = e.as_auction();
            ASSERT_LT(a.item_name.size(), 20u);
            ASSERT_LT(a.description.size(), 100u);
        } else {
            const auto& b = e.as_bid();
            ASSERT_TRUE(b.url.starts_with("https://www.nexmark.com/"));
            ASSERT_FALSE(b.channel.empty());
        }
    }
}

TEST(nexmark_generator, timestamps_from_event_number_and_rate) {
    // 10 M events/s over 1 generator: 10,000 events per ms, in order.
    generator_config cfg{.event_rate = 10'000'000, .base_time = 1000};
    generator g(cfg);
    auto ev = take(g, 100'000);
    for (size_t i = 0; i < ev.size(); ++i) {
        ASSERT_EQ(ev[i].second, 1000 + static_cast<int64_t>(i) / 10'000);
        ASSERT_EQ(ev[i].first.date_time(), ev[i].second);
    }
    // 1,000 events/s: one ms per event.
    generator slow(generator_config{.event_rate = 1000, .base_time = 0});
    auto s = take(slow, 10);
    EXPECT_EQ(s[9].second, 9);
}

TEST(nexmark_generator, out_of_order_groups_stay_within_their_bound) {
    // 100,000 events/s: 10 us per event; groups of 500 events span 5 ms.
    generator_config cfg{.event_rate = 100'000, .base_time = 0, .out_of_order_group_size = 500};
    generator g(cfg);
    int64_t max_ts = 0;  // base_time
    size_t out_of_order = 0;
    std::set<int64_t> ids_seen;
    for (int64_t i = 0; i < 20'000; ++i) {
        int64_t wm = g.watermark_after(g.position());
        int64_t id = g.next_event_id();
        ids_seen.insert(id);
        event e;
        int64_t ts = 0;
        g.next(e, ts);
        ASSERT_GE(ts, wm);          // the reference's watermark holds
        ASSERT_GE(ts, max_ts - 5);  // within one group's span of the newest
        out_of_order += ts < max_ts;
        max_ts = std::max(max_ts, ts);
    }
    EXPECT_GT(out_of_order, 1000u);
    // The permutation inside each group is complete: ids 0..19,999 exactly once.
    EXPECT_EQ(ids_seen.size(), 20'000u);
    EXPECT_EQ(*ids_seen.begin(), 0);
    EXPECT_EQ(*ids_seen.rbegin(), 19'999);
}

TEST(nexmark_generator, instances_have_disjoint_ids_on_one_timeline) {
    generator_config cfg{
        .event_rate = 1'000'000, .num_event_generators = 4, .base_time = 0, .max_events = 400'003};
    auto inst = split_instances(cfg);
    ASSERT_EQ(inst.size(), 4u);
    int64_t total = 0;
    std::set<int64_t> persons, auctions;
    size_t person_events = 0, auction_events = 0;
    for (size_t i = 0; i < inst.size(); ++i) {
        total += inst[i].max_events;
        EXPECT_EQ(inst[i].first_event_number, 0);
        if (i > 0) {
            EXPECT_EQ(inst[i].first_event_id, inst[i - 1].first_event_id + 100'000);
        }
        generator g(cfg, inst[i]);
        auto ev = take(g, SIZE_MAX);
        ASSERT_EQ(static_cast<int64_t>(ev.size()), inst[i].max_events);
        for (size_t k = 0; k < ev.size(); ++k) {
            // Shared timeline: 4 instances at 1 M/s together = 4 us per event each.
            ASSERT_EQ(ev[k].second, static_cast<int64_t>(k) * 4 / 1000);
            if (ev[k].first.is_person()) {
                ++person_events;
                persons.insert(ev[k].first.as_person().id);
            } else if (ev[k].first.is_auction()) {
                ++auction_events;
                auctions.insert(ev[k].first.as_auction().id);
            }
        }
    }
    EXPECT_EQ(total, 400'003);
    // No person or auction id is created by two instances.
    EXPECT_EQ(persons.size(), person_events);
    EXPECT_EQ(auctions.size(), auction_events);
}

TEST(nexmark_generator, unbounded_uses_the_reference_maximum) {
    auto inst = split_instances(generator_config{});
    ASSERT_EQ(inst.size(), 1u);
    EXPECT_EQ(inst[0].max_events, INT64_MAX / (50 * 500));
}

TEST(nexmark_event, serde_round_trip) {
    generator g(generator_config{.seed = 9});
    auto ev = take(g, 200);
    bytes buf;
    stream::writer w(buf);
    for (const auto& [e, ts] : ev) {
        stream::write_value(w, e);
    }
    stream::reader r(buf);
    for (const auto& [e, ts] : ev) {
        event back;
        stream::read_value(r, back);
        ASSERT_TRUE(r.ok());
        ASSERT_EQ(back, e);
    }
    EXPECT_TRUE(r.at_end());
}

TEST(nexmark_source, reader_snapshot_restores_the_position) {
    generator_config cfg{.num_event_generators = 3, .max_events = 30'000, .seed = 1};
    nexmark_source src(cfg);
    ASSERT_EQ(src.split_count(), 3u);
    stream::operator_context ctx;
    auto r1 = src.create_reader({0, 2}, ctx);
    stream::batch<event> b;
    for (int i = 0; i < 5; ++i) {
        ASSERT_EQ(r1->poll(b, 1000).k, stream::poll_result::kind::data);
    }
    bytes snap;
    stream::writer w(snap);
    r1->snapshot(w);
    // What the uninterrupted reader produces next...
    std::vector<std::pair<event, int64_t>> want;
    for (int i = 0; i < 4; ++i) {
        stream::batch<event> nb;
        ASSERT_EQ(r1->poll(nb, 700).k, stream::poll_result::kind::data);
        for (size_t k = 0; k < nb.size(); ++k) {
            want.emplace_back(nb.values[k], nb.timestamps[k]);
        }
    }
    // ... a restored one produces too.
    auto r2 = src.create_reader({0, 2}, ctx);
    stream::reader rd(snap);
    ASSERT_TRUE(r2->restore(rd));
    std::vector<std::pair<event, int64_t>> got;
    for (int i = 0; i < 4; ++i) {
        stream::batch<event> nb;
        ASSERT_EQ(r2->poll(nb, 700).k, stream::poll_result::kind::data);
        for (size_t k = 0; k < nb.size(); ++k) {
            got.emplace_back(nb.values[k], nb.timestamps[k]);
        }
    }
    ASSERT_EQ(got.size(), want.size());
    EXPECT_TRUE(got == want);

    // Reading to the end: each split ends once, then the reader ends.
    size_t events = 0, split_ends = 0;
    auto r3 = src.create_reader({1}, ctx);
    for (;;) {
        stream::batch<event> nb;
        auto res = r3->poll(nb, 4096);
        events += nb.size();
        if (res.k == stream::poll_result::kind::split_end) {
            ++split_ends;
        } else if (res.k == stream::poll_result::kind::end) {
            break;
        }
    }
    EXPECT_EQ(events, 10'000u);
    EXPECT_EQ(split_ends, 1u);
}

}  // namespace
}  // namespace otter::nexmark

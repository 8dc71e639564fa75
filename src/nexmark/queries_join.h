// Nexmark joins q3, q4, q7 and q8 as keyed process functions over the one event stream.
//
// The engine has no two-input operator, and needs none here: Nexmark's person, auction and bid
// tables are one tagged stream (`event`), so a join of two of them is one keyed process function
// over that stream, keyed by the join key, holding the state of both sides and emitting on a match
// (windowed joins fire with event-time timers). Each query first filters the events it needs and
// projects them onto a small record (no strings it does not output), so the hash exchange moves
// little and the keyed state stays small. All state lives in the engine's keyed state
// (checkpointed).
//
// Exactness: results equal the batch SQL over the same events as long as no event arrives behind
// the watermark (event time - 4 s); the generator's out-of-orderness is far smaller, so bounded
// runs are exact. State is dropped when the watermark proves it can no longer match.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "nexmark/model.h"
#include "nexmark/rows.h"
#include "stream/api.h"

namespace otter::nexmark {

// ---------------------------------------------------------------------------------------------
// q3: persons in OR / ID / CA joined with the category-10 auctions they sell (a regular,
// unwindowed join: a match is emitted whichever side comes first).

// A person (is_person, with name/city/state) or an auction (its id; key = seller).
struct q3_in {
    int64_t key = 0;  // person id / auction seller
    int64_t auction = 0;
    bool is_person = false;
    std::string name;
    std::string city;
    std::string state;
    auto members() { return std::tie(key, auction, is_person, name, city, state); }
};

struct q3_person {
    std::string name;
    std::string city;
    std::string state;
    auto members() { return std::tie(name, city, state); }
};

inline bool q3_state_matches(const std::string& s) {
    return s == "OR" || s == "ID" || s == "CA";
}

// Keyed by person id. A person id occurs once, so a matched auction needs no state; auctions whose
// seller has not been seen wait in `pending` (Flink keeps both sides for ever; here an auction is
// dropped once matched; auctions of sellers outside the three states wait for ever, as in Flink).
struct q3_join {
    stream::value_state<int64_t, q3_person>* person = nullptr;
    stream::list_state<int64_t, int64_t>* pending = nullptr;

    void open(stream::keyed_state_backend<int64_t>& st) {
        person = &st.value<q3_person>("q3.person");
        pending = &st.list<int64_t>("q3.pending");
    }
    void process_element(const q3_in& in, stream::keyed_context<int64_t, q3_row>& ctx) {
        if (in.is_person) {
            if (const auto* waiting = pending->get()) {
                for (int64_t a : *waiting) {
                    ctx.emit(q3_row{in.name, in.city, in.state, a});
                }
                pending->clear();
            }
            person->update(q3_person{in.name, in.city, in.state});
            return;
        }
        if (const auto* p = person->get()) {
            ctx.emit(q3_row{p->name, p->city, p->state, in.auction});
        } else {
            pending->add(in.auction);
        }
    }
};

inline stream::stream<q3_row> q3(stream::stream<event> events) {
    return events
        .filter(
            [](const event& e) {
                return (e.is_auction() && e.as_auction().category == 10) ||
                       (e.is_person() && q3_state_matches(e.as_person().state));
            },
            "q3.filter")
        .map(
            [](event&& e) {
                if (e.is_auction()) {
                    const auto& a = e.as_auction();
                    return q3_in{a.seller, a.id, false, {}, {}, {}};
                }
                auto& p = std::get<person>(e.v);
                return q3_in{
                    p.id, 0, true, std::move(p.name), std::move(p.city), std::move(p.state)};
            },
            "q3.project")
        .key_by([](const q3_in& r) { return r.key; })
        .process<q3_row>(q3_join{}, "q3.join");
}

// ---------------------------------------------------------------------------------------------
// q4: average closing price per category.
//   Q = SELECT MAX(B.price) AS final, A.category FROM auction A, bid B
//       WHERE A.id = B.auction AND B.dateTime BETWEEN A.dateTime AND A.expires
//       GROUP BY A.id, A.category
//   SELECT category, AVG(final) FROM Q GROUP BY category
// Stage 1 (keyed by auction id) keeps the auction and the running maximum of its matching bids;
// when the watermark reaches `expires` no matching bid can come, so the auction's closing price
// is final and goes downstream (auctions without a matching bid are not in the inner join).
// Bids that arrive before their auction wait; once the watermark passes such a bid's dateTime its
// auction (dateTime <= the bid's) can no longer arrive, so it is dropped. Stage 2 (keyed by
// category) sums the closing prices and emits one row per category at the end of the input (the
// final MAX watermark): the batch result. For an unbounded input it emits nothing; Flink's
// streaming version emits an updating changelog whose last value per category is this row.

struct q4_in {
    int64_t auction = 0;
    int64_t price = 0;     // bid price; auction: category
    int64_t ts = 0;        // dateTime
    int64_t expires = -1;  // auction: expires; bid: -1
    auto members() { return std::tie(auction, price, ts, expires); }
    bool is_auction() const { return expires >= 0; }
};

struct q4_auction {
    int64_t category = 0;
    int64_t start = 0;
    int64_t expires = 0;
    int64_t max = -1;  // -1: no matching bid yet
    auto members() { return std::tie(category, start, expires, max); }
};

struct q4_closed {
    int64_t category = 0;
    int64_t price = 0;
    auto members() { return std::tie(category, price); }
};

struct q4_close_auctions {
    stream::value_state<int64_t, q4_auction>* auction = nullptr;
    // Bids seen before their auction: (price, dateTime).
    stream::list_state<int64_t, std::pair<int64_t, int64_t>>* early = nullptr;

    void open(stream::keyed_state_backend<int64_t>& st) {
        auction = &st.value<q4_auction>("q4.auction");
        early = &st.list<std::pair<int64_t, int64_t>>("q4.early");
    }
    void process_element(const q4_in& in, stream::keyed_context<int64_t, q4_closed>& ctx) {
        if (in.is_auction()) {
            q4_auction a{in.price, in.ts, in.expires, -1};
            if (const auto* waiting = early->get()) {
                for (const auto& [price, ts] : *waiting) {
                    if (ts >= a.start && ts <= a.expires) {
                        a.max = std::max(a.max, price);
                    }
                }
                early->clear();
            }
            auction->update(a);
            ctx.register_event_time_timer(a.expires);
            return;
        }
        if (const auto* a = auction->get()) {
            if (in.price > a->max && in.ts >= a->start && in.ts <= a->expires) {
                q4_auction u = *a;
                u.max = in.price;
                auction->update(u);
            }
            return;
        }
        if (in.ts > ctx.current_watermark()) {  // else its auction cannot come any more
            early->add({in.price, in.ts});
            ctx.register_event_time_timer(in.ts);
        }
    }
    void on_timer(int64_t t, stream::time_domain, stream::keyed_context<int64_t, q4_closed>& ctx) {
        if (const auto* a = auction->get()) {
            if (t == a->expires) {
                if (a->max >= 0) {
                    ctx.emit(q4_closed{a->category, a->max});
                }
                auction->clear();
            }
            return;
        }
        // A waiting bid's timer: bids at or before the watermark can no longer meet their auction.
        if (const auto* waiting = early->get()) {
            std::vector<std::pair<int64_t, int64_t>> keep;
            for (const auto& b : *waiting) {
                if (b.second > ctx.current_watermark()) {
                    keep.push_back(b);
                }
            }
            if (keep.empty()) {
                early->clear();
            } else {
                early->update(std::move(keep));
            }
        }
    }
};

struct q4_average {
    stream::value_state<int64_t, std::pair<int64_t, int64_t>>* acc = nullptr;  // (sum, count)

    void open(stream::keyed_state_backend<int64_t>& st) {
        acc = &st.value<std::pair<int64_t, int64_t>>("q4.sum_count");
    }
    void process_element(const q4_closed& in, stream::keyed_context<int64_t, q4_row>& ctx) {
        const auto* a = acc->get();
        if (a == nullptr) {
            acc->update({in.price, 1});
            ctx.register_event_time_timer(stream::max_timestamp);
        } else {
            acc->update({a->first + in.price, a->second + 1});
        }
    }
    void on_timer(int64_t, stream::time_domain, stream::keyed_context<int64_t, q4_row>& ctx) {
        if (const auto* a = acc->get()) {
            ctx.emit(q4_row{ctx.key(), a->first / a->second, a->first, a->second});
            acc->clear();
        }
    }
};

inline stream::stream<q4_row> q4(stream::stream<event> events) {
    return events.filter([](const event& e) { return !e.is_person(); }, "q4.filter")
        .map(
            [](event&& e) {
                if (e.is_bid()) {
                    const auto& b = e.as_bid();
                    return q4_in{b.auction, b.price, b.date_time, -1};
                }
                const auto& a = e.as_auction();
                return q4_in{a.id, a.category, a.date_time, a.expires};
            },
            "q4.project")
        .key_by([](const q4_in& r) { return r.auction; })
        .process<q4_closed>(q4_close_auctions{}, "q4.close")
        .key_by([](const q4_closed& c) { return c.category; })
        .process<q4_row>(q4_average{}, "q4.average");
}

// ---------------------------------------------------------------------------------------------
// q7: bids with the highest price of their TUMBLE 10 s window:
//   SELECT B.* FROM bid B JOIN (SELECT MAX(price) AS maxprice, window_end AS dateTime
//                               FROM TUMBLE(bid, dateTime, 10 s) GROUP BY window) B1
//   ON B.price = B1.maxprice WHERE B.dateTime BETWEEN B1.dateTime - 10 s AND B1.dateTime
// BETWEEN is inclusive: a bid at exactly window_end (which belongs to the next window) also
// matches the window ending there if its price equals that window's maximum (and then may appear
// twice, once per window, as in the SQL).
// One keyed process function does both the maximum and the join back: per window (a state
// namespace) it keeps the maximum so far and only the bids at that maximum (a lower bid can never
// match), plus the boundary bids (dateTime == window_end) at or above it; at the window end
// (event-time timer; the watermark then guarantees every bid <= window_end has arrived) it emits
// the bids at the final maximum. All windows share one key: the maximum is global per window, so
// Flink's plan also runs it on one subtask.

inline constexpr int64_t q7_window_ms = 10'000;

inline int64_t window_start_of(int64_t ts, int64_t size) {
    return ts - (((ts % size) + size) % size);
}

struct q7_in {
    int64_t auction = 0;
    int64_t price = 0;
    int64_t bidder = 0;
    int64_t date_time = 0;
    std::string extra;
    auto members() { return std::tie(auction, price, bidder, date_time, extra); }
};

struct q7_max_bids {
    stream::keyed_state_backend<int64_t>* st = nullptr;
    stream::value_state<int64_t, int64_t>* max = nullptr;
    stream::list_state<int64_t, q7_row>* top = nullptr;   // bids of the window at max
    stream::list_state<int64_t, q7_row>* edge = nullptr;  // bids at dateTime == window end

    void open(stream::keyed_state_backend<int64_t>& s) {
        st = &s;
        max = &s.value<int64_t>("q7.max");
        top = &s.list<q7_row>("q7.top");
        edge = &s.list<q7_row>("q7.edge");
    }
    void use_window(stream::keyed_context<int64_t, q7_row>& ctx, int64_t start) {
        st->set_current_key(&ctx.key(), stream::time_window{start, start + q7_window_ms});
    }
    void process_element(const q7_in& in, stream::keyed_context<int64_t, q7_row>& ctx) {
        const int64_t start = window_start_of(in.date_time, q7_window_ms);
        if (in.date_time == start) {
            // Also a candidate for the previous window, which ends here.
            use_window(ctx, start - q7_window_ms);
            const int64_t* m = max->get();
            if (m == nullptr || in.price >= *m) {
                if (edge->get() == nullptr && m == nullptr) {
                    ctx.register_event_time_timer(start);
                }
                edge->add(q7_row{in.auction, in.price, in.bidder, in.date_time, in.extra});
            }
        }
        use_window(ctx, start);
        const int64_t* m = max->get();
        if (m != nullptr && in.price < *m) {
            return;
        }
        q7_row row{in.auction, in.price, in.bidder, in.date_time, in.extra};
        if (m == nullptr) {
            ctx.register_event_time_timer(start + q7_window_ms);
            max->update(in.price);
            top->add(std::move(row));
        } else if (in.price > *m) {
            max->update(in.price);
            top->update({std::move(row)});
        } else {
            top->add(std::move(row));
        }
    }
    void on_timer(int64_t end, stream::time_domain, stream::keyed_context<int64_t, q7_row>& ctx) {
        use_window(ctx, end - q7_window_ms);
        if (const int64_t* m = max->get()) {
            for (const auto* l : {top->get(), edge->get()}) {
                if (l == nullptr) {
                    continue;
                }
                for (const auto& r : *l) {
                    if (r.price == *m) {
                        ctx.emit(r);
                    }
                }
            }
        }
        max->clear();
        top->clear();
        edge->clear();
    }
};

inline stream::stream<q7_row> q7(stream::stream<event> events) {
    return events.filter([](const event& e) { return e.is_bid(); }, "bids")
        .map(
            [](event&& e) {
                auto& b = std::get<bid>(e.v);
                return q7_in{b.auction, b.price, b.bidder, b.date_time, std::move(b.extra)};
            },
            "q7.project")
        .key_by([](const q7_in&) { return int64_t{0}; })
        .process<q7_row>(q7_max_bids{}, "q7.max_join");
}

// ---------------------------------------------------------------------------------------------
// q8: persons who opened an auction in the TUMBLE 10 s window of their registration:
//   P = SELECT id, name, window_start, window_end FROM TUMBLE(person) GROUP BY id, name, window
//   A = SELECT seller, window_start, window_end FROM TUMBLE(auction) GROUP BY seller, window
//   SELECT P.id, P.name, P.starttime FROM P JOIN A ON P.id = A.seller AND same window
// Keyed by (person id = seller, window start): the person's name, whether an auction was seen and
// whether the row was emitted; one row per (person, window) with at least one auction (the GROUP
// BYs make both sides distinct). State is dropped at the window end (event-time timer).

inline constexpr int64_t q8_window_ms = 10'000;

struct q8_in {
    int64_t id = 0;  // person id / auction seller
    int64_t window_start = 0;
    bool is_person = false;
    std::string name;
    auto members() { return std::tie(id, window_start, is_person, name); }
};

struct q8_side {
    std::string name;
    bool person = false;
    bool auction = false;
    auto members() { return std::tie(name, person, auction); }
};

using q8_key = std::pair<int64_t, int64_t>;

struct q8_join {
    stream::value_state<q8_key, q8_side>* side = nullptr;

    void open(stream::keyed_state_backend<q8_key>& st) { side = &st.value<q8_side>("q8.side"); }
    void process_element(const q8_in& in, stream::keyed_context<q8_key, q8_row>& ctx) {
        const auto* s = side->get();
        if (s == nullptr) {
            ctx.register_event_time_timer(in.window_start + q8_window_ms - 1);
            side->update(in.is_person ? q8_side{in.name, true, false} : q8_side{{}, false, true});
            return;
        }
        if (in.is_person && !s->person) {
            // A person id occurs once; the auction side was already there.
            ctx.emit(q8_row{in.id, in.name, in.window_start});
            side->update(q8_side{{}, true, true});
        } else if (!in.is_person && !s->auction) {
            ctx.emit(q8_row{in.id, s->name, in.window_start});
            side->update(q8_side{{}, true, true});
        }
    }
    void on_timer(int64_t, stream::time_domain, stream::keyed_context<q8_key, q8_row>&) {
        side->clear();
    }
};

inline stream::stream<q8_row> q8(stream::stream<event> events) {
    return events.filter([](const event& e) { return !e.is_bid(); }, "q8.filter")
        .map(
            [](event&& e) {
                if (e.is_auction()) {
                    const auto& a = e.as_auction();
                    return q8_in{a.seller, window_start_of(a.date_time, q8_window_ms), false, {}};
                }
                auto& p = std::get<person>(e.v);
                return q8_in{p.id, window_start_of(p.date_time, q8_window_ms), true,
                             std::move(p.name)};
            },
            "q8.project")
        .key_by([](const q8_in& r) {
            return q8_key{r.id, r.window_start};
        })
        .process<q8_row>(q8_join{}, "q8.join");
}

}  // namespace otter::nexmark

// Nexmark event types: the person, auction and bid records of the reference generator
// (nexmark/nexmark `model/*.java`, the schema of `ddl_gen.sql`), and `event`, the one record type
// the generator emits (the reference's Event: exactly one of the three, tagged by `type`).
// Times are milliseconds since the epoch (event time). Ids start at 1000 (persons, auctions);
// categories are 10..14. Prices are in cents.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <variant>

#include "stream/serde.h"

namespace otter::nexmark {

struct person {
    int64_t id = 0;
    std::string name;
    std::string email_address;
    std::string credit_card;
    std::string city;
    std::string state;
    int64_t date_time = 0;
    std::string extra;
    auto members() {
        return std::tie(id, name, email_address, credit_card, city, state, date_time, extra);
    }
    bool operator==(const person&) const = default;
};

struct auction {
    int64_t id = 0;
    std::string item_name;
    std::string description;
    int64_t initial_bid = 0;
    int64_t reserve = 0;
    int64_t date_time = 0;
    int64_t expires = 0;
    int64_t seller = 0;
    int64_t category = 0;
    std::string extra;
    auto members() {
        return std::tie(id, item_name, description, initial_bid, reserve, date_time, expires,
                        seller, category, extra);
    }
    bool operator==(const auction&) const = default;
};

struct bid {
    int64_t auction = 0;
    int64_t bidder = 0;
    int64_t price = 0;
    std::string channel;
    std::string url;
    int64_t date_time = 0;
    std::string extra;
    auto members() { return std::tie(auction, bidder, price, channel, url, date_time, extra); }
    bool operator==(const bid&) const = default;
};

// The reference's event_type column: 0 person, 1 auction, 2 bid.
enum class event_type : uint8_t { person = 0, auction = 1, bid = 2 };

struct event {
    std::variant<person, auction, bid> v;

    event_type type() const { return static_cast<event_type>(v.index()); }
    bool is_person() const { return v.index() == 0; }
    bool is_auction() const { return v.index() == 1; }
    bool is_bid() const { return v.index() == 2; }
    const person& as_person() const { return std::get<person>(v); }
    const auction& as_auction() const { return std::get<auction>(v); }
    const bid& as_bid() const { return std::get<bid>(v); }
    // The event's date_time, whatever its type.
    int64_t date_time() const {
        return std::visit([](const auto& x) { return x.date_time; }, v);
    }
    // The reference's size accounting (8 per number, string lengths, see the *Generator.java
    // `currentSize` + extra): what the average-size parameters (200/500/100) refer to.
    size_t reference_size() const;
    bool operator==(const event&) const = default;
};

inline size_t event::reference_size() const {
    switch (type()) {
        case event_type::person: {
            const auto& p = as_person();
            return 8 + p.name.size() + p.email_address.size() + p.credit_card.size() +
                   p.city.size() + p.state.size() + p.extra.size();
        }
        case event_type::auction: {
            const auto& a = as_auction();
            return 8 + a.item_name.size() + a.description.size() + 40 + a.extra.size();
        }
        case event_type::bid:
            return 32 + as_bid().extra.size();
    }
    return 0;
}

}  // namespace otter::nexmark

namespace otter::stream {

// Serialisation of an event (checkpointed sinks, exchanges): a type tag, then the record.
template <>
struct serde<nexmark::event, void> {
    static void write(writer& w, const nexmark::event& e) {
        w.u64(e.v.index());
        std::visit([&](const auto& x) { write_value(w, x); }, e.v);
    }
    static void read(reader& r, nexmark::event& e) {
        switch (r.u64()) {
            case 0:
                e.v.emplace<nexmark::person>();
                break;
            case 1:
                e.v.emplace<nexmark::auction>();
                break;
            case 2:
                e.v.emplace<nexmark::bid>();
                break;
            default:
                r.fail();
                return;
        }
        std::visit([&](auto& x) { read_value(r, x); }, e.v);
    }
};

}  // namespace otter::stream

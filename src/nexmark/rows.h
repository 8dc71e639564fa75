// Result rows of the Nexmark queries (q0–q5, q7, q8, q11, q12). Every row type has
//   static constexpr std::array<std::string_view, N> fields;  // one name per member, in order
//   static constexpr size_t sql_columns;                      // the first k fields are the SQL's
//   auto members();                                           // std::tie of the members
// `fields` are the column names of the query's output table in nexmark/nexmark
// (`CREATE TABLE nexmark_qN (...)` in queries/qN.sql), exactly as spelled there ("dateTime", not
// "date_time"; q7 follows its SELECT, see q7_row); members after the first `sql_columns` are extras
// that are not in the SQL output (window bounds, q4's sum and count), named as in the SQL's
// subqueries where they appear there. Times are milliseconds since the epoch (TIMESTAMP(3) in the
// SQL), prices are cents.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

namespace otter::nexmark {

// q0: SELECT auction, bidder, price, dateTime, extra FROM bid.
struct q0_row {
    int64_t auction = 0;
    int64_t bidder = 0;
    int64_t price = 0;
    int64_t date_time = 0;
    std::string extra;
    static constexpr std::array<std::string_view, 5> fields{"auction", "bidder", "price",
                                                            "dateTime", "extra"};
    static constexpr size_t sql_columns = 5;
    auto members() { return std::tie(auction, bidder, price, date_time, extra); }
    bool operator==(const q0_row&) const = default;
    auto operator<=>(const q0_row&) const = default;
};

// q1: SELECT auction, bidder, 0.908 * price AS price, dateTime, extra FROM bid.
// In Flink SQL the product is DECIMAL(23, 3); it is kept exact here as thousandths:
// price_milli = price * 908 (so 0.908 * price == price_milli / 1000). Field "price" is
// price_milli, i.e. the DECIMAL's unscaled value (scale 3).
struct q1_row {
    int64_t auction = 0;
    int64_t bidder = 0;
    int64_t price_milli = 0;
    int64_t date_time = 0;
    std::string extra;
    double price() const { return static_cast<double>(price_milli) / 1000.0; }
    static constexpr std::array<std::string_view, 5> fields{"auction", "bidder", "price",
                                                            "dateTime", "extra"};
    static constexpr size_t sql_columns = 5;
    static constexpr int price_scale = 3;
    auto members() { return std::tie(auction, bidder, price_milli, date_time, extra); }
    bool operator==(const q1_row&) const = default;
    auto operator<=>(const q1_row&) const = default;
};

// q2: SELECT auction, price FROM bid WHERE MOD(auction, 123) = 0.
struct q2_row {
    int64_t auction = 0;
    int64_t price = 0;
    static constexpr std::array<std::string_view, 2> fields{"auction", "price"};
    static constexpr size_t sql_columns = 2;
    auto members() { return std::tie(auction, price); }
    bool operator==(const q2_row&) const = default;
    auto operator<=>(const q2_row&) const = default;
};

// q3 (local item suggestion):
//   SELECT P.name, P.city, P.state, A.id FROM auction A JOIN person P ON A.seller = P.id
//   WHERE A.category = 10 AND P.state IN ('OR', 'ID', 'CA').
struct q3_row {
    std::string name;
    std::string city;
    std::string state;
    int64_t id = 0;
    static constexpr std::array<std::string_view, 4> fields{"name", "city", "state", "id"};
    static constexpr size_t sql_columns = 4;
    auto members() { return std::tie(name, city, state, id); }
    bool operator==(const q3_row&) const = default;
    auto operator<=>(const q3_row&) const = default;
};

// q4 (average closing price per category): output table nexmark_q4(id, final) where id is the
// category and final = AVG(MAX(price) per auction over its bids with dateTime BETWEEN
// A.dateTime AND A.expires). AVG over BIGINT is BIGINT in Flink SQL (sum / count, truncating
// integer division), so final == sum / count; sum and count (extras) let an oracle that
// computes a DOUBLE average compare exactly (sum = SUM(final), count = COUNT(*) per category).
struct q4_row {
    int64_t id = 0;  // the category
    int64_t final = 0;
    int64_t sum = 0;
    int64_t count = 0;
    static constexpr std::array<std::string_view, 4> fields{"id", "final", "sum", "count"};
    static constexpr size_t sql_columns = 2;
    auto members() { return std::tie(id, final, sum, count); }
    bool operator==(const q4_row&) const = default;
    auto operator<=>(const q4_row&) const = default;
};

// q5 (hot items): auctions with the most bids per HOP window (10 s, slide 2 s). The window
// bounds are extras (the subqueries' starttime / endtime), so rows can be compared per window.
struct q5_row {
    int64_t auction = 0;
    int64_t num = 0;
    int64_t window_start = 0;
    int64_t window_end = 0;
    static constexpr std::array<std::string_view, 4> fields{"auction", "num", "starttime",
                                                            "endtime"};
    static constexpr size_t sql_columns = 2;
    auto members() { return std::tie(auction, num, window_start, window_end); }
    bool operator==(const q5_row&) const = default;
    auto operator<=>(const q5_row&) const = default;
};

// q7 (highest bid): the bids whose price is the maximum of a TUMBLE 10 s window and whose
// dateTime is BETWEEN window_end - 10 s AND window_end (inclusive, so a bid at exactly a window
// boundary also matches the window that ends there). The SQL is
//   SELECT B.auction, B.price, B.bidder, B.dateTime, B.extra ...
// and its INSERT writes that positionally into nexmark_q7(auction, bidder, price, dateTime,
// extra), i.e. the sink's "bidder" column receives B.price (a slip in nexmark/nexmark). Rows here
// follow the SELECT: member order and names are the SELECT's, each column holds what its name says.
struct q7_row {
    int64_t auction = 0;
    int64_t price = 0;
    int64_t bidder = 0;
    int64_t date_time = 0;
    std::string extra;
    static constexpr std::array<std::string_view, 5> fields{"auction", "price", "bidder",
                                                            "dateTime", "extra"};
    static constexpr size_t sql_columns = 5;
    auto members() { return std::tie(auction, price, bidder, date_time, extra); }
    bool operator==(const q7_row&) const = default;
    auto operator<=>(const q7_row&) const = default;
};

// q8 (monitor new users): persons who opened an auction in the same TUMBLE 10 s window as their
// registration: nexmark_q8(id, name, stime), stime = the window start.
struct q8_row {
    int64_t id = 0;
    std::string name;
    int64_t stime = 0;
    static constexpr std::array<std::string_view, 3> fields{"id", "name", "stime"};
    static constexpr size_t sql_columns = 3;
    auto members() { return std::tie(id, name, stime); }
    bool operator==(const q8_row&) const = default;
    auto operator<=>(const q8_row&) const = default;
};

// q11 (user sessions): bids per bidder per SESSION window with a 10 s gap:
// nexmark_q11(bidder, bid_count, starttime, endtime); starttime = first bid's dateTime,
// endtime = last bid's dateTime + 10 s (Flink's SESSION_START / SESSION_END).
// q12 (processing-time windows): bids per bidder per TUMBLE 10 s on processing time:
// nexmark_q12(bidder, bid_count, starttime, endtime), the window bounds in wall-clock ms.
struct q11_row {
    int64_t bidder = 0;
    int64_t bid_count = 0;
    int64_t starttime = 0;
    int64_t endtime = 0;
    static constexpr std::array<std::string_view, 4> fields{"bidder", "bid_count", "starttime",
                                                            "endtime"};
    static constexpr size_t sql_columns = 4;
    auto members() { return std::tie(bidder, bid_count, starttime, endtime); }
    bool operator==(const q11_row&) const = default;
    auto operator<=>(const q11_row&) const = default;
};

using q12_row = q11_row;

}  // namespace otter::nexmark

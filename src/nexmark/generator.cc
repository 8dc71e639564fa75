#include "nexmark/generator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <mutex>

#include "base/assert.h"

namespace otter::nexmark {

namespace {

constexpr int hot_auction_block = 100;  // HOT_AUCTION_RATIO in the reference
constexpr int hot_bidder_block = 100;   // HOT_BIDDER_RATIO
constexpr int hot_seller_block = 100;   // HOT_SELLER_RATIO
constexpr int64_t person_id_lead = 10;
constexpr int64_t auction_id_lead = 10;
constexpr int num_categories = 5;
constexpr int min_string_length = 3;
constexpr int hot_channels_ratio = 2;
constexpr int channels_number = 10'000;

constexpr std::array<const char*, 6> us_states = {"AZ", "CA", "ID", "OR", "WA", "WY"};
constexpr std::array<const char*, 10> us_cities = {
    "Phoenix", "Los Angeles", "San Francisco", "Boise", "Portland",
    "Bend",    "Redmond",     "Seattle",       "Kent",  "Cheyenne"};
constexpr std::array<const char*, 11> first_names = {
    "Peter", "Paul", "Luke", "John", "Saul", "Vicky", "Kate", "Julie", "Sarah", "Deiter", "Walter"};
constexpr std::array<const char*, 9> last_names = {
    "Shultz", "Abrams", "Spencer", "White", "Bartels", "Walton", "Smith", "Jones", "Noris"};
constexpr std::array<const char*, 4> hot_channels = {"Google", "Facebook", "Baidu", "Apple"};

uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

__extension__ typedef unsigned __int128 u128;

// splitmix64: small, fast, and good enough for synthetic data; seeded per event.
class rng {
  public:
    explicit rng(uint64_t seed) : s_(seed) {}
    uint64_t next_u64() { return mix64(s_ += 0x9E3779B97F4A7C15ULL); }
    // Uniform in [0, n), n > 0 (Lemire's multiply-shift).
    int64_t next_long(int64_t n) {
        return static_cast<int64_t>((static_cast<u128>(next_u64()) * static_cast<uint64_t>(n)) >>
                                    64);
    }
    int next_int(int n) { return static_cast<int>(next_long(n)); }
    double next_double() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

  private:
    uint64_t s_;
};

// Java's Math.round for the non-negative values used here.
int64_t java_round(double x) {
    return static_cast<int64_t>(std::floor(x + 0.5));
}

// StringsGenerator.nextString: length U[3, max), letters with 1/13 `special`, trimmed of spaces.
std::string next_string(rng& r, int max_length, char special = ' ') {
    int len = min_string_length + r.next_int(max_length - min_string_length);
    std::string s;
    s.reserve(static_cast<size_t>(len));
    while (len-- > 0) {
        if (r.next_int(13) == 0) {
            s.push_back(special);
        } else {
            s.push_back(static_cast<char>('a' + r.next_int(26)));
        }
    }
    if (special == ' ') {
        size_t b = s.find_first_not_of(' ');
        if (b == std::string::npos) {
            return {};
        }
        size_t e = s.find_last_not_of(' ');
        s = s.substr(b, e - b + 1);
    }
    return s;
}

int64_t next_price(rng& r) {
    return java_round(std::pow(10.0, r.next_double() * 6.0) * 100.0);
}

std::string base_url(rng& r) {
    std::string u = "https://www.nexmark.com/";
    for (int i = 0; i < 3; ++i) {
        u += next_string(r, 5, '_');
        u += '/';
    }
    u += "item.htm?query=1";
    return u;
}

int32_t java_integer_reverse(int32_t v) {
    uint32_t x = static_cast<uint32_t>(v);
    uint32_t y = 0;
    for (int i = 0; i < 32; ++i) {
        y = (y << 1) | ((x >> i) & 1u);
    }
    return static_cast<int32_t>(y);
}

}  // namespace

struct generator_tables {
    uint64_t event_seed = 0;
    std::string letters;  // random letters; `extra` fields are slices of it
    std::array<std::string, hot_channels.size()> hot_urls;
    std::vector<std::string> channel_names;
    std::vector<std::string> channel_urls;

    generator_tables(uint64_t seed, size_t pool) {
        event_seed = mix64(seed ^ 0x6E65786D61726BULL);  // "nexmark"
        rng r(mix64(seed + 0x7461626C6573ULL));          // "tables"
        letters.resize(std::max<size_t>(pool, 4096));
        for (auto& c : letters) {
            c = static_cast<char>('a' + r.next_int(26));
        }
        for (auto& u : hot_urls) {
            u = base_url(r);
        }
        channel_names.reserve(channels_number);
        channel_urls.reserve(channels_number);
        for (int i = 0; i < channels_number; ++i) {
            channel_names.push_back("channel-" + std::to_string(i));
            std::string url = base_url(r);
            if (r.next_int(10) > 0) {
                int32_t rev = java_integer_reverse(i);
                // Math.abs(Integer.MIN_VALUE) stays negative in Java.
                int64_t a = rev == std::numeric_limits<int32_t>::min() ? rev : std::abs(rev);
                url += "&channel_id=" + std::to_string(a);
            }
            channel_urls.push_back(std::move(url));
        }
    }

    // StringsGenerator.nextExtra: pads current_size to about desired_average (+-20 %).
    std::string next_extra(rng& r, int current_size, int desired_average) const {
        if (current_size > desired_average) {
            return {};
        }
        int desired = desired_average - current_size;
        int delta = static_cast<int>(java_round(desired * 0.2));
        int size = desired - delta + (delta == 0 ? 0 : r.next_int(2 * delta));
        auto off = static_cast<size_t>(r.next_long(static_cast<int64_t>(letters.size()) - size));
        return letters.substr(off, static_cast<size_t>(size));
    }
};

namespace {

std::shared_ptr<const generator_tables> tables_for(uint64_t seed, size_t pool) {
    static std::mutex mu;
    static std::map<std::pair<uint64_t, size_t>, std::weak_ptr<const generator_tables>> cache;
    std::lock_guard lk(mu);
    auto& w = cache[{seed, pool}];
    if (auto t = w.lock()) {
        return t;
    }
    auto t = std::make_shared<const generator_tables>(seed, pool);
    w = t;
    return t;
}

int64_t unbounded_max_events(const generator_config& cfg) {
    int64_t biggest =
        std::max({cfg.avg_person_byte_size, cfg.avg_auction_byte_size, cfg.avg_bid_byte_size});
    return std::numeric_limits<int64_t>::max() / (cfg.total_proportion() * biggest);
}

// PersonGenerator.nextBase0PersonId: one of the active people, or a few ids ahead.
int64_t next_base0_person_id(const generator_config& cfg, int64_t event_id, rng& r) {
    int64_t num_people = last_base0_person_id(cfg, event_id) + 1;
    int64_t active = std::min<int64_t>(num_people, cfg.num_active_people);
    int64_t n = r.next_long(active + person_id_lead);
    return num_people - active + n;
}

// AuctionGenerator.nextBase0AuctionId: one of the in-flight auctions, or a few ids ahead.
int64_t next_base0_auction_id(const generator_config& cfg, int64_t event_id, rng& r) {
    int64_t max_auction = last_base0_auction_id(cfg, event_id);
    int64_t min_auction = std::max<int64_t>(max_auction - cfg.num_in_flight_auctions, 0);
    return min_auction + r.next_long(max_auction - min_auction + 1 + auction_id_lead);
}

}  // namespace

int64_t last_base0_person_id(const generator_config& cfg, int64_t event_id) {
    int64_t epoch = event_id / cfg.total_proportion();
    int64_t offset = event_id % cfg.total_proportion();
    if (offset >= cfg.person_proportion) {
        offset = cfg.person_proportion - 1;
    }
    return epoch * cfg.person_proportion + offset;
}

int64_t last_base0_auction_id(const generator_config& cfg, int64_t event_id) {
    int64_t epoch = event_id / cfg.total_proportion();
    int64_t offset = event_id % cfg.total_proportion();
    if (offset < cfg.person_proportion) {
        --epoch;
        offset = cfg.auction_proportion - 1;
    } else if (offset >= cfg.person_proportion + cfg.auction_proportion) {
        offset = cfg.auction_proportion - 1;
    } else {
        offset -= cfg.person_proportion;
    }
    return epoch * cfg.auction_proportion + offset;
}

std::vector<generator_instance> split_instances(const generator_config& cfg) {
    OTTER_ASSERT(cfg.num_event_generators >= 1, "need at least one generator instance");
    int64_t max_events = cfg.max_events > 0 ? cfg.max_events : unbounded_max_events(cfg);
    int64_t n = cfg.num_event_generators;
    std::vector<generator_instance> out;
    if (n == 1) {
        out.push_back({0, max_events, 0});
        return out;
    }
    int64_t sub = max_events / n;
    int64_t first_id = 0;
    for (int64_t i = 0; i < n; ++i) {
        int64_t m = i == n - 1 ? max_events - sub * (n - 1) : sub;
        out.push_back({first_id, m, 0});
        first_id += sub;
    }
    return out;
}

generator::generator(const generator_config& cfg, generator_instance inst)
    : cfg_(cfg),
      inst_(inst),
      delay_us_(cfg.inter_event_delay_us()),
      tables_(tables_for(cfg.seed, cfg.extra_pool_bytes)) {
    OTTER_ASSERT(cfg.out_of_order_group_size >= 1, "out_of_order_group_size must be >= 1");
}

generator::generator(const generator_config& cfg) : generator(cfg, split_instances(cfg)[0]) {}

int64_t generator::adjusted_event_number(int64_t count) const {
    int64_t g = cfg_.out_of_order_group_size;
    int64_t n = event_number(count);
    return (n / g) * g + (n * 953) % g;
}

int64_t generator::watermark_after(int64_t count) const {
    int64_t g = cfg_.out_of_order_group_size;
    return timestamp_for_event((event_number(count) / g) * g);
}

int64_t generator::timestamp_for_event(int64_t number) const {
    return cfg_.base_time + static_cast<int64_t>(static_cast<double>(number) * delay_us_) / 1000;
}

void generator::next(event& out, int64_t& timestamp) {
    OTTER_ASSERT(has_next(), "generator exhausted");
    const generator_tables& t = *tables_;
    int64_t adjusted = adjusted_event_number(count_);
    int64_t ts = timestamp_for_event(adjusted);
    int64_t id = inst_.first_event_id + adjusted;
    rng r(t.event_seed ^ (static_cast<uint64_t>(id) * 0xD1B54A32D192ED03ULL));
    int64_t rem = id % cfg_.total_proportion();

    if (rem < cfg_.person_proportion) {
        auto& p = out.v.emplace<person>();
        p.id = last_base0_person_id(cfg_, id) + first_person_id;
        p.name = std::string(first_names[static_cast<size_t>(r.next_int(first_names.size()))]) +
                 " " + last_names[static_cast<size_t>(r.next_int(last_names.size()))];
        p.email_address = next_string(r, 7) + "@" + next_string(r, 5) + ".com";
        char cc[20];
        std::snprintf(cc, sizeof cc, "%04d %04d %04d %04d", r.next_int(10000), r.next_int(10000),
                      r.next_int(10000), r.next_int(10000));
        p.credit_card = cc;
        p.city = us_cities[static_cast<size_t>(r.next_int(us_cities.size()))];
        p.state = us_states[static_cast<size_t>(r.next_int(us_states.size()))];
        p.date_time = ts;
        int size = static_cast<int>(8 + p.name.size() + p.email_address.size() +
                                    p.credit_card.size() + p.city.size() + p.state.size());
        p.extra = t.next_extra(r, size, cfg_.avg_person_byte_size);
    } else if (rem < cfg_.person_proportion + cfg_.auction_proportion) {
        auto& a = out.v.emplace<auction>();
        a.id = last_base0_auction_id(cfg_, id) + first_auction_id;
        int64_t seller;
        if (r.next_int(cfg_.hot_sellers_ratio) > 0) {
            seller = (last_base0_person_id(cfg_, id) / hot_seller_block) * hot_seller_block;
        } else {
            seller = next_base0_person_id(cfg_, id, r);
        }
        a.seller = seller + first_person_id;
        a.category = first_category_id + r.next_int(num_categories);
        a.initial_bid = next_price(r);
        // nextAuctionLengthMs: about numInFlightAuctions auctions stay open.
        int64_t events_for_auctions =
            (static_cast<int64_t>(cfg_.num_in_flight_auctions) * cfg_.total_proportion()) /
            cfg_.auction_proportion;
        int64_t horizon = timestamp_for_event(adjusted + events_for_auctions) - ts;
        a.expires = ts + 1 + r.next_long(std::max<int64_t>(horizon * 2, 1));
        a.item_name = next_string(r, 20);
        a.description = next_string(r, 100);
        a.reserve = a.initial_bid + next_price(r);
        a.date_time = ts;
        int size = static_cast<int>(8 + a.item_name.size() + a.description.size() + 40);
        a.extra = t.next_extra(r, size, cfg_.avg_auction_byte_size);
    } else {
        auto& b = out.v.emplace<bid>();
        int64_t auction_id;
        if (r.next_int(cfg_.hot_auction_ratio) > 0) {
            auction_id = (last_base0_auction_id(cfg_, id) / hot_auction_block) * hot_auction_block;
        } else {
            auction_id = next_base0_auction_id(cfg_, id, r);
        }
        b.auction = auction_id + first_auction_id;
        int64_t bidder;
        if (r.next_int(cfg_.hot_bidders_ratio) > 0) {
            bidder = (last_base0_person_id(cfg_, id) / hot_bidder_block) * hot_bidder_block + 1;
        } else {
            bidder = next_base0_person_id(cfg_, id, r);
        }
        b.bidder = bidder + first_person_id + (cfg_.flink_bidder_offset ? first_person_id : 0);
        b.price = next_price(r);
        if (r.next_int(hot_channels_ratio) > 0) {
            auto i = static_cast<size_t>(r.next_int(hot_channels.size()));
            b.channel = hot_channels[i];
            b.url = t.hot_urls[i];
        } else {
            auto i = static_cast<size_t>(r.next_int(channels_number));
            b.channel = t.channel_names[i];
            b.url = t.channel_urls[i];
        }
        b.date_time = ts;
        b.extra = t.next_extra(r, 32, cfg_.avg_bid_byte_size);
    }
    timestamp = ts;
    ++count_;
}

}  // namespace otter::nexmark

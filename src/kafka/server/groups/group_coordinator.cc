#include "kafka/server/groups/group_coordinator.h"

#include <algorithm>
#include <random>

#include "base/log.h"
#include "kafka/protocol/wire.h"
#include "kafka/server/groups/offsets_records.h"
#include "model/record_batch.h"
#include "storage/flusher.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

namespace otter::kafka::groups {
namespace {

int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

bytes_view view(const bytes& b) {
    return bytes_view(b.data(), b.size());
}

}  // namespace

struct group_coordinator::member {
    std::string id;
    std::optional<std::string> instance_id;
    std::string client_id;
    std::string client_host;
    int32_t session_timeout_ms = 0;
    int32_t rebalance_timeout_ms = 0;
    std::string protocol_type;
    std::vector<std::pair<std::string, bytes>> protocols;  // in the member's preference order
    bytes assignment;
    clock::time_point last_heartbeat;
    uint64_t join_seq = 0;  // order of joining, to pick a leader deterministically
    join_callback awaiting_join;
    sync_callback awaiting_sync;

    const bytes* metadata_for(const std::string& protocol) const {
        for (const auto& [name, md] : protocols) {
            if (name == protocol)
                return &md;
        }
        return nullptr;
    }
};

struct group_coordinator::group {
    std::string id;
    state st = state::empty;
    int32_t generation = 0;
    std::string protocol_type;
    std::string protocol;
    std::string leader;
    std::map<std::string, member> members;
    std::map<std::string, std::string> static_members;         // instance id → member id
    std::map<std::string, clock::time_point> pending_members;  // MEMBER_ID_REQUIRED issued
    clock::time_point rebalance_deadline{};
    clock::time_point join_ready_at{};  // initial rebalance delay for groups starting empty
    std::map<std::pair<std::string, int32_t>, committed_value> offsets;
    int64_t state_timestamp = 0;
};

const char* group_coordinator::state_name(state s) {
    switch (s) {
        case state::empty:
            return "Empty";
        case state::preparing_rebalance:
            return "PreparingRebalance";
        case state::completing_rebalance:
            return "CompletingRebalance";
        case state::stable:
            return "Stable";
        case state::dead:
            return "Dead";
    }
    return "Unknown";
}

group_coordinator::group_coordinator(storage::log_manager& logs, storage::flusher& flusher,
                                     coordinator_config cfg)
    : logs_(logs), flusher_(flusher), cfg_(cfg) {}

group_coordinator::~group_coordinator() {
    stop();
}

group_coordinator::group& group_coordinator::get_or_create(const std::string& id) {
    auto& slot = groups_[id];
    if (!slot) {
        slot = std::make_unique<group>();
        slot->id = id;
        slot->state_timestamp = wall_ms();
    }
    return *slot;
}

// --- persistence ---------------------------------------------------------------------------

void group_coordinator::append_records(
    const std::string& group_id, const std::vector<std::pair<bytes, std::optional<bytes>>>& records,
    std::function<void(bool)> durable) {
    int32_t p = offsets_partition_for(group_id, cfg_.offsets_topic_partitions);
    auto log = logs_.partition(offsets_topic, p);
    if (!log) {
        spdlog::error("group coordinator: {} partition {} is missing", offsets_topic, p);
        if (durable)
            durable(false);
        return;
    }
    int64_t now = wall_ms();
    model::batch_builder b(codec::none, now);
    for (const auto& [k, v] : records) {
        std::optional<bytes_view> vv;
        if (v)
            vv = view(*v);
        b.add(view(k), vv, now);
    }
    auto r = log->append(b.build(), now);
    if (!r) {
        spdlog::error("group coordinator: cannot append to {}: {}", offsets_topic, r.error());
        if (durable)
            durable(false);
        return;
    }
    if (durable) {
        flusher_.when_durable(log, r->last_offset, std::move(durable));
    } else {
        flusher_.mark_dirty(log);
    }
}

void group_coordinator::persist_group(const group& g, pending&) {
    group_value v;
    v.protocol_type = g.protocol_type;
    v.generation = g.generation;
    if (!g.protocol.empty())
        v.protocol = g.protocol;
    if (!g.leader.empty())
        v.leader = g.leader;
    v.current_state_timestamp = g.state_timestamp;
    for (const auto& [id, m] : g.members) {
        member_record r;
        r.member_id = id;
        r.group_instance_id = m.instance_id;
        r.client_id = m.client_id;
        r.client_host = m.client_host;
        r.rebalance_timeout_ms = m.rebalance_timeout_ms;
        r.session_timeout_ms = m.session_timeout_ms;
        if (const bytes* md = m.metadata_for(g.protocol))
            r.subscription = *md;
        r.assignment = m.assignment;
        v.members.push_back(std::move(r));
    }
    append_records(g.id, {{encode_key(group_key{g.id}), encode_value(v)}}, nullptr);
}

result<void, std::string> group_coordinator::load() {
    if (!logs_.topic(offsets_topic)) {
        auto r = logs_.create_topic(offsets_topic, cfg_.offsets_topic_partitions,
                                    {{"cleanup.policy", "compact"}});
        if (!r && r.error().code != storage::log_manager::topic_errc::exists) {
            return unexpected<std::string>{"cannot create " + std::string(offsets_topic) + ": " +
                                           r.error().message};
        }
    }
    auto info = logs_.topic(offsets_topic);
    if (!info)
        return unexpected<std::string>{"cannot open " + std::string(offsets_topic)};
    cfg_.offsets_topic_partitions = info->partitions;

    std::lock_guard lk(mu_);
    size_t records = 0;
    auto now = clock::now();
    for (int32_t p = 0; p < info->partitions; ++p) {
        auto log = logs_.partition(offsets_topic, p);
        if (!log)
            continue;
        model::offset pos = log->log_start_offset();
        const model::offset end = log->high_watermark();
        while (pos < end) {
            auto rr = log->read(pos, 1 << 20, end);
            if (!rr)
                return unexpected<std::string>{"cannot read " + std::string(offsets_topic) + ": " +
                                               rr.error()};
            if (rr->data.empty())
                break;
            bytes_view data(rr->data);
            size_t at = 0;
            while (at + model::batch_header_size <= data.size()) {
                model::batch_header_view h(data.data() + at);
                size_t size = h.size_bytes();
                if (at + size > data.size())
                    break;
                bytes scratch;
                auto recs = model::decode_records(data.subspan(at, size), scratch);
                at += size;
                if (!recs)
                    continue;
                for (const auto& rec : *recs) {
                    if (!rec.key)
                        continue;
                    auto key = decode_key(*rec.key);
                    if (!key)
                        continue;
                    ++records;
                    if (auto* ok = std::get_if<offset_key>(&*key)) {
                        if (!rec.value) {
                            auto it = groups_.find(ok->group);
                            if (it != groups_.end())
                                it->second->offsets.erase({ok->topic, ok->partition});
                            continue;
                        }
                        if (auto v = decode_offset_value(*rec.value)) {
                            get_or_create(ok->group).offsets[{ok->topic, ok->partition}] =
                                committed_value{v->offset, v->leader_epoch, v->metadata,
                                                v->commit_timestamp};
                        }
                    } else if (auto* gk = std::get_if<group_key>(&*key)) {
                        if (!rec.value) {
                            groups_.erase(gk->group);
                            continue;
                        }
                        auto v = decode_group_value(*rec.value);
                        if (!v)
                            continue;
                        auto& g = get_or_create(gk->group);
                        g.generation = v->generation;
                        g.protocol_type = v->protocol_type;
                        g.protocol = v->protocol.value_or("");
                        g.leader = v->leader.value_or("");
                        g.members.clear();
                        g.static_members.clear();
                        for (auto& mr : v->members) {
                            member m;
                            m.id = mr.member_id;
                            m.instance_id = mr.group_instance_id;
                            m.client_id = mr.client_id;
                            m.client_host = mr.client_host;
                            m.session_timeout_ms = mr.session_timeout_ms;
                            m.rebalance_timeout_ms = mr.rebalance_timeout_ms;
                            m.protocol_type = v->protocol_type;
                            if (!g.protocol.empty())
                                m.protocols.emplace_back(g.protocol, mr.subscription);
                            m.assignment = mr.assignment;
                            m.last_heartbeat = now;  // members get a full session to come back
                            m.join_seq = next_member_seq_++;
                            if (m.instance_id)
                                g.static_members[*m.instance_id] = m.id;
                            g.members.emplace(m.id, std::move(m));
                        }
                        g.st = g.members.empty() ? state::empty : state::stable;
                    }
                }
            }
            pos = rr->next_offset;
        }
    }
    spdlog::info("group coordinator: loaded {} groups from {} records of {}", groups_.size(),
                 records, offsets_topic);
    return {};
}

// --- rebalance machinery ---------------------------------------------------------------------

void group_coordinator::prepare_rebalance(group& g, clock::time_point now, pending& out) {
    if (g.st == state::preparing_rebalance)
        return;
    // Members waiting for their assignment must rejoin.
    for (auto& [id, m] : g.members) {
        if (m.awaiting_sync) {
            sync_group_response r;
            r.error_code = error_code::rebalance_in_progress;
            out.push_back([cb = std::move(m.awaiting_sync), r]() { cb(r); });
            m.awaiting_sync = nullptr;
        }
    }
    int32_t max_rebalance = 0;
    for (const auto& [id, m] : g.members)
        max_rebalance = std::max(max_rebalance, m.rebalance_timeout_ms);
    bool from_empty = g.st == state::empty;
    g.st = state::preparing_rebalance;
    g.state_timestamp = wall_ms();
    g.rebalance_deadline = now + std::chrono::milliseconds(max_rebalance);
    g.join_ready_at = from_empty ? now + std::min(cfg_.initial_rebalance_delay,
                                                  std::chrono::milliseconds(max_rebalance))
                                 : now;
}

void group_coordinator::maybe_complete_join(group& g, clock::time_point now, pending& out) {
    if (g.st != state::preparing_rebalance)
        return;
    bool all_joined = std::all_of(g.members.begin(), g.members.end(),
                                  [](const auto& kv) { return bool(kv.second.awaiting_join); });
    if ((all_joined && now >= g.join_ready_at) || now >= g.rebalance_deadline) {
        complete_join(g, now, out);
    }
}

std::string group_coordinator::select_protocol(const group& g) const {
    // Candidates: protocols every member supports; each member votes for its first candidate.
    std::vector<std::string> candidates;
    if (g.members.empty())
        return {};
    for (const auto& [name, md] : g.members.begin()->second.protocols) {
        bool everyone = std::all_of(g.members.begin(), g.members.end(), [&](const auto& kv) {
            return kv.second.metadata_for(name) != nullptr;
        });
        if (everyone)
            candidates.push_back(name);
    }
    if (candidates.empty())
        return {};
    std::map<std::string, int> votes;
    for (const auto& [id, m] : g.members) {
        for (const auto& [name, md] : m.protocols) {
            if (std::find(candidates.begin(), candidates.end(), name) != candidates.end()) {
                ++votes[name];
                break;
            }
        }
    }
    std::string best = candidates.front();
    for (const auto& c : candidates) {
        if (votes[c] > votes[best])
            best = c;
    }
    return best;
}

join_group_response group_coordinator::join_response_for(const group& g, const member& m) const {
    join_group_response r;
    r.error_code = error_code::none;
    r.generation_id = g.generation;
    r.protocol_name = g.protocol;
    r.leader = g.leader;
    r.member_id = m.id;
    if (m.id == g.leader) {
        for (const auto& [id, other] : g.members) {
            join_group_response::join_group_response_member jm;
            jm.member_id = id;
            jm.group_instance_id = other.instance_id;
            if (const bytes* md = other.metadata_for(g.protocol))
                jm.metadata = *md;
            r.members.push_back(std::move(jm));
        }
    }
    return r;
}

void group_coordinator::complete_join(group& g, clock::time_point now, pending& out) {
    // Members that did not rejoin in time are out.
    std::vector<std::string> gone;
    for (const auto& [id, m] : g.members) {
        if (!m.awaiting_join)
            gone.push_back(id);
    }
    for (const auto& id : gone) {
        spdlog::info("group {}: member {} did not rejoin in time, removing it", g.id, id);
        auto& m = g.members.at(id);
        if (m.instance_id)
            g.static_members.erase(*m.instance_id);
        g.members.erase(id);
    }
    ++g.generation;
    g.state_timestamp = wall_ms();
    if (g.members.empty()) {
        g.st = state::empty;
        g.protocol.clear();
        g.leader.clear();
        persist_group(g, out);
        return;
    }
    g.protocol = select_protocol(g);
    if (g.leader.empty() || !g.members.count(g.leader)) {
        auto first = std::min_element(g.members.begin(), g.members.end(), [](auto& a, auto& b) {
            return a.second.join_seq < b.second.join_seq;
        });
        g.leader = first->first;
    }
    g.st = state::completing_rebalance;
    for (auto& [id, m] : g.members) {
        m.assignment.clear();
        m.last_heartbeat = now;
        auto resp = join_response_for(g, m);
        out.push_back([cb = std::move(m.awaiting_join), resp]() { cb(resp); });
        m.awaiting_join = nullptr;
    }
    spdlog::info("group {}: generation {} with {} member(s), protocol {}, leader {}", g.id,
                 g.generation, g.members.size(), g.protocol, g.leader);
}

void group_coordinator::remove_member(group& g, const std::string& member_id, clock::time_point now,
                                      pending& out) {
    auto it = g.members.find(member_id);
    if (it == g.members.end())
        return;
    if (it->second.awaiting_join) {
        join_group_response r;
        r.error_code = error_code::unknown_member_id;
        r.member_id = member_id;
        out.push_back([cb = std::move(it->second.awaiting_join), r]() { cb(r); });
    }
    if (it->second.awaiting_sync) {
        sync_group_response r;
        r.error_code = error_code::unknown_member_id;
        out.push_back([cb = std::move(it->second.awaiting_sync), r]() { cb(r); });
    }
    if (it->second.instance_id)
        g.static_members.erase(*it->second.instance_id);
    g.members.erase(it);
    if (g.leader == member_id)
        g.leader.clear();
    if (g.members.empty()) {
        if (g.st != state::empty) {
            ++g.generation;
            g.st = state::empty;
            g.protocol.clear();
            g.leader.clear();
            g.state_timestamp = wall_ms();
            persist_group(g, out);
        }
        return;
    }
    if (g.st == state::stable || g.st == state::completing_rebalance) {
        prepare_rebalance(g, now, out);
    }
    maybe_complete_join(g, now, out);
}

bool group_coordinator::protocols_match(const group& g, const join_group_request& req) const {
    if (g.members.empty())
        return true;
    if (req.protocol_type != g.protocol_type)
        return false;
    // At least one protocol in common with every current member.
    for (const auto& p : req.protocols) {
        bool everyone = std::all_of(g.members.begin(), g.members.end(), [&](const auto& kv) {
            return kv.second.metadata_for(p.name) != nullptr;
        });
        if (everyone)
            return true;
    }
    return false;
}

// --- API ------------------------------------------------------------------------------------

void group_coordinator::join(const join_group_request& req, int16_t version,
                             const std::string& client_id, const std::string& client_host,
                             join_callback cb) {
    auto fail = [&](error_code ec) {
        join_group_response r;
        r.error_code = ec;
        r.member_id = req.member_id;
        cb(r);
    };
    if (req.group_id.empty())
        return fail(error_code::invalid_group_id);
    auto session = std::chrono::milliseconds(req.session_timeout_ms);
    if (session < cfg_.min_session_timeout || session > cfg_.max_session_timeout) {
        return fail(error_code::invalid_session_timeout);
    }
    if (req.protocols.empty() || req.protocol_type.empty()) {
        return fail(error_code::inconsistent_group_protocol);
    }
    pending out;
    auto now = clock::now();
    {
        std::lock_guard lk(mu_);
        auto& g = get_or_create(req.group_id);
        if (g.st == state::dead)
            g.st = state::empty;
        if (!g.members.empty() && !protocols_match(g, req)) {
            // Answered after unlocking.
            out.push_back([cb, m = req.member_id]() {
                join_group_response r;
                r.error_code = error_code::inconsistent_group_protocol;
                r.member_id = m;
                cb(r);
            });
        } else {
            auto fill = [&](member& m) {
                m.client_id = client_id;
                m.client_host = client_host;
                m.session_timeout_ms = req.session_timeout_ms;
                m.rebalance_timeout_ms = req.rebalance_timeout_ms > 0 ? req.rebalance_timeout_ms
                                                                      : req.session_timeout_ms;
                m.protocol_type = req.protocol_type;
                m.protocols.clear();
                for (const auto& p : req.protocols)
                    m.protocols.emplace_back(p.name, p.metadata);
                m.last_heartbeat = now;
            };
            auto same_protocols = [&](const member& m) {
                if (m.protocols.size() != req.protocols.size())
                    return false;
                for (size_t i = 0; i < m.protocols.size(); ++i) {
                    if (m.protocols[i].first != req.protocols[i].name ||
                        m.protocols[i].second != req.protocols[i].metadata) {
                        return false;
                    }
                }
                return true;
            };
            auto new_member_id = [&]() {
                return (client_id.empty() ? std::string("member") : client_id) + "-" +
                       std::to_string(wall_ms()) + "-" + std::to_string(++next_member_seq_);
            };
            auto await_join = [&](member& m) {
                if (m.awaiting_join) {
                    // A repeated join replaces the earlier one (the client gave up on it).
                    join_group_response r;
                    r.error_code = error_code::unknown_member_id;
                    r.member_id = m.id;
                    out.push_back([old = std::move(m.awaiting_join), r]() { old(r); });
                }
                m.awaiting_join = cb;
                if (g.st != state::preparing_rebalance)
                    prepare_rebalance(g, now, out);
                // A member arriving during the initial delay extends it, up to the rebalance
                // timeout.
                if (g.join_ready_at > now) {
                    g.join_ready_at =
                        std::min(g.rebalance_deadline, now + cfg_.initial_rebalance_delay);
                }
                maybe_complete_join(g, now, out);
            };
            if (g.members.empty())
                g.protocol_type = req.protocol_type;

            if (req.member_id.empty() && req.group_instance_id &&
                g.static_members.count(*req.group_instance_id)) {
                // A static member restarting: it takes over its old identity and assignment.
                std::string old_id = g.static_members[*req.group_instance_id];
                auto node = g.members.extract(old_id);
                member m = std::move(node.mapped());
                if (m.awaiting_join) {
                    join_group_response r;
                    r.error_code = error_code::fenced_instance_id;
                    out.push_back([old = std::move(m.awaiting_join), r]() { old(r); });
                    m.awaiting_join = nullptr;
                }
                if (m.awaiting_sync) {
                    sync_group_response r;
                    r.error_code = error_code::fenced_instance_id;
                    out.push_back([old = std::move(m.awaiting_sync), r]() { old(r); });
                    m.awaiting_sync = nullptr;
                }
                bool unchanged = same_protocols(m);
                m.id = new_member_id();
                fill(m);
                if (g.leader == old_id)
                    g.leader = m.id;
                g.static_members[*req.group_instance_id] = m.id;
                auto& slot = g.members.emplace(m.id, std::move(m)).first->second;
                if (g.st == state::stable && unchanged) {
                    spdlog::info("group {}: static member {} rejoined as {} without a rebalance",
                                 g.id, *req.group_instance_id, slot.id);
                    persist_group(g, out);
                    auto r = join_response_for(g, slot);
                    out.push_back([cb, r]() { cb(r); });
                } else {
                    await_join(slot);
                }
            } else if (req.member_id.empty()) {
                std::string id = new_member_id();
                if (version >= 4 && !req.group_instance_id) {
                    // KIP-394: hand out the id first; the member joins again with it.
                    g.pending_members[id] = now + std::chrono::milliseconds(req.session_timeout_ms);
                    join_group_response r;
                    r.error_code = error_code::member_id_required;
                    r.member_id = id;
                    out.push_back([cb, r]() { cb(r); });
                } else {
                    member m;
                    m.id = id;
                    m.instance_id = req.group_instance_id;
                    m.join_seq = next_member_seq_++;
                    fill(m);
                    if (m.instance_id)
                        g.static_members[*m.instance_id] = id;
                    auto& slot = g.members.emplace(id, std::move(m)).first->second;
                    await_join(slot);
                }
            } else if (auto pm = g.pending_members.find(req.member_id);
                       pm != g.pending_members.end()) {
                g.pending_members.erase(pm);
                member m;
                m.id = req.member_id;
                m.instance_id = req.group_instance_id;
                m.join_seq = next_member_seq_++;
                fill(m);
                if (m.instance_id)
                    g.static_members[*m.instance_id] = m.id;
                auto& slot = g.members.emplace(m.id, std::move(m)).first->second;
                await_join(slot);
            } else if (auto it = g.members.find(req.member_id); it != g.members.end()) {
                member& m = it->second;
                bool unchanged = same_protocols(m);
                if ((g.st == state::stable && unchanged && m.id != g.leader) ||
                    (g.st == state::completing_rebalance && unchanged)) {
                    // Nothing changed: answer with the current generation.
                    m.last_heartbeat = now;
                    auto r = join_response_for(g, m);
                    out.push_back([cb, r]() { cb(r); });
                } else {
                    fill(m);
                    await_join(m);
                }
            } else {
                join_group_response r;
                r.error_code = error_code::unknown_member_id;
                r.member_id = req.member_id;
                out.push_back([cb, r]() { cb(r); });
            }
        }
    }
    for (auto& f : out)
        f();
}

void group_coordinator::sync(const sync_group_request& req, sync_callback cb) {
    pending out;
    auto now = clock::now();
    {
        std::lock_guard lk(mu_);
        auto answer = [&](error_code ec, bytes assignment = {}) {
            sync_group_response r;
            r.error_code = ec;
            r.assignment = std::move(assignment);
            out.push_back([cb, r]() { cb(r); });
        };
        auto git = groups_.find(req.group_id);
        if (git == groups_.end()) {
            answer(error_code::unknown_member_id);
        } else {
            auto& g = *git->second;
            auto mit = g.members.find(req.member_id);
            if (mit == g.members.end()) {
                answer(error_code::unknown_member_id);
            } else if (req.generation_id != g.generation) {
                answer(error_code::illegal_generation);
            } else {
                member& m = mit->second;
                m.last_heartbeat = now;
                switch (g.st) {
                    case state::empty:
                    case state::dead:
                        answer(error_code::unknown_member_id);
                        break;
                    case state::preparing_rebalance:
                        answer(error_code::rebalance_in_progress);
                        break;
                    case state::stable:
                        answer(error_code::none, m.assignment);
                        break;
                    case state::completing_rebalance:
                        m.awaiting_sync = cb;
                        if (m.id == g.leader) {
                            for (auto& [id, other] : g.members)
                                other.assignment.clear();
                            for (const auto& a : req.assignments) {
                                auto o = g.members.find(a.member_id);
                                if (o != g.members.end())
                                    o->second.assignment = a.assignment;
                            }
                            g.st = state::stable;
                            g.state_timestamp = wall_ms();
                            persist_group(g, out);
                            for (auto& [id, other] : g.members) {
                                if (!other.awaiting_sync)
                                    continue;
                                sync_group_response r;
                                r.error_code = error_code::none;
                                r.assignment = other.assignment;
                                out.push_back([c = std::move(other.awaiting_sync), r]() { c(r); });
                                other.awaiting_sync = nullptr;
                            }
                        }
                        break;
                }
            }
        }
    }
    for (auto& f : out)
        f();
}

error_code group_coordinator::heartbeat(const heartbeat_request& req) {
    std::lock_guard lk(mu_);
    auto git = groups_.find(req.group_id);
    if (git == groups_.end())
        return error_code::unknown_member_id;
    auto& g = *git->second;
    auto mit = g.members.find(req.member_id);
    if (mit == g.members.end()) {
        if (req.group_instance_id && g.static_members.count(*req.group_instance_id)) {
            return error_code::fenced_instance_id;
        }
        return error_code::unknown_member_id;
    }
    mit->second.last_heartbeat = clock::now();
    switch (g.st) {
        case state::empty:
        case state::dead:
            return error_code::unknown_member_id;
        case state::preparing_rebalance:
            return error_code::rebalance_in_progress;
        case state::completing_rebalance:
        case state::stable:
            return req.generation_id == g.generation ? error_code::none
                                                     : error_code::illegal_generation;
    }
    return error_code::none;
}

leave_group_response group_coordinator::leave(const leave_group_request& req, int16_t version) {
    leave_group_response resp;
    pending out;
    {
        std::lock_guard lk(mu_);
        std::vector<leave_group_request::member_identity> who = req.members;
        if (version < 3)
            who.push_back({req.member_id, std::nullopt});
        auto git = groups_.find(req.group_id);
        for (const auto& w : who) {
            leave_group_response::member_response mr;
            mr.member_id = w.member_id;
            mr.group_instance_id = w.group_instance_id;
            std::string id = w.member_id;
            if (git != groups_.end() && id.empty() && w.group_instance_id) {
                auto s = git->second->static_members.find(*w.group_instance_id);
                if (s != git->second->static_members.end())
                    id = s->second;
            }
            if (git == groups_.end() || !git->second->members.count(id)) {
                mr.error_code = error_code::unknown_member_id;
            } else {
                spdlog::info("group {}: member {} left", req.group_id, id);
                remove_member(*git->second, id, clock::now(), out);
                mr.error_code = error_code::none;
            }
            resp.members.push_back(std::move(mr));
        }
        if (version < 3) {
            resp.error_code = resp.members.back().error_code;
            resp.members.clear();
        }
    }
    for (auto& f : out)
        f();
    return resp;
}

void group_coordinator::commit(const offset_commit_request& req, int16_t /*version*/,
                               commit_callback cb) {
    auto resp = std::make_shared<offset_commit_response>();
    std::vector<std::pair<bytes, std::optional<bytes>>> records;
    std::vector<std::tuple<std::string, int32_t, committed_value>> accepted;
    {
        std::lock_guard lk(mu_);
        error_code group_error = error_code::none;
        auto git = groups_.find(req.group_id);
        group* g = git == groups_.end() ? nullptr : git->second.get();
        if (req.group_id.empty()) {
            group_error = error_code::invalid_group_id;
        } else if (req.generation_id_or_member_epoch < 0 && req.member_id.empty()) {
            // A commit from outside the group protocol (assign()-based consumers, admin tools):
            // allowed while no member owns the group.
            if (g && !g->members.empty())
                group_error = error_code::unknown_member_id;
        } else if (!g || !g->members.count(req.member_id)) {
            group_error = error_code::unknown_member_id;
        } else if (req.generation_id_or_member_epoch != g->generation) {
            group_error = error_code::illegal_generation;
        } else if (g->st == state::completing_rebalance) {
            group_error = error_code::rebalance_in_progress;
        } else {
            g->members[req.member_id].last_heartbeat = clock::now();
        }
        int64_t now = wall_ms();
        for (const auto& t : req.topics) {
            auto& tr = resp->topics.emplace_back();
            tr.name = t.name;
            for (const auto& p : t.partitions) {
                auto& pr = tr.partitions.emplace_back();
                pr.partition_index = p.partition_index;
                if (group_error != error_code::none) {
                    pr.error_code = group_error;
                    continue;
                }
                auto log = logs_.partition(t.name, p.partition_index);
                if (!log) {
                    pr.error_code = error_code::unknown_topic_or_partition;
                    continue;
                }
                if (p.committed_metadata &&
                    p.committed_metadata->size() > cfg_.max_metadata_bytes) {
                    pr.error_code = error_code::offset_metadata_too_large;
                    continue;
                }
                if (p.committed_offset > log->high_watermark().value() || p.committed_offset < -1) {
                    // Never let a group point past what consumers could have read.
                    pr.error_code = error_code::offset_out_of_range;
                    continue;
                }
                pr.error_code = error_code::none;
                committed_value cv{p.committed_offset, p.committed_leader_epoch,
                                   p.committed_metadata.value_or(""), now};
                records.emplace_back(
                    encode_key(offset_key{req.group_id, t.name, p.partition_index}),
                    encode_value(offset_value{cv.offset, cv.leader_epoch, cv.metadata,
                                              cv.commit_timestamp}));
                accepted.emplace_back(t.name, p.partition_index, std::move(cv));
            }
        }
        if (!records.empty()) {
            get_or_create(req.group_id);
            append_records(req.group_id, records,
                           [this, resp, cb, accepted, group_id = req.group_id](bool ok) {
                               if (ok) {
                                   std::lock_guard lk2(mu_);
                                   auto& grp = get_or_create(group_id);
                                   for (const auto& [topic, part, cv] : accepted)
                                       grp.offsets[{topic, part}] = cv;
                               } else {
                                   for (auto& t : resp->topics) {
                                       for (auto& p : t.partitions) {
                                           if (p.error_code == error_code::none)
                                               p.error_code = error_code::kafka_storage_error;
                                       }
                                   }
                               }
                               cb(*resp);
                           });
            return;
        }
    }
    cb(*resp);
}

offset_fetch_response group_coordinator::fetch_offsets(const offset_fetch_request& req,
                                                       int16_t /*version*/) {
    offset_fetch_response resp;
    resp.error_code = error_code::none;
    std::lock_guard lk(mu_);
    auto git = groups_.find(req.group_id);
    const group* g = git == groups_.end() ? nullptr : git->second.get();
    auto fill = [&](offset_fetch_response::offset_fetch_response_partition& pr,
                    const std::string& topic, int32_t part) {
        pr.partition_index = part;
        pr.error_code = error_code::none;
        pr.committed_offset = -1;
        pr.metadata = "";
        if (!g)
            return;
        auto it = g->offsets.find({topic, part});
        if (it == g->offsets.end())
            return;
        pr.committed_offset = it->second.offset;
        pr.committed_leader_epoch = it->second.leader_epoch;
        pr.metadata = it->second.metadata;
    };
    if (req.topics) {
        for (const auto& t : *req.topics) {
            auto& tr = resp.topics.emplace_back();
            tr.name = t.name;
            for (int32_t p : t.partition_indexes)
                fill(tr.partitions.emplace_back(), t.name, p);
        }
    } else if (g) {
        // Null topics (v2+): every committed offset of the group.
        for (const auto& [tp, cv] : g->offsets) {
            if (resp.topics.empty() || resp.topics.back().name != tp.first) {
                resp.topics.emplace_back().name = tp.first;
            }
            fill(resp.topics.back().partitions.emplace_back(), tp.first, tp.second);
        }
    }
    return resp;
}

describe_groups_response group_coordinator::describe(const describe_groups_request& req) {
    describe_groups_response resp;
    std::lock_guard lk(mu_);
    for (const auto& id : req.groups) {
        auto& d = resp.groups.emplace_back();
        d.group_id = id;
        d.error_code = error_code::none;
        auto git = groups_.find(id);
        if (git == groups_.end()) {
            d.group_state = "Dead";
            continue;
        }
        const auto& g = *git->second;
        d.group_state = state_name(g.st);
        d.protocol_type = g.protocol_type;
        d.protocol_data = g.st == state::stable ? g.protocol : "";
        for (const auto& [mid, m] : g.members) {
            auto& dm = d.members.emplace_back();
            dm.member_id = mid;
            dm.group_instance_id = m.instance_id;
            dm.client_id = m.client_id;
            dm.client_host = m.client_host;
            if (const bytes* md = m.metadata_for(g.protocol))
                dm.member_metadata = *md;
            dm.member_assignment = m.assignment;
        }
    }
    return resp;
}

list_groups_response group_coordinator::list() {
    list_groups_response resp;
    resp.error_code = error_code::none;
    std::lock_guard lk(mu_);
    for (const auto& [id, g] : groups_) {
        if (g->st == state::dead)
            continue;
        auto& lg = resp.groups.emplace_back();
        lg.group_id = id;
        lg.protocol_type = g->protocol_type;
    }
    return resp;
}

delete_groups_response group_coordinator::remove(const delete_groups_request& req) {
    delete_groups_response resp;
    std::lock_guard lk(mu_);
    for (const auto& id : req.groups_names) {
        auto& r = resp.results.emplace_back();
        r.group_id = id;
        auto git = groups_.find(id);
        if (git == groups_.end()) {
            r.error_code = error_code::group_id_not_found;
            continue;
        }
        if (!git->second->members.empty()) {
            r.error_code = error_code::non_empty_group;
            continue;
        }
        std::vector<std::pair<bytes, std::optional<bytes>>> tombstones;
        for (const auto& [tp, cv] : git->second->offsets) {
            tombstones.emplace_back(encode_key(offset_key{id, tp.first, tp.second}), std::nullopt);
        }
        tombstones.emplace_back(encode_key(group_key{id}), std::nullopt);
        append_records(id, tombstones, nullptr);
        groups_.erase(git);
        r.error_code = error_code::none;
    }
    return resp;
}

namespace {

// Topics named in a consumer protocol subscription (version i16, topics [STRING], ...).
// nullopt if the metadata is not a consumer subscription.
std::optional<std::vector<std::string>> subscribed_topics(const bytes& metadata) {
    reader r(metadata);
    r.i16();
    int32_t n = r.array_len(false);
    std::vector<std::string> out;
    for (int32_t i = 0; i < n && r.ok(); ++i)
        out.push_back(r.string(false));
    if (!r.ok())
        return std::nullopt;
    return out;
}

}  // namespace

offset_delete_response group_coordinator::delete_offsets(const offset_delete_request& req) {
    offset_delete_response resp;
    std::lock_guard lk(mu_);
    auto git = groups_.find(req.group_id);
    if (git == groups_.end()) {
        resp.error_code = error_code::group_id_not_found;
        return resp;
    }
    auto& g = *git->second;
    if (g.protocol_type != "consumer" && !g.members.empty()) {
        resp.error_code = error_code::non_empty_group;
        return resp;
    }
    auto subscribed = [&](const std::string& topic) {
        for (const auto& [id, m] : g.members) {
            const bytes* md = m.metadata_for(g.protocol);
            auto topics = md ? subscribed_topics(*md) : std::nullopt;
            if (!topics)
                return true;  // cannot tell: be safe
            if (std::find(topics->begin(), topics->end(), topic) != topics->end())
                return true;
        }
        return false;
    };
    std::vector<std::pair<bytes, std::optional<bytes>>> tombstones;
    for (const auto& t : req.topics) {
        auto& tr = resp.topics.emplace_back();
        tr.name = t.name;
        bool busy = subscribed(t.name);
        for (const auto& p : t.partitions) {
            auto& pr = tr.partitions.emplace_back();
            pr.partition_index = p.partition_index;
            if (busy) {
                pr.error_code = error_code::group_subscribed_to_topic;
                continue;
            }
            pr.error_code = error_code::none;
            if (g.offsets.erase({t.name, p.partition_index})) {
                tombstones.emplace_back(
                    encode_key(offset_key{req.group_id, t.name, p.partition_index}), std::nullopt);
            }
        }
    }
    if (!tombstones.empty())
        append_records(req.group_id, tombstones, nullptr);
    resp.error_code = error_code::none;
    return resp;
}

std::vector<committed_offset> group_coordinator::committed() const {
    std::vector<committed_offset> out;
    std::lock_guard lk(mu_);
    for (const auto& [id, g] : groups_) {
        for (const auto& [tp, cv] : g->offsets)
            out.push_back({id, tp.first, tp.second, cv.offset});
    }
    return out;
}

// --- timer ------------------------------------------------------------------------------------

void group_coordinator::tick(clock::time_point now) {
    pending out;
    {
        std::lock_guard lk(mu_);
        int64_t wall = wall_ms();
        std::vector<std::string> expired_groups;
        for (auto& [gid, gp] : groups_) {
            auto& g = *gp;
            std::erase_if(g.pending_members, [&](const auto& kv) { return kv.second < now; });
            std::vector<std::string> expired;
            for (const auto& [mid, m] : g.members) {
                if (m.awaiting_join)
                    continue;  // the rebalance timeout governs it now
                if (now - m.last_heartbeat > std::chrono::milliseconds(m.session_timeout_ms)) {
                    expired.push_back(mid);
                }
            }
            for (const auto& mid : expired) {
                spdlog::info("group {}: member {} missed its session timeout, removing it", gid,
                             mid);
                remove_member(g, mid, now, out);
            }
            maybe_complete_join(g, now, out);
            if (g.st == state::empty && !g.offsets.empty()) {
                // Offsets of an empty group expire offsets.retention after their last commit.
                std::vector<std::pair<bytes, std::optional<bytes>>> tombstones;
                std::erase_if(g.offsets, [&](const auto& kv) {
                    if (wall - kv.second.commit_timestamp <= cfg_.offsets_retention.count())
                        return false;
                    tombstones.emplace_back(
                        encode_key(offset_key{gid, kv.first.first, kv.first.second}), std::nullopt);
                    return true;
                });
                if (!tombstones.empty()) {
                    spdlog::info("group {}: expired {} committed offset(s)", gid,
                                 tombstones.size());
                    if (g.offsets.empty()) {
                        tombstones.emplace_back(encode_key(group_key{gid}), std::nullopt);
                        expired_groups.push_back(gid);
                    }
                    append_records(gid, tombstones, nullptr);
                }
            }
        }
        for (const auto& gid : expired_groups)
            groups_.erase(gid);
    }
    for (auto& f : out)
        f();
}

void group_coordinator::run_timer() {
    std::unique_lock lk(timer_mu_);
    while (!stopping_) {
        timer_cv_.wait_for(lk, cfg_.tick);
        if (stopping_)
            break;
        lk.unlock();
        tick(clock::now());
        lk.lock();
    }
}

void group_coordinator::start() {
    {
        std::lock_guard lk(timer_mu_);
        stopping_ = false;
    }
    timer_ = std::thread([this] { run_timer(); });
}

void group_coordinator::stop() {
    {
        std::lock_guard lk(timer_mu_);
        stopping_ = true;
    }
    timer_cv_.notify_all();
    if (timer_.joinable())
        timer_.join();
}

}  // namespace otter::kafka::groups

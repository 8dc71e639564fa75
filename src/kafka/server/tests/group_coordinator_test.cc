// The group coordinator's state machine and persistence, driven directly (no network), over an
// in-memory file system.
#include "kafka/server/groups/group_coordinator.h"

#include <future>

#include <gtest/gtest.h>

#include "io/mem_env.h"
#include "model/record_batch.h"
#include "storage/flusher.h"
#include "storage/log_manager.h"
#include "storage/partition_log.h"

namespace otter::kafka::groups {
namespace {

using namespace std::chrono_literals;
using clock_type = group_coordinator::clock;

class group_test : public ::testing::Test {
  protected:
    void SetUp() override {
        logs_ = std::make_unique<storage::log_manager>(env_, "/data",
                                                       std::map<std::string, std::string>{});
        ASSERT_TRUE(logs_->load());
        flusher_ = std::make_unique<storage::flusher>(1ms);
        flusher_->start();
        ASSERT_TRUE(logs_->create_topic("t", 2, {}));
        // Ten durable records in t/0 so that commits up to 10 are legal.
        auto log = logs_->partition("t", 0);
        model::batch_builder b;
        std::string v = "v";
        for (int i = 0; i < 10; ++i) {
            b.add(std::nullopt, bytes_view(reinterpret_cast<const uint8_t*>(v.data()), 1), 0);
        }
        ASSERT_TRUE(log->append(b.build(), 0));
        ASSERT_TRUE(log->flush());
        coord_ = make();
    }
    void TearDown() override {
        coord_.reset();
        flusher_->stop();
    }

    std::unique_ptr<group_coordinator> make() {
        coordinator_config cfg;
        cfg.initial_rebalance_delay = 0ms;
        cfg.min_session_timeout = 100ms;
        auto c = std::make_unique<group_coordinator>(*logs_, *flusher_, cfg);
        EXPECT_TRUE(c->load());
        return c;
    }

    static join_group_request join_req(const std::string& member, int session_ms = 10000,
                                       std::optional<std::string> instance = std::nullopt) {
        join_group_request r;
        r.group_id = "g";
        r.session_timeout_ms = session_ms;
        r.rebalance_timeout_ms = 5000;
        r.member_id = member;
        r.group_instance_id = instance;
        r.protocol_type = "consumer";
        r.protocols.push_back({"range", bytes{1, 2, 3}});
        return r;
    }

    // Starts a join and returns a future for its answer (joins may complete later).
    std::future<join_group_response> join_async(const join_group_request& r, int16_t version = 5) {
        auto p = std::make_shared<std::promise<join_group_response>>();
        auto f = p->get_future();
        coord_->join(r, version, "client", "/127.0.0.1",
                     [p](join_group_response resp) { p->set_value(resp); });
        return f;
    }

    join_group_response join_now(const join_group_request& r, int16_t version = 5) {
        auto f = join_async(r, version);
        EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
        return f.get();
    }

    // The KIP-394 dance: join without an id, get MEMBER_ID_REQUIRED, join again with it.
    std::string new_member_id() {
        auto r = join_now(join_req(""));
        EXPECT_EQ(r.error_code, error_code::member_id_required);
        return r.member_id;
    }

    sync_group_response sync_now(const std::string& member, int32_t generation,
                                 std::vector<std::pair<std::string, bytes>> assignments = {}) {
        sync_group_request r;
        r.group_id = "g";
        r.generation_id = generation;
        r.member_id = member;
        for (auto& [m, a] : assignments)
            r.assignments.push_back({m, a});
        auto p = std::make_shared<std::promise<sync_group_response>>();
        auto f = p->get_future();
        coord_->sync(r, [p](sync_group_response resp) { p->set_value(resp); });
        EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
        return f.get();
    }

    error_code heartbeat(const std::string& member, int32_t generation) {
        heartbeat_request r;
        r.group_id = "g";
        r.generation_id = generation;
        r.member_id = member;
        return coord_->heartbeat(r);
    }

    offset_commit_response commit(const std::string& member, int32_t generation, int64_t offset,
                                  int32_t partition = 0) {
        offset_commit_request r;
        r.group_id = "g";
        r.generation_id_or_member_epoch = generation;
        r.member_id = member;
        offset_commit_request::offset_commit_request_topic t;
        t.name = "t";
        offset_commit_request::offset_commit_request_partition p;
        p.partition_index = partition;
        p.committed_offset = offset;
        p.committed_metadata = "meta";
        t.partitions.push_back(p);
        r.topics.push_back(t);
        auto pr = std::make_shared<std::promise<offset_commit_response>>();
        auto f = pr->get_future();
        coord_->commit(r, 7, [pr](offset_commit_response resp) { pr->set_value(resp); });
        EXPECT_EQ(f.wait_for(5s), std::future_status::ready);
        return f.get();
    }

    int64_t fetched(int32_t partition = 0) {
        offset_fetch_request r;
        r.group_id = "g";
        offset_fetch_request::offset_fetch_request_topic t;
        t.name = "t";
        t.partition_indexes = {partition};
        r.topics = std::vector<offset_fetch_request::offset_fetch_request_topic>{t};
        auto resp = coord_->fetch_offsets(r, 5);
        return resp.topics.at(0).partitions.at(0).committed_offset;
    }

    std::string state() {
        describe_groups_request r;
        r.groups = {"g"};
        return coord_->describe(r).groups.at(0).group_state;
    }

    io::mem_env env_;
    std::unique_ptr<storage::log_manager> logs_;
    std::unique_ptr<storage::flusher> flusher_;
    std::unique_ptr<group_coordinator> coord_;
};

TEST_F(group_test, two_members_join_sync_and_heartbeat) {
    auto a = new_member_id();
    auto fa = join_async(join_req(a));
    // Alone, a completes the join at once (no initial delay configured).
    auto ra = fa.get();
    ASSERT_EQ(ra.error_code, error_code::none);
    EXPECT_EQ(ra.generation_id, 1);
    EXPECT_EQ(ra.leader, a);
    ASSERT_EQ(ra.members.size(), 1u);
    EXPECT_EQ(sync_now(a, 1, {{a, bytes{9}}}).assignment, bytes{9});
    EXPECT_EQ(state(), "Stable");

    // b arrives: a rebalance; a learns of it from its heartbeat and rejoins.
    auto b = new_member_id();
    auto fb = join_async(join_req(b));
    EXPECT_EQ(heartbeat(a, 1), error_code::rebalance_in_progress);
    auto ra2 = join_now(join_req(a));
    auto rb = fb.get();
    ASSERT_EQ(ra2.error_code, error_code::none);
    ASSERT_EQ(rb.error_code, error_code::none);
    EXPECT_EQ(ra2.generation_id, 2);
    EXPECT_EQ(rb.generation_id, 2);
    EXPECT_EQ(ra2.leader, a);  // the leader is kept
    EXPECT_EQ(ra2.members.size(), 2u);
    EXPECT_TRUE(rb.members.empty());  // only the leader gets the member list

    // The follower waits for the leader's assignment.
    auto pb = std::make_shared<std::promise<sync_group_response>>();
    auto fsb = pb->get_future();
    sync_group_request sb;
    sb.group_id = "g";
    sb.generation_id = 2;
    sb.member_id = b;
    coord_->sync(sb, [pb](sync_group_response r) { pb->set_value(r); });
    EXPECT_EQ(fsb.wait_for(50ms), std::future_status::timeout);
    EXPECT_EQ(sync_now(a, 2, {{a, bytes{1}}, {b, bytes{2}}}).assignment, bytes{1});
    EXPECT_EQ(fsb.get().assignment, bytes{2});
    EXPECT_EQ(heartbeat(a, 2), error_code::none);
    EXPECT_EQ(heartbeat(b, 2), error_code::none);
    EXPECT_EQ(heartbeat(b, 1), error_code::illegal_generation);
    EXPECT_EQ(heartbeat("nobody", 2), error_code::unknown_member_id);
}

TEST_F(group_test, silent_member_is_removed_after_its_session_timeout) {
    auto a = new_member_id();
    ASSERT_EQ(join_now(join_req(a, 200)).error_code, error_code::none);
    ASSERT_EQ(sync_now(a, 1, {{a, {}}}).error_code, error_code::none);
    auto b = new_member_id();
    auto fb = join_async(join_req(b, 10000));
    ASSERT_EQ(join_now(join_req(a, 200)).error_code, error_code::none);
    ASSERT_EQ(fb.get().generation_id, 2);
    ASSERT_EQ(sync_now(a, 2, {{a, {}}, {b, {}}}).error_code, error_code::none);
    ASSERT_EQ(sync_now(b, 2).error_code, error_code::none);
    // a goes silent; b keeps heartbeating.
    coord_->tick(clock_type::now() + 1s);
    EXPECT_EQ(heartbeat(a, 2), error_code::unknown_member_id);
    EXPECT_EQ(heartbeat(b, 2), error_code::rebalance_in_progress);
    auto rb = join_now(join_req(b));
    EXPECT_EQ(rb.generation_id, 3);
    EXPECT_EQ(rb.leader, b);
}

TEST_F(group_test, commits_are_validated_durable_and_reloaded) {
    auto a = new_member_id();
    ASSERT_EQ(join_now(join_req(a)).error_code, error_code::none);
    ASSERT_EQ(sync_now(a, 1, {{a, {}}}).error_code, error_code::none);
    EXPECT_EQ(commit(a, 1, 7).topics[0].partitions[0].error_code, error_code::none);
    EXPECT_EQ(fetched(), 7);
    EXPECT_EQ(commit(a, 0, 8).topics[0].partitions[0].error_code, error_code::illegal_generation);
    EXPECT_EQ(commit("x", 1, 8).topics[0].partitions[0].error_code, error_code::unknown_member_id);
    // Beyond the high watermark (10): refused, so no group ever points past durable data.
    EXPECT_EQ(commit(a, 1, 11).topics[0].partitions[0].error_code, error_code::offset_out_of_range);
    EXPECT_EQ(commit(a, 1, 10).topics[0].partitions[0].error_code, error_code::none);
    // A standalone commit (generation -1) is refused while the group has members.
    EXPECT_EQ(commit("", -1, 3).topics[0].partitions[0].error_code, error_code::unknown_member_id);

    // A new coordinator over the same logs replays __consumer_offsets.
    coord_ = make();
    EXPECT_EQ(fetched(), 10);
    EXPECT_EQ(fetched(1), -1);
    EXPECT_EQ(state(), "Stable");
    EXPECT_EQ(heartbeat(a, 1), error_code::none);  // the member survives the restart
}

TEST_F(group_test, static_member_rejoins_without_rebalance) {
    auto r1 = join_now(join_req("", 10000, "instance-1"));
    ASSERT_EQ(r1.error_code, error_code::none);
    ASSERT_EQ(sync_now(r1.member_id, 1, {{r1.member_id, bytes{5}}}).assignment, bytes{5});
    // The process restarts and joins with the same instance id and no member id.
    auto r2 = join_now(join_req("", 10000, "instance-1"));
    ASSERT_EQ(r2.error_code, error_code::none);
    EXPECT_EQ(r2.generation_id, 1);  // no new generation
    EXPECT_NE(r2.member_id, r1.member_id);
    EXPECT_EQ(sync_now(r2.member_id, 1).assignment, bytes{5});
    EXPECT_EQ(state(), "Stable");
    heartbeat_request hb;
    hb.group_id = "g";
    hb.generation_id = 1;
    hb.member_id = r1.member_id;
    hb.group_instance_id = "instance-1";
    EXPECT_EQ(coord_->heartbeat(hb), error_code::fenced_instance_id);
}

TEST_F(group_test, leave_and_delete) {
    auto a = new_member_id();
    ASSERT_EQ(join_now(join_req(a)).error_code, error_code::none);
    ASSERT_EQ(sync_now(a, 1, {{a, {}}}).error_code, error_code::none);
    ASSERT_EQ(commit(a, 1, 5).topics[0].partitions[0].error_code, error_code::none);
    delete_groups_request d;
    d.groups_names = {"g", "missing"};
    auto dr = coord_->remove(d);
    EXPECT_EQ(dr.results[0].error_code, error_code::non_empty_group);
    EXPECT_EQ(dr.results[1].error_code, error_code::group_id_not_found);
    leave_group_request l;
    l.group_id = "g";
    l.member_id = a;
    EXPECT_EQ(coord_->leave(l, 1).error_code, error_code::none);
    EXPECT_EQ(state(), "Empty");
    EXPECT_EQ(coord_->remove(d).results[0].error_code, error_code::none);
    EXPECT_EQ(fetched(), -1);
    ASSERT_TRUE(logs_->partition(offsets_topic, 0)->flush());  // tombstones need not wait
    coord_ = make();                                           // the tombstones are replayed too
    EXPECT_EQ(fetched(), -1);
    EXPECT_EQ(state(), "Dead");
}

TEST_F(group_test, offset_delete_only_for_unsubscribed_topics) {
    offset_delete_request d;
    d.group_id = "g";
    d.topics.push_back({"t", {{0}}});
    EXPECT_EQ(coord_->delete_offsets(d).error_code, error_code::group_id_not_found);
    // A member subscribed to "t" (consumer protocol: version, [topics], user data).
    auto r = join_req("");
    writer w;
    w.i16(0);
    w.array_len(1, false);
    w.string("t", false);
    w.bytes_field(bytes{}, false);
    r.protocols = {{"range", w.take()}};
    auto joined = join_now(r, 3);
    ASSERT_EQ(joined.error_code, error_code::none);
    ASSERT_EQ(sync_now(joined.member_id, 1, {{joined.member_id, {}}}).error_code, error_code::none);
    ASSERT_EQ(commit(joined.member_id, 1, 3).topics[0].partitions[0].error_code, error_code::none);
    auto busy = coord_->delete_offsets(d);
    EXPECT_EQ(busy.topics[0].partitions[0].error_code, error_code::group_subscribed_to_topic);
    EXPECT_EQ(fetched(), 3);
    leave_group_request l;
    l.group_id = "g";
    l.member_id = joined.member_id;
    ASSERT_EQ(coord_->leave(l, 1).error_code, error_code::none);
    auto done = coord_->delete_offsets(d);
    EXPECT_EQ(done.topics[0].partitions[0].error_code, error_code::none);
    EXPECT_EQ(fetched(), -1);
}

TEST_F(group_test, join_errors) {
    auto r = join_req("");
    r.session_timeout_ms = 10;
    EXPECT_EQ(join_now(r).error_code, error_code::invalid_session_timeout);
    r = join_req("");
    r.group_id = "";
    EXPECT_EQ(join_now(r).error_code, error_code::invalid_group_id);
    EXPECT_EQ(join_now(join_req("made-up")).error_code, error_code::unknown_member_id);
    // v3 clients get a member id straight away.
    auto v3 = join_now(join_req(""), 3);
    EXPECT_EQ(v3.error_code, error_code::none);
    EXPECT_FALSE(v3.member_id.empty());
    // A member with no protocol in common is refused.
    auto other = join_req("");
    other.protocols = {{"roundrobin", bytes{}}};
    EXPECT_EQ(join_now(other, 3).error_code, error_code::inconsistent_group_protocol);
}

TEST_F(group_test, offsets_of_empty_groups_expire) {
    // A standalone commit by an assign()-based consumer.
    ASSERT_EQ(commit("", -1, 4).topics[0].partitions[0].error_code, error_code::none);
    EXPECT_EQ(fetched(), 4);
    coord_->tick(clock_type::now());
    EXPECT_EQ(fetched(), 4);  // retention is 7 days by default
    coordinator_config cfg;
    cfg.offsets_retention = 0ms;
    coord_ = std::make_unique<group_coordinator>(*logs_, *flusher_, cfg);
    ASSERT_TRUE(coord_->load());
    std::this_thread::sleep_for(5ms);
    coord_->tick(clock_type::now());
    EXPECT_EQ(fetched(), -1);
}

}  // namespace
}  // namespace otter::kafka::groups

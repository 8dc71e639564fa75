// The group coordinator: Kafka's consumer group protocol on one node.
//
// Groups move through Kafka's states (Empty → PreparingRebalance → CompletingRebalance → Stable,
// and Dead once deleted). JoinGroup and SyncGroup answers are delivered later through callbacks,
// when the rebalance reaches the point where Kafka would answer. A background thread expires
// members that stop heartbeating, completes joins at the rebalance timeout, and expires the
// offsets of empty groups after `offsets_retention`.
//
// Committed offsets and group metadata are written to `__consumer_offsets` in Kafka's own
// formats (see offsets_records.h) and replayed by load(). OffsetCommit is answered once the
// commit is durable.
//
// Thread-safe: one mutex guards all groups. Callbacks are invoked without the mutex held, on the
// calling thread, the flusher thread or the coordinator's timer thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "kafka/protocol/messages/delete_groups.h"
#include "kafka/protocol/messages/describe_groups.h"
#include "kafka/protocol/messages/heartbeat.h"
#include "kafka/protocol/messages/join_group.h"
#include "kafka/protocol/messages/leave_group.h"
#include "kafka/protocol/messages/list_groups.h"
#include "kafka/protocol/messages/offset_commit.h"
#include "kafka/protocol/messages/offset_delete.h"
#include "kafka/protocol/messages/offset_fetch.h"
#include "kafka/protocol/messages/sync_group.h"

namespace otter::storage {
class log_manager;
class flusher;
class partition_log;
}  // namespace otter::storage

namespace otter::kafka::groups {

struct coordinator_config {
    int32_t offsets_topic_partitions = 1;
    std::chrono::milliseconds min_session_timeout{6000};
    std::chrono::milliseconds max_session_timeout{1800000};
    std::chrono::milliseconds initial_rebalance_delay{3000};
    std::chrono::milliseconds offsets_retention{7LL * 24 * 3600 * 1000};
    std::chrono::milliseconds tick{100};
    size_t max_metadata_bytes = 4096;
};

inline constexpr const char* offsets_topic = "__consumer_offsets";

// One committed offset, for lag metrics and tools.
struct committed_offset {
    std::string group;
    std::string topic;
    int32_t partition;
    int64_t offset;
};

class group_coordinator {
  public:
    using clock = std::chrono::steady_clock;
    using join_callback = std::function<void(join_group_response)>;
    using sync_callback = std::function<void(sync_group_response)>;
    using commit_callback = std::function<void(offset_commit_response)>;

    group_coordinator(storage::log_manager& logs, storage::flusher& flusher,
                      coordinator_config cfg);
    ~group_coordinator();

    // Creates __consumer_offsets if needed and replays it. Call before serving requests.
    result<void, std::string> load();
    void start();
    void stop();

    // `version` is the request's API version (MEMBER_ID_REQUIRED needs v4+).
    void join(const join_group_request& req, int16_t version, const std::string& client_id,
              const std::string& client_host, join_callback cb);
    void sync(const sync_group_request& req, sync_callback cb);
    error_code heartbeat(const heartbeat_request& req);
    leave_group_response leave(const leave_group_request& req, int16_t version);
    void commit(const offset_commit_request& req, int16_t version, commit_callback cb);
    offset_fetch_response fetch_offsets(const offset_fetch_request& req, int16_t version);
    describe_groups_response describe(const describe_groups_request& req);
    list_groups_response list();
    delete_groups_response remove(const delete_groups_request& req);
    // OffsetDelete: refused per partition (GROUP_SUBSCRIBED_TO_TOPIC) for topics that a member
    // of a non-empty group subscribes to.
    offset_delete_response delete_offsets(const offset_delete_request& req);

    std::vector<committed_offset> committed() const;

    // Runs one timer pass at `now` (tests drive time through this).
    void tick(clock::time_point now);

  private:
    enum class state { empty, preparing_rebalance, completing_rebalance, stable, dead };
    struct member;
    struct group;
    struct committed_value {
        int64_t offset;
        int32_t leader_epoch;
        std::string metadata;
        int64_t commit_timestamp;
    };
    using pending = std::vector<std::function<void()>>;  // callbacks to run after unlocking

    static const char* state_name(state s);
    group& get_or_create(const std::string& id);                              // requires mu_
    void prepare_rebalance(group& g, clock::time_point now, pending& out);    // requires mu_
    void maybe_complete_join(group& g, clock::time_point now, pending& out);  // requires mu_
    void complete_join(group& g, clock::time_point now, pending& out);        // requires mu_
    void remove_member(group& g, const std::string& member_id, clock::time_point now,
                       pending& out);                                              // requires mu_
    join_group_response join_response_for(const group& g, const member& m) const;  // requires mu_
    bool protocols_match(const group& g, const join_group_request& req) const;     // requires mu_
    std::string select_protocol(const group& g) const;                             // requires mu_
    void persist_group(const group& g, pending& out);                              // requires mu_
    void append_records(const std::string& group_id,
                        const std::vector<std::pair<bytes, std::optional<bytes>>>& records,
                        std::function<void(bool)> durable);
    void run_timer();

    storage::log_manager& logs_;
    storage::flusher& flusher_;
    coordinator_config cfg_;

    mutable std::mutex mu_;
    std::map<std::string, std::unique_ptr<group>> groups_;  // guarded by mu_
    uint64_t next_member_seq_ = 0;                          // guarded by mu_

    std::mutex timer_mu_;
    std::condition_variable timer_cv_;
    bool stopping_ = false;  // guarded by timer_mu_
    std::thread timer_;
};

}  // namespace otter::kafka::groups

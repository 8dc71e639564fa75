// job: a running instance of a job graph: its tasks and threads, channels, and the checkpoint
// coordinator.
//
// Threads: one thread per task (subtask of a chain), plus an optional thread that triggers
// periodic checkpoints. The coordinator injects a barrier at every source task, waits for every
// task's snapshot, writes <dir>/chk-<id>/ (manifest last), then hands sink committables to their
// committers and prunes old checkpoints. Only one checkpoint is in flight at a time; once any
// task has finished (bounded input) further checkpoints are declined.
// Thread-safe: every public method may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/result.h"
#include "io/env.h"
#include "stream/checkpoint.h"
#include "stream/graph.h"
#include "stream/task.h"

namespace otter::stream {

struct job_config {
    std::string name = "job";
    uint32_t parallelism = 1;  // default parallelism of operators and sources
    size_t batch_size = default_batch_size;
    size_t channel_capacity = 16;       // elements (batches or control) per channel
    std::string checkpoint_dir;         // base directory of checkpoints; empty disables them
    millis checkpoint_interval{0};      // periodic checkpoints; 0 = only on request
    size_t checkpoints_retained = 3;    // completed checkpoints kept under checkpoint_dir
    io::env* fs = nullptr;              // null: the POSIX file system
    const clock* proc_clock = nullptr;  // null: the system clock
    metrics::registry* metrics = nullptr;
};

struct run_options {
    // "" starts fresh; "latest" restores the newest completed checkpoint under checkpoint_dir;
    // anything else is the directory of a checkpoint or savepoint.
    std::string restore_from;
};

enum class job_state { created, running, finished, failed, cancelled };
const char* to_string(job_state s);

// One operator subtask's figures at the time of job::status().
struct operator_status {
    std::string name;  // the graph node's name
    uint32_t node = 0;
    uint32_t subtask = 0;
    uint64_t records_in = 0;   // records handed to the operator (0 for sources)
    uint64_t records_out = 0;  // records it handed to downstream consumers (0 for sinks)
    // The input watermark (a source: the one it emits); nullopt before the first one. After end of
    // input it is max_timestamp.
    std::optional<int64_t> watermark;
    // Processing time minus the watermark, only while the watermark is a real time.
    std::optional<double> watermark_lag_seconds;
    double backpressure_seconds = 0;  // blocked on a full downstream channel, since start
    // Fraction of wall time blocked over the last sampling interval (at least 1 s between
    // samples; status() and metric scrapes take samples), 0..1.
    double backpressure_ratio = 0;
};

struct checkpoint_status {
    uint64_t completed = 0;  // checkpoints and savepoints completed by this run
    uint64_t failed = 0;     // declined or failed to write
    std::optional<uint64_t> last_id;
    std::string last_kind;  // "checkpoint" or "savepoint"
    std::string last_path;
    double last_duration_ms = 0;
    uint64_t last_size_bytes = 0;
    std::optional<checkpoint_info> restored_from;
};

struct job_status {
    std::string name;
    job_state state = job_state::created;
    std::string failure;  // the failure message when state == failed
    uint32_t parallelism = 1;
    std::chrono::milliseconds uptime{0};  // since start(); 0 before
    checkpoint_status checkpoints;
    std::vector<operator_status> operators;  // by node id, then subtask
};

namespace detail {
// A checkpoint waiting for its acknowledgements (outside `job` so that clang sees it complete).
struct pending_checkpoint {
    uint64_t id = 0;
    std::vector<std::optional<task_snapshot>> acks;
    size_t count = 0;
    bool declined = false;
    std::string why;
};
}  // namespace detail

class job final : private task_runtime {
  public:
    // Builds every task of `g` and, if asked, restores their state. Threads start in start().
    static result<std::unique_ptr<job>, error> create(job_graph& g, const job_config& cfg,
                                                      const run_options& opts = {});
    ~job() override;
    job(const job&) = delete;
    job& operator=(const job&) = delete;

    void start();
    // Blocks until every task has ended (bounded input) or the job failed or was cancelled.
    result<void, error> wait();
    // Stops every task now without committing anything further (as a kill would).
    void cancel();
    // Takes a checkpoint into checkpoint_dir and waits for it to complete.
    result<checkpoint_info, error> trigger_checkpoint();
    // Takes a savepoint into `dir` (same format, never pruned) and waits for it.
    result<checkpoint_info, error> trigger_savepoint(const std::string& dir);
    // The checkpoint this job was restored from, if any.
    const std::optional<checkpoint_info>& restored_from() const { return restored_; }
    uint64_t completed_checkpoints() const { return completed_.load(); }
    // A consistent-enough snapshot of the job's state and figures (each counter is read atomically;
    // counters of different subtasks are read at slightly different moments).
    job_status status() const;

  private:
    job(job_graph& g, const job_config& cfg);
    result<void, error> build();
    result<void, error> restore(const std::string& from);
    result<checkpoint_info, error> take(const std::string& kind, const std::string& dir);
    bool cancelled() const override { return cancelled_.load(std::memory_order_relaxed); }
    void ack(size_t task_index, uint64_t id, task_snapshot&& s) override;
    void task_done(size_t task_index);
    void fail(const std::string& why);
    void periodic_loop();
    operator_stats* stats(uint32_t node, uint32_t subtask) { return stats_[node][subtask].get(); }
    void note_checkpoint(const checkpoint_info* done, const std::string& kind, double ms);
    // Samples backpressure ratios (requires stats_mu_) and renders the per-operator metrics.
    void sample_ratios(int64_t now_ns) const;
    void render_metrics(std::string& out) const;

    job_graph& g_;
    job_config cfg_;
    std::unique_ptr<io::env> own_fs_;
    io::env* fs_;
    std::unique_ptr<clock> own_clock_;
    std::vector<std::unique_ptr<doorbell>> bells_;
    std::vector<std::unique_ptr<channel_base>> channels_;
    std::vector<std::unique_ptr<task>> tasks_;
    std::vector<std::thread> threads_;
    // Per node, per subtask (empty for nodes without subtasks of their own).
    std::vector<std::vector<std::unique_ptr<operator_stats>>> stats_;
    std::vector<std::string> metric_names_;  // operator label per node (unique in the job)
    // The metrics collector registered in cfg_.metrics reaches the job through this; the
    // destructor clears it (the registry outlives the job). shared_ptr: shared with the collector.
    struct collector_link {
        std::mutex mu;
        const job* j = nullptr;  // guarded by mu
    };
    std::shared_ptr<collector_link> link_;
    std::atomic<int64_t> started_ns_{0};
    std::thread periodic_;
    std::optional<checkpoint_info> restored_;
    std::atomic<bool> cancelled_{false};
    std::atomic<uint64_t> completed_{0};
    bool started_ = false;
    bool joined_ = false;

    std::mutex take_mu_;  // serialises checkpoints (one in flight)
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::optional<detail::pending_checkpoint> pending_;  // guarded by mu_
    uint64_t next_id_ = 1;                               // guarded by mu_
    size_t finished_ = 0;                                // guarded by mu_
    bool stop_periodic_ = false;                         // guarded by mu_
    std::optional<error> failure_;                       // guarded by mu_
    checkpoint_status chk_;                              // guarded by mu_ (except restored_from)

    struct ratio_sample {
        int64_t at_ns = 0;
        uint64_t blocked_ns = 0;
        double ratio = 0;
    };
    mutable std::mutex stats_mu_;
    mutable std::vector<std::vector<ratio_sample>> samples_;  // guarded by stats_mu_
};

}  // namespace otter::stream

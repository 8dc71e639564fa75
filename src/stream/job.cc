#include "stream/job.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "base/log.h"
#include "metrics/registry.h"
#include "stream/hash.h"

namespace otter::stream {

job::job(job_graph& g, const job_config& cfg) : g_(g), cfg_(cfg) {
    if (cfg_.fs == nullptr) {
        own_fs_ = io::make_posix_env();
        fs_ = own_fs_.get();
    } else {
        fs_ = cfg_.fs;
    }
    if (cfg_.proc_clock == nullptr) {
        own_clock_ = std::make_unique<system_clock>();
        cfg_.proc_clock = own_clock_.get();
    }
}

job::~job() {
    if (link_) {
        std::lock_guard lk(link_->mu);
        link_->j = nullptr;
    }
    cancel();
    (void)wait();
}

const char* to_string(job_state s) {
    switch (s) {
        case job_state::created:
            return "created";
        case job_state::running:
            return "running";
        case job_state::finished:
            return "finished";
        case job_state::failed:
            return "failed";
        case job_state::cancelled:
            return "cancelled";
    }
    return "unknown";
}

result<std::unique_ptr<job>, error> job::create(job_graph& g, const job_config& cfg,
                                                const run_options& opts) {
    for (const auto& n : g.nodes()) {
        if (n.parallelism == 0 || n.parallelism > max_parallelism) {
            return unexpected<error>{error{errc::failed, "operator '" + n.name + "': parallelism " +
                                                             std::to_string(n.parallelism) +
                                                             " is outside 1.." +
                                                             std::to_string(max_parallelism)}};
        }
    }
    std::unique_ptr<job> j(new job(g, cfg));
    if (auto r = j->build(); !r) {
        return unexpected<error>{r.error()};
    }
    if (!cfg.checkpoint_dir.empty()) {
        j->next_id_ = max_checkpoint_id(*j->fs_, cfg.checkpoint_dir) + 1;
    }
    if (!opts.restore_from.empty()) {
        if (auto r = j->restore(opts.restore_from); !r) {
            return unexpected<error>{r.error()};
        }
    }
    if (cfg.metrics != nullptr) {
        j->link_ = std::make_shared<collector_link>();
        j->link_->j = j.get();
        cfg.metrics->add_collector([link = j->link_](std::string& out) {
            std::lock_guard lk(link->mu);
            if (link->j != nullptr) {
                link->j->render_metrics(out);
            }
        });
    }
    return j;
}

result<void, error> job::build() {
    const auto& nodes = g_.nodes();
    auto is_root = [&](const graph_node& n) { return n.input < 0 || n.exchange != nullptr; };

    stats_.resize(nodes.size());
    samples_.resize(nodes.size());
    std::map<std::string, int> name_count;
    for (const auto& n : nodes) {
        ++name_count[n.name];
    }
    for (const auto& n : nodes) {
        for (uint32_t s = 0; s < n.parallelism; ++s) {
            stats_[n.id].push_back(std::make_unique<operator_stats>());
        }
        samples_[n.id].resize(n.parallelism);
        // Two nodes with one name would make two identical series: the id tells them apart.
        metric_names_.push_back(name_count[n.name] > 1 ? n.name + "#" + std::to_string(n.id)
                                                       : n.name);
    }

    // One doorbell per (root, subtask); channels per exchange edge.
    std::map<uint32_t, std::vector<doorbell*>> root_bells;
    for (const auto& n : nodes) {
        if (is_root(n)) {
            for (uint32_t s = 0; s < n.parallelism; ++s) {
                bells_.push_back(std::make_unique<doorbell>());
                root_bells[n.id].push_back(bells_.back().get());
            }
        } else if (n.parallelism != nodes[static_cast<size_t>(n.input)].parallelism) {
            return unexpected<error>{error{errc::failed, "node " + n.name +
                                                             ": forward edge between different "
                                                             "parallelisms"}};
        }
    }
    std::map<uint32_t, std::vector<channel_base*>> edge_channels;  // by consuming node
    for (const auto& n : nodes) {
        if (n.exchange) {
            uint32_t up = nodes[static_cast<size_t>(n.input)].parallelism;
            auto chans = n.exchange->make_channels(up, n.parallelism, cfg_.channel_capacity,
                                                   root_bells[n.id]);
            for (auto& c : chans) {
                edge_channels[n.id].push_back(c.get());
                channels_.push_back(std::move(c));
            }
        }
    }

    for (const auto& root : nodes) {
        if (!is_root(root)) {
            continue;
        }
        // The chain: root plus every node reachable through forward edges, parents first.
        std::vector<uint32_t> chain{root.id};
        for (size_t i = 0; i < chain.size(); ++i) {
            for (uint32_t c : nodes[chain[i]].children) {
                if (!nodes[c].exchange) {
                    chain.push_back(c);
                }
            }
        }
        for (uint32_t s = 0; s < root.parallelism; ++s) {
            std::vector<std::pair<uint32_t, std::unique_ptr<operator_base>>> ops;
            std::map<uint32_t, output_base*> inputs;
            std::vector<std::unique_ptr<output_base>> counters;  // counting adapters of the chain
            auto counted = [&](const graph_node& consumer, output_base* target, operator_stats* in,
                               const graph_node& producer) -> output_base* {
                if (consumer.counting == nullptr) {
                    return target;
                }
                counters.push_back(consumer.counting(target, in, stats(producer.id, s),
                                                     producer.source != nullptr));
                return counters.back().get();
            };
            std::unique_ptr<task> t;
            for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
                const graph_node& n = nodes[*it];
                build_context bc;
                bc.batch_size = cfg_.batch_size;
                bc.ctx.job_name = cfg_.name;
                bc.ctx.operator_name = n.name;
                bc.ctx.node_id = n.id;
                bc.ctx.subtask = s;
                bc.ctx.parallelism = n.parallelism;
                bc.ctx.proc_clock = cfg_.proc_clock;
                bc.ctx.metrics = cfg_.metrics;
                for (uint32_t c : n.children) {
                    const graph_node& child = nodes[c];
                    if (child.exchange) {
                        std::vector<channel_base*> outs;
                        auto& all = edge_channels[c];
                        for (uint32_t d = 0; d < child.parallelism; ++d) {
                            outs.push_back(all[s * child.parallelism + d]);
                            outs.back()->set_producer_stats(stats(n.id, s));
                        }
                        built_operator w = child.exchange->make_writer(outs, cfg_.batch_size);
                        bc.outs[child.input_tag].push_back(counted(child, w.input, nullptr, n));
                        ops.emplace_back(c | 0x80000000u, std::move(w.op));
                    } else {
                        bc.outs[child.input_tag].push_back(
                            counted(child, inputs.at(c), stats(c, s), n));
                    }
                }
                if (n.source) {
                    std::vector<size_t> splits;
                    for (size_t i = s; i < n.source->split_count(); i += n.parallelism) {
                        splits.push_back(i);
                    }
                    t = n.source->make_task(n.id, std::move(splits), bc);
                } else {
                    built_operator b = n.make(bc);
                    inputs[n.id] = b.input;
                    ops.emplace_back(n.id, std::move(b.op));
                }
            }
            if (!root.source) {
                std::vector<channel_base*> ins;
                auto& all = edge_channels[root.id];
                uint32_t up = nodes[static_cast<size_t>(root.input)].parallelism;
                for (uint32_t u = 0; u < up; ++u) {
                    ins.push_back(all[u * root.parallelism + s]);
                }
                output_base* head = inputs.at(root.id);
                if (root.counting != nullptr) {
                    counters.push_back(root.counting(head, stats(root.id, s), nullptr, false));
                    head = counters.back().get();
                }
                t = root.exchange->make_input_task(std::move(ins), head);
            }
            for (auto& c : counters) {
                t->owned_outputs.push_back(std::move(c));
            }
            std::reverse(ops.begin(), ops.end());  // parents first
            t->ops = std::move(ops);
            t->rt = this;
            t->index = tasks_.size();
            t->name = std::to_string(root.id);
            t->name.insert(0, 1, 't');  // not "t" + ...: g++ 12 -O3 warns (-Wrestrict, PR 105329)
            t->subtask = s;
            t->proc_clock = cfg_.proc_clock;
            t->bell = root_bells[root.id][s];
            tasks_.push_back(std::move(t));
        }
    }
    return {};
}

result<void, error> job::restore(const std::string& from) {
    std::string dir = from;
    if (from == "latest") {
        if (cfg_.checkpoint_dir.empty()) {
            return unexpected<error>{
                error{errc::not_found, "restore latest: no checkpoint_dir set"}};
        }
        auto latest = latest_checkpoint(*fs_, cfg_.checkpoint_dir);
        if (!latest) {
            return unexpected<error>{latest.error()};
        }
        dir = *latest;
    }
    auto loaded = read_checkpoint(*fs_, dir, g_.fingerprint());
    if (!loaded) {
        return unexpected<error>{loaded.error()};
    }
    for (auto& t : tasks_) {
        const task_snapshot* found = nullptr;
        for (const auto& ts : loaded->tasks) {
            if (ts.task == t->name && ts.subtask == t->subtask) {
                found = &ts;
            }
        }
        if (found == nullptr) {
            return unexpected<error>{
                error{errc::incompatible,
                      dir + ": no state for task " + t->name + "-" + std::to_string(t->subtask)}};
        }
        if (!t->restore(found->sections)) {
            return unexpected<error>{error{
                errc::corrupt,
                dir + ": malformed state for task " + t->name + "-" + std::to_string(t->subtask)}};
        }
    }
    // Re-commit what the checkpoint pre-committed: a crash may have hit between writing the
    // manifest and committing. Committers are idempotent.
    for (const auto& ts : loaded->tasks) {
        for (const auto& sec : ts.sections) {
            if (sec.kind == section_kind::committable && sec.node < g_.nodes().size() &&
                g_.nodes()[sec.node].commit) {
                g_.nodes()[sec.node].commit(ts.subtask, loaded->info.id, sec.data);
            }
        }
    }
    next_id_ = std::max(next_id_, loaded->info.id + 1);
    restored_ = loaded->info;
    return {};
}

void job::start() {
    OTTER_ASSERT(!started_, "job started twice");
    {
        std::lock_guard lk(mu_);
        started_ = true;
    }
    started_ns_.store(steady_now_ns());
    for (auto& tp : tasks_) {
        task* t = tp.get();
        threads_.emplace_back([this, t] {
            try {
                t->run();
            } catch (const task_cancelled&) {
            } catch (const std::exception& e) {
                fail(t->name + "-" + std::to_string(t->subtask) + ": " + e.what());
            } catch (...) {
                fail(t->name + "-" + std::to_string(t->subtask) + ": unknown exception");
            }
            task_done(t->index);
        });
    }
    if (!cfg_.checkpoint_dir.empty() && cfg_.checkpoint_interval.count() > 0) {
        periodic_ = std::thread([this] { periodic_loop(); });
    }
}

void job::periodic_loop() {
    std::unique_lock lk(mu_);
    while (!stop_periodic_) {
        cv_.wait_for(lk, cfg_.checkpoint_interval, [&] { return stop_periodic_; });
        if (stop_periodic_ || finished_ == tasks_.size()) {
            return;
        }
        lk.unlock();
        auto r = trigger_checkpoint();
        if (!r && r.error().code != errc::declined && r.error().code != errc::cancelled) {
            spdlog::warn("stream job {}: checkpoint failed: {}", cfg_.name, r.error().message);
        }
        lk.lock();
    }
}

result<void, error> job::wait() {
    if (!started_ || joined_) {
        std::lock_guard lk(mu_);
        if (failure_) {
            return unexpected<error>{*failure_};
        }
        return {};
    }
    for (auto& t : threads_) {
        t.join();
    }
    {
        std::lock_guard lk(mu_);
        stop_periodic_ = true;
    }
    cv_.notify_all();
    if (periodic_.joinable()) {
        periodic_.join();
    }
    joined_ = true;
    std::lock_guard lk(mu_);
    if (failure_) {
        return unexpected<error>{*failure_};
    }
    if (cancelled_) {
        return unexpected<error>{error{errc::cancelled, "job " + cfg_.name + " was cancelled"}};
    }
    return {};
}

void job::cancel() {
    if (cancelled_.exchange(true)) {
        return;
    }
    for (auto& c : channels_)
        c->close();
    for (auto& b : bells_)
        b->ring();
    {
        std::lock_guard lk(mu_);
        stop_periodic_ = true;
    }
    cv_.notify_all();
}

void job::fail(const std::string& why) {
    {
        std::lock_guard lk(mu_);
        if (!failure_) {
            failure_ = error{errc::failed, why};
        }
    }
    spdlog::error("stream job {} failed: {}", cfg_.name, why);
    cancel();
}

void job::ack(size_t task_index, uint64_t id, task_snapshot&& s) {
    std::lock_guard lk(mu_);
    if (!pending_ || pending_->id != id || pending_->acks[task_index]) {
        return;  // a declined or unknown checkpoint
    }
    pending_->acks[task_index] = std::move(s);
    ++pending_->count;
    cv_.notify_all();
}

void job::task_done(size_t task_index) {
    task& t = *tasks_[task_index];
    std::lock_guard lk(mu_);
    t.finished = true;
    ++finished_;
    if (pending_ && !pending_->acks[task_index]) {
        if (t.final_state) {
            // Finished at end of input: its final state stands in for the barrier it never saw.
            pending_->acks[task_index] = *t.final_state;
            ++pending_->count;
        } else {
            pending_->declined = true;
            pending_->why = "task " + t.name + "-" + std::to_string(t.subtask) + " stopped";
        }
    }
    cv_.notify_all();
}

result<checkpoint_info, error> job::trigger_checkpoint() {
    if (cfg_.checkpoint_dir.empty()) {
        return unexpected<error>{
            error{errc::declined, "checkpoints are disabled (no checkpoint_dir)"}};
    }
    return take("checkpoint", "");
}

result<checkpoint_info, error> job::trigger_savepoint(const std::string& dir) {
    return take("savepoint", dir);
}

result<checkpoint_info, error> job::take(const std::string& kind, const std::string& target) {
    std::lock_guard take_lk(take_mu_);
    auto start = std::chrono::steady_clock::now();
    uint64_t id;
    {
        std::lock_guard lk(mu_);
        if (cancelled_) {
            return unexpected<error>{error{errc::cancelled, "job cancelled"}};
        }
        if (!started_ || finished_ == tasks_.size()) {
            return unexpected<error>{error{errc::declined, "job not running"}};
        }
        id = next_id_++;
        pending_.emplace();
        pending_->id = id;
        pending_->acks.resize(tasks_.size());
        for (size_t i = 0; i < tasks_.size(); ++i) {
            if (!tasks_[i]->finished) {
                continue;
            }
            if (!tasks_[i]->final_state) {
                pending_.reset();
                return unexpected<error>{error{errc::declined, "a task stopped without finishing"}};
            }
            pending_->acks[i] = *tasks_[i]->final_state;
            ++pending_->count;
        }
    }
    for (auto& t : tasks_) {
        if (t->is_source()) {
            t->barrier_request.store(id);
            t->bell->ring();
        }
    }
    std::vector<task_snapshot> snaps;
    {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] {
            return pending_->count == tasks_.size() || pending_->declined || cancelled_;
        });
        bool ok = pending_->count == tasks_.size();
        std::string why = cancelled_ ? "job cancelled" : pending_->why;
        if (ok) {
            for (auto& a : pending_->acks)
                snaps.push_back(std::move(*a));
        }
        pending_.reset();
        if (!ok) {
            ++chk_.failed;
            return unexpected<error>{
                error{cancelled_ ? errc::cancelled : errc::declined,
                      "checkpoint " + std::to_string(id) + " declined: " + why}};
        }
    }
    checkpoint_info info;
    info.id = id;
    info.kind = kind;
    info.job = cfg_.name;
    info.fingerprint = g_.fingerprint();
    info.created_ms = cfg_.proc_clock->now_ms();
    info.path = kind == "savepoint" ? target : cfg_.checkpoint_dir + "/" + checkpoint_dir_name(id);
    auto written = write_checkpoint(*fs_, info.path, info, snaps);
    if (!written) {
        note_checkpoint(nullptr, kind, 0);
        if (cfg_.metrics) {
            cfg_.metrics
                ->get_counter("otter_stream_checkpoints_total", "Checkpoints by outcome",
                              {{"job", cfg_.name}, {"outcome", "failed"}})
                .inc();
        }
        return unexpected<error>{written.error()};
    }
    info.total_bytes = *written;
    // The checkpoint is complete: sinks may now publish what they pre-committed.
    for (const auto& ts : snaps) {
        for (const auto& sec : ts.sections) {
            if (sec.kind == section_kind::committable && g_.nodes()[sec.node].commit) {
                g_.nodes()[sec.node].commit(ts.subtask, id, sec.data);
            }
        }
    }
    if (kind == "checkpoint") {
        retain_checkpoints(*fs_, cfg_.checkpoint_dir, cfg_.checkpoints_retained);
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    note_checkpoint(&info, kind, seconds * 1000);
    completed_.fetch_add(1);
    if (cfg_.metrics) {
        auto& m = *cfg_.metrics;
        metrics::labels l{{"job", cfg_.name}};
        m.get_counter("otter_stream_checkpoints_total", "Checkpoints by outcome",
                      {{"job", cfg_.name}, {"outcome", "completed"}})
            .inc();
        m.get_histogram("otter_stream_checkpoint_duration_seconds",
                        "Time from trigger to completed checkpoint", l)
            .observe(seconds);
        m.get_gauge("otter_stream_checkpoint_size_bytes", "Size of the last checkpoint", l)
            .set(static_cast<double>(info.total_bytes));
    }
    return info;
}

void job::note_checkpoint(const checkpoint_info* done, const std::string& kind, double ms) {
    std::lock_guard lk(mu_);
    if (done == nullptr) {
        ++chk_.failed;
        return;
    }
    ++chk_.completed;
    chk_.last_id = done->id;
    chk_.last_kind = kind;
    chk_.last_path = done->path;
    chk_.last_duration_ms = ms;
    chk_.last_size_bytes = done->total_bytes;
}

void job::sample_ratios(int64_t now_ns) const {
    constexpr int64_t min_interval_ns = 1'000'000'000;
    const int64_t started = started_ns_.load();
    for (size_t n = 0; n < stats_.size(); ++n) {
        for (size_t s = 0; s < stats_[n].size(); ++s) {
            ratio_sample& r = samples_[n][s];
            if (r.at_ns == 0) {
                r.at_ns = started;  // the first interval starts with the job
            }
            if (started == 0 || now_ns - r.at_ns < min_interval_ns) {
                continue;
            }
            const uint64_t blocked = stats_[n][s]->blocked_total_ns(now_ns);
            const double dt = static_cast<double>(now_ns - r.at_ns);
            r.ratio = std::clamp(static_cast<double>(blocked - r.blocked_ns) / dt, 0.0, 1.0);
            r.at_ns = now_ns;
            r.blocked_ns = blocked;
        }
    }
}

job_status job::status() const {
    job_status st;
    st.name = cfg_.name;
    st.parallelism = cfg_.parallelism;
    {
        std::lock_guard lk(mu_);
        if (failure_) {
            st.state = job_state::failed;
            st.failure = failure_->message;
        } else if (cancelled_) {
            st.state = job_state::cancelled;
        } else if (started_ && finished_ == tasks_.size()) {
            st.state = job_state::finished;
        } else if (started_) {
            st.state = job_state::running;
        }
        st.checkpoints = chk_;
    }
    st.checkpoints.restored_from = restored_;
    const int64_t now_ns = steady_now_ns();
    const int64_t started = started_ns_.load();
    if (started != 0) {
        st.uptime = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::nanoseconds(now_ns - started));
    }
    const int64_t now_ms = cfg_.proc_clock->now_ms();
    std::lock_guard lk(stats_mu_);
    sample_ratios(now_ns);
    const auto& nodes = g_.nodes();
    for (size_t n = 0; n < stats_.size(); ++n) {
        for (size_t s = 0; s < stats_[n].size(); ++s) {
            const operator_stats& o = *stats_[n][s];
            operator_status os;
            os.name = nodes[n].name;
            os.node = static_cast<uint32_t>(n);
            os.subtask = static_cast<uint32_t>(s);
            os.records_in = o.records_in.load(std::memory_order_relaxed);
            os.records_out = o.records_out.load(std::memory_order_relaxed);
            const int64_t wm = o.watermark.load(std::memory_order_relaxed);
            if (wm != min_timestamp) {
                os.watermark = wm;
            }
            if (is_real_watermark(wm)) {
                os.watermark_lag_seconds = static_cast<double>(now_ms - wm) / 1000.0;
            }
            os.backpressure_seconds = static_cast<double>(o.blocked_total_ns(now_ns)) / 1e9;
            os.backpressure_ratio = samples_[n][s].ratio;
            st.operators.push_back(std::move(os));
        }
    }
    return st;
}

namespace {

std::string metric_value(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), v);
    return ec == std::errc() ? std::string(buf, end) : "NaN";
}

}  // namespace

void job::render_metrics(std::string& out) const {
    job_status st = status();
    struct family {
        const char* name;
        const char* type;
        const char* help;
        std::function<std::optional<double>(const operator_status&)> value;
    };
    const family families[] = {
        {"otter_stream_records_in_total", "counter", "Records handed to the operator subtask",
         [](const operator_status& o) { return static_cast<double>(o.records_in); }},
        {"otter_stream_records_out_total", "counter",
         "Records the operator subtask handed to its downstream consumers",
         [](const operator_status& o) { return static_cast<double>(o.records_out); }},
        {"otter_stream_watermark_ms", "gauge",
         "Current input watermark, event time in ms (-Inf before the first, +Inf after the end)",
         [](const operator_status& o) -> std::optional<double> {
             if (!o.watermark) {
                 return -std::numeric_limits<double>::infinity();
             }
             if (*o.watermark == max_timestamp) {
                 return std::numeric_limits<double>::infinity();
             }
             return static_cast<double>(*o.watermark);
         }},
        {"otter_stream_watermark_lag_seconds", "gauge",
         "Processing time minus the input watermark (only while the watermark is a real time)",
         [](const operator_status& o) { return o.watermark_lag_seconds; }},
        {"otter_stream_backpressure_seconds_total", "counter",
         "Time the subtask spent blocked on a full downstream channel",
         [](const operator_status& o) { return o.backpressure_seconds; }},
        {"otter_stream_backpressure_ratio", "gauge",
         "Fraction of time blocked on a full downstream channel over the last sampling interval",
         [](const operator_status& o) { return o.backpressure_ratio; }},
    };
    for (const auto& f : families) {
        for (const char* part :
             {"# HELP ", f.name, " ", f.help, "\n# TYPE ", f.name, " ", f.type, "\n"}) {
            out += part;
        }
        for (const auto& o : st.operators) {
            auto v = f.value(o);
            if (!v) {
                continue;
            }
            out += f.name;
            out += metrics::format_labels({{"job", cfg_.name},
                                           {"operator", metric_names_[o.node]},
                                           {"subtask", std::to_string(o.subtask)}});
            out += ' ';
            out += metric_value(*v);  // appended piecewise: g++ 12 -O3 -Wrestrict (PR 105329)
            out += '\n';
        }
    }
}

}  // namespace otter::stream

#include "stream/job.h"

#include <algorithm>
#include <chrono>
#include <map>

#include "base/log.h"
#include "metrics/registry.h"

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
    cancel();
    (void)wait();
}

result<std::unique_ptr<job>, error> job::create(job_graph& g, const job_config& cfg,
                                                const run_options& opts) {
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
    return j;
}

result<void, error> job::build() {
    const auto& nodes = g_.nodes();
    auto is_root = [&](const graph_node& n) { return n.input < 0 || n.exchange != nullptr; };

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
                        }
                        built_operator w = child.exchange->make_writer(outs, cfg_.batch_size);
                        bc.outs[child.input_tag].push_back(w.input);
                        ops.emplace_back(c | 0x80000000u, std::move(w.op));
                    } else {
                        bc.outs[child.input_tag].push_back(inputs.at(c));
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
                t = root.exchange->make_input_task(std::move(ins), inputs.at(root.id));
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
    started_ = true;
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
    completed_.fetch_add(1);
    if (cfg_.metrics) {
        auto& m = *cfg_.metrics;
        metrics::labels l{{"job", cfg_.name}};
        m.get_counter("otter_stream_checkpoints_total", "Checkpoints by outcome",
                      {{"job", cfg_.name}, {"outcome", "completed"}})
            .inc();
        m.get_histogram("otter_stream_checkpoint_duration_seconds",
                        "Time from trigger to completed checkpoint", l)
            .observe(
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
        m.get_gauge("otter_stream_checkpoint_size_bytes", "Size of the last checkpoint", l)
            .set(static_cast<double>(info.total_bytes));
    }
    return info;
}

}  // namespace otter::stream

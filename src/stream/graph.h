// The job graph: the logical plan the typed API builds, and the typed factories that turn each
// node into operator instances, one per subtask.
//
// Nodes are sources or one-input operators. An edge is either forward (the child runs in the
// parent's task, chained: a direct call per batch) or an exchange (key_by hash partitioning or
// rebalance) between tasks through bounded channels. Built on one thread before the job starts;
// immutable while it runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stream/channel.h"
#include "stream/operator.h"
#include "stream/task.h"

namespace otter::stream {

struct build_context {
    operator_context ctx;
    size_t batch_size = default_batch_size;
    std::map<uint32_t, std::vector<output_base*>> outs;  // consumers by output tag (0 = main)
};

struct built_operator {
    std::unique_ptr<operator_base> op;
    output_base* input = nullptr;  // the operator's receiving side (an output<In>)
};

using operator_factory = std::function<built_operator(build_context&)>;

// Wraps a node's input (of the node's input type) in a counting_output (stats.h).
using counting_factory = std::unique_ptr<output_base> (*)(output_base* target, operator_stats* in,
                                                          operator_stats* out,
                                                          bool producer_is_source);

// A typed exchange edge: creates its channels, the writer at the end of the producing chain, and
// the input task at the start of the consuming chain.
class exchange_factory {
  public:
    virtual ~exchange_factory() = default;
    // Channel (u, d) is at index u * down + d; it rings down_bells[d].
    virtual std::vector<std::unique_ptr<channel_base>> make_channels(
        uint32_t up, uint32_t down, size_t capacity, const std::vector<doorbell*>& down_bells) = 0;
    virtual built_operator make_writer(std::vector<channel_base*> outs, size_t batch_size) = 0;
    virtual std::unique_ptr<task> make_input_task(std::vector<channel_base*> ins,
                                                  output_base* head) = 0;
};

class source_factory {
  public:
    virtual ~source_factory() = default;
    virtual size_t split_count() const = 0;
    // `splits` are the global split ids this subtask reads.
    virtual std::unique_ptr<task> make_task(uint32_t node, std::vector<size_t> splits,
                                            build_context& bc) = 0;
};

struct graph_node {
    uint32_t id = 0;
    std::string name;
    uint32_t parallelism = 1;
    int input = -1;          // parent node, -1 for sources
    uint32_t input_tag = 0;  // which output of the parent feeds this node (0 = main)
    std::shared_ptr<exchange_factory> exchange;  // set: the input edge is an exchange
    operator_factory make;                       // operators
    std::shared_ptr<source_factory> source;      // sources
    // Operators: counts records into this node (and out of its parent); null: not counted.
    counting_factory counting = nullptr;
    // Sinks: commits the committables of one subtask for a completed checkpoint. Thread-safe.
    std::function<void(uint32_t subtask, uint64_t checkpoint, bytes_view committable)> commit;
    std::vector<uint32_t> children;
};

class job_graph {
  public:
    graph_node& add(graph_node n) {
        n.id = static_cast<uint32_t>(nodes_.size());
        if (n.input >= 0) {
            nodes_[static_cast<size_t>(n.input)].children.push_back(n.id);
        }
        nodes_.push_back(std::move(n));
        return nodes_.back();
    }
    graph_node& node(uint32_t id) { return nodes_[id]; }
    const std::vector<graph_node>& nodes() const { return nodes_; }
    // Topology and parallelism as text; a checkpoint restores only into an equal fingerprint.
    std::string fingerprint() const {
        std::string s;
        for (const auto& n : nodes_) {
            s += std::to_string(n.id) + ":" + n.name + "/" + std::to_string(n.parallelism) + "<" +
                 std::to_string(n.input) + (n.exchange ? "x" : "") + ";";
        }
        return s;
    }

  private:
    std::vector<graph_node> nodes_;
};

}  // namespace otter::stream

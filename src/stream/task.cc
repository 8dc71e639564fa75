#include "stream/task.h"

namespace otter::stream {

bool task::restore(const std::vector<state_section>& sections) {
    for (auto& [node, op] : ops) {
        for (const auto& s : sections) {
            if (s.kind == section_kind::state && s.node == node) {
                reader r(s.data);
                if (!op->restore(r) || !r.ok()) {
                    return false;
                }
            }
        }
    }
    return true;
}

task_snapshot task::snapshot_ops(uint64_t id) {
    task_snapshot s;
    s.task = name;
    s.subtask = subtask;
    for (auto& [node, op] : ops) {
        state_section sec{node, section_kind::state, {}};
        writer w(sec.data);
        op->snapshot(id, w);
        if (!sec.data.empty()) {
            s.sections.push_back(std::move(sec));
        }
        bytes c = op->precommit(id);
        if (!c.empty()) {
            s.sections.push_back({node, section_kind::committable, std::move(c)});
        }
    }
    return s;
}

void task::processing_time_tick() {
    int64_t now = proc_clock->now_ms();
    for (auto& [node, op] : ops) {
        op->on_processing_time(now);
    }
}

}  // namespace otter::stream

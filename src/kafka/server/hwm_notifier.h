// Wakes long-polling Fetch requests when a partition's high watermark advances.
//
// A waiter registers the partitions it reads and a callback; `notify` (called by the flusher
// thread after each group commit) runs the callback of every waiter that reads one of the
// advanced partitions. Callbacks must be cheap and thread-safe (they post to the connection's
// executor). Thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <vector>

namespace otter::storage {
class partition_log;
}

namespace otter::kafka {

class hwm_notifier {
  public:
    struct waiter {
        std::vector<const storage::partition_log*> partitions;
        std::function<void()> wake;
    };
    // The registration lasts while the returned handle is alive.
    std::shared_ptr<waiter> subscribe(std::vector<const storage::partition_log*> partitions,
                                      std::function<void()> wake);
    void notify(const std::vector<const storage::partition_log*>& advanced);

  private:
    std::mutex mu_;
    std::vector<std::weak_ptr<waiter>> waiters_;  // guarded by mu_
};

}  // namespace otter::kafka

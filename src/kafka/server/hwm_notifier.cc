#include "kafka/server/hwm_notifier.h"

#include <algorithm>

namespace otter::kafka {

std::shared_ptr<hwm_notifier::waiter> hwm_notifier::subscribe(
    std::vector<const storage::partition_log*> partitions, std::function<void()> wake) {
    auto w = std::make_shared<waiter>(waiter{std::move(partitions), std::move(wake)});
    std::lock_guard lk(mu_);
    waiters_.push_back(w);
    return w;
}

void hwm_notifier::notify(const std::vector<const storage::partition_log*>& advanced) {
    std::vector<std::shared_ptr<waiter>> to_wake;
    {
        std::lock_guard lk(mu_);
        auto it = waiters_.begin();
        while (it != waiters_.end()) {
            auto w = it->lock();
            if (!w) {
                it = waiters_.erase(it);
                continue;
            }
            bool hit = std::any_of(w->partitions.begin(), w->partitions.end(), [&](auto* p) {
                return std::find(advanced.begin(), advanced.end(), p) != advanced.end();
            });
            if (hit)
                to_wake.push_back(std::move(w));
            ++it;
        }
    }
    for (auto& w : to_wake)
        w->wake();
}

}  // namespace otter::kafka

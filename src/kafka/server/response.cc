#include "kafka/server/response.h"

namespace otter::kafka {

void deferred_body::complete(bytes body) {
    std::function<void()> cb;
    {
        std::lock_guard lk(mu_);
        body_ = std::move(body);
        ready_ = true;
        cb = std::move(cb_);
    }
    if (cb)
        cb();
}

void deferred_body::on_ready(std::function<void()> cb) {
    {
        std::lock_guard lk(mu_);
        if (!ready_) {
            cb_ = std::move(cb);
            return;
        }
    }
    cb();
}

bool deferred_body::ready() const {
    std::lock_guard lk(mu_);
    return ready_;
}

bytes deferred_body::take() {
    std::lock_guard lk(mu_);
    return std::move(body_);
}

}  // namespace otter::kafka

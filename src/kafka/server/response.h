// The outcome of handling one request, as the connection sees it.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "bytes/bytes.h"

namespace otter::kafka {

// A response body that becomes available later (Produce with acks=all waits for fsync).
// complete() may be called from any thread, once; on_ready() runs its callback once the body is
// available (immediately if it already is). Thread-safe.
class deferred_body {
  public:
    void complete(bytes body);
    void on_ready(std::function<void()> cb);
    bool ready() const;
    bytes take();

  private:
    mutable std::mutex mu_;
    bool ready_ = false;        // guarded by mu_
    bytes body_;                // guarded by mu_
    std::function<void()> cb_;  // guarded by mu_
};

struct handler_response {
    enum class kind { body, none, deferred, close };
    kind what = kind::body;
    bytes body;                            // kind::body: encoded response body (no header)
    std::shared_ptr<deferred_body> later;  // kind::deferred

    static handler_response of(bytes b) { return {kind::body, std::move(b), nullptr}; }
    static handler_response no_response() { return {kind::none, {}, nullptr}; }
    static handler_response close_connection() { return {kind::close, {}, nullptr}; }
};

}  // namespace otter::kafka

// The Kafka listener: accepts TCP connections and serves the Kafka protocol on a fixed pool
// of I/O threads.
//
// Each connection reads frames (int32 size + request), dispatches them in order and writes the
// responses back in request order. Produce with acks=all does not hold the connection: the
// next requests are read while the fsync runs, and responses are still sent in order. A
// long-polling Fetch holds its connection (as Kafka's broker mutes it) but no thread.
// Malformed or oversize frames close the connection and are counted.
//
// start() and stop() are called from one thread (the composition root).
#pragma once

#include <memory>
#include <string>

#include "base/result.h"
#include "kafka/server/broker_context.h"

namespace otter::kafka {

class server {
  public:
    explicit server(broker_context& ctx);
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    // Binds the Kafka address and starts the I/O threads.
    result<void, std::string> start();
    // Stops accepting, closes every connection, joins the I/O threads.
    void stop();
    uint16_t port() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace otter::kafka

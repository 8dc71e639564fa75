// A small HTTP/1.1 server for the admin endpoints (/metrics, /v1/...), built on cpp-httplib.
// Routes are registered before start(); requests are served on the server's own thread pool,
// so handlers must be thread-safe. start()/stop() are called from one thread.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/result.h"

namespace otter::http {

struct request {
    std::string method;
    std::string path;
    std::map<std::string, std::string> query;
    std::string body;
};

struct response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

using handler = std::function<response(const request&)>;

class server {
  public:
    server();
    ~server();
    server(const server&) = delete;
    server& operator=(const server&) = delete;

    void get(const std::string& path, handler h);
    void post(const std::string& path, handler h);
    // Binds host:port and starts serving in a background thread. Fails if the port is taken.
    result<void, std::string> start(const std::string& host, uint16_t port);
    void stop();
    uint16_t port() const;

  private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

}  // namespace otter::http

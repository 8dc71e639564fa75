#include "http/server.h"

#include <thread>

#include <httplib.h>

namespace otter::http {

struct server::impl {
    httplib::Server srv;
    std::thread thread;
    uint16_t port = 0;
};

namespace {

httplib::Server::Handler adapt(handler h) {
    return [h = std::move(h)](const httplib::Request& req, httplib::Response& res) {
        request r{req.method, req.path, {}, req.body};
        for (auto& [k, v] : req.params)
            r.query[k] = v;
        response out;
        try {
            out = h(r);
        } catch (const std::exception& e) {
            out = {500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what()};
        }
        res.status = out.status;
        res.set_content(out.body, out.content_type.c_str());
    };
}

}  // namespace

server::server() : impl_(std::make_unique<impl>()) {}

server::~server() {
    stop();
}

void server::get(const std::string& path, handler h) {
    impl_->srv.Get(path, adapt(std::move(h)));
}

void server::post(const std::string& path, handler h) {
    impl_->srv.Post(path, adapt(std::move(h)));
}

result<void, std::string> server::start(const std::string& host, uint16_t port) {
    impl_->srv.set_payload_max_length(1 << 20);
    if (port == 0) {
        int p = impl_->srv.bind_to_any_port(host.c_str());
        if (p < 0)
            return unexpected<std::string>{"cannot bind admin server on " + host};
        impl_->port = static_cast<uint16_t>(p);
    } else {
        if (!impl_->srv.bind_to_port(host.c_str(), port)) {
            return unexpected<std::string>{"cannot bind admin server on " + host + ":" +
                                           std::to_string(port) + " (address in use?)"};
        }
        impl_->port = port;
    }
    impl_->thread = std::thread([this] { impl_->srv.listen_after_bind(); });
    return {};
}

void server::stop() {
    if (impl_->thread.joinable()) {
        impl_->srv.stop();
        impl_->thread.join();
    }
}

uint16_t server::port() const {
    return impl_->port;
}

}  // namespace otter::http

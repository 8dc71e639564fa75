#include "kafka/server/server.h"

#include <array>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include <asio.hpp>

#include "base/log.h"
#include "kafka/protocol/api_keys.h"
#include "kafka/protocol/header.h"
#include "kafka/server/dispatch.h"
#include "kafka/server/hwm_notifier.h"
#include "metrics/registry.h"

namespace otter::kafka {
namespace {

using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
using strand = asio::strand<asio::io_context::executor_type>;

// An edge-triggered wake-up for one coroutine, used on the connection's strand only.
class signal {
  public:
    explicit signal(const strand& s) : timer_(s) {}
    void notify() {
        set_ = true;
        timer_.cancel();
    }
    awaitable<void> wait() {
        if (!set_) {
            timer_.expires_at(asio::steady_timer::time_point::max());
            asio::error_code ec;  // cancellation is the wake-up
            co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
        }
        set_ = false;
    }
    // Waits for notify() or the deadline.
    awaitable<void> wait_until(std::chrono::steady_clock::time_point t) {
        if (!set_) {
            timer_.expires_at(t);
            asio::error_code ec;  // cancellation is the wake-up
            co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
        }
        set_ = false;
    }

  private:
    asio::steady_timer timer_;
    bool set_ = false;
};

struct server_metrics {
    metrics::counter& accepted;
    metrics::counter& closed_malformed;
    metrics::counter& closed_oversize;
    metrics::gauge& open;
    // Per-API series, looked up once at start so the request path takes no registry lock.
    // Index: the API key; keys outside the table share the "Unknown" series.
    static constexpr size_t max_key = 64;
    std::array<metrics::counter*, max_key + 1> requests{};
    std::array<metrics::histogram*, max_key + 1> latency{};

    void init(metrics::registry& reg) {
        for (size_t k = 0; k <= max_key; ++k) {
            auto key = static_cast<api_key>(k < max_key ? k : 0x7fff);
            const char* name = k < max_key && is_known_api(key) ? api_name(key) : "Unknown";
            requests[k] = &reg.get_counter("otter_kafka_requests_total",
                                           "Kafka requests handled, per API.", {{"api", name}});
            latency[k] = &reg.get_histogram(
                "otter_kafka_request_latency_seconds",
                "Time from reading a request to queueing its response, per API.", {{"api", name}});
        }
    }
    static size_t slot(api_key key) {
        auto k = static_cast<int16_t>(key);
        return k >= 0 && static_cast<size_t>(k) < max_key && is_known_api(key)
                   ? static_cast<size_t>(k)
                   : max_key;
    }
};

constexpr size_t max_inflight_per_connection = 16;

class connection : public std::enable_shared_from_this<connection> {
  public:
    connection(tcp::socket sock, strand s, broker_context& b, server_metrics& m)
        : sock_(std::move(sock)),
          strand_(std::move(s)),
          b_(b),
          m_(m),
          write_ready_(strand_),
          space_(strand_),
          fetch_wake_(strand_) {
        m_.open.add(1);
    }
    ~connection() { m_.open.add(-1); }

    void start() {
        asio::error_code ec;
        auto ep = sock_.remote_endpoint(ec);
        peer_host_ = ec ? std::string("unknown") : "/" + ep.address().to_string();
        auto self = shared_from_this();
        asio::co_spawn(
            strand_, [self]() { return self->read_loop(); }, asio::detached);
        asio::co_spawn(
            strand_, [self]() { return self->write_loop(); }, asio::detached);
    }

    // Safe from any thread.
    void close() {
        asio::post(strand_, [self = shared_from_this()] { self->shutdown(); });
    }

  private:
    struct slot {
        api_key key;
        int16_t version;
        int32_t correlation_id;
        bytes body;
        std::shared_ptr<deferred_body> later;
    };

    void shutdown() {
        if (closed_)
            return;
        closed_ = true;
        asio::error_code ec;
        sock_.shutdown(tcp::socket::shutdown_both, ec);
        sock_.close(ec);
        write_ready_.notify();
        space_.notify();
        fetch_wake_.notify();
    }

    awaitable<void> read_loop() {
        auto self = shared_from_this();
        try {
            for (;;) {
                uint8_t size_buf[4];
                co_await asio::async_read(sock_, asio::buffer(size_buf), use_awaitable);
                int32_t size = load_be<int32_t>(size_buf);
                if (size < 8 || size > b_.cfg.max_request_bytes) {
                    spdlog::warn("closing connection from {}: request frame of {} bytes", peer(),
                                 size);
                    m_.closed_malformed.inc();
                    if (size > 0)
                        m_.closed_oversize.inc();
                    break;
                }
                bytes buf(static_cast<size_t>(size));
                co_await asio::async_read(sock_, asio::buffer(buf), use_awaitable);
                if (!co_await handle(buf))
                    break;
            }
        } catch (const std::system_error&) {
            // peer closed or socket shut down
        }
        shutdown();
    }

    // Returns false when the connection must close.
    awaitable<bool> handle(const bytes& buf) {
        reader r(buf);
        request_header hdr;
        if (!decode_request_header(r, hdr)) {
            spdlog::warn("closing connection from {}: malformed request header", peer());
            m_.closed_malformed.inc();
            co_return false;
        }
        auto started = std::chrono::steady_clock::now();
        request_ctx ctx{b_, hdr, r, peer_host_};
        handler_response resp;
        if (hdr.key == api_key::fetch && find_served_api(api_key::fetch) &&
            hdr.version >= find_served_api(api_key::fetch)->min_version &&
            hdr.version <= find_served_api(api_key::fetch)->max_version) {
            resp = co_await run_fetch(ctx);
        } else {
            resp = dispatch(ctx);
        }
        m_.requests[server_metrics::slot(hdr.key)]->inc();
        if (resp.what == handler_response::kind::close) {
            spdlog::warn("closing connection from {}: bad {} v{} request", peer(),
                         api_name(hdr.key), hdr.version);
            m_.closed_malformed.inc();
            co_return false;
        }
        if (resp.what == handler_response::kind::none)
            co_return true;
        while (queue_.size() >= max_inflight_per_connection && !closed_) {
            co_await space_.wait();
        }
        if (closed_)
            co_return false;
        slot s{hdr.key, hdr.version, hdr.correlation_id, std::move(resp.body), resp.later};
        if (s.later) {
            auto self = shared_from_this();
            s.later->on_ready(
                [self] { asio::post(self->strand_, [self] { self->write_ready_.notify(); }); });
        }
        queue_.push_back(std::move(s));
        write_ready_.notify();
        m_.latency[server_metrics::slot(hdr.key)]->observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
        co_return true;
    }

    awaitable<handler_response> run_fetch(request_ctx& ctx) {
        handler_response err;
        auto op = start_fetch(ctx, err);
        if (!op)
            co_return err;
        if (auto r = op->poll(false))
            co_return std::move(*r);
        auto self = shared_from_this();
        auto sub = b_.notifier.subscribe(op->partitions(), [self] {
            asio::post(self->strand_, [self] { self->fetch_wake_.notify(); });
        });
        while (!closed_ && std::chrono::steady_clock::now() < op->deadline()) {
            co_await fetch_wake_.wait_until(op->deadline());
            if (auto r = op->poll(false))
                co_return std::move(*r);
        }
        co_return std::move(*op->poll(true));
    }

    awaitable<void> write_loop() {
        auto self = shared_from_this();
        try {
            for (;;) {
                while (queue_.empty() && !closed_)
                    co_await write_ready_.wait();
                if (closed_)
                    break;
                auto& s = queue_.front();
                while (s.later && !s.later->ready() && !closed_)
                    co_await write_ready_.wait();
                if (closed_)
                    break;
                if (s.later)
                    s.body = s.later->take();
                // Size and header in a small buffer, the body sent from where it is
                // (gather write: a large Fetch body is not copied again).
                writer w;
                size_t size_pos = w.reserve_i32();
                encode_response_header(w, s.key, s.version, s.correlation_id);
                w.patch_i32(size_pos, static_cast<int32_t>(w.size() - 4 + s.body.size()));
                bytes head = w.take();
                bytes body = std::move(s.body);
                queue_.pop_front();
                space_.notify();
                std::array<asio::const_buffer, 2> frame{asio::buffer(head), asio::buffer(body)};
                co_await asio::async_write(sock_, frame, use_awaitable);
            }
        } catch (const std::system_error&) {
        }
        shutdown();
    }

    std::string peer() const {
        asio::error_code ec;
        auto ep = sock_.remote_endpoint(ec);
        return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
    }

    tcp::socket sock_;
    strand strand_;
    broker_context& b_;
    server_metrics& m_;
    std::deque<slot> queue_;  // responses in request order; strand only
    signal write_ready_;
    signal space_;
    signal fetch_wake_;
    bool closed_ = false;
    std::string peer_host_;
};

}  // namespace

struct server::impl {
    explicit impl(broker_context& b)
        : b(b),
          m{b.metrics.get_counter("otter_kafka_connections_accepted_total",
                                  "Kafka connections accepted."),
            b.metrics.get_counter("otter_kafka_connections_closed_malformed_total",
                                  "Connections closed because of a malformed or oversize request."),
            b.metrics.get_counter("otter_kafka_connections_closed_oversize_total",
                                  "Connections closed because a request exceeded the size limit."),
            b.metrics.get_gauge("otter_kafka_connections", "Open Kafka connections.")},
          acceptor(io) {
        m.init(b.metrics);
    }

    awaitable<void> accept_loop() {
        for (;;) {
            // Each connection lives on its own strand; its socket is created on it.
            auto s = asio::make_strand(io);
            asio::error_code ec;
            auto sock = co_await acceptor.async_accept(s, asio::redirect_error(use_awaitable, ec));
            if (ec) {
                if (ec == asio::error::operation_aborted || !acceptor.is_open())
                    co_return;
                spdlog::warn("accept failed: {}", ec.message());
                continue;
            }
            std::lock_guard lk(mu);
            std::erase_if(conns, [](auto& w) { return w.expired(); });
            if (static_cast<int>(conns.size()) >= b.cfg.max_connections) {
                spdlog::warn("refusing connection: {} connections open", conns.size());
                asio::error_code ignore;
                sock.close(ignore);
                continue;
            }
            m.accepted.inc();
            asio::error_code ignore;
            sock.set_option(tcp::no_delay(true), ignore);
            auto c = std::make_shared<connection>(std::move(sock), s, b, m);
            conns.push_back(c);
            c->start();
        }
    }

    broker_context& b;
    server_metrics m;
    asio::io_context io;
    tcp::acceptor acceptor;
    std::vector<std::thread> threads;
    std::mutex mu;
    std::vector<std::weak_ptr<connection>> conns;  // guarded by mu
    uint16_t port = 0;
};

server::server(broker_context& ctx) : impl_(std::make_unique<impl>(ctx)) {}

server::~server() {
    stop();
}

result<void, std::string> server::start() {
    auto& cfg = impl_->b.cfg;
    asio::error_code ec;
    auto addr =
        asio::ip::make_address(cfg.kafka_addr.host.empty() ? "0.0.0.0" : cfg.kafka_addr.host, ec);
    if (ec)
        return unexpected<std::string>{"invalid Kafka address " + cfg.kafka_addr.host};
    tcp::endpoint ep(addr, cfg.kafka_addr.port);
    auto& acc = impl_->acceptor;
    acc.open(ep.protocol(), ec);
    if (!ec)
        acc.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec)
        acc.bind(ep, ec);
    if (!ec)
        acc.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        return unexpected<std::string>{"cannot listen for Kafka clients on " +
                                       cfg.kafka_addr.to_string() + ": " + ec.message()};
    }
    impl_->port = acc.local_endpoint().port();
    asio::co_spawn(impl_->io, impl_->accept_loop(), asio::detached);
    int n = cfg.io_threads > 0
                ? cfg.io_threads
                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    for (int i = 0; i < n; ++i) {
        impl_->threads.emplace_back([this] { impl_->io.run(); });
    }
    return {};
}

void server::stop() {
    if (impl_->threads.empty())
        return;
    asio::post(impl_->io, [this] {
        asio::error_code ec;
        impl_->acceptor.close(ec);
    });
    {
        std::lock_guard lk(impl_->mu);
        for (auto& w : impl_->conns) {
            if (auto c = w.lock())
                c->close();
        }
    }
    // Give connections a moment to finish writing, then stop the loop.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    impl_->io.stop();
    for (auto& t : impl_->threads)
        t.join();
    impl_->threads.clear();
}

uint16_t server::port() const {
    return impl_->port;
}

}  // namespace otter::kafka

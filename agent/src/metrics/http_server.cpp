// See http_server.hpp.  Every socket operation is asynchronous on one
// io_context run by the server's thread, so a slow client holds no thread.
#include "metrics/http_server.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <thread>

#include "log/event.hpp"

namespace tidemark::metrics {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// A scrape or a page load is one small request: anything slower is a stuck
// or hostile client.
constexpr std::chrono::seconds kIoTimeout{15};

class Session : public std::enable_shared_from_this<Session> {
public:
    Session(tcp::socket socket, const HttpHandler& handler) : stream_(std::move(socket)), handler_(handler) {}

    void start() { read(); }

private:
    void read() {
        parser_.emplace();
        parser_->header_limit(16 * 1024);
        parser_->body_limit(64 * 1024);
        stream_.expires_after(kIoTimeout);
        http::async_read(stream_, buffer_, *parser_, beast::bind_front_handler(&Session::on_read, shared_from_this()));
    }

    void on_read(beast::error_code ec, std::size_t) {
        if (ec == http::error::end_of_stream) return close();
        if (ec) return;
        const auto& req = parser_->get();
        HttpRequest request{std::string(req.method_string()), std::string(req.target())};
        HttpResponse answer;
        try {
            answer = handler_(request);
        } catch (const std::exception& e) {
            answer =
                HttpResponse{500, "text/plain; charset=utf-8", std::string("internal error: ") + e.what() + "\n", {}};
        }
        response_ = {};
        response_.version(req.version());
        response_.result(static_cast<http::status>(answer.status));
        response_.set(http::field::server, "tidemark");
        response_.set(http::field::content_type, answer.content_type);
        response_.set(http::field::cache_control, "no-store");
        for (const auto& [name, value] : answer.headers) response_.set(name, value);
        response_.keep_alive(req.keep_alive());
        std::size_t length = answer.body.size();
        if (req.method() != http::verb::head) response_.body() = std::move(answer.body);
        response_.content_length(length);
        stream_.expires_after(kIoTimeout);
        http::async_write(stream_, response_,
                          beast::bind_front_handler(&Session::on_write, shared_from_this(), response_.keep_alive()));
    }

    void on_write(bool keep_alive, beast::error_code ec, std::size_t) {
        if (ec) return;
        if (!keep_alive) return close();
        read();
    }

    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    http::response<http::string_body> response_;
    const HttpHandler& handler_;
};

}  // namespace

struct HttpServer::Impl {
    HttpHandler handler;  // first: sessions refer to it until the io_context is gone
    net::io_context ioc{1};
    tcp::acceptor acceptor{ioc};
    std::thread thread;

    void accept() {
        acceptor.async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
            if (ec == net::error::operation_aborted) return;
            if (!ec) std::make_shared<Session>(std::move(socket), handler)->start();
            accept();
        });
    }
};

HttpServer::HttpServer(const std::string& host, std::uint16_t port, HttpHandler handler) : impl_(new Impl) {
    impl_->handler = std::move(handler);
    beast::error_code ec;
    std::string where = host + ":" + std::to_string(port);
    net::ip::address address = net::ip::make_address(host == "localhost" ? "127.0.0.1" : host, ec);
    if (ec)
        throw std::runtime_error("[metrics] listen = \"" + where + "\": \"" + host +
                                 "\" is not an IP address; use an address such as 127.0.0.1, 0.0.0.0 or [::1]");
    tcp::endpoint endpoint(address, port);
    auto fail = [&](std::string_view step) {
        throw std::runtime_error("could not " + std::string(step) + " " + where + " for the metrics server: " +
                                 ec.message() + "; choose another [metrics] listen address or stop what uses it");
    };
    impl_->acceptor.open(endpoint.protocol(), ec);
    if (ec) fail("open a socket on");
    impl_->acceptor.set_option(net::socket_base::reuse_address(true), ec);
    if (ec) fail("set options on");
    impl_->acceptor.bind(endpoint, ec);
    if (ec) fail("bind");
    impl_->acceptor.listen(net::socket_base::max_listen_connections, ec);
    if (ec) fail("listen on");
    impl_->accept();
    impl_->thread = std::thread([impl = impl_.get()] {
        for (;;) {
            try {
                impl->ioc.run();
                return;
            } catch (const std::exception& e) {
                // A failure in one connection must not end the server.
                log::warn("the metrics server hit an error; it keeps serving", {{"error", e.what()}});
            }
        }
    });
}

HttpServer::~HttpServer() {
    impl_->ioc.stop();
    if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint16_t HttpServer::port() const noexcept {
    beast::error_code ec;
    auto endpoint = impl_->acceptor.local_endpoint(ec);
    return ec ? 0 : endpoint.port();
}

}  // namespace tidemark::metrics

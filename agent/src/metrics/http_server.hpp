// HttpServer: a small HTTP/1.1 server (Boost.Beast on Asio) running in its
// own thread, handing each request to one handler function.  Answers HEAD
// like GET without the body.  Slow or idle clients time out; a handler's
// exception becomes a 500.
// Must not: block the threads that publish metrics (it only reads what
// they publish) or know any route.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace tidemark::metrics {

struct HttpRequest {
    std::string method;  // "GET", "HEAD", ...
    std::string target;  // path and query
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::map<std::string, std::string> headers;  // extra headers (Allow, ...)
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
public:
    // Binds host:port at once (throws std::runtime_error saying why it
    // could not) and serves until destroyed.  `host` is an IP address or
    // "localhost".
    HttpServer(const std::string& host, std::uint16_t port, HttpHandler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    // The bound port (useful when 0 was asked for).
    std::uint16_t port() const noexcept;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace tidemark::metrics

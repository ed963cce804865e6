// See tcp_relay.hpp.
#include "tcp_relay.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <stdexcept>
#include <vector>

namespace tidemark::testing {
namespace {

struct Pair {
    int client;
    int server;
    int generation;
};

sockaddr_in loopback(int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

bool send_all(int fd, const char* data, ssize_t n) {
    while (n > 0) {
        ssize_t sent = ::send(fd, data, static_cast<std::size_t>(n), MSG_NOSIGNAL);
        if (sent <= 0) return false;
        data += sent;
        n -= sent;
    }
    return true;
}

// Moves what `from` has to `to`; false when either side is done.
bool forward(int from, int to) {
    std::array<char, 65536> buffer;
    ssize_t n = ::recv(from, buffer.data(), buffer.size(), 0);
    return n > 0 && send_all(to, buffer.data(), n);
}

}  // namespace

TcpRelay::TcpRelay(int target_port) : target_port_(target_port) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in any = loopback(0);
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
        ::listen(listener_, 64) != 0)
        throw std::runtime_error("tcp relay: cannot listen on the loopback interface");
    socklen_t length = sizeof any;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&any), &length);
    port_ = ntohs(any.sin_port);
    thread_ = std::jthread([this](std::stop_token stop) { run(stop); });
}

TcpRelay::~TcpRelay() {
    thread_.request_stop();
    if (thread_.joinable()) thread_.join();
    ::close(listener_);
}

void TcpRelay::run(std::stop_token stop) {
    std::vector<Pair> pairs;
    auto frozen = [&](const Pair& p) { return p.generation != generation_.load(); };
    while (!stop.stop_requested()) {
        // Frozen pairs are not polled: their bytes stay unread in the
        // kernel, and their sockets stay open.
        std::vector<pollfd> fds{{listener_, POLLIN, 0}};
        std::vector<std::size_t> owner{0};
        for (std::size_t i = 0; i < pairs.size(); ++i) {
            if (frozen(pairs[i])) continue;
            fds.push_back({pairs[i].client, POLLIN, 0});
            fds.push_back({pairs[i].server, POLLIN, 0});
            owner.push_back(i);
            owner.push_back(i);
        }
        if (::poll(fds.data(), fds.size(), 100) <= 0) continue;
        std::vector<bool> done(pairs.size(), false);
        for (std::size_t k = 1; k < fds.size(); ++k) {
            if (!(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            const Pair& p = pairs[owner[k]];
            // Frozen while poll() waited: the bytes stay where they are.
            if (frozen(p)) continue;
            if (!forward(fds[k].fd, fds[k].fd == p.client ? p.server : p.client)) done[owner[k]] = true;
        }
        for (std::size_t i = pairs.size(); i-- > 0;) {
            if (!done[i]) continue;
            ::close(pairs[i].client);
            ::close(pairs[i].server);
            pairs.erase(pairs.begin() + static_cast<std::ptrdiff_t>(i));
        }
        if (fds[0].revents & POLLIN) {
            int client = ::accept(listener_, nullptr, nullptr);
            if (client < 0) continue;
            ++accepted_;
            int server = ::socket(AF_INET, SOCK_STREAM, 0);
            sockaddr_in target = loopback(target_port_);
            if (server < 0 || ::connect(server, reinterpret_cast<sockaddr*>(&target), sizeof target) != 0) {
                ::close(client);
                if (server >= 0) ::close(server);
                continue;
            }
            pairs.push_back({client, server, generation_.load()});
        }
    }
    for (const Pair& p : pairs) {
        ::close(p.client);
        ::close(p.server);
    }
}

}  // namespace tidemark::testing

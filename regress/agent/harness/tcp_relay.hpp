// TcpRelay: a relay on a free loopback port in front of a cluster, for the
// network faults a test needs.  freeze() makes every connection open at
// that moment go silent in both directions without closing it, and
// neither end learns when the other closes (a firewall or load balancer
// that dropped the flows: nothing gets through, nobody is told).
// Connections opened afterwards are relayed as before.
// Must not: touch the bytes it relays, or outlive the test (the destructor
// closes every socket and joins its thread).
#pragma once

#include <atomic>
#include <thread>

namespace tidemark::testing {

class TcpRelay {
public:
    explicit TcpRelay(int target_port);
    ~TcpRelay();
    TcpRelay(const TcpRelay&) = delete;
    TcpRelay& operator=(const TcpRelay&) = delete;

    int port() const noexcept { return port_; }
    void freeze() noexcept { ++generation_; }
    // Connections accepted so far, relayed or not (the cluster may be down).
    int connections() const noexcept { return accepted_.load(); }

private:
    void run(std::stop_token stop);

    int target_port_;
    int listener_ = -1;
    int port_ = 0;
    std::atomic<int> generation_{0};
    std::atomic<int> accepted_{0};
    std::jthread thread_;
};

}  // namespace tidemark::testing

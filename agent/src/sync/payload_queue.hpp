// PayloadQueue: the bounded hand-off from the stream reader thread to the
// applier.  Bounded by bytes (each payload's parsed footprint) and by
// items: when the applier is slower than
// the source, the reader stops reading and the walsender waits, so the
// agent's memory stays flat however far behind it is.
// Records how long pushers waited for room (stats()).
// Must not: drop or reorder items.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>

#include "apply/payload.hpp"
#include "pg/lsn.hpp"

namespace tidemark::sync {

struct QueueItem {
    enum class Kind { payload, keepalive, end, error };
    Kind kind = Kind::payload;
    std::shared_ptr<apply::Payload> payload;
    pg::Lsn wal_end;           // keepalive: the server's sent position
    std::exception_ptr error;  // error: what stopped the reader
};

// The queue's fill and how long pushers have waited for room: the
// backpressure the metrics show.
struct QueueStats {
    std::size_t items = 0;
    std::size_t bytes = 0;
    std::size_t max_bytes = 0;
    std::chrono::steady_clock::duration blocked{};  // total, since the queue was made
};

class PayloadQueue {
public:
    PayloadQueue(std::size_t max_bytes, std::size_t max_items);

    // Waits up to `timeout` for room and moves `item` in; false (and
    // `item` untouched) when there was no room, or the queue is closed.
    // End and error items never wait.
    bool push(QueueItem& item, std::chrono::milliseconds timeout);
    // Waits up to `timeout` for an item.
    std::optional<QueueItem> pop(std::chrono::milliseconds timeout);
    // Wakes and refuses every pusher from now on.
    void close();
    bool closed() const;
    std::size_t size() const;
    QueueStats stats() const;

private:
    static std::size_t weight(const QueueItem& item) noexcept;

    mutable std::mutex mutex_;
    std::condition_variable not_full_;
    std::condition_variable not_empty_;
    std::deque<QueueItem> items_;
    std::size_t bytes_ = 0;
    std::size_t max_bytes_;
    std::size_t max_items_;
    bool closed_ = false;
    std::chrono::steady_clock::duration blocked_{};
};

}  // namespace tidemark::sync

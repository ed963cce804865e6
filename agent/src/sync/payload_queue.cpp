// See payload_queue.hpp.
#include "sync/payload_queue.hpp"

namespace tidemark::sync {

PayloadQueue::PayloadQueue(std::size_t max_bytes, std::size_t max_items)
    : max_bytes_(max_bytes), max_items_(max_items == 0 ? 1 : max_items) {}

std::size_t PayloadQueue::weight(const QueueItem& item) noexcept {
    return item.payload ? item.payload->footprint() : 0;
}

bool PayloadQueue::push(QueueItem& item, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (closed_) return false;
    const bool control = item.kind == QueueItem::Kind::end || item.kind == QueueItem::Kind::error;
    std::size_t w = weight(item);
    if (!control) {
        // An item bigger than the whole budget still goes through, alone.
        auto room = [&] {
            return closed_ || items_.empty() || (items_.size() < max_items_ && bytes_ + w <= max_bytes_);
        };
        if (!room()) {
            auto began = std::chrono::steady_clock::now();
            bool got = not_full_.wait_for(lock, timeout, room);
            blocked_ += std::chrono::steady_clock::now() - began;
            if (!got) return false;
        }
        if (closed_) return false;
    }
    bytes_ += w;
    items_.push_back(std::move(item));
    not_empty_.notify_one();
    return true;
}

std::optional<QueueItem> PayloadQueue::pop(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    if (!not_empty_.wait_for(lock, timeout, [&] { return !items_.empty(); })) return std::nullopt;
    QueueItem item = std::move(items_.front());
    items_.pop_front();
    bytes_ -= weight(item);
    not_full_.notify_one();
    return item;
}

void PayloadQueue::close() {
    std::lock_guard lock(mutex_);
    closed_ = true;
    not_full_.notify_all();
    not_empty_.notify_all();
}

bool PayloadQueue::closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
}

QueueStats PayloadQueue::stats() const {
    std::lock_guard lock(mutex_);
    return QueueStats{items_.size(), bytes_, max_bytes_, blocked_};
}

std::size_t PayloadQueue::size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
}

}  // namespace tidemark::sync

// See payload.hpp.
#include "apply/payload.hpp"

#include <type_traits>
#include <variant>

namespace tidemark::apply {

std::size_t Payload::footprint() const noexcept {
    std::size_t bytes = sizeof(Payload) + buffer.size() + messages.capacity() * sizeof(wire::Message);
    for (const auto& m : messages) {
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, wire::Insert>) {
                    bytes += v.new_tuple.capacity() * sizeof(wire::Value);
                } else if constexpr (std::is_same_v<T, wire::Update>) {
                    bytes += (v.old_tuple.capacity() + v.new_tuple.capacity()) * sizeof(wire::Value);
                } else if constexpr (std::is_same_v<T, wire::Delete>) {
                    bytes += v.old_tuple.capacity() * sizeof(wire::Value);
                }
            },
            m);
    }
    return bytes;
}

}  // namespace tidemark::apply

// See array_param.hpp.
#include "apply/array_param.hpp"

#include <limits>
#include <stdexcept>

namespace tidemark::apply {
namespace {

void put_int32(std::string& out, std::uint32_t v) {
    out += static_cast<char>((v >> 24) & 0xFF);
    out += static_cast<char>((v >> 16) & 0xFF);
    out += static_cast<char>((v >> 8) & 0xFF);
    out += static_cast<char>(v & 0xFF);
}

constexpr std::size_t kMaxInt32 = static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max());

}  // namespace

ArrayParam::ArrayParam(Oid element_type, std::size_t expected_elements) : element_type_(element_type) {
    body_.reserve(expected_elements * 12);
}

void ArrayParam::add(std::string_view element) {
    if (element.size() > kMaxInt32 || count_ >= kMaxInt32)
        throw std::length_error("array parameter: an element or the element count exceeds 2^31 - 1");
    put_int32(body_, static_cast<std::uint32_t>(element.size()));
    body_.append(element);
    ++count_;
}

void ArrayParam::add_null() {
    if (count_ >= kMaxInt32) throw std::length_error("array parameter: the element count exceeds 2^31 - 1");
    put_int32(body_, 0xFFFFFFFFu);
    has_nulls_ = true;
    ++count_;
}

std::string ArrayParam::finish() {
    std::string out;
    out.reserve(20 + body_.size());
    if (count_ == 0) {
        // array_recv reads ndim 0 as the empty array and nothing after the
        // element OID.
        put_int32(out, 0);
        put_int32(out, 0);
        put_int32(out, element_type_);
    } else {
        put_int32(out, 1);
        put_int32(out, has_nulls_ ? 1u : 0u);
        put_int32(out, element_type_);
        put_int32(out, static_cast<std::uint32_t>(count_));
        put_int32(out, 1);
        out += body_;
    }
    body_.clear();
    count_ = 0;
    has_nulls_ = false;
    return out;
}

}  // namespace tidemark::apply

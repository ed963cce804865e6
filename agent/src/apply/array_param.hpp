// ArrayParam: a one-dimensional PostgreSQL array in binary send format,
// built straight from the wire's value bytes, so a whole column of a batch
// travels as one parameter and no value is converted in the agent:
//   int32 ndim = 1, int32 has_nulls, uint32 element OID,
//   int32 dimension, int32 lower bound = 1,
//   then per element int32 length (-1 for NULL) and the element's bytes.
// Elements are a type's send format (binary values, element OID = the
// column's type) or text bytes (text values, element OID 25 = text).
// Must not: accept an element of the other kind, or more elements than an
// int32 dimension holds.
#pragma once

#include <libpq-fe.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tidemark::apply {

inline constexpr Oid kTextOid = 25;
inline constexpr Oid kTextArrayOid = 1009;

class ArrayParam {
public:
    explicit ArrayParam(Oid element_type, std::size_t expected_elements = 0);

    void add(std::string_view element);
    void add_null();
    std::size_t size() const noexcept { return count_; }
    Oid element_type() const noexcept { return element_type_; }
    // The finished array; the builder is left empty.
    std::string finish();

private:
    Oid element_type_;
    std::string body_;
    std::size_t count_ = 0;
    bool has_nulls_ = false;
};

}  // namespace tidemark::apply

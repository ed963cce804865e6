// ArrayParam: the binary array format array_recv reads, byte for byte.
#include "apply/array_param.hpp"

#include <gtest/gtest.h>

#include <string>

namespace tidemark::apply {
namespace {

std::string be32(std::uint32_t v) {
    std::string s;
    for (int shift = 24; shift >= 0; shift -= 8) s += static_cast<char>((v >> shift) & 0xFF);
    return s;
}

TEST(ArrayParam, WritesHeaderThenLengthPrefixedElements) {
    ArrayParam a(23);  // int4
    a.add(be32(7));
    a.add_null();
    a.add(be32(0xFFFFFFFE));
    EXPECT_EQ(a.size(), 3u);
    std::string expected = be32(1) + be32(1) + be32(23) + be32(3) + be32(1) +  // ndim, has_nulls, oid, dim, lbound
                           be32(4) + be32(7) + be32(0xFFFFFFFF) + be32(4) + be32(0xFFFFFFFE);
    EXPECT_EQ(a.finish(), expected);
}

TEST(ArrayParam, NoNullsClearsTheFlag) {
    ArrayParam a(kTextOid);
    a.add("ab");
    a.add("");
    std::string expected = be32(1) + be32(0) + be32(25) + be32(2) + be32(1) + be32(2) + "ab" + be32(0);
    EXPECT_EQ(a.finish(), expected);
}

TEST(ArrayParam, EmptyArrayHasNoDimensions) {
    ArrayParam a(20);
    EXPECT_EQ(a.finish(), be32(0) + be32(0) + be32(20));
}

TEST(ArrayParam, FinishLeavesTheBuilderEmpty) {
    ArrayParam a(25);
    a.add("x");
    a.add_null();
    a.finish();
    EXPECT_EQ(a.size(), 0u);
    a.add("y");
    EXPECT_EQ(a.finish(), be32(1) + be32(0) + be32(25) + be32(1) + be32(1) + be32(1) + "y");
}

}  // namespace
}  // namespace tidemark::apply

// Unit tests of the format's integer encodings (wire/varint.hpp).
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>

#include "wire/byte_cursor.hpp"
#include "wire/format_error.hpp"
#include "wire/varint.hpp"

namespace tidemark::wire {
namespace {

std::string uvar(std::uint64_t v) {
    std::string out;
    append_uvar(out, v);
    return out;
}

TEST(Varint, EncodesBoundariesWithTheExpectedLength) {
    EXPECT_EQ(uvar(0), std::string(1, '\0'));
    EXPECT_EQ(uvar(127), "\x7f");
    EXPECT_EQ(uvar(128), "\x80\x01");
    EXPECT_EQ(uvar(300), "\xac\x02");
    EXPECT_EQ(uvar(16383).size(), 2u);
    EXPECT_EQ(uvar(16384).size(), 3u);
    EXPECT_EQ(uvar(std::numeric_limits<std::uint64_t>::max()).size(), 10u);
    EXPECT_EQ(uvar(std::numeric_limits<std::uint64_t>::max()).back(), '\x01');
}

TEST(Varint, RoundTripsEveryPowerOfTwoNeighbour) {
    for (int bit = 0; bit < 64; ++bit) {
        for (std::uint64_t v : {(1ULL << bit) - 1, 1ULL << bit, (1ULL << bit) + 1}) {
            std::string bytes = uvar(v);
            UvarDecode d = decode_uvar(bytes);
            ASSERT_EQ(d.status, UvarStatus::ok) << v;
            EXPECT_EQ(d.value, v);
            EXPECT_EQ(d.length, bytes.size());
        }
    }
}

TEST(Varint, AcceptsNonMinimalEncodings) {
    UvarDecode d = decode_uvar(std::string("\x80\x80\x00", 3));
    ASSERT_EQ(d.status, UvarStatus::ok);
    EXPECT_EQ(d.value, 0u);
    EXPECT_EQ(d.length, 3u);
}

TEST(Varint, RejectsTruncatedAndOverlongInput) {
    EXPECT_EQ(decode_uvar("").status, UvarStatus::truncated);
    EXPECT_EQ(decode_uvar("\x80").status, UvarStatus::truncated);
    EXPECT_EQ(decode_uvar(std::string(9, '\xff')).status, UvarStatus::truncated);
    // Ten bytes whose last one carries more than bit 63.
    EXPECT_EQ(decode_uvar(std::string(9, '\xff') + "\x02").status, UvarStatus::overflow);
    // Eleven bytes: never valid.
    EXPECT_EQ(decode_uvar(std::string(10, '\x80') + '\x00').status, UvarStatus::overflow);
}

TEST(Zigzag, MapsSmallMagnitudesToSmallCodes) {
    EXPECT_EQ(zigzag_encode(0), 0u);
    EXPECT_EQ(zigzag_encode(-1), 1u);
    EXPECT_EQ(zigzag_encode(1), 2u);
    EXPECT_EQ(zigzag_encode(-2), 3u);
    EXPECT_EQ(zigzag_encode(std::numeric_limits<std::int64_t>::max()), std::numeric_limits<std::uint64_t>::max() - 1);
    EXPECT_EQ(zigzag_encode(std::numeric_limits<std::int64_t>::min()), std::numeric_limits<std::uint64_t>::max());
}

TEST(Zigzag, RoundTripsExtremes) {
    for (std::int64_t v :
         {std::numeric_limits<std::int64_t>::min(), std::int64_t{-65536}, std::int64_t{-1}, std::int64_t{0},
          std::int64_t{1}, std::int64_t{65535}, std::numeric_limits<std::int64_t>::max()}) {
        EXPECT_EQ(zigzag_decode(zigzag_encode(v)), v);
        std::string bytes;
        append_svar(bytes, v);
        ByteCursor cursor(bytes);
        EXPECT_EQ(cursor.svar("svar"), v);
        EXPECT_TRUE(cursor.at_end());
    }
}

TEST(ByteCursor, ReadsBigEndianI64) {
    std::string bytes;
    append_i64(bytes, -2);
    EXPECT_EQ(bytes, std::string("\xff\xff\xff\xff\xff\xff\xff\xfe", 8));
    ByteCursor cursor(bytes);
    EXPECT_EQ(cursor.i64("time"), -2);
}

TEST(ByteCursor, ErrorsNameTheOffsetAndTheField) {
    std::string bytes =
        "\x05"
        "abc";
    ByteCursor cursor(bytes, 100);
    try {
        cursor.str("column name");
        FAIL() << "a string longer than the input was accepted";
    } catch (const FormatError& e) {
        EXPECT_EQ(e.offset(), 101u);
        EXPECT_NE(std::string(e.what()).find("column name"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("offset 101"), std::string::npos) << e.what();
    }
}

TEST(ByteCursor, Uvar32RefusesValuesAbove32Bits) {
    std::string bytes = uvar(0x100000000ULL);
    ByteCursor cursor(bytes);
    EXPECT_THROW(cursor.uvar32("relid"), FormatError);
}

}  // namespace
}  // namespace tidemark::wire

// Unit tests of pg/ helpers that need no server: Lsn, timestamps, quoting,
// conninfo masking, SQLSTATE classes.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "pg/conninfo_mask.hpp"
#include "pg/database_error.hpp"
#include "pg/lsn.hpp"
#include "pg/quoting.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::pg {
namespace {

TEST(Lsn, ParsesAndFormatsAsPostgresDoes) {
    Lsn l = Lsn::parse("16/B374D848");
    EXPECT_EQ(l.value(), 0x16B374D848ULL);
    EXPECT_EQ(l.to_string(), "16/B374D848");
    EXPECT_EQ(Lsn::parse("0/0").to_string(), "0/0");
    EXPECT_EQ(Lsn::parse("ffffffff/ffffffff").to_string(), "FFFFFFFF/FFFFFFFF");
    EXPECT_EQ(Lsn::parse("00000001/0000000A").to_string(), "1/A");
    EXPECT_FALSE(Lsn(0).is_valid());
    EXPECT_TRUE(l.is_valid());
}

TEST(Lsn, RefusesWhatPgLsnInRefuses) {
    for (const char* bad :
         {"", "/", "1/", "/1", "1", "1/2/3", "123456789/0", "0/123456789", "g/0", " 1/0", "1/0 ", "-1/0"})
        EXPECT_FALSE(Lsn::try_parse(bad).has_value()) << bad;
    EXPECT_THROW(Lsn::parse("nope"), std::invalid_argument);
}

TEST(Lsn, ComparesAndDoesArithmetic) {
    Lsn a = Lsn::parse("0/100"), b = Lsn::parse("1/0");
    EXPECT_LT(a, b);
    EXPECT_EQ(b - a, 0x100000000ULL - 0x100);
    EXPECT_EQ((a + 0x10).to_string(), "0/110");
    EXPECT_THROW(a - b, std::underflow_error);
    EXPECT_THROW(Lsn(~0ULL) + 1, std::overflow_error);
}

TEST(Timestamp, FormatsUtcWithSixDigits) {
    EXPECT_EQ(format_timestamp(0), "2000-01-01T00:00:00.000000+00:00");
    EXPECT_EQ(format_timestamp(-1), "1999-12-31T23:59:59.999999+00:00");
    EXPECT_EQ(format_timestamp(820638245000006LL), "2026-01-02T03:04:05.000006+00:00");
    // Leap day of a leap century.
    EXPECT_EQ(format_timestamp(parse_timestamp("2000-02-29T12:00:00Z")), "2000-02-29T12:00:00.000000+00:00");
}

TEST(Timestamp, ParsesOffsetsAndFractions) {
    EXPECT_EQ(parse_timestamp("2026-01-02 03:04:05.000006+00"), 820638245000006LL);
    EXPECT_EQ(parse_timestamp("2026-01-02T05:04:05.000006+02:00"), 820638245000006LL);
    EXPECT_EQ(parse_timestamp("2026-01-01T23:04:05.000006-0400"), 820638245000006LL);
    EXPECT_EQ(parse_timestamp("2000-01-01T00:00:00.5Z"), 500000);
    for (const char* bad : {"2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2026-01-01T00:00:00", "2026-01-01",
                            "2026-01-01T24:00:00Z", "2026-01-01T00:00:00.1234567Z", "2026-01-01T00:00:00Zx"})
        EXPECT_THROW(parse_timestamp(bad), std::invalid_argument) << bad;
}

TEST(Timestamp, FourDigitYearRangeIsInclusive) {
    std::int64_t first = parse_timestamp("0001-01-01T00:00:00Z");
    std::int64_t last = parse_timestamp("9999-12-31T23:59:59.999999Z");
    EXPECT_TRUE(in_four_digit_years(first));
    EXPECT_FALSE(in_four_digit_years(first - 1));
    EXPECT_TRUE(in_four_digit_years(last));
    EXPECT_FALSE(in_four_digit_years(last + 1));
    EXPECT_EQ(format_timestamp(first), "0001-01-01T00:00:00.000000+00:00");
    EXPECT_EQ(format_timestamp(last), "9999-12-31T23:59:59.999999+00:00");
}

TEST(Timestamp, ConvertsToAndFromSystemClock) {
    SystemTime t = to_system_time(0);
    EXPECT_EQ(t.time_since_epoch().count(), kPgEpochOffsetMicros);
    EXPECT_EQ(from_system_time(t), 0);
    EXPECT_GT(pg_now(), parse_timestamp("2024-01-01T00:00:00Z"));
}

TEST(Quoting, IdentifiersAreAlwaysQuotedWithQuotesDoubled) {
    EXPECT_EQ(quote_identifier("orders"), "\"orders\"");
    EXPECT_EQ(quote_identifier("My \"Table\""), "\"My \"\"Table\"\"\"");
    EXPECT_EQ(quote_qualified("public", "Orders"), "\"public\".\"Orders\"");
    EXPECT_THROW(quote_identifier(""), std::invalid_argument);
    EXPECT_THROW(quote_identifier(std::string("a\0b", 3)), std::invalid_argument);
}

TEST(Quoting, LiteralsUseEscapeStringSyntaxOnlyForBackslashes) {
    EXPECT_EQ(quote_literal("it's"), "'it''s'");
    EXPECT_EQ(quote_literal("a\\b'c"), "E'a\\\\b''c'");
    EXPECT_EQ(quote_literal(""), "''");
    EXPECT_THROW(quote_literal(std::string("\0", 1)), std::invalid_argument);
}

TEST(ConninfoMask, HidesPasswordsInKeywordForm) {
    std::string m = mask_conninfo("host=db.example port=5433 user=app password=hunter2 dbname=app");
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
    EXPECT_NE(m.find("password=********"), std::string::npos) << m;
    EXPECT_NE(m.find("host=db.example"), std::string::npos) << m;
    EXPECT_NE(m.find("port=5433"), std::string::npos) << m;
}

TEST(ConninfoMask, HidesPasswordsInUris) {
    std::string m = mask_conninfo("postgresql://app:s3cr%40t@db.example:5433/app?sslmode=require");
    EXPECT_EQ(m.find("s3cr"), std::string::npos) << m;
    EXPECT_NE(m.find("password=********"), std::string::npos) << m;
    EXPECT_NE(m.find("user=app"), std::string::npos) << m;
    EXPECT_NE(m.find("sslmode=require"), std::string::npos) << m;
    m = mask_conninfo("postgres://db.example/app?user=u&password=qwerty");
    EXPECT_EQ(m.find("qwerty"), std::string::npos) << m;
}

TEST(ConninfoMask, HidesQuotedPasswordsAndSslPasswords) {
    std::string m = mask_conninfo("host=a password='two words' sslpassword=keypass");
    EXPECT_EQ(m.find("two words"), std::string::npos) << m;
    EXPECT_EQ(m.find("keypass"), std::string::npos) << m;
}

TEST(ConninfoMask, HidesPasswordsInUnparseableText) {
    std::string m = mask_conninfo("host=a password=hunter2 oops");
    EXPECT_EQ(m.find("hunter2"), std::string::npos) << m;
    m = mask_conninfo("postgresql://u:pw123@h:notaport/db");
    EXPECT_EQ(m.find("pw123"), std::string::npos) << m;
    m = mask_conninfo("password = 'it\\'s secret' bogus");
    EXPECT_EQ(m.find("secret"), std::string::npos) << m;
}

TEST(ConninfoMask, ValidityFollowsLibpq) {
    EXPECT_TRUE(conninfo_is_valid("host=a dbname=b"));
    EXPECT_TRUE(conninfo_is_valid("postgresql://u@h/db"));
    EXPECT_TRUE(conninfo_is_valid(""));
    EXPECT_FALSE(conninfo_is_valid("host=a nonsense"));
    EXPECT_FALSE(conninfo_is_valid("nosuchkeyword=1"));
}

TEST(DatabaseError, ConnectionClassesAreRetryable) {
    EXPECT_TRUE(is_connection_error("08006"));
    EXPECT_TRUE(is_connection_error("08P01"));
    EXPECT_TRUE(is_connection_error("57P01"));
    EXPECT_FALSE(is_connection_error("23505"));
    EXPECT_FALSE(is_connection_error(""));
    DatabaseError e("23505", "duplicate key", "Key (id)=(1) already exists.", "", "while applying a batch");
    EXPECT_FALSE(e.is_connection_error());
    EXPECT_EQ(std::string(e.what()),
              "while applying a batch: duplicate key (SQLSTATE 23505); detail: Key (id)=(1) already exists.");
    DatabaseError lost("", "server closed the connection", "", "", "while streaming", true);
    EXPECT_TRUE(lost.is_connection_error());
}

// Rolled back for a reason that passes: retried from the saved position,
// like a lost connection.  A configured limit (too many replication
// slots), a row the target refuses, a missing table, a slot in use are
// not, and neither is a lost connection (its own class).
TEST(DatabaseError, TransientRollbacksAreRetriedAndNothingElse) {
    for (const char* code : {"40001", "40P01", "55P03", "57014", "53100", "53200", "53300", "25006"}) {
        EXPECT_TRUE(is_transient_error(code)) << code;
        EXPECT_TRUE(DatabaseError(code, "x", "", "", "").is_transient()) << code;
    }
    for (const char* code : {"53400", "23505", "22P02", "42P01", "55000", "55006", "08006", "57P01", "", "4000"})
        EXPECT_FALSE(is_transient_error(code)) << code;
}

}  // namespace
}  // namespace tidemark::pg

// See column_widening.hpp.
#include "schema/column_widening.hpp"

#include <algorithm>

#include "pg/quoting.hpp"

namespace tidemark::schema {
namespace {

constexpr Oid kInt2 = 21, kInt4 = 23, kInt8 = 20;
constexpr Oid kFloat4 = 700, kFloat8 = 701;
constexpr Oid kNumeric = 1700;
constexpr Oid kText = 25, kVarchar = 1043;
constexpr Oid kVarbit = 1562;
constexpr Oid kTimestamp = 1114, kTimestamptz = 1184, kTime = 1083, kTimetz = 1266;

// PostgreSQL's numeric typmod: ((precision << 16) | (scale & 0x7ff)) + 4,
// the scale an 11-bit signed number since 15.
constexpr std::int32_t kVarHdrSz = 4;
constexpr int kMaxNumericPrecision = 1000;

struct NumericSize {
    int precision;
    int scale;
};

NumericSize numeric_size(std::int32_t typmod) {
    std::int32_t v = typmod - kVarHdrSz;
    return {(v >> 16) & 0xffff, ((v & 0x7ff) ^ 1024) - 1024};
}

std::int32_t numeric_typmod(NumericSize n) { return ((n.precision << 16) | (n.scale & 0x7ff)) + kVarHdrSz; }

int rank(Oid oid, std::initializer_list<Oid> narrow_to_wide) {
    int r = 1;
    for (Oid o : narrow_to_wide) {
        if (o == oid) return r;
        ++r;
    }
    return 0;
}

std::optional<ColumnType> by_rank(ColumnType source, ColumnType target, std::initializer_list<Oid> narrow_to_wide) {
    int s = rank(source.oid, narrow_to_wide);
    int t = rank(target.oid, narrow_to_wide);
    if (s == 0 || t == 0 || s <= t) return std::nullopt;
    return ColumnType{source.oid, -1};
}

std::optional<ColumnType> numeric(ColumnType source, ColumnType target) {
    if (target.typmod < 0) return std::nullopt;
    if (source.typmod < 0) return ColumnType{kNumeric, -1};
    NumericSize s = numeric_size(source.typmod);
    NumericSize t = numeric_size(target.typmod);
    if (t.scale >= s.scale && t.precision - t.scale >= s.precision - s.scale) return std::nullopt;
    int scale = std::max(s.scale, t.scale);
    int precision = scale + std::max(s.precision - s.scale, t.precision - t.scale);
    if (precision < 1 || precision > kMaxNumericPrecision) return ColumnType{kNumeric, -1};
    return ColumnType{kNumeric, numeric_typmod({precision, scale})};
}

// varchar(n) and text; bit varying(n).  A typmod of -1 is unbounded.
std::optional<ColumnType> length(ColumnType source, ColumnType target) {
    if (target.oid == kText || target.typmod < 0) return std::nullopt;
    if (source.oid == kText) return ColumnType{kText, -1};
    if (source.typmod >= 0 && source.typmod <= target.typmod) return std::nullopt;
    return source;
}

// Fractional digits of seconds; -1 is the most there are (6).
std::optional<ColumnType> precision(ColumnType source, ColumnType target) {
    if (target.typmod < 0) return std::nullopt;
    if (source.typmod >= 0 && source.typmod <= target.typmod) return std::nullopt;
    return source;
}

bool is_string(Oid oid) { return oid == kText || oid == kVarchar; }

}  // namespace

std::optional<ColumnType> widened_type(ColumnType source, ColumnType target) {
    if (rank(source.oid, {kInt2, kInt4, kInt8}) && rank(target.oid, {kInt2, kInt4, kInt8}))
        return by_rank(source, target, {kInt2, kInt4, kInt8});
    if (rank(source.oid, {kFloat4, kFloat8}) && rank(target.oid, {kFloat4, kFloat8}))
        return by_rank(source, target, {kFloat4, kFloat8});
    if (source.oid == kNumeric && target.oid == kNumeric) return numeric(source, target);
    if (is_string(source.oid) && is_string(target.oid)) return length(source, target);
    if (source.oid == kVarbit && target.oid == kVarbit) return length(source, target);
    if (source.oid == target.oid &&
        (source.oid == kTimestamp || source.oid == kTimestamptz || source.oid == kTime || source.oid == kTimetz))
        return precision(source, target);
    return std::nullopt;
}

std::optional<Widening> widening(pg::Connection& target, const std::string& table, const std::string& column,
                                 ColumnType source, ColumnType current) {
    auto wider = widened_type(source, current);
    if (!wider) return std::nullopt;
    pg::Result names = target.exec_params("SELECT pg_catalog.format_type($1, $2), pg_catalog.format_type($3, $4)",
                                          pg::TextParams{std::to_string(source.oid), std::to_string(source.typmod),
                                                         std::to_string(wider->oid), std::to_string(wider->typmod)},
                                          "while naming the type of column " + column + " of " + table);
    Widening w;
    w.source_type = std::string(names.value(0, 0));
    w.type = std::string(names.value(0, 1));
    w.sql = "ALTER TABLE " + table + " ALTER COLUMN " + pg::quote_identifier(column) + " TYPE " + w.type;
    return w;
}

}  // namespace tidemark::schema

// See result.hpp.
#include "pg/result.hpp"

#include <cstdlib>
#include <stdexcept>
#include <string>
#include <utility>

namespace tidemark::pg {

Result::~Result() {
    if (result_) PQclear(result_);
}

Result::Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Result& Result::operator=(Result&& other) noexcept {
    if (this != &other) {
        if (result_) PQclear(result_);
        result_ = std::exchange(other.result_, nullptr);
    }
    return *this;
}

ExecStatusType Result::status() const noexcept { return result_ ? PQresultStatus(result_) : PGRES_FATAL_ERROR; }

int Result::rows() const noexcept { return result_ ? PQntuples(result_) : 0; }

int Result::cols() const noexcept { return result_ ? PQnfields(result_) : 0; }

void Result::check(int row, int col) const {
    if (row < 0 || row >= rows() || col < 0 || col >= cols())
        throw std::out_of_range("result has " + std::to_string(rows()) + " rows and " + std::to_string(cols()) +
                                " columns; asked for row " + std::to_string(row) + " column " + std::to_string(col));
}

std::string_view Result::value(int row, int col) const {
    check(row, col);
    return {PQgetvalue(result_, row, col), static_cast<std::size_t>(PQgetlength(result_, row, col))};
}

bool Result::is_null(int row, int col) const {
    check(row, col);
    return PQgetisnull(result_, row, col) != 0;
}

std::optional<std::string_view> Result::optional_value(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return value(row, col);
}

std::string_view Result::column_name(int col) const {
    if (col < 0 || col >= cols()) throw std::out_of_range("result has no column " + std::to_string(col));
    return PQfname(result_, col);
}

int Result::column_index(std::string_view name) const {
    for (int i = 0; i < cols(); ++i)
        if (column_name(i) == name) return i;
    throw std::out_of_range("result has no column \"" + std::string(name) + "\"");
}

Oid Result::column_type(int col) const {
    if (col < 0 || col >= cols()) throw std::out_of_range("result has no column " + std::to_string(col));
    return PQftype(result_, col);
}

long long Result::affected_rows() const noexcept {
    if (!result_) return 0;
    const char* n = PQcmdTuples(result_);
    return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

}  // namespace tidemark::pg

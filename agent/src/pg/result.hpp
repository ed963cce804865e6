// Result: RAII owner of one PGresult, with bounds-checked accessors.
// Must not: interpret values (callers parse the text they read).
#pragma once

#include <libpq-fe.h>

#include <optional>
#include <string_view>

namespace tidemark::pg {

class Result {
public:
    Result() noexcept = default;
    explicit Result(PGresult* result) noexcept : result_(result) {}
    ~Result();
    Result(Result&& other) noexcept;
    Result& operator=(Result&& other) noexcept;
    Result(const Result&) = delete;
    Result& operator=(const Result&) = delete;

    explicit operator bool() const noexcept { return result_ != nullptr; }
    PGresult* native() const noexcept { return result_; }
    ExecStatusType status() const noexcept;

    int rows() const noexcept;
    int cols() const noexcept;
    // Accessors throw std::out_of_range for a row or column outside the result.
    std::string_view value(int row, int col) const;
    bool is_null(int row, int col) const;
    std::optional<std::string_view> optional_value(int row, int col) const;
    std::string_view column_name(int col) const;
    // Throws std::out_of_range naming the column when the result lacks it.
    int column_index(std::string_view name) const;
    Oid column_type(int col) const;
    // Rows affected by INSERT/UPDATE/DELETE/COPY..., 0 when not applicable.
    long long affected_rows() const noexcept;

private:
    void check(int row, int col) const;

    PGresult* result_ = nullptr;
};

}  // namespace tidemark::pg

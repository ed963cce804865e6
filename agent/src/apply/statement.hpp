// Statement: one SQL statement ready to send in the apply pipeline, with
// the parameter bytes it owns (arrays built for it) or borrows (wire
// values of a payload the batch keeps alive).
// Must not: be sent after the payloads it borrows from are released.
#pragma once

#include <libpq-fe.h>

#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/result.hpp"

namespace tidemark::apply {

struct Statement {
    std::string sql;
    std::vector<pg::Param> params;
    // Says what the statement does, for error messages.
    std::string context;
    // The set-wise statements of a relation recur with every batch: the
    // session sends them as named prepared statements, so each shape is
    // parsed and planned once per connection rather than once per batch.
    bool reusable = false;
    // Where ApplySession::run leaves the statement's result (a probe's
    // rows); null when the result is only checked for an error.
    pg::Result* result = nullptr;

    Statement() = default;
    explicit Statement(std::string text, std::string what = {}) : sql(std::move(text)), context(std::move(what)) {}
    Statement(Statement&&) noexcept = default;
    Statement& operator=(Statement&&) noexcept = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;

    // Appends a parameter and returns its number ($n) for the SQL text.
    int own(std::string bytes, bool binary, Oid type);
    int own_text(std::optional<std::string> text);
    int borrow(std::optional<std::string_view> bytes, bool binary, Oid type);

    static Statement with_text_params(std::string sql, const pg::TextParams& params, std::string context = {});

private:
    // A deque never moves its elements, so params may point into them.
    std::deque<std::string> buffers_;
};

}  // namespace tidemark::apply

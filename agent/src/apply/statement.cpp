// See statement.hpp.
#include "apply/statement.hpp"

namespace tidemark::apply {

int Statement::own(std::string bytes, bool binary, Oid type) {
    buffers_.push_back(std::move(bytes));
    params.push_back(pg::Param{std::string_view(buffers_.back()), binary, type});
    return static_cast<int>(params.size());
}

int Statement::own_text(std::optional<std::string> text) {
    if (!text) {
        params.push_back(pg::Param{std::nullopt, false, 0});
        return static_cast<int>(params.size());
    }
    return own(std::move(*text), false, 0);
}

int Statement::borrow(std::optional<std::string_view> bytes, bool binary, Oid type) {
    params.push_back(pg::Param{bytes, binary, type});
    return static_cast<int>(params.size());
}

Statement Statement::with_text_params(std::string sql, const pg::TextParams& text_params, std::string context) {
    Statement s(std::move(sql), std::move(context));
    for (const auto& p : text_params) s.own_text(p);
    return s;
}

}  // namespace tidemark::apply

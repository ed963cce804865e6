// See quoting.hpp.
#include "pg/quoting.hpp"

#include <stdexcept>

namespace tidemark::pg {

std::string quote_identifier(std::string_view identifier) {
    if (identifier.empty()) throw std::invalid_argument("an SQL identifier cannot be empty");
    std::string out;
    out.reserve(identifier.size() + 2);
    out += '"';
    for (char c : identifier) {
        if (c == '\0') throw std::invalid_argument("an SQL identifier cannot contain a NUL byte");
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string quote_qualified(std::string_view schema, std::string_view name) {
    return quote_identifier(schema) + "." + quote_identifier(name);
}

std::string quote_literal(std::string_view literal) {
    bool backslash = literal.find('\\') != std::string_view::npos;
    std::string out;
    out.reserve(literal.size() + 3);
    // With a backslash, E'' makes the meaning independent of
    // standard_conforming_strings, as PostgreSQL's quote_literal does.
    if (backslash) out += 'E';
    out += '\'';
    for (char c : literal) {
        if (c == '\0') throw std::invalid_argument("an SQL literal cannot contain a NUL byte");
        if (c == '\'' || (backslash && c == '\\')) out += c;
        out += c;
    }
    out += '\'';
    return out;
}

}  // namespace tidemark::pg

// SQL quoting that needs no connection: identifiers always double-quoted,
// literals in standard form (E'' when a backslash is present, as
// PostgreSQL's own quote_literal does).  Must not: be bypassed by building
// SQL from unquoted names anywhere in the agent.
#pragma once

#include <string>
#include <string_view>

namespace tidemark::pg {

// Throws std::invalid_argument for an empty identifier or one holding a
// NUL byte, which PostgreSQL cannot represent.
std::string quote_identifier(std::string_view identifier);
// "schema"."name"
std::string quote_qualified(std::string_view schema, std::string_view name);
// Throws std::invalid_argument for a NUL byte.
std::string quote_literal(std::string_view literal);

}  // namespace tidemark::pg

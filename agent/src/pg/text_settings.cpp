// See text_settings.hpp.
#include "pg/text_settings.hpp"

#include "pg/quoting.hpp"

namespace tidemark::pg {

std::string portable_text_sql(std::string_view client_encoding) {
    std::string sql(kPortableTextSettings);
    if (!client_encoding.empty()) sql += "; SET client_encoding = " + quote_literal(client_encoding);
    return sql;
}

}  // namespace tidemark::pg

// See source_catalog.hpp.
#include "schema/source_catalog.hpp"

#include "pg/quoting.hpp"
#include "pg/text_settings.hpp"

namespace tidemark::schema {

pg::Connection& SourceCatalog::connection() {
    if (!source_.is_ok()) {
        source_.close();
        pg::ConnectOptions options;
        options.application_name = "tidemark catalog";
        options.reply_timeout = reply_timeout_;
        source_ = pg::Connection::connect(conninfo_, options);
        source_.exec(pg::portable_text_sql(source_.parameter_status("server_encoding")),
                     "while setting up a session to read the source's catalogs");
        source_.exec("SET search_path = ''", "while setting up a session to read the source's catalogs");
    }
    return source_;
}

std::optional<std::string> SourceCatalog::relation_name(std::uint32_t relid) {
    pg::Result r = connection().exec_params(
        "SELECT n.nspname, c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = $1::pg_catalog.oid",
        {std::to_string(relid)}, "while reading the name of a source relation");
    if (r.rows() == 0) return std::nullopt;
    return pg::quote_qualified(r.value(0, 0), r.value(0, 1));
}

}  // namespace tidemark::schema

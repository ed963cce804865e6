// See target_types.hpp.
#include "schema/target_types.hpp"

#include <algorithm>

#include "catalog/target_schema.hpp"
#include "catalog/user_type.hpp"
#include "log/event.hpp"
#include "pg/database_error.hpp"

namespace tidemark::schema {

pg::Connection& TargetTypes::connection() {
    if (!target_.is_ok()) {
        target_.close();
        pg::ConnectOptions options;
        options.application_name = "tidemark types";
        target_ = pg::Connection::connect(conninfo_, options);
        target_.exec("SET lock_timeout = '10s'", "while setting up a session to create types on the target");
    }
    return target_;
}

bool TargetTypes::provide(const std::vector<std::uint32_t>& source_type_oids) {
    std::vector<std::uint32_t> wanted;
    for (std::uint32_t oid : source_type_oids)
        if (oid >= catalog::kFirstNormalObjectId && std::find(wanted.begin(), wanted.end(), oid) == wanted.end())
            wanted.push_back(oid);
    if (wanted.empty()) return false;

    // format_type() qualifies every name outside pg_catalog only with an
    // empty search_path, on both sides.
    pg::Connection& source = source_.connection();
    source.exec("BEGIN; SET LOCAL search_path = ''", "while reading user-defined types on the source");
    catalog::UserTypes types;
    try {
        types = catalog::list_user_types(source, wanted);
        source.exec("COMMIT", "while reading user-defined types on the source");
    } catch (...) {
        source.close();  // ends the transaction; the catalog reconnects when next needed
        throw;
    }

    pg::Connection& target = connection();
    target.exec("BEGIN; SET LOCAL search_path = ''", "while creating user-defined types on the target");
    catalog::UserTypesCreated created;
    try {
        created = catalog::create_user_types(target, types);
        target.exec("COMMIT", "while creating user-defined types on the target");
    } catch (...) {
        target.close();
        throw;
    }
    for (const auto& t : created.types) log::info("created a type on the target from the source's", {{"type", t}});
    if (created.labels > 0)
        log::info("added the labels the source's enum types gained to the target's",
                  {{"labels", std::to_string(created.labels)}});
    return !created.types.empty() || created.labels > 0 || !created.extensions.empty();
}

}  // namespace tidemark::schema

// See target_types.hpp.
#include "schema/target_types.hpp"

#include <algorithm>

#include "catalog/target_schema.hpp"
#include "catalog/user_type.hpp"
#include "log/event.hpp"
#include "pg/transaction.hpp"

namespace tidemark::schema {

pg::Connection& TargetTypes::connection() {
    if (!target_.is_ok()) {
        target_.close();
        pg::ConnectOptions options;
        options.application_name = "tidemark types";
        target_ = pg::Connection::connect(conninfo_, options);
        // search_path as the source's catalog session has it, so that names
        // read there mean the same here.
        target_.exec("SET lock_timeout = '10s'; SET search_path = ''",
                     "while setting up a session to create types on the target");
    }
    return target_;
}

bool TargetTypes::provide(const std::vector<std::uint32_t>& source_type_oids) {
    std::vector<std::uint32_t> wanted;
    for (std::uint32_t oid : source_type_oids)
        if (oid >= catalog::kFirstNormalObjectId && std::find(wanted.begin(), wanted.end(), oid) == wanted.end())
            wanted.push_back(oid);
    if (wanted.empty()) return false;

    catalog::UserTypes types = catalog::list_user_types(source_.connection(), wanted);
    catalog::UserTypesCreated created;
    pg::in_transaction(connection(), "while creating user-defined types on the target",
                       [&] { created = catalog::create_user_types(target_, types); });
    for (const auto& t : created.types) log::info("created a type on the target from the source's", {{"type", t}});
    if (created.labels > 0)
        log::info("added the labels the source's enum types gained to the target's",
                  {{"labels", std::to_string(created.labels)}});
    return !created.types.empty() || created.labels > 0 || !created.extensions.empty();
}

}  // namespace tidemark::schema

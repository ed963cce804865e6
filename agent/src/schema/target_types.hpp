// TargetTypes: makes the target hold the user-defined types that source
// columns need while the stream runs: a table created on the source after
// the copy, a column added, a label added to an enum.  Reads their
// definitions from the source's catalogs (schema/source_catalog.hpp) and
// creates what the target lacks as the copy does
// (catalog::create_user_types), on a target connection of its own that
// commits at once: PostgreSQL refuses an enum label in the transaction
// that added it, and a type left behind by an apply transaction that rolls
// back does no harm.
// Must not: run on the apply session, or wait on it: its statements give
// up after a lock timeout rather than wait on a transaction the agent
// itself holds open.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "schema/source_catalog.hpp"

namespace tidemark::schema {

class TargetTypes {
public:
    // `source` stays owned by the caller.
    TargetTypes(std::string target_conninfo, SourceCatalog& source)
        : conninfo_(std::move(target_conninfo)), source_(source) {}

    // Creates on the target what the user types among `source_type_oids`
    // (the source's OIDs; built-in ones are skipped) lack there.  Returns
    // true when it created or added anything.
    bool provide(const std::vector<std::uint32_t>& source_type_oids);

private:
    pg::Connection& connection();

    std::string conninfo_;
    SourceCatalog& source_;
    pg::Connection target_;
};

}  // namespace tidemark::schema

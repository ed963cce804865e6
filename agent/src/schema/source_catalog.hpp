// SourceCatalog: a short query connection to the source, for reading its
// catalogs while the stream runs (application_name "tidemark catalog"),
// opened when first needed and again after it was lost, with the text
// forms every reader of the source sets and an empty search_path, so that
// format_type() and the pg_get_*def() functions name everything outside
// pg_catalog with its schema.
// Must not: be the replication connection (it is streaming).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "pg/connection.hpp"

namespace tidemark::schema {

class SourceCatalog {
public:
    explicit SourceCatalog(std::string source_conninfo) : conninfo_(std::move(source_conninfo)) {}

    pg::Connection& connection();
    // "schema"."name" of the relation with this OID now; nullopt when no
    // relation has it (dropped).
    std::optional<std::string> relation_name(std::uint32_t relid);

private:
    std::string conninfo_;
    pg::Connection source_;
};

}  // namespace tidemark::schema

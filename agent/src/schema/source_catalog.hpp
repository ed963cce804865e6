// SourceCatalog: a short query connection to the source, for reading its
// catalogs while the stream runs (application_name "tidemark catalog"),
// opened when first needed and again after it was lost, with the text
// forms every reader of the source sets and an empty search_path, so that
// format_type() and the pg_get_*def() functions name everything outside
// pg_catalog with its schema.
// Must not: be the replication connection (it is streaming).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "pg/connection.hpp"

namespace tidemark::schema {

class SourceCatalog {
public:
    // `reply_timeout`: see pg::ConnectOptions (0: none).
    SourceCatalog(std::string source_conninfo, std::chrono::milliseconds reply_timeout)
        : conninfo_(std::move(source_conninfo)), reply_timeout_(reply_timeout) {}

    pg::Connection& connection();
    // "schema"."name" of the relation with this OID now; nullopt when no
    // relation has it (dropped).
    std::optional<std::string> relation_name(std::uint32_t relid);

private:
    std::string conninfo_;
    std::chrono::milliseconds reply_timeout_;
    pg::Connection source_;
};

}  // namespace tidemark::schema

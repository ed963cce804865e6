// UserType and UserTypes: the user-defined types that the copied tables'
// columns use, directly or through other types (a domain's base type, a
// composite's attributes, a range's subtype, an array's element), read from
// the source inside the snapshot, in an order in which they can be created.
// Also decides which types binary COPY can carry between two clusters.
// Must not: create anything (catalog/target_schema does, with catalog/ddl).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/source_table.hpp"
#include "pg/connection.hpp"

namespace tidemark::catalog {

enum class UserTypeKind {
    enumeration,
    domain,
    composite,   // a free-standing composite type (CREATE TYPE ... AS (...))
    range,       // created with its multirange (PostgreSQL 14+)
    array,       // comes with its element type
    multirange,  // comes with its range type
    table_row,   // the row type of a table: exists where the table does
    base,        // a base type: only an extension can bring it
};

struct TypeAttribute {
    std::string name;
    std::string type;  // format_type(), schema-qualified
    std::uint32_t type_oid = 0;
    std::optional<std::string> collation;
};

struct UserType {
    std::uint32_t oid = 0;
    std::string schema;
    std::string name;
    UserTypeKind kind = UserTypeKind::base;
    // Set when the type belongs to an extension, which then creates it.
    std::optional<std::string> extension;
    std::optional<std::string> extension_schema;

    std::vector<std::string> labels;  // enumeration, in sort order

    std::string base_type;  // domain: format_type(base, typmod)
    std::uint32_t base_type_oid = 0;
    std::optional<std::string> collation;  // domain, range: when not the default
    std::optional<std::string> default_expr;
    bool not_null = false;
    std::vector<CheckConstraint> checks;

    std::vector<TypeAttribute> attributes;  // composite

    std::string subtype;  // range
    std::uint32_t subtype_oid = 0;
    std::optional<std::string> subtype_opclass;  // when not the subtype's default
    std::optional<std::string> subtype_diff;     // a built-in function
    std::optional<std::string> multirange_name;

    std::uint32_t element_oid = 0;  // array: element; multirange: its range

    // "schema"."name"
    std::string qualified() const;
    // User types this one is built from.
    std::vector<std::uint32_t> dependencies() const;
};

class UserTypes {
public:
    UserTypes() = default;
    explicit UserTypes(std::vector<UserType> types);

    // Dependencies before dependents.
    const std::vector<UserType>& types() const noexcept { return types_; }
    const UserType* find(std::uint32_t oid) const;

    // True when a value of this type in binary COPY format can be read by
    // another cluster: built-in types, enums (sent as their label), and
    // domains, ranges and multiranges over such types.  Composite values
    // and arrays of user types carry the source's type OIDs, and extension
    // types may change their binary form between versions, so those go as
    // text.
    bool binary_safe(std::uint32_t type_oid) const;

private:
    std::vector<UserType> types_;
    std::unordered_map<std::uint32_t, std::size_t> index_;
};

// The user types the tables need, on a connection in the snapshot with
// search_path = '' (as list_tables leaves it).
UserTypes list_user_types(pg::Connection& source_in_snapshot, const std::vector<SourceTable>& tables);
// The user types among `type_oids` (source OIDs) and those they are built
// from, on a connection with search_path = ''.
UserTypes list_user_types(pg::Connection& source, const std::vector<std::uint32_t>& type_oids);

// OIDs below this are the server's own (FirstNormalObjectId): identical on
// every cluster of a major version.
inline constexpr std::uint32_t kFirstNormalObjectId = 16384;

}  // namespace tidemark::catalog

// See user_type.hpp.
#include "catalog/user_type.hpp"

#include <charconv>
#include <functional>
#include <stdexcept>

#include "pg/quoting.hpp"

namespace tidemark::catalog {
namespace {

// The types reachable from {SEED}: the tables' columns, or given types.
// {MULTIRANGE} is replaced by the multirange step on servers that have
// multiranges (14+).
constexpr std::string_view kUsedTypesSql = R"SQL(
WITH RECURSIVE used(oid) AS (
    {SEED}
  UNION
    SELECT dep.oid
      FROM used u
      JOIN pg_catalog.pg_type t ON t.oid = u.oid
     CROSS JOIN LATERAL (
            SELECT t.typbasetype WHERE t.typtype = 'd'
            UNION ALL SELECT t.typelem WHERE t.typelem <> 0 AND t.typlen = -1
            UNION ALL SELECT r.rngsubtype FROM pg_catalog.pg_range r WHERE r.rngtypid = t.oid
            {MULTIRANGE}
            UNION ALL SELECT ca.atttypid
                        FROM pg_catalog.pg_attribute ca
                       WHERE t.typtype = 'c' AND ca.attrelid = t.typrelid AND ca.attnum > 0
                         AND NOT ca.attisdropped) dep(oid)
)
SELECT t.oid, n.nspname, t.typname, t.typtype, t.typlen, t.typelem, t.typbasetype,
       pg_catalog.format_type(t.typbasetype, t.typtypmod), t.typnotnull,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0),
       CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation AND co.oid IS NOT NULL
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END,
       e.extname, en.nspname,
       rel.relkind,
       r.rngsubtype, pg_catalog.format_type(r.rngsubtype, NULL),
       CASE WHEN NOT opc.opcdefault
            THEN pg_catalog.quote_ident(opn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname) END,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
            THEN pg_catalog.quote_ident(rcn.nspname) || '.' || pg_catalog.quote_ident(rco.collname) END,
       CASE WHEN r.rngsubdiff <> 0 AND r.rngsubdiff < 16384 THEN r.rngsubdiff::pg_catalog.regproc::text END,
       {MULTIRANGE_COLUMNS}
  FROM used u
  JOIN pg_catalog.pg_type t ON t.oid = u.oid
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
  LEFT JOIN pg_catalog.pg_depend d ON d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid
                                  AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
                                  AND d.deptype = 'e'
  LEFT JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
  LEFT JOIN pg_catalog.pg_namespace en ON en.oid = e.extnamespace
  LEFT JOIN pg_catalog.pg_class rel ON rel.oid = t.typrelid
  LEFT JOIN pg_catalog.pg_range r ON r.rngtypid = t.oid
  LEFT JOIN pg_catalog.pg_type st ON st.oid = r.rngsubtype
  LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = r.rngsubopc
  LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid = opc.opcnamespace
  LEFT JOIN pg_catalog.pg_collation rco ON rco.oid = r.rngcollation
  LEFT JOIN pg_catalog.pg_namespace rcn ON rcn.oid = rco.collnamespace
 WHERE t.oid >= 16384
 ORDER BY t.oid
)SQL";

constexpr std::string_view kTablesSeed =
    "SELECT a.atttypid FROM pg_catalog.pg_attribute a "
    "WHERE a.attrelid = ANY ($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped";
constexpr std::string_view kTypesSeed = "SELECT pg_catalog.unnest($1::pg_catalog.oid[])";

constexpr std::string_view kMultirangeStep =
    "UNION ALL SELECT r.rngtypid FROM pg_catalog.pg_range r WHERE r.rngmultitypid = t.oid";
constexpr std::string_view kMultirangeColumns =
    "(SELECT mr.typname FROM pg_catalog.pg_type mr WHERE mr.oid = r.rngmultitypid), "
    "(SELECT r2.rngtypid FROM pg_catalog.pg_range r2 WHERE r2.rngmultitypid = t.oid)";
constexpr std::string_view kNoMultirangeColumns = "NULL::name, NULL::oid";

constexpr std::string_view kEnumLabelsSql = R"SQL(
SELECT enumtypid, enumlabel FROM pg_catalog.pg_enum
 WHERE enumtypid = ANY ($1::pg_catalog.oid[]) ORDER BY enumtypid, enumsortorder
)SQL";

constexpr std::string_view kDomainChecksSql = R"SQL(
SELECT contypid, conname, pg_catalog.pg_get_constraintdef(oid) FROM pg_catalog.pg_constraint
 WHERE contypid = ANY ($1::pg_catalog.oid[]) AND contype = 'c' ORDER BY contypid, conname
)SQL";

constexpr std::string_view kAttributesSql = R"SQL(
SELECT t.oid, a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), a.atttypid,
       CASE WHEN a.attcollation <> at.typcollation AND co.oid IS NOT NULL
            THEN pg_catalog.quote_ident(cn.nspname) || '.' || pg_catalog.quote_ident(co.collname) END
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_attribute a ON a.attrelid = t.typrelid
  JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
  LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
  LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid = co.collnamespace
 WHERE t.oid = ANY ($1::pg_catalog.oid[]) AND a.attnum > 0 AND NOT a.attisdropped
 ORDER BY t.oid, a.attnum
)SQL";

std::uint32_t parse_oid(std::string_view text) {
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        throw std::runtime_error("unexpected oid \"" + std::string(text) + "\" in the source's catalogs");
    return value;
}

std::string replace(std::string text, std::string_view what, std::string_view with) {
    auto pos = text.find(what);
    if (pos != std::string::npos) text.replace(pos, what.size(), with);
    return text;
}

std::string oid_array(const std::vector<std::uint32_t>& oids) {
    std::string out = "{";
    for (std::size_t i = 0; i < oids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(oids[i]);
    }
    return out + "}";
}

UserTypeKind kind_of(std::string_view typtype, std::string_view typlen, std::uint32_t typelem,
                     std::optional<std::string_view> relkind) {
    if (typtype == "e") return UserTypeKind::enumeration;
    if (typtype == "d") return UserTypeKind::domain;
    if (typtype == "r") return UserTypeKind::range;
    if (typtype == "m") return UserTypeKind::multirange;
    if (typtype == "c") return relkind && *relkind == "c" ? UserTypeKind::composite : UserTypeKind::table_row;
    if (typtype == "b" && typelem != 0 && typlen == "-1") return UserTypeKind::array;
    return UserTypeKind::base;
}

}  // namespace

std::string UserType::qualified() const { return pg::quote_qualified(schema, name); }

std::vector<std::uint32_t> UserType::dependencies() const {
    std::vector<std::uint32_t> deps;
    auto add = [&](std::uint32_t oid) {
        if (oid >= kFirstNormalObjectId) deps.push_back(oid);
    };
    switch (kind) {
        case UserTypeKind::domain:
            add(base_type_oid);
            break;
        case UserTypeKind::range:
            add(subtype_oid);
            break;
        case UserTypeKind::array:
        case UserTypeKind::multirange:
            add(element_oid);
            break;
        case UserTypeKind::composite:
            for (const auto& a : attributes) add(a.type_oid);
            break;
        default:
            break;
    }
    return deps;
}

UserTypes::UserTypes(std::vector<UserType> types) {
    // Depth-first so every type comes after the types it is built from.
    std::unordered_map<std::uint32_t, std::size_t> by_oid;
    for (std::size_t i = 0; i < types.size(); ++i) by_oid.emplace(types[i].oid, i);
    std::vector<int> state(types.size(), 0);  // 0 new, 1 in progress, 2 placed
    std::function<void(std::size_t)> visit = [&](std::size_t i) {
        if (state[i] == 2) return;
        if (state[i] == 1)
            throw std::runtime_error("type " + types[i].qualified() + " depends on itself through other types");
        state[i] = 1;
        for (std::uint32_t dep : types[i].dependencies()) {
            auto it = by_oid.find(dep);
            if (it != by_oid.end()) visit(it->second);
        }
        state[i] = 2;
        index_.emplace(types[i].oid, types_.size());
        types_.push_back(types[i]);
    };
    for (std::size_t i = 0; i < types.size(); ++i) visit(i);
}

const UserType* UserTypes::find(std::uint32_t oid) const {
    auto it = index_.find(oid);
    return it == index_.end() ? nullptr : &types_[it->second];
}

bool UserTypes::binary_safe(std::uint32_t type_oid) const {
    // A chain of domains over domains is short; the bound only guards
    // against a catalog that loops.
    for (int depth = 0; depth < 64; ++depth) {
        if (type_oid < kFirstNormalObjectId) return true;
        const UserType* t = find(type_oid);
        if (!t || t->extension) return false;
        switch (t->kind) {
            case UserTypeKind::enumeration:
                return true;
            case UserTypeKind::domain:
                type_oid = t->base_type_oid;
                continue;
            case UserTypeKind::range:
                type_oid = t->subtype_oid;
                continue;
            case UserTypeKind::multirange:
                type_oid = t->element_oid;
                continue;
            default:
                return false;
        }
    }
    return false;
}

namespace {

UserTypes read_user_types(pg::Connection& source, std::string_view seed, const std::vector<std::uint32_t>& oids,
                          const std::string& context) {
    if (oids.empty()) return UserTypes();
    bool multiranges = source.server_version() >= 140000;
    std::string sql = replace(std::string(kUsedTypesSql), "{SEED}", seed);
    sql = replace(std::move(sql), "{MULTIRANGE}", multiranges ? kMultirangeStep : "");
    sql = replace(std::move(sql), "{MULTIRANGE_COLUMNS}", multiranges ? kMultirangeColumns : kNoMultirangeColumns);
    pg::Result r = source.exec_params(sql, pg::TextParams{oid_array(oids)}, context);

    std::vector<UserType> types;
    std::unordered_map<std::uint32_t, std::size_t> by_oid;
    std::vector<std::uint32_t> enums, domains, composites;
    for (int row = 0; row < r.rows(); ++row) {
        UserType t;
        t.oid = parse_oid(r.value(row, 0));
        t.schema = std::string(r.value(row, 1));
        t.name = std::string(r.value(row, 2));
        std::uint32_t typelem = parse_oid(r.value(row, 5));
        t.kind = kind_of(r.value(row, 3), r.value(row, 4), typelem, r.optional_value(row, 13));
        if (t.kind == UserTypeKind::array) t.element_oid = typelem;
        if (t.kind == UserTypeKind::domain) {
            t.base_type_oid = parse_oid(r.value(row, 6));
            t.base_type = std::string(r.value(row, 7));
            t.not_null = r.value(row, 8) == "t";
            if (auto d = r.optional_value(row, 9)) t.default_expr = std::string(*d);
            if (auto c = r.optional_value(row, 10)) t.collation = std::string(*c);
            domains.push_back(t.oid);
        }
        if (auto ext = r.optional_value(row, 11)) {
            t.extension = std::string(*ext);
            t.extension_schema = std::string(r.value(row, 12));
        }
        if (t.kind == UserTypeKind::range) {
            t.subtype_oid = parse_oid(r.value(row, 14));
            t.subtype = std::string(r.value(row, 15));
            if (auto o = r.optional_value(row, 16)) t.subtype_opclass = std::string(*o);
            if (auto c = r.optional_value(row, 17)) t.collation = std::string(*c);
            if (auto d = r.optional_value(row, 18)) t.subtype_diff = std::string(*d);
            if (auto m = r.optional_value(row, 19)) t.multirange_name = std::string(*m);
        }
        if (t.kind == UserTypeKind::multirange) {
            if (auto range = r.optional_value(row, 20)) t.element_oid = parse_oid(*range);
        }
        if (t.kind == UserTypeKind::enumeration) enums.push_back(t.oid);
        if (t.kind == UserTypeKind::composite) composites.push_back(t.oid);
        by_oid.emplace(t.oid, types.size());
        types.push_back(std::move(t));
    }

    auto type_of = [&](const pg::Result& res, int row) -> UserType& {
        auto it = by_oid.find(parse_oid(res.value(row, 0)));
        if (it == by_oid.end())
            throw std::runtime_error("the source's catalogs returned a type that was not asked for");
        return types[it->second];
    };
    if (!enums.empty()) {
        pg::Result labels = source.exec_params(kEnumLabelsSql, pg::TextParams{oid_array(enums)},
                                               "while reading the labels of the source's enum types");
        for (int row = 0; row < labels.rows(); ++row) type_of(labels, row).labels.emplace_back(labels.value(row, 1));
    }
    if (!domains.empty()) {
        pg::Result checks = source.exec_params(kDomainChecksSql, pg::TextParams{oid_array(domains)},
                                               "while reading the constraints of the source's domains");
        for (int row = 0; row < checks.rows(); ++row)
            type_of(checks, row)
                .checks.push_back(
                    CheckConstraint{std::string(checks.value(row, 1)), std::string(checks.value(row, 2))});
    }
    if (!composites.empty()) {
        pg::Result attrs = source.exec_params(kAttributesSql, pg::TextParams{oid_array(composites)},
                                              "while reading the attributes of the source's composite types");
        for (int row = 0; row < attrs.rows(); ++row) {
            TypeAttribute a;
            a.name = std::string(attrs.value(row, 1));
            a.type = std::string(attrs.value(row, 2));
            a.type_oid = parse_oid(attrs.value(row, 3));
            if (auto c = attrs.optional_value(row, 4)) a.collation = std::string(*c);
            type_of(attrs, row).attributes.push_back(std::move(a));
        }
    }
    return UserTypes(std::move(types));
}

}  // namespace

UserTypes list_user_types(pg::Connection& source, const std::vector<SourceTable>& tables) {
    std::vector<std::uint32_t> table_oids;
    for (const auto& t : tables) table_oids.push_back(t.oid);
    return read_user_types(source, kTablesSeed, table_oids,
                           "while reading the user-defined types of the source's tables");
}

UserTypes list_user_types(pg::Connection& source, const std::vector<std::uint32_t>& type_oids) {
    return read_user_types(source, kTypesSeed, type_oids, "while reading user-defined types on the source");
}

}  // namespace tidemark::catalog

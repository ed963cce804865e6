// Test helper for the apply module: relations and changes built in code,
// with values that point at strings the test owns.  Must not: reach a
// database.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apply/change.hpp"
#include "apply/relation_info.hpp"

namespace tidemark::testing {

// A table (id int8 key, name text, body text) on the target; `keyed`
// false drops the key.  id values are binary int8, others text.
inline std::shared_ptr<apply::RelationInfo> items_relation(
    bool keyed = true, wire::ReplicaIdentity ri = wire::ReplicaIdentity::default_key) {
    auto r = std::make_shared<apply::RelationInfo>();
    r->relid = 16384;
    r->schema_version = 1;
    r->source_schema = "public";
    r->source_name = "items";
    r->source_table = "\"public\".\"items\"";
    r->target_table = "\"public\".\"items\"";
    r->replica_identity = ri;
    r->columns = {{"id", "\"id\"", 20, 1016, "bigint", ri != wire::ReplicaIdentity::nothing, "bigint"},
                  {"name", "\"name\"", 25, 1009, "text", false, "text"},
                  {"body", "\"body\"", 25, 1009, "text", false, "text"}};
    if (keyed) r->key = {0};
    for (std::size_t i = 0; i < r->columns.size(); ++i)
        if (ri == wire::ReplicaIdentity::full || r->columns[i].identity) r->locate.push_back(i);
    return r;
}

// Owns the bytes values point at.
class Values {
public:
    wire::Value id(long long v) {
        std::string s;
        for (int shift = 56; shift >= 0; shift -= 8)
            s += static_cast<char>((static_cast<unsigned long long>(v) >> shift) & 0xFF);
        store_.push_back(s);
        return {wire::ValueKind::binary, store_.back()};
    }
    wire::Value text(const std::string& v) {
        store_.push_back(v);
        return {wire::ValueKind::text, store_.back()};
    }
    static wire::Value null() { return {wire::ValueKind::null, {}}; }
    static wire::Value toast() { return {wire::ValueKind::unchanged_toast, {}}; }

private:
    std::deque<std::string> store_;
};

inline apply::Change insert(std::shared_ptr<const apply::RelationInfo> rel, wire::Tuple row) {
    apply::Change c;
    c.kind = apply::ChangeKind::insert;
    c.relation = std::move(rel);
    c.new_tuple = std::move(row);
    return c;
}

inline apply::Change update(std::shared_ptr<const apply::RelationInfo> rel, wire::Tuple row,
                            wire::OldKind old_kind = wire::OldKind::none, wire::Tuple old = {}) {
    apply::Change c;
    c.kind = apply::ChangeKind::update;
    c.relation = std::move(rel);
    c.new_tuple = std::move(row);
    c.old_kind = old_kind;
    c.old_tuple = std::move(old);
    return c;
}

inline apply::Change remove(std::shared_ptr<const apply::RelationInfo> rel, wire::Tuple old,
                            wire::OldKind old_kind = wire::OldKind::key) {
    apply::Change c;
    c.kind = apply::ChangeKind::remove;
    c.relation = std::move(rel);
    c.old_kind = old_kind;
    c.old_tuple = std::move(old);
    return c;
}

}  // namespace tidemark::testing

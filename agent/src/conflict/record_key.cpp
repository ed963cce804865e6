// See record_key.hpp.
#include "conflict/record_key.hpp"

#include "apply/array_param.hpp"

namespace tidemark::conflict {

std::string record_key_sql(apply::Statement& s, const apply::RelationInfo& rel,
                           const std::vector<std::string>& key_exprs) {
    std::string out = "jsonb_build_object(";
    for (std::size_t j = 0; j < rel.key.size() && j < key_exprs.size(); ++j) {
        if (j) out += ", ";
        out += "$" + std::to_string(s.own(rel.columns[rel.key[j]].name, true, apply::kTextOid)) + "::text, " +
               key_exprs[j];
    }
    return out + ")";
}

std::string text_array_param(apply::Statement& s, const std::vector<std::optional<std::string>>& values) {
    apply::ArrayParam array(apply::kTextOid, values.size());
    for (const auto& v : values) {
        if (v)
            array.add(*v);
        else
            array.add_null();
    }
    return "$" + std::to_string(s.own(array.finish(), true, apply::kTextArrayOid));
}

}  // namespace tidemark::conflict

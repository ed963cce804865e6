// See idp_gate.hpp.
#include "apply/idp_gate.hpp"

#include "log/event.hpp"

namespace tidemark::apply {

std::optional<std::pair<std::string, std::string>> split_qualified_name(std::string_view text) {
    std::vector<std::string> parts;
    std::size_t i = 0;
    while (i <= text.size()) {
        std::string part;
        if (i < text.size() && text[i] == '"') {
            ++i;
            bool closed = false;
            while (i < text.size()) {
                if (text[i] == '"') {
                    if (i + 1 < text.size() && text[i + 1] == '"') {
                        part += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    closed = true;
                    break;
                }
                part += text[i++];
            }
            if (!closed) return std::nullopt;
        } else {
            // quote_ident leaves only lower-case, digits, '_' and '$' bare.
            while (i < text.size() && text[i] != '.') part += text[i++];
        }
        if (part.empty()) return std::nullopt;
        parts.push_back(std::move(part));
        if (i == text.size()) break;
        if (text[i] != '.') return std::nullopt;
        ++i;
        if (i == text.size()) return std::nullopt;
    }
    if (parts.size() != 2) return std::nullopt;
    return std::make_pair(parts[0], parts[1]);
}

IdpGate::IdpGate(const std::vector<state::TableRecord>& tables) {
    for (const auto& t : tables) {
        auto name = split_qualified_name(t.source_table);
        if (!name) {
            log::warn(
                "tidemark.tables holds a source table name that is not schema.table; its changes are not "
                "gated",
                {{"source_table", t.source_table}});
            continue;
        }
        tables_.emplace(std::move(*name), t);
    }
}

const state::TableRecord* IdpGate::find(std::string_view schema, std::string_view name) const {
    auto it = tables_.find(std::make_pair(std::string(schema), std::string(name)));
    return it == tables_.end() ? nullptr : &it->second;
}

}  // namespace tidemark::apply

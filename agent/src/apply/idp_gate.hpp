// IdpGate: the handoff between the Initial Data Package and the stream.
// A table copied from a snapshot already holds every transaction that
// committed below its high-water mark (the snapshot's consistent point),
// so the stream skips that table's changes from such transactions.
// Tables the copy does not know are not gated.  Tables are matched by
// schema and name, whether tidemark.tables spells them quoted
// ("public"."t") or as quote_ident would (public.t).
// Must not: gate on anything but the commit LSN of the change's
// transaction (BEGIN.final_lsn).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pg/lsn.hpp"
#include "state/table_record.hpp"

namespace tidemark::apply {

// Splits a qualified SQL name ("a"."b", a.b, "a"".x".b) into its two
// identifiers; nullopt when it is not exactly two.
std::optional<std::pair<std::string, std::string>> split_qualified_name(std::string_view text);

class IdpGate {
public:
    IdpGate() = default;
    explicit IdpGate(const std::vector<state::TableRecord>& tables);

    // The copy's row for a source table, if any.
    const state::TableRecord* find(std::string_view schema, std::string_view name) const;

    // True when a change of a transaction committed at `final_lsn` is
    // already in the copy of a table with this high-water mark.
    static bool already_copied(const std::optional<pg::Lsn>& high_water_mark, std::uint64_t final_lsn) noexcept {
        return high_water_mark && pg::Lsn(final_lsn) < *high_water_mark;
    }

private:
    std::map<std::pair<std::string, std::string>, state::TableRecord> tables_;
};

}  // namespace tidemark::apply

// The INSERT into tidemark.dead_letters for a change the target refused.
// The change's JSON names the table, the operation and the columns and
// carries the wire form (wire::to_json); `rendered` also has the target
// turn every value into readable JSON ("new"/"old" objects: numbers as
// numbers, binary values decoded by their type's receive function), which
// is what an operator wants to read, and falls back to the wire form when
// the target cannot read a value.
// Must not: run anything (the BatchWriter sends it inside the transaction
// that carries the stream's progress past the change).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "apply/change.hpp"
#include "apply/statement.hpp"

namespace tidemark::apply {

Statement dead_letter_statement(std::string_view pipeline, const Change& change,
                                const std::optional<std::string>& sqlstate, const std::string& error, bool rendered);

// The change as JSON text, without the target's rendering of values.
std::string change_json(const Change& change);

}  // namespace tidemark::apply

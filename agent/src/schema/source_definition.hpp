// The source's whole definition of a table the stream creates on the
// target (a table created on the source after the copy): defaults,
// checks, identity and generated columns, secondary indexes, as the copy
// would create it.  Read by the relation's OID, and used only while the
// source's catalogs still hold it under the RELATION's name with the
// columns the RELATION sends (names, types and modifiers, in order;
// generated columns aside, which the stream never carries): a table
// altered or renamed since that change was logged, or dropped, is created
// from the RELATION alone.
// Must not: keep a default that draws from a sequence: the stream creates
// no sequence, and the target's table must not depend on one it lacks.
#pragma once

#include <optional>

#include "catalog/source_table.hpp"
#include "schema/source_catalog.hpp"
#include "wire/message.hpp"

namespace tidemark::schema {

std::optional<catalog::SourceTable> definition_as_sent(SourceCatalog& source, const wire::Relation& relation);

}  // namespace tidemark::schema

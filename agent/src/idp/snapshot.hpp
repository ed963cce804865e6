// Snapshot: an exported snapshot and the consistent point of the slot
// that exported it, the two facts the Initial Data Package is made from.
// Must not: own the exporting connection (the caller keeps it open and
// idle while copies run).
#pragma once

#include <string>

#include "pg/lsn.hpp"

namespace tidemark::idp {

struct Snapshot {
    std::string name;
    pg::Lsn consistent_point;
};

}  // namespace tidemark::idp

// Masking of connection strings for logs and messages.  Must not: return
// any part of a password, even for a conninfo libpq cannot parse.
#pragma once

#include <string>
#include <string_view>

namespace tidemark::pg {

// The conninfo (key=value or postgresql:// URI) rewritten as key=value
// pairs with password and sslpassword replaced by "********".  A conninfo
// that libpq cannot parse is returned with anything that may be a secret
// masked by pattern instead.
std::string mask_conninfo(std::string_view conninfo);

// True when libpq accepts the conninfo's syntax.
bool conninfo_is_valid(std::string_view conninfo);

}  // namespace tidemark::pg

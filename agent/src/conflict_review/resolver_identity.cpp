// See resolver_identity.hpp.
#include "conflict_review/resolver_identity.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <vector>

namespace tidemark::conflict_review {

std::string os_user() {
    uid_t uid = ::geteuid();
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(static_cast<std::size_t>(size > 0 ? size : 16384));
    passwd entry{};
    passwd* found = nullptr;
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found && found->pw_name &&
        *found->pw_name)
        return found->pw_name;
    for (const char* name : {"USER", "LOGNAME"})
        if (const char* value = std::getenv(name); value && *value) return value;
    return "uid " + std::to_string(uid);
}

std::string resolver_label(std::string_view database_role, std::string_view os_user) {
    return std::string(database_role) + " (os: " + std::string(os_user) + ")";
}

}  // namespace tidemark::conflict_review

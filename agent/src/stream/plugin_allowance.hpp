// Whether the source server lets the tidemark output plugin be used:
// PostgreSQL 15.19+ only loads output plugins named in the
// output_plugin_libraries setting.  Owns the exact line a DBA must add,
// built from the current value so nothing the DBA had is lost, and the
// recognition of the server's own refusal.
// Must not: change any server setting.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/database_error.hpp"

namespace tidemark::stream {

inline constexpr std::string_view kPluginName = "tidemark";
// The setting's default, used to build the advice when its value cannot
// be read (it is visible only to superusers and pg_read_all_settings).
inline constexpr std::string_view kDefaultPluginLibraries = "pgoutput, test_decoding";

struct PluginAllowance {
    // False only when the setting was read and lacks tidemark.
    bool allowed = true;
    // False when this role may not read the setting; `allowed` is then a
    // guess and the server decides when the plugin is loaded.
    bool readable = true;
    // The setting's value; nullopt when unreadable or when the server has
    // no such setting (older builds load any plugin).
    std::optional<std::string> current;
    // "output_plugin_libraries = 'pgoutput, test_decoding, tidemark'"
    std::string suggested_line;
};

// Thrown before a slot is created or used on a server that would refuse
// the plugin, or when it did; what() says which line to add to
// postgresql.conf.
class PluginNotAllowedError : public std::runtime_error {
public:
    explicit PluginNotAllowedError(const PluginAllowance& allowance);
    const std::string& suggested_line() const noexcept { return suggested_line_; }

private:
    std::string suggested_line_;
};

// Elements of a list setting as PostgreSQL splits them (commas, optional
// double quotes, whitespace trimmed).
std::vector<std::string> split_setting_list(std::string_view value);
// The allowance for a given value of the setting (nullopt = no setting).
PluginAllowance plugin_allowance(const std::optional<std::string>& current);
// The allowance when the value could not be read.
PluginAllowance unreadable_plugin_allowance();
// Asks the server (works on normal and replication=database connections).
PluginAllowance check_plugin_allowed(pg::Connection& conn);
// Throws PluginNotAllowedError when the plugin is known not to be allowed.
PluginAllowance require_plugin_allowed(pg::Connection& conn);
// Whether an error is the server refusing to load the plugin.
bool is_plugin_refusal(const pg::DatabaseError& error) noexcept;

}  // namespace tidemark::stream

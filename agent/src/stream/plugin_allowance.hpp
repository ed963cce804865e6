// Whether the source server lets the tidemark output plugin be used:
// PostgreSQL 15.19+ only loads output plugins named in the
// output_plugin_libraries setting.  Owns the exact line a DBA must add,
// built from the current value so nothing the DBA had is lost.
// Must not: change any server setting.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"

namespace tidemark::stream {

inline constexpr std::string_view kPluginName = "tidemark";

struct PluginAllowance {
    bool allowed = true;
    // The setting's value; nullopt when the server has no such setting
    // (older builds load any plugin).
    std::optional<std::string> current;
    // "output_plugin_libraries = 'pgoutput, test_decoding, tidemark'"
    std::string suggested_line;
};

// Thrown before a slot is created or used on a server that would refuse
// the plugin; what() says which line to add to postgresql.conf.
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
// Asks the server (works on normal and replication=database connections).
PluginAllowance check_plugin_allowed(pg::Connection& conn);
// Throws PluginNotAllowedError when the plugin is not allowed.
void require_plugin_allowed(pg::Connection& conn);

}  // namespace tidemark::stream

// See plugin_allowance.hpp.
#include "stream/plugin_allowance.hpp"

#include <algorithm>

namespace tidemark::stream {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ", ";
        // Names that need it keep their double quotes.
        bool plain = std::all_of(item.begin(), item.end(), [](char c) {
            return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c == '/' || c == '.' ||
                   c == '-';
        });
        if (plain && !item.empty()) {
            out += item;
        } else {
            out += '"';
            for (char c : item) {
                if (c == '"') out += '"';
                out += c;
            }
            out += '"';
        }
    }
    return out;
}

}  // namespace

PluginNotAllowedError::PluginNotAllowedError(const PluginAllowance& allowance)
    : std::runtime_error(
          "the source server does not allow the output plugin \"tidemark\": add this line to postgresql.conf and "
          "reload the server: " +
          allowance.suggested_line +
          (allowance.readable ? std::string()
                              : std::string(" (this role cannot read the current value; keep what it lists and "
                                            "add tidemark)"))),
      suggested_line_(allowance.suggested_line) {}

std::vector<std::string> split_setting_list(std::string_view value) {
    std::vector<std::string> items;
    std::size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && is_space(value[i])) ++i;
        if (i >= value.size()) break;
        std::string item;
        if (value[i] == '"') {
            ++i;
            while (i < value.size()) {
                if (value[i] == '"') {
                    if (i + 1 < value.size() && value[i + 1] == '"') {
                        item += '"';
                        i += 2;
                        continue;
                    }
                    ++i;
                    break;
                }
                item += value[i++];
            }
            while (i < value.size() && value[i] != ',') ++i;
        } else {
            while (i < value.size() && value[i] != ',') item += value[i++];
            while (!item.empty() && is_space(item.back())) item.pop_back();
        }
        if (i < value.size() && value[i] == ',') ++i;
        if (!item.empty()) items.push_back(std::move(item));
    }
    return items;
}

PluginAllowance plugin_allowance(const std::optional<std::string>& current) {
    PluginAllowance a;
    a.current = current;
    if (!current) return a;
    std::vector<std::string> items = split_setting_list(*current);
    a.allowed = std::find(items.begin(), items.end(), kPluginName) != items.end();
    if (!a.allowed) items.emplace_back(kPluginName);
    // postgresql.conf quoting: single quotes, a quote inside doubled.
    std::string value = join(items);
    std::string quoted;
    for (char c : value) {
        if (c == '\'') quoted += '\'';
        quoted += c;
    }
    a.suggested_line = "output_plugin_libraries = '" + quoted + "'";
    return a;
}

PluginAllowance unreadable_plugin_allowance() {
    PluginAllowance a = plugin_allowance(std::string(kDefaultPluginLibraries));
    a.allowed = true;
    a.readable = false;
    a.current.reset();
    return a;
}

PluginAllowance check_plugin_allowed(pg::Connection& conn) {
    try {
        pg::Result r = conn.exec("SELECT current_setting('output_plugin_libraries', true)",
                                 "while reading output_plugin_libraries on the source");
        std::optional<std::string> current;
        if (r.rows() == 1 && !r.is_null(0, 0)) current = std::string(r.value(0, 0));
        return plugin_allowance(current);
    } catch (const pg::DatabaseError& e) {
        // insufficient_privilege: only superusers and pg_read_all_settings
        // may read it.  Leave the verdict to the server.
        if (e.sqlstate() == "42501") return unreadable_plugin_allowance();
        throw;
    }
}

PluginAllowance require_plugin_allowed(pg::Connection& conn) {
    PluginAllowance a = check_plugin_allowed(conn);
    if (!a.allowed) throw PluginNotAllowedError(a);
    return a;
}

bool is_plugin_refusal(const pg::DatabaseError& error) noexcept {
    return error.sqlstate() == "42501" &&
           error.primary().find("may not be used as an output plugin") != std::string::npos;
}

}  // namespace tidemark::stream

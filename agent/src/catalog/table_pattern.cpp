// See table_pattern.hpp.  The parser mirrors parse_pattern_list() and the
// matcher glob_match() in decoder/options.c.
#include "catalog/table_pattern.hpp"

#include <stdexcept>

namespace tidemark::catalog {
namespace {

// PostgreSQL's scanner_isspace: the whitespace SQL identifiers stop at.
bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

void append_literal(std::string& glob, char c) {
    if (c == '*' || c == '\\') glob += '\\';
    glob += c;
}

// downcase_identifier() for the server encodings the agent meets: ASCII
// letters are folded, bytes of multibyte characters are kept.
char fold(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

[[noreturn]] void invalid(std::string_view pattern, std::string_view why) {
    throw std::invalid_argument("invalid table pattern \"" + std::string(pattern) + "\": " + std::string(why) +
                                " (patterns are schema.table, with * as a wildcard and double quotes around "
                                "identifiers that need them, e.g. public.orders or \"Sales\".*)");
}

bool glob_match(std::string_view glob, std::string_view s) {
    std::size_t g = 0;
    std::size_t i = 0;
    std::size_t star_g = std::string_view::npos;
    std::size_t star_i = 0;
    while (i < s.size()) {
        if (g < glob.size() && glob[g] == '*') {
            star_g = ++g;
            star_i = i;
            continue;
        }
        if (g < glob.size()) {
            std::size_t lit = glob[g] == '\\' && g + 1 < glob.size() ? g + 1 : g;
            if (glob[lit] == s[i]) {
                g = lit + 1;
                ++i;
                continue;
            }
        }
        if (star_g == std::string_view::npos) return false;
        g = star_g;
        i = ++star_i;
    }
    while (g < glob.size() && glob[g] == '*') ++g;
    return g == glob.size();
}

}  // namespace

std::string fold_identifier(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = fold(c);
    return out;
}

std::vector<TablePattern> TablePattern::parse_list(std::string_view patterns) {
    std::vector<TablePattern> result;
    std::size_t p = 0;
    for (;;) {
        std::string parts[2];
        bool nonempty[2] = {false, false};
        int part = 0;
        bool trailing_space = false;
        while (p < patterns.size() && is_space(patterns[p])) ++p;
        std::size_t item = p;
        // The item as the user wrote it, for messages: up to the next comma.
        auto item_text = [&] {
            std::size_t end = patterns.find(',', item);
            return patterns.substr(item, end == std::string_view::npos ? std::string_view::npos : end - item);
        };
        while (p < patterns.size() && patterns[p] != ',') {
            char c = patterns[p];
            if (is_space(c)) {
                trailing_space = true;
                ++p;
                continue;
            }
            if (trailing_space)
                invalid(item_text(), "whitespace is only allowed around a pattern; quote identifiers that contain it");
            if (c == '"') {
                ++p;
                for (;;) {
                    if (p >= patterns.size()) invalid(patterns.substr(item), "a quoted identifier is not terminated");
                    if (patterns[p] == '"') {
                        if (p + 1 >= patterns.size() || patterns[p + 1] != '"') break;
                        ++p;
                    }
                    append_literal(parts[part], patterns[p]);
                    nonempty[part] = true;
                    ++p;
                }
                ++p;
            } else if (c == '.') {
                if (part == 1) invalid(item_text(), "a pattern has exactly one dot, between the schema and the table");
                part = 1;
                ++p;
            } else if (c == '*') {
                parts[part] += '*';
                nonempty[part] = true;
                ++p;
            } else {
                while (p < patterns.size() && patterns[p] != ',' && patterns[p] != '.' && patterns[p] != '*' &&
                       patterns[p] != '"' && !is_space(patterns[p])) {
                    append_literal(parts[part], fold(patterns[p]));
                    nonempty[part] = true;
                    ++p;
                }
            }
        }
        if (part == 0 && !nonempty[0]) invalid(item_text(), "the pattern is empty");
        if (part == 0) invalid(item_text(), "a pattern needs a schema and a table separated by a dot");
        if (!nonempty[0] || !nonempty[1]) invalid(item_text(), "the schema or the table part of the pattern is empty");
        TablePattern pattern;
        pattern.text_ = std::string(item_text());
        while (!pattern.text_.empty() && is_space(pattern.text_.back())) pattern.text_.pop_back();
        pattern.schema_glob_ = std::move(parts[0]);
        pattern.table_glob_ = std::move(parts[1]);
        result.push_back(std::move(pattern));
        if (p >= patterns.size()) break;
        ++p;  // the comma
    }
    return result;
}

bool TablePattern::matches(std::string_view schema, std::string_view table) const {
    return glob_match(schema_glob_, schema) && glob_match(table_glob_, table);
}

bool TablePattern::matches_schema(std::string_view schema) const { return glob_match(schema_glob_, schema); }

TableFilter::TableFilter(const std::vector<std::string>& include, const std::vector<std::string>& exclude) {
    for (const auto& item : include)
        for (auto& p : TablePattern::parse_list(item)) include_.push_back(std::move(p));
    for (const auto& item : exclude)
        for (auto& p : TablePattern::parse_list(item)) exclude_.push_back(std::move(p));
}

bool TableFilter::selects(std::string_view schema, std::string_view table) const {
    if (!include_.empty()) {
        bool any = false;
        for (const auto& p : include_)
            if (p.matches(schema, table)) {
                any = true;
                break;
            }
        if (!any) return false;
    }
    return !excludes(schema, table);
}

bool TableFilter::excludes(std::string_view schema, std::string_view name) const {
    for (const auto& p : exclude_)
        if (p.matches(schema, name)) return true;
    return false;
}

bool TableFilter::includes_schema(std::string_view schema) const {
    if (include_.empty()) return true;
    for (const auto& p : include_)
        if (p.matches_schema(schema)) return true;
    return false;
}

}  // namespace tidemark::catalog

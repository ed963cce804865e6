// TablePattern and TableFilter: the [source] include/exclude patterns
// ("schema.table", '*' as a wildcard, double quotes around identifiers
// that need them), with exactly the semantics of the decoder's include and
// exclude options (decoder/options.c), so that the tables copied are the
// tables streamed.  Must not: drift from the decoder's parsing rules.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tidemark::catalog {

// `text` with its ASCII letters folded to lower case, as PostgreSQL folds
// an unquoted identifier (and as a pattern's unquoted text is folded).
std::string fold_identifier(std::string_view text);

class TablePattern {
public:
    // Unquoted text is folded to lower case, a double-quoted run is taken
    // literally ("" is one quote), '*' outside quotes is a wildcard, the one
    // '.' separates schema from table and ',' separates patterns (as in the
    // decoder's option value, which is these items joined by commas).
    // Throws std::invalid_argument naming the pattern and what is wrong.
    static std::vector<TablePattern> parse_list(std::string_view patterns);

    bool matches(std::string_view schema, std::string_view table) const;
    // True when some table of `schema` could match.
    bool matches_schema(std::string_view schema) const;

    const std::string& text() const noexcept { return text_; }
    // The folded globs the matcher uses: '*' is the wildcard, a backslash escapes.
    const std::string& schema_glob() const noexcept { return schema_glob_; }
    const std::string& table_glob() const noexcept { return table_glob_; }

private:
    std::string text_;
    // Globs with '*' as wildcard and '\' escaping a literal '*' or '\'.
    std::string schema_glob_;
    std::string table_glob_;
};

class TableFilter {
public:
    TableFilter() = default;
    // Throws std::invalid_argument for a bad pattern.
    TableFilter(const std::vector<std::string>& include, const std::vector<std::string>& exclude);

    // Selected when some include pattern matches (or there are none) and
    // no exclude pattern does.
    bool selects(std::string_view schema, std::string_view table) const;
    // True when an include pattern could select tables of the schema (any
    // schema when there are none).
    bool includes_schema(std::string_view schema) const;
    // True when an exclude pattern matches.
    bool excludes(std::string_view schema, std::string_view name) const;

private:
    std::vector<TablePattern> include_;
    std::vector<TablePattern> exclude_;
};

}  // namespace tidemark::catalog

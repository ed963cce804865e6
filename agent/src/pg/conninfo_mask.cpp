// See conninfo_mask.hpp.
#include "pg/conninfo_mask.hpp"

#include <libpq-fe.h>

#include <memory>
#include <regex>

namespace tidemark::pg {
namespace {

constexpr std::string_view kMask = "********";

struct OptionsDeleter {
    void operator()(PQconninfoOption* options) const { PQconninfoFree(options); }
};
using OptionsPtr = std::unique_ptr<PQconninfoOption, OptionsDeleter>;

OptionsPtr parse(std::string_view conninfo) {
    char* error = nullptr;
    OptionsPtr options(PQconninfoParse(std::string(conninfo).c_str(), &error));
    if (error) PQfreemem(error);
    return options;
}

bool is_secret(std::string_view keyword) { return keyword == "password" || keyword == "sslpassword"; }

// A dbname may itself be a connection string that libpq expands at
// connect time, secrets included.
bool looks_like_conninfo(std::string_view value) {
    return value.find('=') != std::string_view::npos || value.starts_with("postgresql://") ||
           value.starts_with("postgres://");
}

// libpq's key=value quoting: single quotes when needed, \ and ' escaped.
std::string quote_value(std::string_view value) {
    bool plain = !value.empty();
    for (char c : value)
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\'' || c == '\\') plain = false;
    if (plain) return std::string(value);
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

// For text libpq rejects: hide anything shaped like a secret.
std::string mask_by_pattern(std::string_view conninfo) {
    std::string text(conninfo);
    static const std::regex uri_userinfo(R"((://[^:/?#@\s]*:)[^@/?#\s]*@)");
    static const std::regex keyword(R"(((?:ssl)?password\s*=\s*)('(?:[^'\\]|\\.)*'?|[^\s&]*))", std::regex::icase);
    text = std::regex_replace(text, uri_userinfo, "$1" + std::string(kMask) + "@");
    text = std::regex_replace(text, keyword, "$1" + std::string(kMask));
    return text;
}

}  // namespace

bool conninfo_is_valid(std::string_view conninfo) { return parse(conninfo) != nullptr; }

std::string mask_conninfo(std::string_view conninfo) {
    OptionsPtr options = parse(conninfo);
    if (!options) return mask_by_pattern(conninfo);
    std::string out;
    for (const PQconninfoOption* o = options.get(); o->keyword; ++o) {
        if (!o->val) continue;
        std::string_view keyword(o->keyword);
        std::string_view value(o->val);
        std::string shown;
        if (is_secret(keyword))
            shown = std::string(kMask);
        else if (keyword == "dbname" && looks_like_conninfo(value))
            shown = quote_value(mask_conninfo(value));
        else
            shown = quote_value(value);
        if (!out.empty()) out += ' ';
        out += std::string(keyword) + "=" + shown;
    }
    return out;
}

}  // namespace tidemark::pg

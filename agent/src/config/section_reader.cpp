// See section_reader.hpp.
#include "config/section_reader.hpp"

#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "config/byte_size.hpp"
#include "config/config_error.hpp"
#include "config/duration.hpp"

namespace tidemark::config {

std::string render_toml_value(const toml::node& node) {
    std::ostringstream out;
    if (const auto* s = node.as_string()) {
        // As the user would have written it: a TOML basic string.
        out << '"';
        for (char c : s->get()) {
            if (c == '"' || c == '\\')
                out << '\\' << c;
            else if (static_cast<unsigned char>(c) < 0x20)
                out << fmt::format("\\u{:04X}", static_cast<unsigned>(c));
            else
                out << c;
        }
        out << '"';
    } else if (node.is_table()) {
        out << "{...}";
    } else if (node.is_array()) {
        out << *node.as_array();
    } else {
        node.visit([&out](const auto& n) { out << n; });
    }
    return out.str();
}

SectionReader::SectionReader(const toml::table& table, std::string label, bool present)
    : table_(table), label_(std::move(label)), present_(present) {}

const toml::node* SectionReader::lookup(std::string_view key) {
    if (std::find(known_.begin(), known_.end(), key) == known_.end()) known_.emplace_back(key);
    return table_.get(key);
}

bool SectionReader::has(std::string_view key) { return lookup(key) != nullptr; }

void SectionReader::invalid(std::string_view key, const std::string& why) const {
    const toml::node* node = table_.get(key);
    std::string shown = node ? render_toml_value(*node) : std::string("(missing)");
    throw ConfigError(label_ + " " + std::string(key) + " = " + shown + " is not valid; " + why);
}

void SectionReader::wrong_type(std::string_view key, std::string_view expected, bool secret) const {
    if (secret) throw ConfigError(label_ + " " + std::string(key) + " is not valid; expected " + std::string(expected));
    invalid(key, "expected " + std::string(expected));
}

std::optional<std::string> SectionReader::string(std::string_view key) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    if (auto v = node->value<std::string>(); v && node->is_string()) return *v;
    wrong_type(key, "a string");
}

std::string SectionReader::required_string(std::string_view key) {
    auto v = string(key);
    if (!v) throw ConfigError(label_ + " " + std::string(key) + " is required");
    return *v;
}

std::optional<std::string> SectionReader::secret_string(std::string_view key) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    if (node->is_string()) return *node->value<std::string>();
    wrong_type(key, "a string", true);
}

std::string SectionReader::required_secret_string(std::string_view key) {
    auto v = secret_string(key);
    if (!v) throw ConfigError(label_ + " " + std::string(key) + " is required");
    return *v;
}

std::optional<bool> SectionReader::boolean(std::string_view key) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    if (node->is_boolean()) return *node->value<bool>();
    wrong_type(key, "true or false");
}

std::optional<std::int64_t> SectionReader::integer(std::string_view key, std::int64_t min, std::int64_t max) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    if (!node->is_integer()) wrong_type(key, "an integer");
    std::int64_t v = *node->value<std::int64_t>();
    if (v < min) invalid(key, "must be at least " + std::to_string(min));
    if (v > max) invalid(key, "must be at most " + std::to_string(max));
    return v;
}

std::optional<std::chrono::milliseconds> SectionReader::duration(std::string_view key) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    if (!node->is_string())
        wrong_type(key,
                   std::string("a duration such as \"200ms\" or \"5 minutes\"; units: ") + std::string(kDurationUnits));
    auto d = parse_duration(*node->value<std::string>());
    if (!d)
        invalid(key, "expected a duration such as \"200ms\" or \"5 minutes\"; units: " + std::string(kDurationUnits));
    return d;
}

std::optional<std::chrono::milliseconds> SectionReader::duration_or_off(std::string_view key) {
    const toml::node* node = lookup(key);
    if (node && node->is_string() && (*node->value<std::string>() == "0" || *node->value<std::string>() == "off"))
        return std::chrono::milliseconds(0);
    return duration(key);
}

std::optional<std::uint64_t> SectionReader::byte_size(std::string_view key) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    if (!node->is_string())
        wrong_type(key, std::string("a size such as \"10GB\"; units: ") + std::string(kByteSizeUnits));
    auto s = parse_byte_size(*node->value<std::string>());
    if (!s) invalid(key, "expected a size such as \"10GB\"; units: " + std::string(kByteSizeUnits));
    return s;
}

std::optional<std::vector<std::string>> SectionReader::string_list(std::string_view key) {
    const toml::node* node = lookup(key);
    if (!node) return std::nullopt;
    const toml::array* array = node->as_array();
    if (!array) wrong_type(key, "a list of strings");
    std::vector<std::string> out;
    out.reserve(array->size());
    for (const toml::node& item : *array) {
        if (!item.is_string()) wrong_type(key, "a list of strings");
        out.push_back(*item.value<std::string>());
    }
    return out;
}

std::vector<const toml::table*> SectionReader::table_list(std::string_view key) {
    const toml::node* node = lookup(key);
    std::vector<const toml::table*> out;
    if (!node) return out;
    const toml::array* array = node->as_array();
    if (!array) wrong_type(key, "a list of tables ([[" + label_.substr(1, label_.size() - 2) + "." + std::string(key) + "]] blocks)");
    for (const toml::node& item : *array) {
        const toml::table* t = item.as_table();
        if (!t) wrong_type(key, "a list of tables ([[" + label_.substr(1, label_.size() - 2) + "." + std::string(key) + "]] blocks)");
        out.push_back(t);
    }
    return out;
}

void SectionReader::finish() const {
    for (const auto& [key, node] : table_) {
        if (std::find(known_.begin(), known_.end(), key.str()) != known_.end()) continue;
        std::string valid;
        for (const auto& k : known_) {
            if (!valid.empty()) valid += ", ";
            valid += k;
        }
        throw ConfigError(label_ + " unknown key \"" + std::string(key.str()) + "\"; valid keys: " + valid);
    }
}

}  // namespace tidemark::config

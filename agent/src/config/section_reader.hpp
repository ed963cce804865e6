// SectionReader: typed, validated access to the keys of one TOML table
// ([sync], [target], ...).  Every key asked for is remembered as valid, so
// finish() can refuse the keys nobody asked for: a typo is an error, never
// silently ignored.  Must not: know which sections or keys exist.
#pragma once

#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

namespace tidemark::config {

template <typename E>
struct Choice {
    std::string_view name;
    E value;
};

class SectionReader {
public:
    // `label` is how errors name the table, e.g. "[sync]"; `present` says
    // whether the file has the section at all (an absent one reads empty).
    SectionReader(const toml::table& table, std::string label, bool present = true);

    const std::string& label() const noexcept { return label_; }
    bool present() const noexcept { return present_; }
    bool has(std::string_view key);

    std::optional<std::string> string(std::string_view key);
    std::string required_string(std::string_view key);
    // Like string(), but the value never appears in an error (conninfo).
    std::optional<std::string> secret_string(std::string_view key);
    std::string required_secret_string(std::string_view key);
    std::optional<bool> boolean(std::string_view key);
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t min,
                                        std::int64_t max = std::numeric_limits<std::int64_t>::max());
    std::optional<std::chrono::milliseconds> duration(std::string_view key);
    // A duration, or "0" / "off", which read as zero.
    std::optional<std::chrono::milliseconds> duration_or_off(std::string_view key);
    std::optional<std::uint64_t> byte_size(std::string_view key);
    std::optional<std::vector<std::string>> string_list(std::string_view key);
    // An array of tables ([[section.key]] blocks), in file order; empty
    // when the key is absent.
    std::vector<const toml::table*> table_list(std::string_view key);

    template <typename E>
    std::optional<E> choice(std::string_view key, std::span<const Choice<E>> choices) {
        auto text = string(key);
        if (!text) return std::nullopt;
        for (const auto& c : choices)
            if (c.name == *text) return c.value;
        std::string valid;
        for (const auto& c : choices) {
            if (!valid.empty()) valid += ", ";
            valid += c.name;
        }
        invalid(key, "valid values: " + valid);
    }

    // "config error: [sync] key = <value> is not valid; <why>"
    [[noreturn]] void invalid(std::string_view key, const std::string& why) const;
    // Throws for every key of the table that was never asked for.
    void finish() const;

private:
    const toml::node* lookup(std::string_view key);
    [[noreturn]] void wrong_type(std::string_view key, std::string_view expected, bool secret = false) const;

    const toml::table& table_;
    std::string label_;
    bool present_ = true;
    std::vector<std::string> known_;  // in the order the parser asked
};

// TOML rendering of a node for messages: strings quoted, others as written.
std::string render_toml_value(const toml::node& node);

}  // namespace tidemark::config

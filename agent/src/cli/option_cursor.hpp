// OptionCursor: walks the arguments of one subcommand: splits
// "--name=value", hands out an option's value (inline or the next
// argument), refuses an option given twice, and takes the options every
// subcommand shares (-c/--config, --log-format, -h/--help).
// Must not: know a subcommand's own options (its parser does).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

#include "cli/command_line.hpp"

namespace tidemark::cli {

class OptionCursor {
public:
    // Starts before args[first].
    OptionCursor(std::span<const std::string_view> args, std::size_t first) : args_(args), next_(first) {}

    // Moves to the next argument; false when there is none.
    bool next();
    // The current argument, without its "=value".
    std::string_view option() const noexcept { return option_; }
    bool has_inline_value() const noexcept { return inline_value_.has_value(); }
    // Throws UsageError when a flag was given "=value".
    void no_value() const;
    // Throws UsageError naming the current argument as unknown to `command`.
    [[noreturn]] void unknown(std::string_view command) const;
    // The current option's value; throws UsageError when there is none.
    std::string_view value();
    // Throws UsageError when `seen` is already set, then sets it.
    void once(bool& seen) const;
    // -c/--config, --log-format and -h/--help into `cl` (help sets
    // cl.command); true when the current argument was one of them.
    bool take_common(CommandLine& cl);
    bool config_seen() const noexcept { return config_seen_; }

private:
    std::span<const std::string_view> args_;
    std::size_t next_;
    std::string_view option_;
    std::optional<std::string_view> inline_value_;
    bool config_seen_ = false;
    bool format_seen_ = false;
};

}  // namespace tidemark::cli

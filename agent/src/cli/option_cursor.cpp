// See option_cursor.hpp.
#include "cli/option_cursor.hpp"

#include <filesystem>
#include <string>

#include "cli/usage_error.hpp"
#include "log/log_format.hpp"

namespace tidemark::cli {

bool OptionCursor::next() {
    if (next_ >= args_.size()) return false;
    option_ = args_[next_++];
    inline_value_.reset();
    if (option_.starts_with("--"))
        if (auto eq = option_.find('='); eq != std::string_view::npos) {
            inline_value_ = option_.substr(eq + 1);
            option_ = option_.substr(0, eq);
        }
    return true;
}

std::string_view OptionCursor::value() {
    if (inline_value_) return *inline_value_;
    if (next_ >= args_.size()) throw UsageError("option " + std::string(option_) + " needs a value");
    return args_[next_++];
}

void OptionCursor::no_value() const {
    if (inline_value_) throw UsageError("option " + std::string(option_) + " takes no value");
}

void OptionCursor::unknown(std::string_view command) const {
    if (option_.starts_with("-"))
        throw UsageError("unknown option " + std::string(option_) + " for " + std::string(command));
    throw UsageError("unexpected argument \"" + std::string(option_) + "\" for " + std::string(command));
}

void OptionCursor::once(bool& seen) const {
    if (seen) throw UsageError("option " + std::string(option_) + " is given more than once");
    seen = true;
}

bool OptionCursor::take_common(CommandLine& cl) {
    if (option_ == "-h" || option_ == "--help") {
        cl.command = Command::help;
        return true;
    }
    if (option_ == "-c" || option_ == "--config") {
        once(config_seen_);
        std::string_view path = value();
        if (path.empty()) throw UsageError("option " + std::string(option_) + " needs a file name");
        cl.config_path = std::filesystem::path(path);
        return true;
    }
    if (option_ == "--log-format") {
        once(format_seen_);
        std::string_view text = value();
        auto format = log::parse_log_format(text);
        if (!format) throw UsageError("--log-format must be plain or json, not \"" + std::string(text) + "\"");
        cl.log_format = *format;
        return true;
    }
    return false;
}

}  // namespace tidemark::cli

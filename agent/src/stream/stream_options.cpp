// See stream_options.hpp.
#include "stream/stream_options.hpp"

#include "pg/quoting.hpp"

namespace tidemark::stream {
namespace {

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += ',';
        out += item;
    }
    return out;
}

std::string_view boolean(bool b) { return b ? "true" : "false"; }

}  // namespace

std::string replication_literal(std::string_view value) {
    std::string out = "'";
    for (char c : value) {
        if (c == '\'') out += '\'';
        out += c;
    }
    return out + "'";
}

std::string option_clause(const StreamOptions& options) {
    std::vector<std::pair<std::string, std::string>> list;
    list.emplace_back("proto_version", std::to_string(options.proto_version));
    list.emplace_back("binary", boolean(options.binary));
    if (!options.include.empty()) list.emplace_back("include", join(options.include));
    if (!options.exclude.empty()) list.emplace_back("exclude", join(options.exclude));
    if (options.origin) list.emplace_back("origin", *options.origin);
    if (!options.messages.empty()) list.emplace_back("messages", join(options.messages));
    if (options.skip_empty_xacts) list.emplace_back("skip_empty_xacts", boolean(*options.skip_empty_xacts));
    if (options.streaming) list.emplace_back("streaming", "true");
    if (options.publish_via_root) list.emplace_back("publish_via_root", boolean(*options.publish_via_root));
    if (options.write_batch_size) list.emplace_back("write_batch_size", std::to_string(*options.write_batch_size));
    for (const auto& kv : options.extra) list.push_back(kv);

    std::string out = "(";
    for (std::size_t i = 0; i < list.size(); ++i) {
        if (i) out += ", ";
        out += pg::quote_identifier(list[i].first) + " " + replication_literal(list[i].second);
    }
    return out + ")";
}

}  // namespace tidemark::stream

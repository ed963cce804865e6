// See message.hpp.
#include "wire/message.hpp"

namespace tidemark::wire {
namespace {

struct TypeNameOf {
    std::string_view operator()(const Begin&) const { return "begin"; }
    std::string_view operator()(const Commit&) const { return "commit"; }
    std::string_view operator()(const Relation&) const { return "relation"; }
    std::string_view operator()(const Insert&) const { return "insert"; }
    std::string_view operator()(const Update&) const { return "update"; }
    std::string_view operator()(const Delete&) const { return "delete"; }
    std::string_view operator()(const Truncate&) const { return "truncate"; }
    std::string_view operator()(const LogicalMessage&) const { return "message"; }
    std::string_view operator()(const StreamStart&) const { return "stream_start"; }
    std::string_view operator()(const StreamStop&) const { return "stream_stop"; }
    std::string_view operator()(const StreamCommit&) const { return "stream_commit"; }
    std::string_view operator()(const StreamAbort&) const { return "stream_abort"; }
    std::string_view operator()(const Unknown&) const { return "unknown"; }
};

}  // namespace

std::string_view type_name(const Message& message) noexcept { return std::visit(TypeNameOf{}, message); }

}  // namespace tidemark::wire

// See conflicts_command.hpp.
#include "cli/conflicts_command.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/text_table.hpp"
#include "conflict_review/resolver_identity.hpp"
#include "conflict_review/review_error.hpp"
#include "conflict_review/review_queue.hpp"
#include "conflict_review/settlement.hpp"
#include "pg/connection.hpp"

namespace tidemark::cli {
namespace {

pg::Connection connect_target(const config::Config& config) {
    pg::ConnectOptions options;
    options.application_name = "tidemark conflicts";
    return pg::Connection::connect(config.target.conninfo, options);
}

void print_table(const std::vector<conflict_review::ConflictSummary>& conflicts, std::ostream& out) {
    std::vector<std::vector<std::string>> rows{
        {"id", "source", "table", "key", "kind", "columns", "strategy", "status", "detected_at"}};
    for (const auto& c : conflicts)
        rows.push_back({std::to_string(c.id), c.source_name, c.target_table, c.record_key, c.kind,
                        c.columns.value_or("(whole row)"), c.strategy, c.status, c.detected_at});
    print_text_table(out, rows);
}

}  // namespace

int run_conflicts_list(const config::Config& config, const ConflictsOptions& options, std::ostream& out) {
    pg::Connection target = connect_target(config);
    conflict_review::ListFilter filter{options.pending, options.pipeline};
    bool logged = conflict_review::has_conflict_log(target);
    if (options.json) {
        std::vector<std::string> objects;
        if (logged) objects = conflict_review::list_conflicts_json(target, filter);
        out << "[";
        for (std::size_t i = 0; i < objects.size(); ++i) out << (i ? ",\n " : "\n ") << objects[i];
        out << (objects.empty() ? "]\n" : "\n]\n");
        return kExitDone;
    }
    std::vector<conflict_review::ConflictSummary> conflicts;
    if (logged) conflicts = conflict_review::list_conflicts(target, filter);
    if (conflicts.empty()) {
        if (!logged)
            out << "(no conflict log on the target yet: no tidemark sync has run against it)\n";
        else
            out << (options.pending ? "(no conflict waiting for review" : "(no conflict logged")
                << (options.pipeline ? " for pipeline " + *options.pipeline : std::string()) << ")\n";
        return kExitDone;
    }
    print_table(conflicts, out);
    auto pending = std::count_if(conflicts.begin(), conflicts.end(),
                                 [](const conflict_review::ConflictSummary& c) { return c.status == "pending"; });
    out << "(" << conflicts.size() << " conflict" << (conflicts.size() == 1 ? "" : "s") << ", " << pending
        << " pending; settle one with: tidemark conflicts resolve -c FILE ID --keep source|target)\n";
    return kExitDone;
}

int run_conflicts_resolve(const config::Config& config, const ConflictsOptions& options, std::ostream& out,
                          std::ostream& err) {
    pg::Connection target = connect_target(config);
    if (!conflict_review::has_conflict_log(target)) {
        err << "tidemark: the target has no conflict log (tidemark.conflicts): no tidemark sync has run against it, "
               "so there is no conflict "
            << *options.id << " to resolve\n";
        return kExitFailure;
    }
    if (options.pipeline) {
        // The ID alone decides which conflict is settled; a named pipeline
        // must be the one that logged it.
        pg::Result owner = target.exec_params(
            "SELECT pipeline FROM tidemark.conflicts WHERE id = $1", pg::TextParams{std::to_string(*options.id)},
            "while looking up the pipeline of conflict " + std::to_string(*options.id));
        if (owner.rows() == 1 && owner.value(0, 0) != *options.pipeline) {
            err << "tidemark: conflict " << *options.id << " was logged by pipeline " << owner.value(0, 0)
                << ", not by pipeline " << *options.pipeline << "; check the ID (conflicts list --pipeline "
                << *options.pipeline << " lists that pipeline's conflicts)\n";
            return kExitFailure;
        }
    }
    auto keep = *options.keep == KeepSide::source ? conflict_review::Keep::source : conflict_review::Keep::target;
    try {
        auto s = conflict_review::settle_conflict(target, *options.id, keep, conflict_review::os_user());
        out << "resolved conflict " << s.id << " (" << s.kind << " on " << s.target_table << " " << s.record_key
            << "): kept the " << conflict_review::to_string(keep) << "'s values; the row was " << s.row_outcome
            << "; resolved values " << s.resolved_values.value_or("(none: no row)") << "; by " << s.resolved_by << "\n";
        return kExitDone;
    } catch (const conflict_review::ReviewError& e) {
        err << "tidemark: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace tidemark::cli

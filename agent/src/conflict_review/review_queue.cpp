// See review_queue.hpp.
#include "conflict_review/review_queue.hpp"

#include <string>

namespace tidemark::conflict_review {
namespace {

// The pipeline's name goes as parameter $1 (filter_params).
std::string where_clause(const ListFilter& filter) {
    std::string where;
    if (filter.pending_only) where += " WHERE c.status = 'pending'";
    if (filter.pipeline) where += (where.empty() ? " WHERE" : " AND") + std::string(" c.pipeline = $1");
    return where;
}

pg::TextParams filter_params(const ListFilter& filter) {
    pg::TextParams params;
    if (filter.pipeline) params.emplace_back(*filter.pipeline);
    return params;
}

// The list reads in UTC whatever the role's TimeZone, so two people
// comparing outputs see the same times.
void use_utc(pg::Connection& target) {
    target.exec("SET TimeZone = 'UTC'", "while setting the review session's time zone");
}

}  // namespace

bool has_conflict_log(pg::Connection& target) {
    pg::Result r = target.exec("SELECT to_regclass('tidemark.conflicts') IS NOT NULL",
                               "while looking for the conflict log tidemark.conflicts on the target");
    return r.value(0, 0) == "t";
}

std::vector<ConflictSummary> list_conflicts(pg::Connection& target, const ListFilter& filter) {
    use_utc(target);
    pg::Result r = target.exec_params(
        "SELECT c.id, c.pipeline, c.source_name, c.target_table, c.record_key::text, c.kind, "
        "       c.columns IS NULL, (SELECT string_agg(quote_ident(x), ', ' ORDER BY n) "
        "                           FROM unnest(c.columns) WITH ORDINALITY AS u(x, n)), "
        "       c.strategy, c.status, "
        "       to_char(c.detected_at, 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"') "
        "FROM tidemark.conflicts c" +
            where_clause(filter) + " ORDER BY c.id",
        filter_params(filter), "while reading the conflict log tidemark.conflicts");
    std::vector<ConflictSummary> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) {
        ConflictSummary s;
        s.id = std::stoll(std::string(r.value(i, 0)));
        s.pipeline = r.value(i, 1);
        s.source_name = r.value(i, 2);
        s.target_table = r.value(i, 3);
        s.record_key = r.value(i, 4);
        s.kind = r.value(i, 5);
        if (r.value(i, 6) != "t") s.columns = std::string(r.value(i, 7));
        s.strategy = r.value(i, 8);
        s.status = r.value(i, 9);
        s.detected_at = r.value(i, 10);
        out.push_back(std::move(s));
    }
    return out;
}

std::vector<std::string> list_conflicts_json(pg::Connection& target, const ListFilter& filter) {
    use_utc(target);
    pg::Result r = target.exec_params(
        "SELECT to_jsonb(c)::text FROM tidemark.conflicts c" + where_clause(filter) + " ORDER BY c.id",
        filter_params(filter), "while reading the conflict log tidemark.conflicts");
    std::vector<std::string> out;
    out.reserve(static_cast<std::size_t>(r.rows()));
    for (int i = 0; i < r.rows(); ++i) out.emplace_back(r.value(i, 0));
    return out;
}

}  // namespace tidemark::conflict_review

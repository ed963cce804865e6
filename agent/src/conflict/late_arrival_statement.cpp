// See late_arrival_statement.hpp.
#include "conflict/late_arrival_statement.hpp"

#include "apply/array_param.hpp"
#include "apply/statement_builder.hpp"
#include "conflict/record_key.hpp"
#include "pg/lsn.hpp"
#include "pg/timestamp.hpp"

namespace tidemark::conflict {
namespace {

std::optional<std::string> time_text(const std::optional<std::int64_t>& t) {
    if (!t) return std::nullopt;
    return pg::format_timestamp(*t);
}

}  // namespace

apply::Statement late_arrival_statement(const std::string& pipeline, const Policy& policy,
                                        const apply::RelationInfo& rel, const std::vector<LoggedLate>& rows) {
    apply::Statement s;
    s.reusable = true;
    s.context = "while recording " + std::to_string(rows.size()) + " late changes of " + rel.source_table +
                " in tidemark.late_arrivals";
    std::vector<const wire::Tuple*> tuples;
    std::vector<std::optional<std::string>> ops, reasons, expected, actual, delays, applied, lsns;
    for (const auto& r : rows) {
        tuples.push_back(r.tuple);
        ops.emplace_back(r.operation);
        reasons.emplace_back(r.record->reason);
        expected.push_back(time_text(r.record->expected_time));
        actual.push_back(time_text(r.record->actual_time));
        if (r.record->expected_time && r.record->actual_time) {
            std::int64_t d = *r.record->expected_time - *r.record->actual_time;
            delays.emplace_back(std::to_string(d < 0 ? -d : d));
        } else {
            delays.emplace_back(std::nullopt);
        }
        applied.emplace_back(r.record->applied ? "true" : "false");
        lsns.emplace_back(pg::Lsn(r.change->txn.final_lsn).to_string());
    }
    apply::ArrayColumns keys = apply::add_arrays(s, rel, rel.key, tuples, "c");
    std::vector<std::string> args = keys.args, aliases = keys.aliases;
    auto extra = [&](const std::vector<std::optional<std::string>>& v, const std::string& alias) {
        args.push_back(text_array_param(s, v));
        aliases.push_back(alias);
    };
    extra(ops, "op");
    extra(reasons, "reason");
    extra(expected, "expected");
    extra(actual, "actual");
    extra(delays, "delay");
    extra(applied, "applied");
    extra(lsns, "lsn");
    std::string key_json = record_key_sql(s, rel, keys.exprs);
    std::string from, names;
    for (std::size_t i = 0; i < args.size(); ++i) {
        from += (i ? ", " : "") + args[i];
        names += (i ? ", " : "") + aliases[i];
    }
    int p_pipeline = s.own(pipeline, true, apply::kTextOid);
    int p_source = s.own(policy.source_name(), true, apply::kTextOid);
    int p_table = s.own(rel.source_table, true, apply::kTextOid);
    s.sql =
        "INSERT INTO tidemark.late_arrivals (pipeline, source_name, source_table, record_key, operation, reason, "
        "expected_time, actual_time, delay, applied, commit_lsn) SELECT $" +
        std::to_string(p_pipeline) + "::text, $" + std::to_string(p_source) + "::text, $" + std::to_string(p_table) +
        "::text, " + key_json +
        ", u.op, u.reason, u.expected::timestamptz, u.actual::timestamptz, "
        "u.delay::bigint * interval '1 microsecond', u.applied::boolean, u.lsn::pg_lsn FROM unnest(" +
        from + ") AS u(" + names + ")";
    return s;
}

}  // namespace tidemark::conflict

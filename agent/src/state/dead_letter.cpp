// See dead_letter.hpp.
#include "state/dead_letter.hpp"

#include "pg/timestamp.hpp"

namespace tidemark::state {

DeadLetterInsert dead_letter_insert(std::string_view pipeline, const DeadLetter& letter,
                                    std::string_view change_extra) {
    DeadLetterInsert d;
    std::string change = change_extra.empty() ? "$7::jsonb" : "($7::jsonb || " + std::string(change_extra) + ")";
    d.sql =
        "INSERT INTO tidemark.dead_letters (pipeline, source_table, operation, commit_lsn, xid, commit_time, "
        "change, sqlstate, error) VALUES ($1, $2, $3, $4::pg_lsn, $5::bigint, $6::timestamptz, " +
        change + ", $8, $9)";
    d.params = {
        std::string(pipeline),
        letter.source_table,
        letter.operation,
        letter.commit_lsn ? std::optional<std::string>(letter.commit_lsn->to_string()) : std::nullopt,
        letter.xid ? std::optional<std::string>(std::to_string(*letter.xid)) : std::nullopt,
        letter.commit_time ? std::optional<std::string>(pg::format_timestamp(*letter.commit_time)) : std::nullopt,
        letter.change_json,
        letter.sqlstate,
        letter.error,
    };
    return d;
}

std::vector<DeadLetterRow> load_dead_letters(pg::Connection& conn, std::string_view pipeline, long long after_id,
                                             int limit) {
    pg::Result r = conn.exec_params(
        "SELECT id, source_table, operation, commit_lsn::text, sqlstate, error, "
        "to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"') "
        "FROM tidemark.dead_letters WHERE pipeline = $1 AND id > $2::bigint ORDER BY id LIMIT $3::int",
        pg::TextParams{std::string(pipeline), std::to_string(after_id), std::to_string(limit)},
        "while reading the dead letters of pipeline " + std::string(pipeline));
    std::vector<DeadLetterRow> out;
    for (int i = 0; i < r.rows(); ++i) {
        DeadLetterRow row;
        row.id = std::stoll(std::string(r.value(i, 0)));
        if (auto v = r.optional_value(i, 1)) row.source_table = std::string(*v);
        row.operation = std::string(r.value(i, 2));
        if (auto v = r.optional_value(i, 3)) row.commit_lsn = std::string(*v);
        if (auto v = r.optional_value(i, 4)) row.sqlstate = std::string(*v);
        row.error = std::string(r.value(i, 5));
        row.created_at = std::string(r.value(i, 6));
        out.push_back(std::move(row));
    }
    return out;
}

long long last_dead_letter_id(pg::Connection& conn) {
    pg::Result r =
        conn.exec("SELECT coalesce(max(id), 0) FROM tidemark.dead_letters", "while reading the last dead letter id");
    return std::stoll(std::string(r.value(0, 0)));
}

}  // namespace tidemark::state

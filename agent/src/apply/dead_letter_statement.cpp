// See dead_letter_statement.hpp.
#include "apply/dead_letter_statement.hpp"

#include <exception>
#include <vector>

#include "apply/json_text.hpp"
#include "pg/lsn.hpp"
#include "state/dead_letter.hpp"
#include "wire/json.hpp"

namespace tidemark::apply {
namespace {

// jsonb_build_object takes at most 100 arguments: 50 columns per call.
constexpr std::size_t kPairsPerCall = 50;

std::optional<std::string> wire_json(const Change& ch) {
    try {
        switch (ch.kind) {
            case ChangeKind::insert:
                return wire::to_json(wire::Message{wire::Insert{std::nullopt, ch.relation->relid, ch.new_tuple}});
            case ChangeKind::update:
                return wire::to_json(wire::Message{
                    wire::Update{std::nullopt, ch.relation->relid, ch.old_kind, ch.old_tuple, ch.new_tuple}});
            case ChangeKind::remove:
                return wire::to_json(
                    wire::Message{wire::Delete{std::nullopt, ch.relation->relid, ch.old_kind, ch.old_tuple}});
            case ChangeKind::truncate: {
                wire::Truncate t;
                t.cascade = ch.cascade;
                t.restart_identity = ch.restart_identity;
                for (const auto& rel : ch.truncated) t.relids.push_back(rel->relid);
                return wire::to_json(wire::Message{t});
            }
        }
    } catch (const std::exception&) {
        // Text values that are not UTF-8 have no JSON form; the rest of
        // the change still describes it.
    }
    return std::nullopt;
}

std::string base_json(const Change& ch) {
    JsonObject o;
    o.str("operation", to_string(ch.kind));
    if (ch.relation) {
        o.str("table", ch.relation->source_table).str("target_table", ch.relation->target_table);
        std::vector<std::string> cols;
        for (const auto& c : ch.relation->columns) cols.push_back(json_string(c.name));
        o.raw("columns", json_array(cols));
    } else {
        std::vector<std::string> tables;
        for (const auto& rel : ch.truncated) tables.push_back(json_string(rel->source_table));
        o.raw("tables", json_array(tables));
    }
    if (auto w = wire_json(ch)) o.raw("message", std::move(*w));
    return o.text();
}

std::string value_sql(Statement& s, const ColumnInfo& c, const wire::Value& v) {
    switch (v.kind) {
        case wire::ValueKind::binary:
            return "to_jsonb($" + std::to_string(s.borrow(v.bytes, true, c.source_type)) + ")";
        case wire::ValueKind::text:
            return "to_jsonb($" + std::to_string(s.borrow(v.bytes, true, 25)) + ")";
        case wire::ValueKind::unchanged_toast:
            return "'{\"unchanged_toast\": true}'::jsonb";
        case wire::ValueKind::null:
            break;
    }
    return "NULL::jsonb";
}

std::string row_sql(Statement& s, const RelationInfo& rel, const wire::Tuple& row) {
    std::string out;
    for (std::size_t start = 0; start < row.size() && start < rel.columns.size(); start += kPairsPerCall) {
        if (!out.empty()) out += " || ";
        out += "jsonb_build_object(";
        for (std::size_t i = start; i < row.size() && i < rel.columns.size() && i < start + kPairsPerCall; ++i) {
            if (i > start) out += ", ";
            out += "$" + std::to_string(s.own(rel.columns[i].name, true, 25)) + ", " +
                   value_sql(s, rel.columns[i], row[i]);
        }
        out += ")";
    }
    return out.empty() ? "'{}'::jsonb" : out;
}

}  // namespace

std::string change_json(const Change& change) { return base_json(change); }

Statement dead_letter_statement(std::string_view pipeline, const Change& ch, const std::optional<std::string>& sqlstate,
                                const std::string& error, bool rendered) {
    state::DeadLetter letter;
    if (ch.relation) letter.source_table = ch.relation->source_table;
    letter.operation = std::string(to_string(ch.kind));
    letter.commit_lsn = pg::Lsn(ch.txn.final_lsn);
    letter.xid = ch.txn.xid;
    letter.commit_time = ch.txn.commit_time;
    letter.change_json = base_json(ch);
    letter.sqlstate = sqlstate;
    letter.error = error;
    state::DeadLetterInsert insert = state::dead_letter_insert(pipeline, letter);
    Statement s = Statement::with_text_params(
        std::move(insert.sql), insert.params,
        "while writing a dead letter for " + (letter.source_table ? *letter.source_table : std::string("a truncate")));
    if (!rendered || !ch.relation) return s;
    std::string rows = "jsonb_build_object()";
    if (!ch.new_tuple.empty()) rows += " || jsonb_build_object('new', " + row_sql(s, *ch.relation, ch.new_tuple) + ")";
    if (ch.old_kind != wire::OldKind::none)
        rows += " || jsonb_build_object('old', " + row_sql(s, *ch.relation, ch.old_tuple) + ")";
    s.sql = state::dead_letter_insert(pipeline, letter, rows).sql;
    return s;
}

}  // namespace tidemark::apply

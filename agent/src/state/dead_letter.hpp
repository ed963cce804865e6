// DeadLetter: a change the target refused, parked in tidemark.dead_letters
// with the error, so the stream can go on and an operator can replay it.
// Owns the row's shape and the statement that writes it (sent by the
// applier inside the transaction that carries the progress past it).
// Must not: decide whether a change is dead-lettered (apply/ does).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace tidemark::state {

struct DeadLetter {
    std::optional<std::string> source_table;
    std::string operation;  // insert, update, delete, truncate
    std::optional<pg::Lsn> commit_lsn;
    std::optional<std::uint64_t> xid;
    std::optional<std::int64_t> commit_time;
    std::string change_json;  // the change as JSON text
    std::optional<std::string> sqlstate;
    std::string error;
};

struct DeadLetterInsert {
    std::string sql;
    pg::TextParams params;
};
// `change_extra` is an SQL expression of type jsonb merged into the
// change's JSON (its parameters numbered from $10), or empty.
DeadLetterInsert dead_letter_insert(std::string_view pipeline, const DeadLetter& letter,
                                    std::string_view change_extra = {});

struct DeadLetterRow {
    long long id = 0;
    std::optional<std::string> source_table;
    std::string operation;
    std::optional<std::string> commit_lsn;
    std::optional<std::string> sqlstate;
    std::string error;
    std::string created_at;  // ISO 8601
};

// The pipeline's dead letters with an id above `after_id`, oldest first,
// at most `limit` of them.
std::vector<DeadLetterRow> load_dead_letters(pg::Connection& conn, std::string_view pipeline, long long after_id,
                                             int limit);
// The highest dead letter id so far (0 when none), to tell this run's
// dead letters from older ones.
long long last_dead_letter_id(pg::Connection& conn);

}  // namespace tidemark::state

// copy_sequences (declared in initial_copy.hpp): sequences are not
// replicated by logical decoding, so their values are carried over at the
// end of the copy and on each --once run.  A sequence's value is not
// transactional, so reading it inside the snapshot gives its value at the
// time of reading; the target's value is then at least the snapshot's.
#include <optional>

#include "catalog/ddl.hpp"
#include "catalog/source_sequence.hpp"
#include "catalog/table_discovery.hpp"
#include "catalog/table_pattern.hpp"
#include "idp/copy_session.hpp"
#include "idp/initial_copy.hpp"
#include "log/event.hpp"
#include "pg/quoting.hpp"

namespace tidemark::idp {
namespace {

constexpr int kSequencesPerTransaction = 64;

struct TargetSequence {
    std::string name;
    std::optional<std::string> last_value;  // null until nextval was first called
};

std::optional<TargetSequence> target_sequence(pg::Connection& target, const catalog::SourceSequence& s) {
    auto found = [](const pg::Result& r) -> std::optional<TargetSequence> {
        if (r.rows() != 1 || r.is_null(0, 0)) return std::nullopt;
        TargetSequence t{std::string(r.value(0, 0)), std::nullopt};
        if (auto v = r.optional_value(0, 1)) t.last_value = std::string(*v);
        return t;
    };
    // An identity column's sequence is named by the target when it made
    // the table, so it is found through the column.
    if (s.identity && s.owner_table && s.owner_column) {
        pg::Result r = target.exec_params(
            "SELECT q.name, pg_catalog.pg_sequence_last_value(q.name::pg_catalog.regclass) "
            "FROM (SELECT pg_catalog.pg_get_serial_sequence($1, $2) AS name "
            "WHERE pg_catalog.to_regclass($1) IS NOT NULL) q WHERE q.name IS NOT NULL",
            pg::TextParams{*s.owner_table, *s.owner_column},
            "while looking for the identity sequence of " + *s.owner_table + " on the target");
        if (auto t = found(r)) return t;
    }
    pg::Result r = target.exec_params(
        "SELECT $1, pg_catalog.pg_sequence_last_value(pg_catalog.to_regclass($1)) "
        "WHERE pg_catalog.to_regclass($1) IS NOT NULL",
        pg::TextParams{s.qualified()}, "while looking for sequence " + s.qualified() + " on the target");
    return found(r);
}

}  // namespace

SequenceCopyResult copy_sequences(const config::Config& config, const std::optional<Snapshot>& snapshot) {
    catalog::TableFilter filter(config.source.include, config.source.exclude);
    pg::Connection source;
    if (snapshot) {
        source = open_source_in_snapshot(config.source.conninfo, *snapshot);
    } else {
        source = open_source(config.source.conninfo, config.source.receive_timeout);
        source.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "while starting to read the source's sequences");
    }
    std::string encoding = source.parameter_status("server_encoding");
    auto tables = catalog::list_tables(source, filter);
    auto sequences = catalog::list_sequences(source, filter, tables);
    source.exec("COMMIT", "while ending the read of the source's sequences");
    source.close();

    SequenceCopyResult result;
    pg::Connection target = open_target(config.target.conninfo, encoding);
    auto begin = [&] {
        target.exec("BEGIN", "while setting the target's sequences");
        target.exec("SET LOCAL search_path = ''", "while setting the target's sequences");
    };
    begin();
    int in_transaction = 0;
    for (const auto& s : sequences) {
        // Reading a sequence and setval lock it until COMMIT: many thousands
        // of them in one transaction would not fit in the server's lock
        // table.
        if (in_transaction == kSequencesPerTransaction) {
            target.exec("COMMIT", "while committing the target's sequences");
            begin();
            in_transaction = 0;
        }
        ++in_transaction;
        auto existing = target_sequence(target, s);
        if (existing && s.is_called && existing->last_value == std::to_string(s.last_value)) {
            ++result.sequences;
            continue;
        }
        std::optional<std::string> name;
        if (existing) name = existing->name;
        if (!name) {
            if (!config.target.create_tables || s.identity) {
                log::warn("sequence missing on the target; its value is not copied",
                          {{"sequence", s.qualified()},
                           {"hint", s.identity ? "the identity column's table is missing on the target"
                                               : "create it on the target or set [target] create_tables = true"}});
                continue;
            }
            target.exec("CREATE SCHEMA IF NOT EXISTS " + pg::quote_identifier(s.schema),
                        "while creating schema " + s.schema + " on the target");
            target.exec(catalog::ddl::create_sequence(s),
                        "while creating sequence " + s.qualified() + " on the target");
            if (s.owner_table) {
                pg::Result owner =
                    target.exec_params("SELECT pg_catalog.to_regclass($1) IS NOT NULL", pg::TextParams{*s.owner_table},
                                       "while looking for table " + *s.owner_table + " on the target");
                if (owner.value(0, 0) == "t")
                    target.exec(catalog::ddl::sequence_owned_by(s),
                                "while setting the owner of sequence " + s.qualified() + " on the target");
            }
            name = s.qualified();
            ++result.created;
        }
        target.exec_params("SELECT pg_catalog.setval($1::pg_catalog.regclass, $2, $3)",
                           pg::TextParams{*name, std::to_string(s.last_value), s.is_called ? "true" : "false"},
                           "while setting sequence " + *name + " on the target");
        ++result.sequences;
        ++result.changed;
    }
    target.exec("COMMIT", "while committing the target's sequences");
    // Quiet when nothing moved: the stream calls this every minute.
    log::write(result.changed > 0 ? spdlog::level::info : spdlog::level::debug, "sequences copied",
               {{"sequences", std::to_string(result.sequences)},
                {"changed", std::to_string(result.changed)},
                {"created", std::to_string(result.created)}});
    return result;
}

}  // namespace tidemark::idp

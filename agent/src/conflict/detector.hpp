// Detector: conflict detection and late-data handling for the
// BatchWriter.  For a batch's keyed conflations it makes the probe
// statements (sent together in one pipeline), then turns each probe's
// rows into the statements that write what the policy decided, log the
// conflicts and late arrivals, and keep tombstones, all set-wise per
// relation, to be sent in the same transaction.  It also adds the
// source's watermark and, at most hourly, the tombstone purge to each
// commit.
// Must not: send anything itself, except the one-off session facts read
// by prepare() (whether commit timestamps are tracked, our origins' ids).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "apply/apply_session.hpp"
#include "apply/conflation.hpp"
#include "apply/statement.hpp"
#include "apply/statement_builder.hpp"
#include "catalog/table_pattern.hpp"
#include "conflict/detection_counts.hpp"
#include "conflict/policy.hpp"
#include "conflict/probe_statement.hpp"
#include "pg/connection.hpp"

namespace tidemark::conflict {

class Detector {
public:
    Detector(std::string pipeline, Policy policy);

    // Reads the session facts once; call outside a pipeline.
    void prepare(pg::Connection& conn);
    // With [conflicts] local_source: makes every target table `filter`
    // selects (with a primary key) leave a tombstone for each delete the
    // target's own users make, before anything is streamed, so that a
    // delete made before the other side's change arrives is on record.
    // Call outside a transaction.
    void arm_existing_tables(pg::Connection& conn, const catalog::TableFilter& filter);
    bool prepared() const noexcept { return prepared_; }

    // Where a table's probe statements leave their rows.
    struct ProbeResults {
        pg::Result rows;
        pg::Result keys;
    };

    // Whether `table` is probed (keyed, with entries); keyless tables are
    // written as they come, which the log says once per relation.
    bool probes(const apply::TableConflation& table);
    // The probe statements of `table`, answering into `results`.
    std::vector<apply::Statement> probe(const apply::TableConflation& table, ProbeResults& results);
    // The statements for `table` once its probes answered.  Reads the
    // conflicting rows' JSON (one more round trip, only when a conflict
    // is logged for an existing row) and unknown origins' names on
    // `session`, outside any pipeline.  Throws apply::ApplyError where the
    // strategy is "error".
    std::vector<apply::Statement> resolve(const apply::TableConflation& table, const ProbeResults& results,
                                          DetectionCounts& counts, std::int64_t now, apply::ApplySession& session);
    // Added to the statements that commit a target transaction whose
    // last source commit was at `commit_time`.
    std::vector<apply::Statement> commit_statements(std::int64_t commit_time);

    const Policy& policy() const noexcept { return policy_; }

private:
    const TablePolicy& table_policy(const apply::RelationInfo& rel);
    // With [conflicts] local_source: makes the target table leave a
    // tombstone for each delete its own users make (once per session).
    void arm_local_deletes(const apply::RelationInfo& rel, pg::Connection& conn);
    void load_origins(pg::Connection& conn);
    // The lean probe's answer: who wrote which rows, asking which ones
    // only when some group is someone else's or rows are missing.
    // Returns the guard for the writes.
    apply::RowGuard read_xmin_groups(const apply::RelationInfo& rel,
                                     const std::vector<const apply::ConflatedEntry*>& entries, const pg::Result& groups,
                                     std::vector<TargetRow>& rows, apply::ApplySession& session);
    // Names the writer of each row from its origin id.
    void name_writers(std::vector<TargetRow>& rows, pg::Connection& conn);

    std::string pipeline_;
    Policy policy_;
    bool prepared_ = false;
    ProbeSettings probe_settings_;
    std::map<std::uint32_t, std::string> origins_;  // roident -> name
    std::map<std::pair<std::uint32_t, std::uint64_t>, TablePolicy> tables_;
    std::set<std::uint32_t> keyless_logged_;
    // Relations whose target table records local deletes (local_source).
    std::set<std::pair<std::uint32_t, std::uint64_t>> local_deletes_armed_;
    std::optional<std::chrono::steady_clock::time_point> last_purge_;
};

}  // namespace tidemark::conflict

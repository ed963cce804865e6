// Policy: the configured conflict and late-data rules, resolved for one
// stream session: who "we" are on the target (the source name and its
// replication origins), how sources rank in last_write_wins ties, and for
// each relation its strategies per column, its version column and its
// soft-delete column.
// Must not: look at rows (the classifier does) or run SQL.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apply/relation_info.hpp"
#include "config/config.hpp"

namespace tidemark::conflict {

using config::Strategy;

// What the policy says about one relation (one schema version of it).
struct TablePolicy {
    // [conflicts] default: whole-row decisions (deletes, missing rows).
    Strategy row_strategy = Strategy::last_write_wins;
    // Per column of the relation: its rule's strategy, else the default.
    std::vector<Strategy> column_strategy;
    std::optional<std::size_t> version_column;
    // The version column holds a point in time (timestamp, timestamptz,
    // date): tolerance, delays and clock skew apply to it.
    bool version_is_time = false;
    std::optional<std::size_t> soft_delete_column;
    config::SoftDeleteMode soft_delete = config::SoftDeleteMode::remove;
};

class Policy {
public:
    // `source_name` is [source] name, `origin_name` the replication
    // origin this source's changes are written under on the target.
    Policy(const config::Config& config, std::string source_name, std::string origin_name);

    // Throws apply::ApplyError when a rule or [[late_data.tables]] names a
    // column the relation does not have.
    TablePolicy for_relation(const apply::RelationInfo& relation) const;

    const std::string& source_name() const noexcept { return source_name_; }
    const std::string& origin_name() const noexcept { return origin_name_; }
    std::chrono::milliseconds tolerance() const noexcept { return tolerance_; }
    std::chrono::milliseconds max_clock_skew() const noexcept { return max_clock_skew_; }
    std::chrono::milliseconds tombstone_retention() const noexcept { return tombstone_retention_; }

    // This source's origin, or one of its copy origins (the origin name,
    // "_copy", digits): rows written under them are ours.
    bool is_ours(std::string_view origin) const noexcept;
    // The writer behind an origin name, for ties: its position in
    // [conflicts] source_priority (compared by origin name, copy origins
    // counting as their source); sources not listed rank after the listed
    // ones, and a local user's write (no origin, "") ranks last.
    int rank(std::string_view origin) const noexcept;
    // The writer behind an origin name, with a local user's write (no
    // origin) given to [conflicts] local_source when it is set.
    std::string_view writer_origin(std::string_view origin) const noexcept;
    // The step of [conflicts] commit_time_resolution a commit time (in
    // PostgreSQL microseconds) falls in: commit times compare by step.
    std::int64_t commit_time_step(std::int64_t commit_time) const noexcept;
    std::int64_t commit_time_resolution() const noexcept { return commit_time_step_; }
    // Commit times compare by steps only where another tidemark source
    // writes into the same target database (another pipeline's state is
    // there): a row it wrote carries the commit time
    // of its agent's target transaction, and only steps make that time
    // right for every row.  A local user's commit time, and this source's
    // own, are exact: with no other tidemark source, times compare exactly.
    void use_commit_time_steps(bool on) noexcept { steps_ = on; }
    bool commit_time_steps() const noexcept { return steps_; }
    // [conflicts] local_source, or "" when the target's own writes are a
    // local user's.
    const std::string& local_source() const noexcept { return local_source_; }

private:
    std::string source_name_;
    std::string origin_name_;
    std::vector<std::string> priority_;  // origin names of [conflicts] source_priority
    std::string local_source_;
    std::string local_origin_;           // origin name of [conflicts] local_source, or ""
    std::int64_t commit_time_step_ = 1;  // microseconds
    bool steps_ = true;
    std::chrono::milliseconds tolerance_;
    std::chrono::milliseconds max_clock_skew_;
    std::chrono::milliseconds tombstone_retention_;
    std::optional<config::ConflictsConfig> conflicts_;
    std::optional<config::LateDataConfig> late_;
};

// The source name behind a tidemark origin name ("tidemark_system_a" or
// "tidemark_system_a_copy3" -> "system_a"); other names come back as
// they are, and no origin (a local user) as "".
std::string source_of_origin(std::string_view origin);

// The label a conflict record shows for a writer: its source name, or
// "local" for a write without an origin.
std::string writer_label(std::string_view source);

}  // namespace tidemark::conflict

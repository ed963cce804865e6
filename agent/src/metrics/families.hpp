// Families: the name, help text, type and labels of every tidemark_*
// metric, in one place so the publishers and docs/observability.md agree.
// Must not: hold values (the registry does).
#pragma once

#include <array>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "metrics/registry.hpp"

namespace tidemark::metrics {

struct FamilyInfo {
    std::string_view name;
    std::string_view help;
    MetricType type;
    std::string_view labels;  // comma-separated label names
};

namespace family {
// clang-format off
inline constexpr FamilyInfo kChangesApplied{"tidemark_changes_applied_total", "Changes committed on the target, by source table and operation (insert, update, delete, truncate).", MetricType::counter, "pipeline,table,operation"};
inline constexpr FamilyInfo kTransactions{"tidemark_transactions_applied_total", "Source transactions committed on the target.", MetricType::counter, "pipeline"};
inline constexpr FamilyInfo kCheckpoints{"tidemark_checkpoints_total", "Target commits that advanced the replication origin (the checkpoint).", MetricType::counter, "pipeline"};
inline constexpr FamilyInfo kLastCheckpoint{"tidemark_last_checkpoint_timestamp_seconds", "Unix time of the last checkpoint.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kCheckpointAge{"tidemark_checkpoint_age_seconds", "Seconds since the last checkpoint.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kConflicts{"tidemark_conflicts_total", "Conflicts detected and committed with their resolution, by kind and strategy.", MetricType::counter, "pipeline,kind,strategy"};
inline constexpr FamilyInfo kLate{"tidemark_late_changes_total", "Late or suspicious changes, by reason.", MetricType::counter, "pipeline,reason"};
inline constexpr FamilyInfo kPendingReviews{"tidemark_pending_reviews", "Conflicts waiting for a manual resolution (tidemark.conflicts with status pending).", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kDeadLettered{"tidemark_dead_lettered_total", "Changes parked in tidemark.dead_letters by this process, by source table.", MetricType::counter, "pipeline,table"};
inline constexpr FamilyInfo kDeadLetters{"tidemark_dead_letters", "Rows in tidemark.dead_letters for the pipeline.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kErrors{"tidemark_errors_total", "Errors that ended an attempt, by class: the SQLSTATE class (two characters), connection, config or internal.", MetricType::counter, "pipeline,class"};
inline constexpr FamilyInfo kLagBytes{"tidemark_lag_bytes", "WAL bytes the source has sent past the position committed on the target.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kLagSeconds{"tidemark_lag_seconds", "Age of the last applied source commit while changes are pending; 0 when caught up.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kApplyLatency{"tidemark_apply_latency_seconds", "From the source commit to the target commit that applied it, one observation per target commit.", MetricType::histogram, "pipeline"};
inline constexpr FamilyInfo kIdpRows{"tidemark_idp_rows_copied", "Rows of the initial data package copied, by source table.", MetricType::gauge, "pipeline,table"};
inline constexpr FamilyInfo kIdpBytes{"tidemark_idp_bytes_copied", "COPY bytes of the initial data package copied, by source table.", MetricType::gauge, "pipeline,table"};
inline constexpr FamilyInfo kIdpTables{"tidemark_idp_tables", "Tables of the initial data package by copy state (pending, copying, copied).", MetricType::gauge, "pipeline,state"};
inline constexpr FamilyInfo kStateSize{"tidemark_state_size_bytes", "Bytes used by the tidemark schema on the target (all its tables, indexes included).", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kSlotRetained{"tidemark_slot_retained_wal_bytes", "WAL the source keeps for the pipeline's slot (current position minus restart_lsn).", MetricType::gauge, "pipeline,slot"};
inline constexpr FamilyInfo kQueueItems{"tidemark_queue_items", "Payloads waiting between the stream reader and the applier.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kQueueBytes{"tidemark_queue_bytes", "Parsed bytes waiting between the stream reader and the applier.", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kQueueCapacity{"tidemark_queue_capacity_bytes", "The queue's byte bound: at this fill the reader stops reading (backpressure).", MetricType::gauge, "pipeline"};
inline constexpr FamilyInfo kReaderBlocked{"tidemark_reader_blocked_seconds_total", "Time the stream reader waited because the queue was full (the target is the bottleneck).", MetricType::counter, "pipeline"};
inline constexpr FamilyInfo kStage{"tidemark_pipeline_stage", "1 for the stage the pipeline is in (starting, copying, streaming, reconnecting, stopped, failed), 0 for the others.", MetricType::gauge, "pipeline,stage"};
inline constexpr FamilyInfo kBuildInfo{"tidemark_build_info", "Always 1; the version label says which agent runs.", MetricType::gauge, "version"};
// clang-format on

inline constexpr std::array<const FamilyInfo*, 25> kAll{
    &kChangesApplied, &kTransactions,  &kCheckpoints, &kLastCheckpoint, &kCheckpointAge, &kConflicts,  &kLate,
    &kPendingReviews, &kDeadLettered,  &kDeadLetters, &kErrors,         &kLagBytes,      &kLagSeconds, &kApplyLatency,
    &kIdpRows,        &kIdpBytes,      &kIdpTables,   &kStateSize,      &kSlotRetained,  &kQueueItems, &kQueueBytes,
    &kQueueCapacity,  &kReaderBlocked, &kStage,       &kBuildInfo};
}  // namespace family

// Declares every family, so /metrics shows each one from the start.
void declare_families(Registry& registry);

// The label names of `info`, in order.
std::vector<std::string> label_names(const FamilyInfo& info);

// Label pairs for `info`'s labels, given the values in order.
Labels labels_for(const FamilyInfo& info, std::initializer_list<std::string_view> values);

Counter& counter(Registry& registry, const FamilyInfo& info, std::initializer_list<std::string_view> values);
Gauge& gauge(Registry& registry, const FamilyInfo& info, std::initializer_list<std::string_view> values);
Histogram& histogram(Registry& registry, const FamilyInfo& info, std::initializer_list<std::string_view> values,
                     std::span<const double> bounds);

}  // namespace tidemark::metrics

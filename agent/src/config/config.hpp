// Config: the validated contents of a tidemark configuration file, one
// struct per [section].  Must not: hold anything not read from the file
// (command-line switches live in cli::SyncOptions).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/conflicts_config.hpp"
#include "config/metrics_config.hpp"
#include "config/pipelines_config.hpp"
#include "config/state_config.hpp"
#include "pg/lsn.hpp"

namespace tidemark::config {

enum class StartupMode {
    initial,       // copy every table (the Initial Data Package), then stream
    latest,        // stream from the slot's creation point, copy nothing
    specific,      // stream from [sync] start_lsn, copy nothing
    initial_only,  // copy every table and stop
};

enum class OnError {
    dead_letter,  // park the failing change in the dead-letter table, go on
    stop,         // stop the sync with an error
};

// Which source transactions the decoder sends, by replication origin.
enum class OriginFilter {
    any,   // every transaction, whoever wrote it
    none,  // only those written without a replication origin (local writes):
           // what two databases replicating to each other need, or the
           // changes each applies from the other would come back
};

std::string_view to_string(StartupMode mode) noexcept;
std::string_view to_string(OnError on_error) noexcept;
std::string_view to_string(OriginFilter origin) noexcept;

struct SourceConfig {
    std::string conninfo;
    std::string slot = "tidemark";
    // "schema.table" patterns, '*' as wildcard; empty include = every table.
    std::vector<std::string> include;
    std::vector<std::string> exclude;
    // Names this pipeline in tidemark's state; defaults to the slot name.
    std::string name;
    OriginFilter origin = OriginFilter::any;
    // A replication stream silent this long (not even a keepalive after
    // one was asked for) is treated as lost, as the server's own
    // wal_receiver_timeout does (stream/receive_timeout.hpp fits it to the
    // walsender); the short source sessions wait this long for an answer
    // to a statement.  0: never.
    std::chrono::milliseconds receive_timeout{60000};
};

struct TargetConfig {
    std::string conninfo;
    bool create_tables = true;
    // The most target connections that move data (copy jobs and apply
    // sessions) at once, shared by the pipelines by priority; unset:
    // default_max_connections (config/pipelines_config.hpp).
    std::optional<int> max_connections;
};

// The lowest [sync] copy_max_rate, as pg_basebackup's --max-rate.
inline constexpr std::uint64_t kMinCopyRate = 32 * 1024;

struct SyncConfig {
    StartupMode startup_mode = StartupMode::initial;
    std::optional<pg::Lsn> start_lsn;  // set exactly when startup_mode is specific
    int copy_jobs = 4;
    int batch_size = 5000;
    std::chrono::milliseconds max_batch_latency{200};
    OnError on_error = OnError::dead_letter;
    bool auto_add_columns = false;
    // Rows per Initial Data Package chunk: big tables are copied in chunks
    // of about this many rows so several jobs can share one table and a
    // restart redoes at most one chunk per job.
    std::int64_t chunk_rows = 1'000'000;
    // Bytes per second that the copy jobs together may read from the
    // source, so that a copy at peak hours leaves the source's disks and
    // network to its clients; unset: as fast as it goes.
    std::optional<std::uint64_t> copy_max_rate;
    // While streaming without end, the source's sequence values are copied
    // to the target this often (sync/sequence_follower.hpp); zero: only
    // after the copy and on --once.
    std::chrono::milliseconds sequence_interval{60000};
    bool binary = true;
    // How many [[pipelines]] run at once (highest priority first); unset:
    // all of them.
    std::optional<int> max_parallel_pipelines;
    OnBusy on_busy = OnBusy::exit;
};

// The slot's safety nets while streaming: how much retained WAL is worth
// a warning or an alert, and how often an idle source gets a heartbeat.
struct SlotConfig {
    std::uint64_t warn_retained = 10ull * 1024 * 1024 * 1024;
    std::optional<std::uint64_t> max_retained;
    // Zero: no heartbeats.
    std::chrono::milliseconds heartbeat{60000};
};

struct Config {
    std::filesystem::path path;  // the file it came from, empty for text
    SourceConfig source;
    TargetConfig target;
    SyncConfig sync;
    SlotConfig slot;
    StateConfig state;
    MetricsConfig metrics;
    AlertsConfig alerts;
    // Present when the file has the section; either one turns conflict
    // detection on (a [late_data] alone resolves with the defaults).
    std::optional<ConflictsConfig> conflicts;
    std::optional<LateDataConfig> late_data;
    // [[pipelines]]; empty: [source] is the one pipeline.
    std::vector<PipelineConfig> pipelines;
};

}  // namespace tidemark::config

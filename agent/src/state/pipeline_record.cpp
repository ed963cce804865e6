// See pipeline_record.hpp.
#include "state/pipeline_record.hpp"

#include <stdexcept>

namespace tidemark::state {

std::string_view to_string(PipelinePhase phase) noexcept {
    switch (phase) {
        case PipelinePhase::copying:
            return "copying";
        case PipelinePhase::streaming:
            return "streaming";
        case PipelinePhase::done:
            return "done";
    }
    return "copying";
}

PipelinePhase parse_pipeline_phase(std::string_view text) {
    if (text == "copying") return PipelinePhase::copying;
    if (text == "streaming") return PipelinePhase::streaming;
    if (text == "done") return PipelinePhase::done;
    throw std::invalid_argument("unknown pipeline phase \"" + std::string(text) + "\" in tidemark.pipelines");
}

std::optional<PipelineRecord> load_pipeline(pg::Connection& conn, std::string_view name) {
    pg::Result r = conn.exec_params(
        "SELECT name, slot_name, origin_name, startup_mode, phase, consistent_point, slot_created_by_agent, "
        "state_version FROM tidemark.pipelines WHERE name = $1",
        pg::TextParams{std::string(name)}, "while reading pipeline " + std::string(name) + " from tidemark.pipelines");
    if (r.rows() == 0) return std::nullopt;
    PipelineRecord p;
    p.name = std::string(r.value(0, 0));
    p.slot_name = std::string(r.value(0, 1));
    p.origin_name = std::string(r.value(0, 2));
    p.startup_mode = std::string(r.value(0, 3));
    p.phase = parse_pipeline_phase(r.value(0, 4));
    if (auto lsn = r.optional_value(0, 5)) p.consistent_point = pg::Lsn::parse(*lsn);
    p.slot_created_by_agent = r.value(0, 6) == "t";
    p.state_version = std::stoll(std::string(r.value(0, 7)));
    return p;
}

void insert_pipeline(pg::Connection& conn, const PipelineRecord& record) {
    std::optional<std::string> point;
    if (record.consistent_point) point = record.consistent_point->to_string();
    conn.exec_params(
        "INSERT INTO tidemark.pipelines (name, slot_name, origin_name, startup_mode, phase, consistent_point, "
        "slot_created_by_agent, state_version) VALUES ($1, $2, $3, $4, $5, $6::pg_lsn, $7::boolean, $8::bigint)",
        pg::TextParams{record.name, record.slot_name, record.origin_name, record.startup_mode,
                       std::string(to_string(record.phase)), point,
                       std::string(record.slot_created_by_agent ? "true" : "false"),
                       std::to_string(record.state_version)},
        "while recording pipeline " + record.name + " in tidemark.pipelines");
}

void set_pipeline_phase(pg::Connection& conn, std::string_view name, PipelinePhase phase) {
    pg::Result r = conn.exec_params(
        "UPDATE tidemark.pipelines SET phase = $2, state_version = state_version + 1, updated_at = now() "
        "WHERE name = $1",
        pg::TextParams{std::string(name), std::string(to_string(phase))},
        "while setting pipeline " + std::string(name) + " to phase " + std::string(to_string(phase)));
    if (r.affected_rows() != 1)
        throw std::runtime_error("pipeline " + std::string(name) + " disappeared from tidemark.pipelines");
}

void set_consistent_point(pg::Connection& conn, std::string_view name, pg::Lsn lsn) {
    conn.exec_params(
        "UPDATE tidemark.pipelines SET consistent_point = $2::pg_lsn, state_version = state_version + 1, "
        "updated_at = now() WHERE name = $1",
        pg::TextParams{std::string(name), lsn.to_string()},
        "while recording the consistent point of pipeline " + std::string(name));
}

DeletedState delete_pipeline_state(pg::Connection& conn, std::string_view name) {
    DeletedState d;
    pg::TextParams params{std::string(name)};
    std::string what = "while deleting the state of pipeline " + std::string(name);
    d.tables = conn.exec_params("DELETE FROM tidemark.tables WHERE pipeline = $1", params, what).affected_rows();
    d.stats = conn.exec_params("DELETE FROM tidemark.table_stats WHERE pipeline = $1", params, what).affected_rows();
    d.pipelines = conn.exec_params("DELETE FROM tidemark.pipelines WHERE name = $1", params, what).affected_rows();
    return d;
}

}  // namespace tidemark::state

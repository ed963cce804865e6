// See state_poller.hpp.
#include "metrics/state_poller.hpp"

#include <map>

#include "log/event.hpp"
#include "metrics/families.hpp"
#include "state/pipeline_overview.hpp"

namespace tidemark::metrics {
namespace {

using Clock = std::chrono::steady_clock;
// While the pipeline starts or copies, often: the copy's progress and the
// moment it begins are what /readyz and the page show then.
constexpr std::chrono::milliseconds kCopyingInterval{500};
constexpr std::chrono::seconds kInterval{10};
constexpr std::chrono::seconds kMinute{60};

pg::Connection connect(const std::string& conninfo) {
    pg::ConnectOptions options;
    options.application_name = "tidemark status";
    options.connect_timeout = std::chrono::seconds(10);
    pg::Connection conn = pg::Connection::connect(conninfo, options);
    conn.exec("SET statement_timeout = '10s'", "while preparing the state poller's connection");
    return conn;
}

}  // namespace

StatePoller::StatePoller(std::string target_conninfo, std::shared_ptr<PipelineStatus> status, Registry& registry,
                         MinuteTask every_minute)
    : conninfo_(std::move(target_conninfo)),
      status_(std::move(status)),
      registry_(registry),
      every_minute_(std::move(every_minute)),
      thread_([this](std::stop_token stop) { run(std::move(stop)); }) {}

StatePoller::~StatePoller() {
    thread_.request_stop();
    wake_.notify_all();
}

void StatePoller::poll(pg::Connection& conn, bool with_size) {
    const std::string& name = status_->name();
    state::PipelineOverview o = state::read_pipeline_overview(conn, name, with_size);
    if (o.state_bytes) state_bytes_ = o.state_bytes;
    // The copy runs inside the pipeline's start: the state tells when.
    if (o.pipeline && o.pipeline->phase == state::PipelinePhase::copying && status_->stage() == Stage::starting)
        status_->set_stage(Stage::copying);
    StateFacts facts;
    facts.known = o.pipeline.has_value();
    if (o.pipeline) facts.phase = std::string(state::to_string(o.pipeline->phase));
    std::map<std::string, int> by_phase{{"pending", 0}, {"copying", 0}, {"copied", 0}};
    for (const auto& t : o.tables) {
        facts.tables.push_back({t.source_table, t.phase, t.rows_copied, t.bytes_copied, t.source_rows});
        gauge(registry_, family::kIdpRows, {name, t.source_table}).set(static_cast<double>(t.rows_copied));
        gauge(registry_, family::kIdpBytes, {name, t.source_table}).set(static_cast<double>(t.bytes_copied));
        ++by_phase[t.phase];
    }
    for (const auto& [phase, n] : by_phase) gauge(registry_, family::kIdpTables, {name, phase}).set(n);
    facts.pending_reviews = o.pending_reviews.value_or(0);
    facts.dead_letters = o.dead_letters;
    if (o.checkpoint_lsn) facts.checkpoint_lsn = o.checkpoint_lsn->to_string();
    facts.state_bytes = state_bytes_;
    facts.read_at = std::chrono::system_clock::now();
    gauge(registry_, family::kPendingReviews, {name}).set(static_cast<double>(facts.pending_reviews));
    gauge(registry_, family::kDeadLetters, {name}).set(static_cast<double>(facts.dead_letters));
    if (state_bytes_) gauge(registry_, family::kStateSize, {name}).set(static_cast<double>(*state_bytes_));
    status_->set_state(std::move(facts));
}

void StatePoller::run(std::stop_token stop) {
    std::optional<pg::Connection> conn;
    bool failing = false;
    auto next_minute = Clock::now();
    while (!stop.stop_requested()) {
        auto now = Clock::now();
        try {
            if (!conn) conn = connect(conninfo_);
            bool minute = now >= next_minute;
            poll(*conn, minute || !state_bytes_);
            if (minute) {
                next_minute = now + kMinute;
                if (every_minute_) every_minute_(*conn);
            }
            if (failing) log::info("the state poller reads the target again", {{"pipeline", status_->name()}});
            failing = false;
        } catch (const std::exception& e) {
            conn.reset();
            StateFacts facts = status_->state();
            facts.error = e.what();
            status_->set_state(std::move(facts));
            if (!failing)
                log::warn("could not read the pipeline's state for the metrics; trying again",
                          {{"pipeline", status_->name()}, {"error", e.what()}});
            failing = true;
        }
        Stage stage = status_->stage();
        std::chrono::milliseconds interval =
            stage == Stage::copying || stage == Stage::starting ? kCopyingInterval : kInterval;
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, stop, interval, [] { return false; });
    }
}

}  // namespace tidemark::metrics

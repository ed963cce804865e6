// See budget_seat.hpp.
#include "sync/budget_seat.hpp"

#include <algorithm>

#include "pg/connection.hpp"
#include "sync/pipeline_startup.hpp"

namespace tidemark::sync {

BudgetSeat::~BudgetSeat() {
    if (budget_ && held_ > 0) budget_->release(pipeline_, held_);
}

void BudgetSeat::reserve(int want, std::stop_token stop) {
    if (!budget_) {
        held_ = want;
        return;
    }
    if (held_ == 0) {
        held_ = budget_->acquire(pipeline_, want, stop);
    } else if (held_ > want) {
        budget_->release(pipeline_, held_ - want);
        held_ = want;
    }
}

config::Config BudgetSeat::for_start(const config::Config& config, std::stop_token stop, bool reseeding) {
    if (!budget_) {
        held_ = config.sync.copy_jobs;
        return config;
    }
    reserve(reseeding || copies_at_start(config) ? config.sync.copy_jobs : 1, stop);
    config::Config sized = config;
    sized.sync.copy_jobs = std::max(1, std::min(held_, config.sync.copy_jobs));
    return sized;
}

void BudgetSeat::for_stream(std::stop_token stop) { reserve(1, stop); }

bool copies_at_start(const config::Config& config) {
    auto mode = config.sync.startup_mode;
    bool fresh_copies = mode == config::StartupMode::initial || mode == config::StartupMode::initial_only;
    pg::ConnectOptions o;
    o.application_name = "tidemark";
    pg::Connection target = pg::Connection::connect(config.target.conninfo, o);
    pg::Result exists = target.exec("SELECT pg_catalog.to_regclass('tidemark.pipelines') IS NOT NULL",
                                    "while looking for tidemark's state on the target");
    if (exists.value(0, 0) != "t") return fresh_copies;
    pg::Result r = target.exec_params("SELECT phase FROM tidemark.pipelines WHERE name = $1",
                                      pg::TextParams{pipeline_name(config)},
                                      "while reading the phase of pipeline " + pipeline_name(config));
    if (r.rows() == 0) return fresh_copies;
    return r.value(0, 0) == "copying";
}

}  // namespace tidemark::sync

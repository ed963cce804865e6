// BudgetSeat: one pipeline run's share of the ConnectionBudget.  The start
// takes as many connections as the copy ahead can use (copy_jobs when the
// pipeline will copy, else one), the stream keeps one for its apply
// session, and whatever is held goes back when the run ends.  Moving from
// the copy to the stream keeps one connection throughout, so a pipeline
// never queues behind lower priorities between the two.
// Must not: open connections itself, or hold a budget it was not given
// (without one every call is free).
#pragma once

#include <stop_token>
#include <string>

#include "config/config.hpp"
#include "sync/connection_budget.hpp"

namespace tidemark::sync {

class BudgetSeat {
public:
    BudgetSeat(ConnectionBudget* budget, std::string pipeline) : budget_(budget), pipeline_(std::move(pipeline)) {}
    ~BudgetSeat();
    BudgetSeat(const BudgetSeat&) = delete;
    BudgetSeat& operator=(const BudgetSeat&) = delete;

    // The configuration to start the pipeline with: `config` with
    // copy_jobs cut to the connections granted (copy_jobs of them when the
    // start copies, or `reseeding` says tables are copied again).  When
    // `stop` comes first the caller must check it before going on.  Throws
    // pg::DatabaseError (reading the pipeline's phase on the target).
    config::Config for_start(const config::Config& config, std::stop_token stop, bool reseeding = false);
    // Keeps (or waits for) the one connection of the apply session.
    void for_stream(std::stop_token stop);

    int held() const noexcept { return held_; }

private:
    // Holds `want` when it holds nothing; gives back what is beyond it.
    void reserve(int want, std::stop_token stop);

    ConnectionBudget* budget_;
    std::string pipeline_;
    int held_ = 0;
};

// Whether starting this pipeline copies tables: a new pipeline with
// startup_mode initial or initial_only, or one whose copy did not finish.
// Throws pg::DatabaseError.
bool copies_at_start(const config::Config& config);

}  // namespace tidemark::sync

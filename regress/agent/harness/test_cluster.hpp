// A throwaway PostgreSQL cluster for the agent's multi-cluster tests.
// Owns: the cluster's life (regress/pgcluster.sh does the work, so tests,
// demo and benchmarks make clusters the same way) and a few query helpers.
// Must not: know anything about tidemark's own state or format.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tidemark::testing {

using Row = std::vector<std::optional<std::string>>;

class TestCluster {
public:
    // Starts a new cluster in a fresh temporary folder; extra settings are
    // "name=value" lines for postgresql.conf.
    explicit TestCluster(std::string name, std::vector<std::string> settings = {});
    ~TestCluster();
    TestCluster(const TestCluster&) = delete;
    TestCluster& operator=(const TestCluster&) = delete;

    int port() const { return port_; }
    const std::string& dir() const { return dir_; }
    const std::string& name() const { return name_; }
    std::string conninfo(std::string_view dbname = "postgres", std::string_view user = "postgres") const;

    // Runs SQL on a short-lived connection; throws std::runtime_error with
    // the server's message on failure.
    void exec(std::string_view sql, std::string_view dbname = "postgres") const;
    std::vector<Row> query(std::string_view sql, std::string_view dbname = "postgres") const;
    // The single value of a one-row, one-column query ("" for NULL).
    std::string scalar(std::string_view sql, std::string_view dbname = "postgres") const;
    void create_database(std::string_view dbname) const;

    void stop();     // fast shutdown
    void start();    // on the same port
    void restart();  // stop + start
    void kill();     // SIGKILL the postmaster and its children (crash)

private:
    std::string run_script(const std::vector<std::string>& args) const;

    std::string name_;
    std::string dir_;
    int port_ = 0;
};

// Polls `condition` until it holds or `timeout_ms` passes; tests never sleep
// a fixed time and hope.
bool wait_until(const std::function<bool()>& condition, int timeout_ms = 60000, int interval_ms = 50);

}  // namespace tidemark::testing

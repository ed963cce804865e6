// See test_cluster.hpp.  The cluster mechanics live in regress/pgcluster.sh;
// this file only calls it and talks libpq.
#include "test_cluster.hpp"

#include <libpq-fe.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <thread>

#ifndef TIDEMARK_SOURCE_DIR
#error "TIDEMARK_SOURCE_DIR must point at the repository"
#endif

namespace tidemark::testing {
namespace {

struct ConnDeleter {
    void operator()(PGconn* c) const { PQfinish(c); }
};
struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ConnPtr = std::unique_ptr<PGconn, ConnDeleter>;
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

std::string script_path() { return std::string(TIDEMARK_SOURCE_DIR) + "/regress/pgcluster.sh"; }

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    return out + "'";
}

ConnPtr connect_or_throw(const std::string& conninfo) {
    ConnPtr conn(PQconnectdb(conninfo.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK)
        throw std::runtime_error("test cluster: cannot connect: " + std::string(PQerrorMessage(conn.get())));
    return conn;
}

}  // namespace

TestCluster::TestCluster(std::string name, std::vector<std::string> settings) : name_(std::move(name)) {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/tidemark-" + name_ + ".XXXXXX";
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    if (!mkdtemp(buf.data())) throw std::runtime_error("test cluster: mkdtemp failed for " + pattern);
    dir_ = buf.data();
    std::vector<std::string> args{"start", dir_};
    args.insert(args.end(), settings.begin(), settings.end());
    port_ = std::stoi(run_script(args));
}

TestCluster::~TestCluster() {
    if (std::getenv("TIDEMARK_KEEP_CLUSTERS")) {
        std::fprintf(stderr, "keeping cluster %s in %s (port %d)\n", name_.c_str(), dir_.c_str(), port_);
        run_script({"stop", dir_});
        return;
    }
    try {
        run_script({"destroy", dir_});
    } catch (const std::exception& e) {
        std::fprintf(stderr, "test cluster %s: %s\n", name_.c_str(), e.what());
    }
}

std::string TestCluster::run_script(const std::vector<std::string>& args) const {
    std::string cmd = shell_quote(script_path());
    for (const auto& a : args) cmd += " " + shell_quote(a);
    cmd += " 2>&1";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    if (!pipe) throw std::runtime_error("test cluster: cannot run " + cmd);
    std::string out;
    std::array<char, 4096> chunk{};
    size_t n;
    while ((n = fread(chunk.data(), 1, chunk.size(), pipe.get())) > 0) out.append(chunk.data(), n);
    int status = pclose(pipe.release());
    if (status != 0) throw std::runtime_error("test cluster: `" + cmd + "` failed:\n" + out);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
}

std::string TestCluster::conninfo(std::string_view dbname, std::string_view user) const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + std::string(dbname) +
           " user=" + std::string(user) + " connect_timeout=10";
}

void TestCluster::exec(std::string_view sql, std::string_view dbname) const { query(sql, dbname); }

std::vector<Row> TestCluster::query(std::string_view sql, std::string_view dbname) const {
    ConnPtr conn = connect_or_throw(conninfo(dbname));
    ResultPtr res(PQexec(conn.get(), std::string(sql).c_str()));
    auto status = PQresultStatus(res.get());
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK)
        throw std::runtime_error("test cluster " + name_ + ": " + std::string(PQresultErrorMessage(res.get())) +
                                 "in: " + std::string(sql.substr(0, 500)));
    std::vector<Row> rows;
    int nrows = PQntuples(res.get()), ncols = PQnfields(res.get());
    rows.reserve(nrows);
    for (int r = 0; r < nrows; ++r) {
        Row row;
        row.reserve(ncols);
        for (int c = 0; c < ncols; ++c) {
            if (PQgetisnull(res.get(), r, c)) row.emplace_back(std::nullopt);
            else row.emplace_back(std::string(PQgetvalue(res.get(), r, c), PQgetlength(res.get(), r, c)));
        }
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string TestCluster::scalar(std::string_view sql, std::string_view dbname) const {
    auto rows = query(sql, dbname);
    if (rows.size() != 1 || rows[0].size() != 1)
        throw std::runtime_error("test cluster: expected one value from: " + std::string(sql));
    return rows[0][0].value_or("");
}

void TestCluster::create_database(std::string_view dbname) const {
    ConnPtr conn = connect_or_throw(conninfo("postgres"));
    std::unique_ptr<char, decltype(&PQfreemem)> ident(
        PQescapeIdentifier(conn.get(), dbname.data(), dbname.size()), PQfreemem);
    exec("CREATE DATABASE " + std::string(ident.get()));
}

void TestCluster::stop() { run_script({"stop", dir_}); }
void TestCluster::start() { port_ = std::stoi(run_script({"start", dir_})); }
void TestCluster::restart() { port_ = std::stoi(run_script({"restart", dir_})); }
void TestCluster::kill() { run_script({"kill", dir_}); }

bool wait_until(const std::function<bool()>& condition, int timeout_ms, int interval_ms) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
        if (condition()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    }
}

}  // namespace tidemark::testing

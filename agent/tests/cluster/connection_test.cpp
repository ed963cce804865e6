// pg::Connection against a real cluster: queries with parameters,
// prepared statements, errors with their SQLSTATE and context, COPY in
// both directions, pipeline mode, and what a lost server looks like.
#include "pg/connection.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <memory>
#include <string>
#include <vector>

#include "pg/database_error.hpp"
#include "test_cluster.hpp"

namespace tidemark::pg {
namespace {

using namespace std::chrono_literals;
using testing::TestCluster;

class ConnectionTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { cluster_ = std::make_unique<TestCluster>("h3-conn"); }
    static void TearDownTestSuite() { cluster_.reset(); }
    void SetUp() override {
        conn_ = Connection::connect(cluster_->conninfo());
        conn_.exec("DROP TABLE IF EXISTS items; CREATE TABLE items (id int PRIMARY KEY, name text)");
    }

    static std::unique_ptr<TestCluster> cluster_;
    Connection conn_;
};

std::unique_ptr<TestCluster> ConnectionTest::cluster_;

TEST_F(ConnectionTest, ParametersIncludingNullAndBinary) {
    conn_.exec_params("INSERT INTO items VALUES ($1, $2)", TextParams{"1", std::nullopt});
    std::uint32_t be = htonl(2);
    std::string two(reinterpret_cast<const char*>(&be), sizeof be);
    std::vector<Param> params{{two, true, 23}, {"two", false, 0}};
    conn_.exec_params("INSERT INTO items VALUES ($1, $2)", std::span<const Param>(params));
    Result r = conn_.exec("SELECT id, name FROM items ORDER BY id");
    ASSERT_EQ(r.rows(), 2);
    EXPECT_TRUE(r.is_null(0, 1));
    EXPECT_FALSE(r.optional_value(0, 1).has_value());
    EXPECT_EQ(r.value(1, 0), "2");
    EXPECT_EQ(r.value(1, r.column_index("name")), "two");
    EXPECT_THROW(r.value(2, 0), std::out_of_range);
    EXPECT_THROW(r.column_index("nope"), std::out_of_range);
}

TEST_F(ConnectionTest, AffectedRows) {
    for (int i = 0; i < 3; ++i)
        conn_.exec_params("INSERT INTO items VALUES ($1::int, $2)", TextParams{std::to_string(i), "n"});
    Result r = conn_.exec("UPDATE items SET name = 'm'");
    EXPECT_EQ(r.affected_rows(), 3);
}

TEST_F(ConnectionTest, ErrorsCarrySqlstateDetailAndContext) {
    conn_.exec("INSERT INTO items VALUES (1, 'a')");
    try {
        conn_.exec("INSERT INTO items VALUES (1, 'b')", "while applying transaction 42");
        FAIL();
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "23505");
        EXPECT_EQ(e.context(), "while applying transaction 42");
        EXPECT_NE(e.detail().find("(id)=(1)"), std::string::npos);
        EXPECT_FALSE(e.is_connection_error());
        EXPECT_EQ(std::string(e.what()).rfind("while applying transaction 42: duplicate key", 0), 0u) << e.what();
    }
    // The session survives an SQL error.
    EXPECT_EQ(conn_.exec("SELECT 1").value(0, 0), "1");
    try {
        conn_.exec("SELEC 1");
        FAIL();
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "42601");
        EXPECT_EQ(e.context(), "while running \"SELEC 1\"");
    }
}

TEST_F(ConnectionTest, CopyInAndOut) {
    Result start = conn_.exec("COPY items FROM STDIN");
    EXPECT_EQ(start.status(), PGRES_COPY_IN);
    conn_.put_copy_data("1\tone\n2\t\\N\n");
    conn_.put_copy_data("3\tthree\n");
    EXPECT_EQ(conn_.end_copy().affected_rows(), 3);

    conn_.exec("COPY (SELECT id, name FROM items ORDER BY id) TO STDOUT");
    std::string rows;
    for (;;) {
        CopyRead r = conn_.get_copy_data(5s);
        ASSERT_NE(r.status, CopyStatus::timeout);
        if (r.status == CopyStatus::done) {
            EXPECT_EQ(r.result.affected_rows(), 3);
            break;
        }
        rows += r.buffer.view();
    }
    EXPECT_EQ(rows, "1\tone\n2\t\\N\n3\tthree\n");
}

TEST_F(ConnectionTest, AbortedCopyLeavesNothing) {
    conn_.exec("COPY items FROM STDIN");
    conn_.put_copy_data("1\tone\n");
    conn_.abort_copy("source row unreadable");
    EXPECT_EQ(conn_.exec("SELECT count(*) FROM items").value(0, 0), "0");
}

TEST_F(ConnectionTest, PipelineReportsEachStatementAndTheAbortAfterAFailure) {
    conn_.enter_pipeline();
    EXPECT_EQ(conn_.pipeline_status(), PQ_PIPELINE_ON);
    std::vector<Param> one{{"1"}}, dup{{"1"}}, three{{"3"}};
    conn_.send_query_params("INSERT INTO items (id) VALUES ($1::int)", one);
    conn_.send_query_params("INSERT INTO items (id) VALUES ($1::int)", dup);
    conn_.send_query_params("INSERT INTO items (id) VALUES ($1::int)", three);
    conn_.pipeline_sync();
    std::vector<ExecStatusType> statuses;
    for (;;) {
        Result r = conn_.get_result();
        if (!r) continue;  // end of one statement's results
        statuses.push_back(r.status());
        if (r.status() == PGRES_PIPELINE_SYNC) break;
    }
    EXPECT_EQ(statuses, (std::vector<ExecStatusType>{PGRES_COMMAND_OK, PGRES_FATAL_ERROR, PGRES_PIPELINE_ABORTED,
                                                     PGRES_PIPELINE_SYNC}));
    conn_.exit_pipeline();
    // Implicit transaction of the pipeline: the failure rolled back all.
    EXPECT_EQ(conn_.exec("SELECT count(*) FROM items").value(0, 0), "0");
}

TEST_F(ConnectionTest, ApplicationNameIsAFallback) {
    auto name_of = [](Connection& c) {
        return std::string(c.exec("SELECT current_setting('application_name')").value(0, 0));
    };
    ConnectOptions options;
    options.application_name = "tidemark copy 3";
    Connection a = Connection::connect(cluster_->conninfo(), options);
    EXPECT_EQ(name_of(a), "tidemark copy 3");
    Connection b = Connection::connect(cluster_->conninfo() + " application_name=dba_choice", options);
    EXPECT_EQ(name_of(b), "dba_choice");
}

// What the kernel was told for the session's socket: a dead peer is
// noticed after about a minute, unless the conninfo says otherwise.
TEST_F(ConnectionTest, KeepalivesNoticeADeadPeerUnlessTheConninfoSetsThem) {
    auto option = [](const Connection& c, int level, int name) {
        int value = -1;
        socklen_t length = sizeof value;
        EXPECT_EQ(getsockopt(c.socket(), level, name, &value, &length), 0);
        return value;
    };
    Connection a = Connection::connect(cluster_->conninfo());
    EXPECT_EQ(option(a, SOL_SOCKET, SO_KEEPALIVE), 1);
    EXPECT_EQ(option(a, IPPROTO_TCP, TCP_KEEPIDLE), 30);
    EXPECT_EQ(option(a, IPPROTO_TCP, TCP_KEEPINTVL), 10);
    EXPECT_EQ(option(a, IPPROTO_TCP, TCP_KEEPCNT), 3);
    Connection b = Connection::connect(cluster_->conninfo() + " keepalives_idle=7 keepalives_count=9");
    EXPECT_EQ(option(b, IPPROTO_TCP, TCP_KEEPIDLE), 7);
    EXPECT_EQ(option(b, IPPROTO_TCP, TCP_KEEPCNT), 9);
    EXPECT_EQ(option(b, IPPROTO_TCP, TCP_KEEPINTVL), 10);
}

// A session of short statements with a reply timeout: answers within it
// are results as PQexec gives them (the last of several, errors with
// their SQLSTATE); a statement the server does not answer in time ends
// the session as a lost connection.
TEST_F(ConnectionTest, AReplyTimeoutEndsASessionThatDoesNotAnswer) {
    ConnectOptions options;
    options.reply_timeout = std::chrono::milliseconds(500);
    Connection c = Connection::connect(cluster_->conninfo(), options);
    EXPECT_EQ(c.exec("SELECT 1; SELECT 2").value(0, 0), "2");
    EXPECT_EQ(c.exec_params("SELECT $1::int + 1", TextParams{"41"}).value(0, 0), "42");
    try {
        c.exec("SELECT 1 / 0");
        FAIL() << "division by zero must fail";
    } catch (const DatabaseError& e) {
        EXPECT_EQ(e.sqlstate(), "22012");
        EXPECT_FALSE(e.is_connection_error());
    }
    EXPECT_EQ(c.exec("SELECT 'still usable'").value(0, 0), "still usable");
    try {
        c.exec("SELECT pg_sleep(3)");
        FAIL() << "a statement slower than the reply timeout must fail";
    } catch (const DatabaseError& e) {
        EXPECT_TRUE(e.is_connection_error()) << e.what();
        EXPECT_NE(std::string(e.what()).find("did not answer within"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(c.is_ok());
}

TEST_F(ConnectionTest, ConnectFailureIsAConnectionErrorWithoutThePassword) {
    try {
        Connection::connect("host=127.0.0.1 port=1 user=x password=hunter2 connect_timeout=2");
        FAIL();
    } catch (const DatabaseError& e) {
        EXPECT_TRUE(e.is_connection_error());
        EXPECT_EQ(e.sqlstate().substr(0, 2), "08");
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
        EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << e.what();
    }
}

TEST(ConnectionLoss, AKilledServerIsAConnectionError) {
    TestCluster cluster("h3-conn-kill");
    Connection conn = Connection::connect(cluster.conninfo());
    EXPECT_EQ(conn.exec("SELECT 1").value(0, 0), "1");
    cluster.kill();
    try {
        conn.exec("SELECT 1", "while checking the target");
        FAIL() << "a query on a dead server succeeded";
    } catch (const DatabaseError& e) {
        EXPECT_TRUE(e.is_connection_error()) << e.what();
        EXPECT_EQ(e.sqlstate().substr(0, 2), "08") << e.what();
        EXPECT_EQ(e.context(), "while checking the target");
    }
    EXPECT_FALSE(conn.is_ok());
}

}  // namespace
}  // namespace tidemark::pg

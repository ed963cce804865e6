// ApplySession against a real cluster: set-wise statements are prepared
// once per connection and reused, and a statement whose Parse the server
// skipped or refused is prepared again rather than executed by a name that
// does not exist.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "apply/apply_session.hpp"
#include "apply/statement.hpp"
#include "pg/connection.hpp"
#include "test_cluster.hpp"

namespace tidemark::apply {
namespace {

using testing::TestCluster;

class ApplySessionTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() { cluster_ = std::make_unique<TestCluster>("apply-session"); }
    static void TearDownTestSuite() { cluster_.reset(); }
    void SetUp() override {
        session_ = std::make_unique<ApplySession>(pg::Connection::connect(cluster_->conninfo()));
        session_->connection().exec("DROP TABLE IF EXISTS t; CREATE TABLE t (id int PRIMARY KEY)");
    }

    Statement insert(int id) {
        Statement s = Statement::with_text_params("INSERT INTO t SELECT $1::int", pg::TextParams{std::to_string(id)});
        s.reusable = true;
        return s;
    }

    std::string server_side_statements() {
        return std::string(session_->connection()
                               .exec("SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'tidemark_%'")
                               .value(0, 0));
    }

    static std::unique_ptr<TestCluster> cluster_;
    std::unique_ptr<ApplySession> session_;
};

std::unique_ptr<TestCluster> ApplySessionTest::cluster_;

TEST_F(ApplySessionTest, ReusableStatementsArePreparedOnceAndReused) {
    std::vector<Statement> batch;
    batch.push_back(insert(1));
    batch.push_back(insert(2));
    ASSERT_TRUE(session_->run(batch).ok());
    std::vector<Statement> next;
    next.push_back(insert(3));
    ASSERT_TRUE(session_->run(next).ok());
    EXPECT_EQ(session_->prepared_statements(), 1u);
    EXPECT_EQ(server_side_statements(), "1");
    EXPECT_EQ(session_->connection().exec("SELECT string_agg(id::text, ',' ORDER BY id) FROM t").value(0, 0), "1,2,3");
}

TEST_F(ApplySessionTest, AFailedPipelineForgetsTheStatementsItCouldNotPrepare) {
    std::vector<Statement> batch;
    batch.push_back(insert(1));
    batch.push_back(insert(1));  // duplicate key: the pipeline aborts here
    Statement other = Statement::with_text_params("INSERT INTO t SELECT $1::int + 100", pg::TextParams{"5"});
    other.reusable = true;
    batch.push_back(std::move(other));  // its Parse is skipped by the server
    session_->begin();
    auto outcome = session_->run(batch);
    ASSERT_FALSE(outcome.ok());
    EXPECT_EQ(outcome.failed_index, 1u);
    EXPECT_EQ(outcome.error->sqlstate(), "23505");
    session_->rollback();
    // The skipped statement is prepared again when it comes back.
    std::vector<Statement> retry;
    Statement again = Statement::with_text_params("INSERT INTO t SELECT $1::int + 100", pg::TextParams{"5"});
    again.reusable = true;
    retry.push_back(std::move(again));
    retry.push_back(insert(2));
    ASSERT_TRUE(session_->run(retry).ok());
    EXPECT_EQ(session_->connection().exec("SELECT string_agg(id::text, ',' ORDER BY id) FROM t").value(0, 0), "2,105");
    EXPECT_EQ(server_side_statements(), std::to_string(session_->prepared_statements()));
}

}  // namespace
}  // namespace tidemark::apply

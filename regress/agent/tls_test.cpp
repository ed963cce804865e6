// Both connections over TLS: with sslmode=require libpq refuses any
// connection the server does not encrypt, so a sync that succeeds moved
// every byte (replication, copy jobs, apply session, catalog reads)
// encrypted.  check-config says which protocol each connection uses.
// With sslmode=verify-full the servers' certificates are checked too.
#include <string>

#include "sync_fixture.hpp"

namespace tidemark::testing {
namespace {

class Tls : public SyncTest {
protected:
    static void SetUpTestSuite() { start_clusters({"ssl=on"}); }

    std::string tls_config(const std::string& startup_mode) const {
        return "[source]\nconninfo = \"" + source().conninfo(db()) + " sslmode=require\"\nslot = \"" + slot() +
               "\"\n[target]\nconninfo = \"" + target().conninfo(db()) +
               " sslmode=require\"\n[sync]\nstartup_mode = \"" + startup_mode + "\"\ncopy_jobs = 2\n";
    }
};

TEST_F(Tls, CopyAndStreamOverEncryptedConnections) {
    src("CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items SELECT g, 'v' || g FROM generate_series(1, "
        "500) g");
    const std::string cfg = tls_config("initial");
    TempFile file(cfg);
    auto check = run_agent({"check-config", "-c", file.path()});
    EXPECT_EQ(check.exit_code, 0) << describe(check);
    for (const char* side : {"source", "target"}) {
        auto line = check.out.find(std::string("ok      ") + side + ": connect:");
        ASSERT_NE(line, std::string::npos) << check.out;
        auto end = check.out.find('\n', line);
        EXPECT_NE(check.out.substr(line, end - line).find(", TLS TLSv1."), std::string::npos) << check.out;
    }
    sync_ok(cfg);
    src("UPDATE items SET v = 'changed' WHERE id % 10 = 0; DELETE FROM items WHERE id > 490");
    sync_ok(cfg);
    expect_converged();
}

// sslmode=verify-full: the agent checks each server's certificate against
// the root it is given and the host name, on every connection it opens;
// a certificate the root did not sign stops it before anything is done,
// with libpq's reason.
TEST_F(Tls, VerifyFullAcceptsTheRightCertificateAndRefusesAnother) {
    src("CREATE TABLE items (id int PRIMARY KEY, v text); INSERT INTO items VALUES (1, 'one')");
    auto verified = [&](const TestCluster& server, const TestCluster& root) {
        return server.conninfo(db()) + " sslmode=verify-full sslrootcert=" + root.dir() + "/data/server.crt";
    };
    auto config_with = [&](const std::string& source_conninfo) {
        return "[source]\nconninfo = \"" + source_conninfo + "\"\nslot = \"" + slot() + "\"\n[target]\nconninfo = \"" +
               verified(target(), target()) + "\"\n[sync]\nstartup_mode = \"initial\"\ncopy_jobs = 2\n";
    };
    const std::string good = config_with(verified(source(), source()));
    TempFile good_file(good);
    auto check = run_agent({"check-config", "-c", good_file.path()});
    EXPECT_EQ(check.exit_code, 0) << describe(check);
    sync_ok(good);
    src("INSERT INTO items VALUES (2, 'two')");
    sync_ok(good);
    expect_converged();

    // The target's certificate as the source's root: not the one that
    // signed the source's.
    const std::string wrong = config_with(verified(source(), target()));
    TempFile wrong_file(wrong);
    auto refused = run_agent({"check-config", "-c", wrong_file.path()});
    EXPECT_EQ(refused.exit_code, 1) << describe(refused);
    EXPECT_NE(refused.out.find("certificate verify failed"), std::string::npos) << describe(refused);
    auto run = sync_once(wrong);
    EXPECT_EQ(run.exit_code, 1) << describe(run);
    EXPECT_NE(run.err.find("certificate verify failed"), std::string::npos) << describe(run);
}

}  // namespace
}  // namespace tidemark::testing

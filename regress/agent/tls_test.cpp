// Both connections over TLS: with sslmode=require libpq refuses any
// connection the server does not encrypt, so a sync that succeeds moved
// every byte (replication, copy jobs, apply session, catalog reads)
// encrypted.  check-config says which protocol each connection uses.
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

}  // namespace
}  // namespace tidemark::testing

// Unit tests of the configuration loader: defaults, every value it
// understands, and the exact message of each kind of error.
#include <gtest/gtest.h>

#include <string>

#include "config/byte_size.hpp"
#include "config/config_error.hpp"
#include "config/config_loader.hpp"
#include "config/duration.hpp"

namespace tidemark::config {
namespace {

const std::string kMinimal =
    "[source]\nconninfo = \"host=src dbname=app\"\n"
    "[target]\nconninfo = \"host=dst dbname=app\"\n";

std::string error_of(const std::string& text) {
    try {
        parse_config(text);
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "(no error)";
}

TEST(Config, MinimalFileGetsTheDefaults) {
    Config c = parse_config(kMinimal);
    EXPECT_EQ(c.source.conninfo, "host=src dbname=app");
    EXPECT_EQ(c.source.slot, "tidemark");
    EXPECT_EQ(c.source.name, "tidemark");
    EXPECT_TRUE(c.source.include.empty());
    EXPECT_TRUE(c.target.create_tables);
    EXPECT_EQ(c.sync.startup_mode, StartupMode::initial);
    EXPECT_FALSE(c.sync.start_lsn.has_value());
    EXPECT_EQ(c.sync.copy_jobs, 4);
    EXPECT_EQ(c.sync.batch_size, 5000);
    EXPECT_EQ(c.sync.max_batch_latency, std::chrono::milliseconds(200));
    EXPECT_EQ(c.sync.on_error, OnError::dead_letter);
    EXPECT_FALSE(c.sync.auto_add_columns);
    EXPECT_EQ(c.sync.chunk_rows, 1000000);
    EXPECT_FALSE(c.sync.copy_max_rate.has_value());
    EXPECT_TRUE(c.sync.binary);
}

TEST(Config, ReadsEverySetting) {
    Config c = parse_config(
        "[source]\nconninfo = \"postgresql://u@src/app\"\nslot = \"app_slot\"\ninclude = [\"public.*\", "
        "\"sales.orders\"]\n"
        "exclude = [\"public.tmp_*\"]\nname = \"app to warehouse\"\n"
        "[target]\nconninfo = \"host=dst\"\ncreate_tables = false\n"
        "[sync]\nstartup_mode = \"specific\"\nstart_lsn = \"16/B374D848\"\ncopy_jobs = 2\nbatch_size = 100\n"
        "max_batch_latency = \"1 minute\"\non_error = \"stop\"\nauto_add_columns = true\nchunk_rows = 5000\n"
        "copy_max_rate = \"20MB\"\nbinary = false\n");
    EXPECT_EQ(c.source.slot, "app_slot");
    EXPECT_EQ(c.source.include, (std::vector<std::string>{"public.*", "sales.orders"}));
    EXPECT_EQ(c.source.exclude, (std::vector<std::string>{"public.tmp_*"}));
    EXPECT_EQ(c.source.name, "app to warehouse");
    EXPECT_FALSE(c.target.create_tables);
    EXPECT_EQ(c.sync.startup_mode, StartupMode::specific);
    ASSERT_TRUE(c.sync.start_lsn.has_value());
    EXPECT_EQ(c.sync.start_lsn->to_string(), "16/B374D848");
    EXPECT_EQ(c.sync.copy_jobs, 2);
    EXPECT_EQ(c.sync.batch_size, 100);
    EXPECT_EQ(c.sync.max_batch_latency, std::chrono::minutes(1));
    EXPECT_EQ(c.sync.on_error, OnError::stop);
    EXPECT_TRUE(c.sync.auto_add_columns);
    EXPECT_EQ(c.sync.chunk_rows, 5000);
    EXPECT_EQ(c.sync.copy_max_rate, std::optional<std::uint64_t>(20ull * 1024 * 1024));
    EXPECT_FALSE(c.sync.binary);
}

TEST(Config, BadChoiceNamesKeyValueAndValidValues) {
    EXPECT_EQ(error_of(kMinimal + "[sync]\nstartup_mode = \"initail\"\n"),
              "config error: [sync] startup_mode = \"initail\" is not valid; valid values: initial, latest, "
              "specific, initial_only");
    EXPECT_EQ(error_of(kMinimal + "[sync]\non_error = \"ignore\"\n"),
              "config error: [sync] on_error = \"ignore\" is not valid; valid values: dead_letter, stop");
}

TEST(Config, CopyRateIsASizePerSecondOfAtLeast32kB) {
    EXPECT_EQ(parse_config(kMinimal + "[sync]\ncopy_max_rate = \"32kB\"\n").sync.copy_max_rate,
              std::optional<std::uint64_t>(32 * 1024));
    EXPECT_EQ(error_of(kMinimal + "[sync]\ncopy_max_rate = \"1kB\"\n"),
              "config error: [sync] copy_max_rate = \"1kB\" is not valid; must be at least 32kB (per second); leave it "
              "out for no limit");
    EXPECT_NE(error_of(kMinimal + "[sync]\ncopy_max_rate = \"fast\"\n").find("copy_max_rate"), std::string::npos);
}

TEST(Config, SequenceIntervalIsADurationOrOff) {
    EXPECT_EQ(parse_config(kMinimal).sync.sequence_interval, std::chrono::minutes(1));
    EXPECT_EQ(parse_config(kMinimal + "[sync]\nsequence_interval = \"10s\"\n").sync.sequence_interval,
              std::chrono::seconds(10));
    EXPECT_EQ(parse_config(kMinimal + "[sync]\nsequence_interval = \"off\"\n").sync.sequence_interval.count(), 0);
    EXPECT_NE(error_of(kMinimal + "[sync]\nsequence_interval = \"10ms\"\n").find("at least 1s"), std::string::npos);
}

TEST(Config, ReceiveTimeoutIsADurationOrOff) {
    EXPECT_EQ(parse_config(kMinimal).source.receive_timeout, std::chrono::minutes(1));
    const std::string with = "[source]\nconninfo = \"host=src dbname=app\"\nreceive_timeout = ";
    const std::string target = "\n[target]\nconninfo = \"host=dst dbname=app\"\n";
    EXPECT_EQ(parse_config(with + "\"5s\"" + target).source.receive_timeout, std::chrono::seconds(5));
    EXPECT_EQ(parse_config(with + "\"off\"" + target).source.receive_timeout.count(), 0);
    EXPECT_EQ(error_of(with + "\"100ms\"" + target),
              "config error: [source] receive_timeout = \"100ms\" is not valid; must be at least 1s, or \"off\"");
}

TEST(Config, UnknownKeyListsTheValidOnes) {
    EXPECT_EQ(
        error_of(kMinimal + "[sync]\nbatchsize = 10\n"),
        "config error: [sync] unknown key \"batchsize\"; valid keys: startup_mode, start_lsn, copy_jobs, "
        "batch_size, max_batch_latency, on_error, auto_add_columns, chunk_rows, copy_max_rate, sequence_interval, "
        "binary, "
        "max_parallel_pipelines, on_busy");
    EXPECT_EQ(error_of(kMinimal + "[target]\n").substr(0, 13), "config error:");
}

TEST(Config, UnknownSectionAndTopLevelKeyAreErrors) {
    // Every section is listed; more follow [slot] as features add theirs.
    EXPECT_EQ(error_of(kMinimal + "[snyc]\ncopy_jobs = 1\n")
                  .rfind("config error: unknown section [snyc]; valid sections: [source], [target], [sync], [slot]", 0),
              0u);
    EXPECT_EQ(error_of("copy_jobs = 1\n" + kMinimal)
                  .rfind("config error: unknown key \"copy_jobs\" at the top level; settings belong in a section: "
                         "[source], [target], [sync], [slot]",
                         0),
              0u);
}

TEST(Config, SlotSectionDefaultsAndValues) {
    Config defaults = parse_config(kMinimal);
    EXPECT_EQ(defaults.slot.warn_retained, 10ull * 1024 * 1024 * 1024);
    EXPECT_FALSE(defaults.slot.max_retained);
    EXPECT_EQ(defaults.slot.heartbeat, std::chrono::minutes(1));

    Config c = parse_config(kMinimal + "[slot]\nwarn_retained = \"1kB\"\nmax_retained = \"2GB\"\nheartbeat = \"5s\"\n");
    EXPECT_EQ(c.slot.warn_retained, 1024u);
    EXPECT_EQ(c.slot.max_retained, 2ull * 1024 * 1024 * 1024);
    EXPECT_EQ(c.slot.heartbeat, std::chrono::seconds(5));

    EXPECT_EQ(parse_config(kMinimal + "[slot]\nheartbeat = \"off\"\n").slot.heartbeat.count(), 0);
    EXPECT_EQ(parse_config(kMinimal + "[slot]\nheartbeat = \"0\"\n").slot.heartbeat.count(), 0);
    EXPECT_EQ(error_of(kMinimal + "[slot]\nwarn_retained = \"lots\"\n").substr(0, 42),
              "config error: [slot] warn_retained = \"lots");
    EXPECT_NE(error_of(kMinimal + "[slot]\nheartbeat = \"sometimes\"\n").find("heartbeat"), std::string::npos);
    EXPECT_NE(error_of(kMinimal + "[slot]\nmax_retained = \"0B\"\n").find("max_retained"), std::string::npos);
    EXPECT_NE(error_of(kMinimal + "[slot]\nwarn_retaind = \"1GB\"\n").find("warn_retaind"), std::string::npos);
}

TEST(Config, MissingRequiredParts) {
    EXPECT_EQ(error_of("[target]\nconninfo = \"host=dst\"\n"), "config error: section [source] is required");
    EXPECT_EQ(error_of("[source]\nslot = \"s\"\n[target]\nconninfo = \"host=dst\"\n"),
              "config error: [source] conninfo is required");
}

TEST(Config, StartLsnBelongsToSpecificOnly) {
    EXPECT_EQ(error_of(kMinimal + "[sync]\nstartup_mode = \"specific\"\n"),
              "config error: [sync] start_lsn is required with startup_mode = \"specific\"");
    EXPECT_EQ(error_of(kMinimal + "[sync]\nstart_lsn = \"0/1\"\n"),
              "config error: [sync] start_lsn = \"0/1\" is not valid; start_lsn is only used with startup_mode = "
              "\"specific\"");
    EXPECT_EQ(error_of(kMinimal + "[sync]\nstartup_mode = \"specific\"\nstart_lsn = \"0/XYZ\"\n"),
              "config error: [sync] start_lsn = \"0/XYZ\" is not valid; expected a WAL position such as "
              "\"16/B374D848\"");
}

TEST(Config, NumbersAreRangeAndTypeChecked) {
    EXPECT_EQ(error_of(kMinimal + "[sync]\ncopy_jobs = 0\n"),
              "config error: [sync] copy_jobs = 0 is not valid; must be at least 1");
    EXPECT_EQ(error_of(kMinimal + "[sync]\ncopy_jobs = \"four\"\n"),
              "config error: [sync] copy_jobs = \"four\" is not valid; expected an integer");
    EXPECT_EQ(error_of(kMinimal + "[sync]\nbinary = \"yes\"\n"),
              "config error: [sync] binary = \"yes\" is not valid; expected true or false");
}

TEST(Config, DurationsNeedAUnit) {
    EXPECT_EQ(error_of(kMinimal + "[sync]\nmax_batch_latency = \"200\"\n"),
              "config error: [sync] max_batch_latency = \"200\" is not valid; expected a duration such as "
              "\"200ms\" or \"5 minutes\"; units: ms, s, min, h, d, w (or milliseconds, seconds, minutes, hours, "
              "days, weeks)");
}

TEST(Config, SlotNamesFollowPostgresRules) {
    EXPECT_EQ(error_of("[source]\nconninfo = \"host=a\"\nslot = \"My-Slot\"\n[target]\nconninfo = \"host=b\"\n"),
              "config error: [source] slot = \"My-Slot\" is not valid; slot names use lowercase letters, digits "
              "and underscores, at most 63 characters");
}

TEST(Config, RefusesANameWhoseOriginReadsAsAnotherPipelinesCopyOrigin) {
    const std::string expected =
        "the pipeline name \"orders_copy1\" gives replication origin tidemark_orders_copy1, which is also the name "
        "of a copy origin of the pipeline whose origin is tidemark_orders: the two would write under one origin; "
        "choose a name that does not end in _copy and digits (with [source], set name = \"...\" to keep the slot)";
    EXPECT_EQ(error_of("[source]\nconninfo = \"host=a\"\nslot = \"orders_copy1\"\n[target]\nconninfo = \"host=b\"\n"),
              "config error: [source] slot = \"orders_copy1\" is not valid; " + expected);
    EXPECT_EQ(error_of("[source]\nconninfo = \"host=a\"\nslot = \"s\"\nname = \"orders_copy1\"\n[target]\nconninfo = "
                       "\"host=b\"\n"),
              "config error: [source] name = \"orders_copy1\" is not valid; " + expected);
    // The slot keeps its name when the pipeline gets another.
    EXPECT_EQ(error_of("[source]\nconninfo = \"host=a\"\nslot = \"orders_copy1\"\nname = \"orders_backfill\"\n"
                       "[target]\nconninfo = \"host=b\"\n"),
              "(no error)");
    // Only "_copy" and digits at the very end: these are fine.
    for (const char* name : {"copy1", "orders_copy", "orders_copy1x", "orders_copy1-a"})
        EXPECT_EQ(error_of(std::string("[source]\nconninfo = \"host=a\"\nslot = \"s\"\nname = \"") + name +
                           "\"\n[target]\nconninfo = \"host=b\"\n"),
                  "(no error)")
            << name;
}

TEST(Config, ConninfoErrorsNeverShowTheValue) {
    std::string e = error_of("[source]\nconninfo = \"password=hunter2 host\"\n[target]\nconninfo = \"host=b\"\n");
    EXPECT_EQ(e.find("hunter2"), std::string::npos) << e;
    EXPECT_NE(e.find("[source] conninfo is not a valid connection string"), std::string::npos) << e;
    e = error_of("[source]\nconninfo = 5\n[target]\nconninfo = \"host=b\"\n");
    EXPECT_EQ(e, "config error: [source] conninfo is not valid; expected a string");
}

TEST(Config, TomlSyntaxErrorsNameTheLine) {
    std::string e = error_of("[source\nconninfo = 1\n");
    EXPECT_EQ(e.rfind("config error: <text>:1:", 0), 0u) << e;
}

TEST(Config, LoadConfigReportsAMissingFile) {
    try {
        load_config("/nonexistent/tidemark.toml");
        FAIL();
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find("/nonexistent/tidemark.toml"), std::string::npos);
    }
}

TEST(Duration, ParsesUnitsWithAndWithoutSpace) {
    EXPECT_EQ(parse_duration("200ms"), std::chrono::milliseconds(200));
    EXPECT_EQ(parse_duration("5 minutes"), std::chrono::minutes(5));
    EXPECT_EQ(parse_duration("1 minute"), std::chrono::minutes(1));
    EXPECT_EQ(parse_duration("7 days"), std::chrono::hours(24 * 7));
    EXPECT_EQ(parse_duration("30s"), std::chrono::seconds(30));
    EXPECT_EQ(parse_duration("2h"), std::chrono::hours(2));
    EXPECT_EQ(parse_duration("1 week"), std::chrono::hours(24 * 7));
    EXPECT_FALSE(parse_duration("200"));
    EXPECT_FALSE(parse_duration("ms"));
    EXPECT_FALSE(parse_duration("5 fortnights"));
    EXPECT_FALSE(parse_duration("-5s"));
    EXPECT_FALSE(parse_duration("99999999999999999999s"));
}

TEST(Duration, FormatsWithTheLargestExactUnit) {
    EXPECT_EQ(format_duration(std::chrono::milliseconds(200)), "200ms");
    EXPECT_EQ(format_duration(std::chrono::minutes(5)), "5min");
    EXPECT_EQ(format_duration(std::chrono::hours(48)), "2d");
    EXPECT_EQ(format_duration(std::chrono::milliseconds(1500)), "1500ms");
}

TEST(ByteSize, ParsesPostgresUnits) {
    EXPECT_EQ(parse_byte_size("10GB"), 10ULL << 30);
    EXPECT_EQ(parse_byte_size("512 MB"), 512ULL << 20);
    EXPECT_EQ(parse_byte_size("64kB"), 64ULL << 10);
    EXPECT_EQ(parse_byte_size("1TB"), 1ULL << 40);
    EXPECT_EQ(parse_byte_size("100B"), 100u);
    EXPECT_FALSE(parse_byte_size("10"));
    EXPECT_FALSE(parse_byte_size("10 GiB"));
    EXPECT_FALSE(parse_byte_size("99999999999TB"));
}

}  // namespace
}  // namespace tidemark::config

// Unit tests of --pipeline: how each command that acts on pipelines reads
// it, and which pipelines a command then acts on (every one, the named one,
// or a usage error naming them), down to the exit code tidemark returns
// before it connects to anything.
#include "cli/pipeline_choice.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/command_line.hpp"
#include "cli/exit_codes.hpp"
#include "cli/usage_error.hpp"
#include "config/config_loader.hpp"

namespace tidemark::cli {
namespace {

// Port 1 on loopback refuses connections at once.
const std::string kSides =
    "[source]\nconninfo = \"host=127.0.0.1 port=1 user=u connect_timeout=2\"\n"
    "[target]\nconninfo = \"host=127.0.0.1 port=1 user=u connect_timeout=2\"\n";

const std::string kTwo = kSides +
                         "[[pipelines]]\nname = \"a\"\nslot = \"slot_a\"\ninclude = [\"a.*\"]\npriority = 1\n"
                         "[[pipelines]]\nname = \"b\"\nslot = \"slot_b\"\ninclude = [\"b.*\"]\npriority = 5\n";

CommandLine parse(std::vector<std::string_view> args) { return parse_command_line(args); }

std::string usage_error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const UsageError& e) {
        return e.what();
    }
    return "(no usage error)";
}

TEST(PipelineOption, EveryPipelineCommandReadsIt) {
    EXPECT_EQ(parse({"status", "-c", "f", "--pipeline", "b"}).view.pipeline, "b");
    EXPECT_EQ(parse({"report", "--pipeline=b", "-c", "f", "--json"}).view.pipeline, "b");
    EXPECT_EQ(parse({"state", "show", "-c", "f", "--pipeline", "a"}).state.pipeline, "a");
    CommandLine rollback = parse({"state", "rollback", "-c", "f", "7", "--pipeline", "a"});
    EXPECT_EQ(rollback.state.pipeline, "a");
    EXPECT_EQ(rollback.state.version, 7);
    CommandLine exported = parse({"state", "export", "-c", "f", "--pipeline=b", "out.json"});
    EXPECT_EQ(exported.state.pipeline, "b");
    EXPECT_EQ(exported.state.file, std::filesystem::path("out.json"));
    EXPECT_EQ(parse({"slot", "list", "-c", "f", "--pipeline", "a"}).slot.pipeline, "a");
    CommandLine drop = parse({"slot", "drop", "-c", "f", "--pipeline", "a", "--yes"});
    EXPECT_EQ(drop.slot.pipeline, "a");
    EXPECT_FALSE(drop.slot.name.has_value());
    EXPECT_EQ(parse({"conflicts", "list", "-c", "f", "--pipeline", "b", "--pending"}).conflicts.pipeline, "b");
    CommandLine resolve = parse({"conflicts", "resolve", "-c", "f", "12", "--keep", "source", "--pipeline", "b"});
    EXPECT_EQ(resolve.conflicts.pipeline, "b");
    EXPECT_EQ(resolve.conflicts.id, 12);
}

TEST(PipelineOption, IsOptionalAndUnsetByDefault) {
    EXPECT_FALSE(parse({"status", "-c", "f"}).view.pipeline.has_value());
    EXPECT_FALSE(parse({"state", "show", "-c", "f"}).state.pipeline.has_value());
    EXPECT_FALSE(parse({"slot", "list", "-c", "f"}).slot.pipeline.has_value());
    EXPECT_FALSE(parse({"conflicts", "list", "-c", "f"}).conflicts.pipeline.has_value());
}

TEST(PipelineOption, RefusesAnEmptyNameARepeatAndCommandsThatRunEveryPipeline) {
    EXPECT_EQ(usage_error_of([] {
                  parse({"status", "-c", "f", "--pipeline="});
              }),
              "option --pipeline needs the name of a pipeline ([[pipelines]] name)");
    EXPECT_EQ(usage_error_of([] {
                  parse({"state", "show", "-c", "f", "--pipeline"});
              }),
              "option --pipeline needs a value");
    EXPECT_EQ(usage_error_of([] {
                  parse({"slot", "drop", "-c", "f", "--pipeline", ""});
              }),
              "option --pipeline needs the name of a pipeline ([[pipelines]] name)");
    EXPECT_EQ(usage_error_of([] {
                  parse({"report", "-c", "f", "--pipeline", "a", "--pipeline", "b"});
              }),
              "option --pipeline is given more than once");
    EXPECT_EQ(usage_error_of([] {
                  parse({"conflicts", "list", "-c", "f", "--pipeline=a", "--pipeline=b"});
              }),
              "option --pipeline is given more than once");
    EXPECT_EQ(usage_error_of([] {
                  parse({"state", "history", "-c", "f", "--pipeline", "a", "--pipeline", "a"});
              }),
              "option --pipeline is given more than once");
    // sync and check-config take the whole file.
    EXPECT_EQ(usage_error_of([] {
                  parse({"sync", "-c", "f", "--pipeline", "a"});
              }),
              "unknown option --pipeline for sync");
    EXPECT_EQ(usage_error_of([] {
                  parse({"check-config", "-c", "f", "--pipeline", "a"});
              }),
              "unknown option --pipeline for check-config");
}

TEST(PipelineChoice, ShowingCommandsCoverEveryPipelineUnlessOneIsNamed) {
    config::Config two = config::parse_config(kTwo);
    EXPECT_EQ(pipeline_names(two), (std::vector<std::string>{"a", "b"}));
    config::Config all = pipelines_named(two, std::nullopt);
    ASSERT_EQ(all.pipelines.size(), 2u);
    config::Config only_b = pipelines_named(two, "b");
    ASSERT_EQ(only_b.pipelines.size(), 1u);
    auto set = config::pipelines_by_priority(only_b);
    ASSERT_EQ(set.size(), 1u);
    EXPECT_EQ(set[0].name, "b");
    EXPECT_EQ(set[0].slot, "slot_b");
    EXPECT_EQ(usage_error_of([&] { pipelines_named(two, "c"); }),
              "--pipeline: there is no pipeline \"c\"; the [[pipelines]] of the configuration are \"a\", \"b\"");
}

TEST(PipelineChoice, ChangingCommandsNeedTheNameAmongSeveral) {
    config::Config two = config::parse_config(kTwo);
    EXPECT_EQ(usage_error_of([&] { one_pipeline(two, std::nullopt, "tidemark state"); }),
              "tidemark state acts on one pipeline, and the configuration has 2 ([[pipelines]] \"a\", \"b\"); name "
              "it with --pipeline NAME");
    EXPECT_EQ(usage_error_of([&] { one_pipeline(two, "z", "tidemark state"); }),
              "--pipeline: there is no pipeline \"z\"; the [[pipelines]] of the configuration are \"a\", \"b\"");
    config::Config a = one_pipeline(two, "a", "tidemark state");
    EXPECT_TRUE(a.pipelines.empty());
    EXPECT_EQ(a.source.name, "a");
    EXPECT_EQ(a.source.slot, "slot_a");
    EXPECT_EQ(a.source.include, (std::vector<std::string>{"a.*"}));
}

TEST(PipelineChoice, OnePipelineOfPipelinesNeedsNoName) {
    config::Config one =
        config::parse_config(kSides + "[[pipelines]]\nname = \"solo\"\nslot = \"solo_slot\"\ninclude = [\"s.*\"]\n");
    config::Config chosen = one_pipeline(one, std::nullopt, "tidemark state");
    EXPECT_EQ(chosen.source.name, "solo");
    EXPECT_EQ(chosen.source.slot, "solo_slot");
    EXPECT_EQ(one_pipeline(one, "solo", "tidemark state").source.slot, "solo_slot");
}

TEST(PipelineChoice, WithoutPipelinesTheOptionMustNameSourcesPipeline) {
    config::Config plain = config::parse_config(
        "[source]\nconninfo = \"host=src\"\nname = \"main\"\nslot = \"main_slot\"\n[target]\nconninfo = "
        "\"host=dst\"\n");
    EXPECT_EQ(pipeline_names(plain), (std::vector<std::string>{"main"}));
    EXPECT_EQ(one_pipeline(plain, std::nullopt, "tidemark state").source.slot, "main_slot");
    EXPECT_EQ(one_pipeline(plain, "main", "tidemark state").source.slot, "main_slot");
    EXPECT_TRUE(pipelines_named(plain, "main").pipelines.empty());
    EXPECT_EQ(usage_error_of([&] { one_pipeline(plain, "other", "tidemark state"); }),
              "--pipeline: there is no pipeline \"other\"; the configuration describes one, \"main\" ([source] "
              "name, or its slot)");
    EXPECT_EQ(usage_error_of([&] { pipelines_named(plain, "main_slot"); }),
              "--pipeline: there is no pipeline \"main_slot\"; the configuration describes one, \"main\" ([source] "
              "name, or its slot)");
}

class TempConfig {
public:
    explicit TempConfig(const std::string& text) {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "tidemark-pipeline-choice-XXXXXX.toml").string();
        int fd = ::mkstemps(pattern.data(), 5);
        if (fd < 0) throw std::runtime_error("mkstemps failed for " + pattern);
        ::close(fd);
        path_ = pattern;
        std::ofstream(path_) << text;
    }
    ~TempConfig() { std::filesystem::remove(path_); }
    std::string path() const { return path_.string(); }

private:
    std::filesystem::path path_;
};

struct Outcome {
    int code;
    std::string out;
    std::string err;
};

Outcome run_with(std::vector<std::string_view> args) {
    std::ostringstream out, err;
    int code = run(args, Commands{[](const config::Config&, const SyncOptions&, std::shared_ptr<log::TerminalSink>) {
                       return kExitDone;
                   }},
                   out, err);
    return {code, out.str(), err.str()};
}

// The refusals come before any connection: the databases of kSides do not
// answer, so reaching one would end in exit code 1.
TEST(PipelineChoice, RefusalsAreUsageErrorsNamingThePipelines) {
    TempConfig file(kTwo);
    const std::string path = file.path();
    struct Case {
        std::vector<std::string_view> args;
        std::string says;
    };
    const std::vector<Case> cases{
        {{"state", "show", "-c", path}, "tidemark state acts on one pipeline"},
        {{"state", "reset", "-c", path, "--yes"}, "tidemark state acts on one pipeline"},
        {{"slot", "drop", "-c", path, "--yes"}, "tidemark slot drop without a SLOT acts on one pipeline"},
        {{"conflicts", "resolve", "-c", path, "3", "--keep", "target"}, "tidemark conflicts resolve acts on one"},
        {{"status", "-c", path, "--pipeline", "c"}, "there is no pipeline \"c\""},
        {{"report", "-c", path, "--pipeline", "c"}, "there is no pipeline \"c\""},
        {{"slot", "list", "-c", path, "--pipeline", "c"}, "there is no pipeline \"c\""},
        {{"conflicts", "list", "-c", path, "--pipeline", "c"}, "there is no pipeline \"c\""},
        {{"state", "history", "-c", path, "--pipeline", "c"}, "there is no pipeline \"c\""},
    };
    for (const auto& c : cases) {
        Outcome o = run_with(c.args);
        EXPECT_EQ(o.code, kExitBadConfig) << c.says << "\n" << o.err;
        EXPECT_NE(o.err.find(c.says), std::string::npos) << o.err;
        EXPECT_NE(o.err.find("\"a\", \"b\""), std::string::npos) << "the message must list the pipelines:\n" << o.err;
    }
}

TEST(PipelineChoice, ANamedPipelineOrAShowingCommandGoesOnToTheDatabases) {
    TempConfig file(kTwo);
    const std::string path = file.path();
    // Past the choice, these fail only because nothing answers on port 1.
    for (std::vector<std::string_view> args :
         {std::vector<std::string_view>{"state", "show", "-c", path, "--pipeline", "b"},
          {"status", "-c", path},
          {"status", "-c", path, "--pipeline", "a"},
          {"report", "-c", path},
          {"slot", "list", "-c", path},
          {"slot", "drop", "-c", path, "--yes", "stray_slot"},
          {"conflicts", "list", "-c", path}}) {
        Outcome o = run_with(args);
        EXPECT_EQ(o.code, kExitFailure) << args[0] << "\n" << o.err;
        EXPECT_EQ(o.err.find("acts on one pipeline"), std::string::npos) << o.err;
    }
}

}  // namespace
}  // namespace tidemark::cli

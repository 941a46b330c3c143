// `--version` of every binary (sealtrail, sealtraild, sealtrail-bench): the one version module's
// line (version/version.h), with the version and the git commit, on stdout, exit 0, before any
// other flag is checked. Also the exit code of sealtrail-bench's bad flags, which its --help
// documents.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "version/version.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::ProcessResult;
using ::sealtrail::testing::RunProcess;
using ::testing::MatchesRegex;

TEST(VersionTest, IsTheProjectVersionAndAShortCommitOrUnknown) {
  EXPECT_THAT(std::string(Version()), MatchesRegex("[0-9]+\\.[0-9]+\\.[0-9]+"));
  EXPECT_THAT(std::string(GitCommit()), MatchesRegex("[0-9a-f]{4,40}|unknown"));
  EXPECT_EQ(VersionLine("sealtrail"),
            "sealtrail " + std::string(Version()) + " (commit " + std::string(GitCommit()) + ")");
}

TEST(VersionTest, EveryBinaryPrintsIt) {
  testing::ScratchDir scratch("version");
  for (const auto& [binary, name] : std::vector<std::pair<std::string, std::string>>{
           {SEALTRAIL_CLI_PATH, "sealtrail"},
           {SEALTRAILD_PATH, "sealtraild"},
           {SEALTRAIL_BENCH_PATH, "sealtrail-bench"},
       }) {
    for (const std::vector<std::string>& args :
         std::vector<std::vector<std::string>>{{"--version"}, {"--version", "--bogus"}}) {
      const ProcessResult run = RunProcess(binary, args, "", scratch);
      EXPECT_EQ(run.exit_code, 0) << name << ": " << run.err;
      EXPECT_EQ(run.out, VersionLine(name) + "\n") << name;
    }
  }
}

// CLI11's own exit codes (105 for a bad value) are not the bench's: bad flags are "could not
// start", 2, as its --help says.
TEST(BenchBinaryTest, BadFlagsExitTwoAsItsHelpSays) {
  testing::ScratchDir scratch("bench_flags");
  const ProcessResult help = RunProcess(SEALTRAIL_BENCH_PATH, {"--help"}, "", scratch);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, ::testing::HasSubstr("2  the run could not start"));
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"--count", "010"}, {"--mode", "frobnicate"}, {"--bogus"}}) {
    const ProcessResult run = RunProcess(SEALTRAIL_BENCH_PATH, args, "", scratch);
    EXPECT_EQ(run.exit_code, 2) << args[0] << ": " << run.err;
    EXPECT_THAT(run.err, ::testing::StartsWith("sealtrail-bench: "));
  }
}

}  // namespace
}  // namespace sealtrail

// Replays the token-path fuzz target's corpus (tests/fuzz/corpus/jwt_verify/) and its seeds
// through the same harness under the normal build, so every CI run checks what fuzzing found
// without clang or libFuzzer.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/jwt_fuzz_harness.h"
#include "gtest/gtest.h"

namespace sealtrail {
namespace {

fuzzing::JwtFuzzOutcome RunInput(const std::string& input) {
  return fuzzing::RunJwtFuzzInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(JwtFuzzCorpusTest, EveryCorpusFileKeepsTheInvariants) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(SEALTRAIL_JWT_FUZZ_CORPUS_DIR)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  // A corpus that went missing must not pass as an empty one.
  ASSERT_GE(files.size(), 50u) << SEALTRAIL_JWT_FUZZ_CORPUS_DIR;
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(RunInput(input).broken, std::nullopt) << file;
  }
}

// The seeds keep the invariants, and some of them pass every check in each mode that can pass:
// without that the fuzzer would never explore beyond the first refusal.
TEST(JwtFuzzCorpusTest, SeedsKeepTheInvariantsAndReachAcceptance) {
  const std::vector<std::string> seeds = fuzzing::JwtFuzzSeeds();
  int accepted_by_mode[4] = {};
  for (size_t i = 0; i < seeds.size(); ++i) {
    ASSERT_FALSE(seeds[i].empty());
    const fuzzing::JwtFuzzOutcome outcome = RunInput(seeds[i]);
    EXPECT_EQ(outcome.broken, std::nullopt) << "seed " << i;
    if (outcome.accepted) ++accepted_by_mode[static_cast<uint8_t>(seeds[i][0]) % 4];
  }
  EXPECT_EQ(accepted_by_mode[0], 0);  // No raw token can carry a valid signature and "aud".
  EXPECT_GE(accepted_by_mode[1], 5);  // HS256, signed by the harness
  EXPECT_GE(accepted_by_mode[2], 1);  // EdDSA, signed by the harness
  EXPECT_GE(accepted_by_mode[3], 4);  // key sets
}

}  // namespace
}  // namespace sealtrail

// Replays the map-proof fuzz target's corpus (tests/fuzz/corpus/map_proof/) and its seeds through
// the same harness under the normal build, so every CI run checks what fuzzing found without
// clang or libFuzzer.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fuzz/map_proof_fuzz_harness.h"
#include "gtest/gtest.h"

namespace sealtrail {
namespace {

fuzzing::MapProofFuzzOutcome RunInput(const std::string& input) {
  return fuzzing::RunMapProofFuzzInput(reinterpret_cast<const uint8_t*>(input.data()),
                                       input.size());
}

TEST(MapProofFuzzCorpusTest, EveryCorpusFileKeepsTheInvariants) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry :
       std::filesystem::directory_iterator(SEALTRAIL_MAP_PROOF_FUZZ_CORPUS_DIR)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  // A corpus that went missing must not pass as an empty one.
  ASSERT_GE(files.size(), 50u) << SEALTRAIL_MAP_PROOF_FUZZ_CORPUS_DIR;
  int verified = 0;
  for (const std::filesystem::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string input((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const fuzzing::MapProofFuzzOutcome outcome = RunInput(input);
    EXPECT_EQ(outcome.broken, std::nullopt) << file;
    verified += outcome.verified;
  }
  EXPECT_GE(verified, 10);
}

// The seeds keep the invariants, and both kinds of answer (membership and non-membership) are
// reached in every mode: without that the fuzzer would never explore past the first refusal.
TEST(MapProofFuzzCorpusTest, SeedsKeepTheInvariantsAndReachEveryAnswer) {
  const std::vector<std::string> seeds = fuzzing::MapProofFuzzSeeds();
  int verified_by_mode[4] = {};
  int refused = 0;
  for (size_t i = 0; i < seeds.size(); ++i) {
    ASSERT_FALSE(seeds[i].empty());
    const fuzzing::MapProofFuzzOutcome outcome = RunInput(seeds[i]);
    EXPECT_EQ(outcome.broken, std::nullopt) << "seed " << i;
    if (outcome.verified) {
      ++verified_by_mode[static_cast<uint8_t>(seeds[i][0]) % 4];
    } else {
      ++refused;
    }
  }
  EXPECT_EQ(verified_by_mode[0], 64);  // every wide entry's membership
  EXPECT_GE(verified_by_mode[1], 60);  // their neighbours
  EXPECT_GE(verified_by_mode[2], 5);
  EXPECT_GE(verified_by_mode[3], 5);
  EXPECT_GE(refused, 16);  // the malformed forms
}

}  // namespace
}  // namespace sealtrail

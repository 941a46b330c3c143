// libFuzzer target for the key map's proofs: ParseMapProof and VerifyMapProof against two fixed
// maps (map_proof_fuzz_harness.h). Built with SEALTRAIL_FUZZ=ON; see README.md.
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>

#include "fuzz/map_proof_fuzz_harness.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::optional<std::string> broken =
      sealtrail::fuzzing::RunMapProofFuzzInput(data, size).broken;
  if (broken.has_value()) {
    std::fprintf(stderr, "invariant broken: %s\n", broken->c_str());
    std::abort();
  }
  return 0;
}

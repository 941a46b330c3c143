// Writes a fuzz target's seed inputs into a directory, one file each, named seed-NNN.
// Usage: write_fuzz_seeds jwt_verify|map_proof DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/jwt_fuzz_harness.h"
#include "fuzz/map_proof_fuzz_harness.h"

int main(int argc, char** argv) {
  const std::string target = argc == 3 ? argv[1] : "";
  std::vector<std::string> seeds;
  if (target == "jwt_verify") {
    seeds = sealtrail::fuzzing::JwtFuzzSeeds();
  } else if (target == "map_proof") {
    seeds = sealtrail::fuzzing::MapProofFuzzSeeds();
  } else {
    std::fprintf(stderr, "usage: %s jwt_verify|map_proof DIR\n", argv[0]);
    return 2;
  }
  for (size_t i = 0; i < seeds.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "/seed-%03zu", i);
    std::ofstream out(std::string(argv[2]) + name, std::ios::binary);
    out << seeds[i];
    if (!out) {
      std::fprintf(stderr, "cannot write %s%s\n", argv[2], name);
      return 1;
    }
  }
  std::printf("wrote %zu seeds\n", seeds.size());
  return 0;
}

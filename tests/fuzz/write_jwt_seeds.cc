// Writes the token-path fuzz target's seed inputs (jwt_fuzz_harness.h) into a directory, one file
// each, named seed-NNN. Usage: write_jwt_seeds DIR
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "fuzz/jwt_fuzz_harness.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::vector<std::string> seeds = sealtrail::fuzzing::JwtFuzzSeeds();
  for (size_t i = 0; i < seeds.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "/seed-%03zu", i);
    std::ofstream out(std::string(argv[1]) + name, std::ios::binary);
    out << seeds[i];
    if (!out) {
      std::fprintf(stderr, "cannot write %s%s\n", argv[1], name);
      return 1;
    }
  }
  std::printf("wrote %zu seeds\n", seeds.size());
  return 0;
}

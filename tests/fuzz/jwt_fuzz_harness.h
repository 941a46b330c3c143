// The token path as a fuzz target, shared by the libFuzzer binary (jwt_verify_fuzzer.cc) and the
// GoogleTest that replays its corpus under the normal build (tests/jwt_fuzz_corpus_test.cc).
//
// An input's first byte picks what the rest is (byte % 4):
//   0  a token, verified as it is;
//   1  header JSON '\n' payload JSON: encoded, signed HS256 with the fuzz HMAC key, verified;
//   2  the same, signed EdDSA with the fuzz Ed25519 key, verified;
//   3  a JWKS document, loaded as a key set.
// Modes 1 and 2 let the fuzzer reach the header, claims and libjwt decoding past a valid
// signature, which it could never forge.
//
// The verifier holds the RFC 7515 / RFC 8037 example keys (auth_testing/jose_vectors.h) and
// reads a fixed clock, two minutes before the examples' exp, so every run is deterministic.
//
// Thread-safety: none needed; fuzz inputs run one at a time.
#ifndef SEALTRAIL_TESTS_FUZZ_JWT_FUZZ_HARNESS_H_
#define SEALTRAIL_TESTS_FUZZ_JWT_FUZZ_HARNESS_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sealtrail::fuzzing {

struct JwtFuzzOutcome {
  // A broken invariant (a status code other than those the API promises, an accepted token with
  // impossible claims, a message that echoes the token), or nullopt. A crash is the other way
  // to fail.
  std::optional<std::string> broken;
  // The token was accepted, or the JWKS loaded.
  bool accepted = false;
};

// Runs one input.
JwtFuzzOutcome RunJwtFuzzInput(const uint8_t* data, size_t size);

// Inputs worth starting from: the RFC examples, valid tokens for modes 1 and 2 with claim
// variations, and each kind of bad token and key set the unit tests cover.
std::vector<std::string> JwtFuzzSeeds();

}  // namespace sealtrail::fuzzing

#endif  // SEALTRAIL_TESTS_FUZZ_JWT_FUZZ_HARNESS_H_

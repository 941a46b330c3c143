// One verification key of a JwtKeySet and its one algorithm. Internal to server/auth: built by
// jwt_keys.cc and jwk.cc, used by jwt_verifier.cc and jwt_signature.cc.
//
// Thread-safety: a Key is immutable once built and shared between key sets and verifiers.
#ifndef SEALTRAIL_SERVER_AUTH_JWT_KEY_H_
#define SEALTRAIL_SERVER_AUTH_JWT_KEY_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "server/auth/jwt_verifier.h"
#include "server/auth/openssl_util.h"

namespace sealtrail {

enum class JwtAlgorithm { kRS256, kES256, kHS256, kEdDSA };

// "RS256", "ES256", "HS256", "EdDSA" (the JWS "alg" values, RFC 7518 and RFC 8037).
std::string_view JwtAlgorithmName(JwtAlgorithm algorithm);
// The algorithm named exactly `name`; nullopt for every other name, "none" included.
std::optional<JwtAlgorithm> JwtAlgorithmFromName(std::string_view name);

// Smallest HS256 secret and RSA modulus accepted.
inline constexpr size_t kMinHmacSecretBytes = 32;
inline constexpr int kMinRsaBits = 2048;

struct JwtKeySet::Key {
  std::string kid;  // May be empty.
  JwtAlgorithm algorithm = JwtAlgorithm::kRS256;
  // What libjwt takes for the key: the public key PEM (RS256, ES256) or the secret (HS256).
  // Empty for EdDSA, which libjwt 1.10 lacks.
  std::string libjwt_key;
  // The public key (RS256, ES256, EdDSA); null for HS256.
  EvpPkeyPtr public_key;

  ~Key();  // Scrubs an HS256 secret.
};

// A key for `public_key` with the one algorithm its type allows: RSA of at least 2048 bits →
// RS256, EC P-256 → ES256, Ed25519 → EdDSA. INVALID_ARGUMENT for any other key.
absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> MakePublicJwtKey(EvpPkeyPtr public_key,
                                                                       std::string kid);
// An HS256 key. INVALID_ARGUMENT for a secret shorter than kMinHmacSecretBytes.
absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> MakeHmacJwtKey(std::string_view secret,
                                                                     std::string kid);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_JWT_KEY_H_

// A JSON Web Key (RFC 7517, RFC 7518 §6, RFC 8037) turned into a JwtKeySet::Key: public RSA
// ("n", "e"), EC P-256 ("crv", "x", "y") and OKP Ed25519 ("crv", "x") keys through OpenSSL 3's
// EVP_PKEY_fromdata and EVP_PKEY_new_raw_public_key, and oct HS256 secrets ("k"). Internal to
// server/auth.
//
// Thread-safety: pure function.
#ifndef SEALTRAIL_SERVER_AUTH_JWK_H_
#define SEALTRAIL_SERVER_AUTH_JWK_H_

#include <memory>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "server/auth/jwt_key.h"

namespace sealtrail {

// The key `jwk` describes. The key's algorithm comes from "kty" (and "crv"); an "alg" member, if
// present, must name that algorithm, and oct keys must say "HS256". A "use" other than "sig" and
// private members ("d", and the RSA factors) are refused: a verifier holds public keys only.
// INVALID_ARGUMENT naming the problem.
absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> KeyFromJwk(const nlohmann::json& jwk);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_JWK_H_

// The claims check of a JWT whose signature has verified: the registered claims sealtrail
// requires (RFC 7519 §4.1: "exp", "nbf", "iat", "iss", "aud") and the identity claims it reads
// (subject, roles, tenants, and an end user's role and tenant, under configurable names).
// Internal to server/auth.
//
// Claims are read from the verified payload with nlohmann-json for every algorithm, so RS256,
// ES256, HS256 (verified by libjwt) and EdDSA (verified through EVP) share one claims check and
// one notion of a claim's type; libjwt's grant getters cannot tell a missing or mistyped
// integer claim from 0.
//
// Thread-safety: pure function.
#ifndef SEALTRAIL_SERVER_AUTH_JWT_CLAIMS_H_
#define SEALTRAIL_SERVER_AUTH_JWT_CLAIMS_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "server/auth/jwt_verifier.h"

namespace sealtrail {

// The token's claims at time `now`, or UNAUTHENTICATED naming the first problem:
//   "exp" is required and must be a number; the token is refused from exp + leeway on.
//   "nbf", if present, must be a number; refused before nbf - leeway.
//   "iat", if present, must be a number no later than now + leeway.
//   Each of the three must be finite, not after the year 9999, and nbf and iat not negative.
//   exp - iat (exp - now without iat) must not exceed options.max_lifetime.
//   "iss" must be a string equal to options.issuer.
//   "aud" must be a string or an array of strings containing options.audience.
//   "sub" and the role and tenant claims must be strings if present; the roles and tenants
//   claims a string or an array of strings.
// VerifiedToken's key_id and algorithm are left for the caller.
// REQUIRES: `claims` is a JSON object.
absl::StatusOr<VerifiedToken> CheckJwtClaims(const nlohmann::json& claims,
                                             const JwtVerifierOptions& options, absl::Time now);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_JWT_CLAIMS_H_

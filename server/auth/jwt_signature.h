// The signature check of a compact JWS against one chosen key: libjwt for RS256, ES256 and HS256,
// OpenSSL's EVP_DigestVerify for EdDSA (Ed25519), which libjwt 1.10 lacks. Internal to
// server/auth; JwtVerifier calls it after choosing the key.
//
// Thread-safety: pure function; the key is read only.
#ifndef SEALTRAIL_SERVER_AUTH_JWT_SIGNATURE_H_
#define SEALTRAIL_SERVER_AUTH_JWT_SIGNATURE_H_

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "server/auth/jwt_key.h"

namespace sealtrail {

// OK if `token`'s signature verifies with `key`, else UNAUTHENTICATED.
//
// REQUIRES: `token` is the whole compact serialization, three base64url parts;
// `signing_input` is its first two parts with the dot between them, `signature` the decoded
// third part; the token header's "alg" names key.algorithm (the caller chose the key by it).
// libjwt reads the algorithm from the token header again: after it decodes, its algorithm is
// checked against the key's once more, so a disagreement between the two header parsers cannot
// turn into a check with the wrong algorithm.
absl::Status VerifyJwtSignature(const JwtKeySet::Key& key, const std::string& token,
                                std::string_view signing_input, std::string_view signature);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_JWT_SIGNATURE_H_

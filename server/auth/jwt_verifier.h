// JwtVerifier: verifies JSON Web Tokens (RFC 7519) presented to sealtraild, both callers' bearer
// tokens and end users' actor tokens, against a configured key set.
//
// Algorithms: RS256, ES256 and HS256 through libjwt; EdDSA (Ed25519) through OpenSSL's EVP API,
// which libjwt lacks. Nothing here parses JSON, decodes base64url or checks a signature by hand.
//
// Algorithm confusion is impossible by construction: every key has exactly one algorithm, fixed
// when the key set is loaded (from the JWK's "alg" and key type, or from the PEM key type); a
// token is verified only with a key whose algorithm equals the token header's "alg", chosen by
// "kid" (or the only key of that algorithm when the token has no kid). "alg":"none" is refused,
// and so are headers with "crit" extensions or a "typ" other than "JWT". Keys a token names or
// carries itself ("jku", "jwk", "x5u", "x5c") are never used.
//
// Claims checked: "exp" (required), "nbf" (if present), "iat" not in the future, "iss" equal to
// options.issuer, "aud" (string or array) containing options.audience, each with options.leeway;
// and a lifetime (exp - iat, or exp - now without iat) of at most options.max_lifetime, so a
// token with `exp: 1e300` is refused instead of never expiring.
//
// Errors: every refusal is UNAUTHENTICATED with a message naming the problem ("token expired at
// 2026-11-23T10:00:00Z", "unknown key id \"k7\"", "alg none is not accepted", ...); the message
// never echoes the token itself (short header and claim values it names are quoted, escaped and
// cut to a few dozen characters).
//
// Base64url must be canonical and unpadded, and the token is refused before any parsing if it is
// longer than options.max_token_bytes or holds a byte outside base64url and '.'.
//
// Thread-safety: immutable after construction; Verify may be called concurrently.
#ifndef SEALTRAIL_SERVER_AUTH_JWT_VERIFIER_H_
#define SEALTRAIL_SERVER_AUTH_JWT_VERIFIER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"

namespace sealtrail {

// The verification keys, each with its one algorithm.
class JwtKeySet {
 public:
  // A JWKS document (RFC 7517): RSA ("RS256"), EC P-256 ("ES256"), OKP Ed25519 ("EdDSA") and
  // oct ("HS256") keys. A key without "alg" gets the one algorithm its type allows here (oct keys
  // must say "HS256"). INVALID_ARGUMENT naming the key index for malformed or unsupported keys,
  // RSA keys under 2048 bits, EC points off the curve, and keys holding private members ("d").
  static absl::StatusOr<JwtKeySet> FromJwks(std::string_view jwks_json);
  // A PEM public key (RSA, EC P-256 or Ed25519), with key id `kid` (may be empty).
  static absl::StatusOr<JwtKeySet> FromPem(std::string_view pem, std::string kid = "");
  // An HS256 shared secret (at least 32 bytes), with key id `kid` (may be empty).
  static absl::StatusOr<JwtKeySet> FromHmacSecret(std::string_view secret, std::string kid = "");
  // Reads a file holding a JWKS (JSON) or a PEM public key. NOT_FOUND, or errors as above.
  static absl::StatusOr<JwtKeySet> FromFile(Env* env, const std::string& path);

  // Adds every key of `other`. INVALID_ARGUMENT on a duplicate key id (keys without one never
  // collide; a token without a kid needs its algorithm to have one key only).
  absl::Status Merge(JwtKeySet other);
  size_t size() const;

  JwtKeySet(JwtKeySet&&) noexcept;
  JwtKeySet& operator=(JwtKeySet&&) noexcept;
  ~JwtKeySet();

  struct Key;  // Defined in jwt_key.h, internal to server/auth.

 private:
  JwtKeySet();
  friend class JwtVerifier;
  std::vector<std::shared_ptr<const Key>> keys_;
};

inline constexpr absl::Duration kDefaultMaxTokenLifetime = absl::Hours(24 * 366);

struct JwtVerifierOptions {
  std::string issuer;    // Required "iss" value; must not be empty.
  std::string audience;  // Required member of "aud"; must not be empty.
  absl::Duration leeway = absl::Seconds(30);
  // Longest lifetime accepted: exp - iat, or exp - now for a token without iat. The default fits
  // the server's dev token (30 days) and the longest `sealtrail dev-token --ttl` (366 days).
  absl::Duration max_lifetime = kDefaultMaxTokenLifetime;
  // Longest token accepted, in bytes (oversized headers are refused before any parsing).
  size_t max_token_bytes = 8 * 1024;
  // Claim names (configurable because identity providers differ).
  std::string roles_claim = "roles";      // A string or an array of strings.
  std::string tenants_claim = "tenants";  // A string or an array of strings; "*" means all.
  std::string role_claim = "role";        // An end user's role, for actor tokens.
  std::string tenant_claim = "tenant";    // An end user's tenant, for actor tokens.
};

// What a verified token says. Claims absent from the token are empty.
struct VerifiedToken {
  std::string subject;               // "sub"
  std::string key_id;                // The "kid" of the key that verified it.
  std::string algorithm;             // "RS256", "ES256", "HS256" or "EdDSA".
  std::vector<std::string> roles;    // options.roles_claim
  std::vector<std::string> tenants;  // options.tenants_claim
  std::string role;                  // options.role_claim
  std::string tenant;                // options.tenant_claim
  absl::Time expires_at;
};

class JwtVerifier {
 public:
  // `env` supplies the clock (nullptr: Env::Default()); not owned. INVALID_ARGUMENT if the
  // issuer or audience is empty, the key set is empty, the leeway is negative, max_lifetime is
  // not positive or max_token_bytes is 0.
  static absl::StatusOr<std::unique_ptr<JwtVerifier>> Create(JwtKeySet keys,
                                                             JwtVerifierOptions options,
                                                             Env* env = nullptr);
  ~JwtVerifier();

  // Verifies `token` (the compact serialization, without "Bearer "). UNAUTHENTICATED as above.
  // A token that verified is remembered (by its SHA-256) until it expires, so a caller that
  // sends the same token on every call pays for the signature check once: a hit only re-checks
  // "exp" against the clock. Refusals are never remembered.
  absl::StatusOr<VerifiedToken> Verify(std::string_view token) const;

  const JwtVerifierOptions& options() const { return options_; }

 private:
  // Most tokens remembered; when full, the memory starts afresh.
  static constexpr size_t kMaxRememberedTokens = 4096;

  JwtVerifier(JwtKeySet keys, JwtVerifierOptions options, Env* env);
  absl::StatusOr<VerifiedToken> VerifyUncached(std::string_view token) const;

  JwtKeySet keys_;
  JwtVerifierOptions options_;
  Env* env_;
  mutable absl::Mutex verified_mu_;
  mutable absl::flat_hash_map<std::string, VerifiedToken> verified_ ABSL_GUARDED_BY(verified_mu_);
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_JWT_VERIFIER_H_

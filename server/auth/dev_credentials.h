// Development credentials of a local sealtraild: an ES256 JWT signing key kept in the data
// directory, the verifier key set that accepts its tokens, and the token minting that
// `sealtraild` (its first-start dev token) and `sealtrail dev-token` use. Only ever for local
// trials and tests: tokens minted here carry the dev issuer, and nothing accepts them unless the
// server was started with this data directory's dev key.
//
// Files in the data directory:
//   dev-jwt.key    the ES256 private key, PEM, mode 0600, generated on first start
//   dev-jwt.pub    its public key, PEM
//   dev-token      a token holding every role for every tenant, mode 0600
#ifndef SEALTRAIL_SERVER_AUTH_DEV_CREDENTIALS_H_
#define SEALTRAIL_SERVER_AUTH_DEV_CREDENTIALS_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"
#include "server/auth/jwt_verifier.h"

namespace sealtrail {

inline constexpr char kDevJwtKeyFile[] = "dev-jwt.key";
inline constexpr char kDevJwtPublicKeyFile[] = "dev-jwt.pub";
inline constexpr char kDevTokenFile[] = "dev-token";
inline constexpr char kDevIssuer[] = "sealtrail-dev";
inline constexpr char kDevAudience[] = "sealtrail";
inline constexpr char kDevKeyId[] = "sealtrail-dev";

// What a dev token claims.
struct DevTokenClaims {
  std::string subject;               // "sub"; required.
  std::vector<std::string> roles;    // e.g. {"appender", "auditor"}
  std::vector<std::string> tenants;  // e.g. {"acme"}, or {"*"}
  std::string role;                  // an end user's "role", for actor tokens (may be empty)
  std::string tenant;                // an end user's "tenant", for actor tokens (may be empty)
  absl::Duration ttl = absl::Hours(24);
};

class DevCredentials {
 public:
  // Loads DATA_DIR's dev key, generating it (and dev-jwt.pub) if missing and `create` is true.
  // NOT_FOUND if missing and !create; PERMISSION_DENIED for a key file others can read.
  // Never replaces a file: FAILED_PRECONDITION for a dev-jwt.pub without its key or not matching
  // it, and for a key file that is not a P-256 private key. A missing dev-jwt.pub is rewritten.
  // Returns after any file it created is durable (file and directory synced).
  static absl::StatusOr<DevCredentials> Open(Env* env, const std::string& data_dir, bool create);

  // A signed token with `claims`, issued now (env's clock), iss kDevIssuer, aud kDevAudience,
  // kid kDevKeyId. INVALID_ARGUMENT for an empty subject or a ttl that is not positive, a role
  // RoleFromName does not know, an empty tenant, or a claim that is not UTF-8 or holds a NUL.
  // Claim names are JwtVerifierOptions' defaults ("roles", "tenants", "role", "tenant"); roles and
  // tenants are always arrays, role and tenant are left out when empty.
  absl::StatusOr<std::string> Mint(const DevTokenClaims& claims) const;

  // The key set that verifies this key's tokens.
  absl::StatusOr<JwtKeySet> VerifierKeys() const;

  DevCredentials(DevCredentials&&) noexcept;
  DevCredentials& operator=(DevCredentials&&) noexcept;
  ~DevCredentials();

 private:
  struct Key;
  DevCredentials(Env* env, std::unique_ptr<Key> key);
  Env* env_;
  std::unique_ptr<Key> key_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_DEV_CREDENTIALS_H_

// The JwtVerifier sealtraild authenticates callers' bearer tokens and end users' actor tokens
// with, and the dev token of a local server.
//
// With options.jwt_key_files: their keys (JWKS or PEM files, merged), options.jwt's issuer,
// audience, leeway and claim names. Without: the data directory's dev credentials
// (server/auth/dev_credentials.h; created on first start), issuer kDevIssuer and audience
// kDevAudience, and DATA/dev-token, a token holding every role for every tenant, written with mode
// 0600 and minted again when it is missing, expires within a day, is not accepted by the key (a
// new key), or is readable by others. Its use is logged as a `dev_token` event.
#ifndef SEALTRAIL_SERVER_SERVICE_TOKEN_VERIFIER_H_
#define SEALTRAIL_SERVER_SERVICE_TOKEN_VERIFIER_H_

#include <memory>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "server/auth/jwt_verifier.h"
#include "server/service/event_log.h"
#include "server/service/server_options.h"

namespace sealtrail {

// The subject and lifetime of the dev token.
inline constexpr char kDevTokenSubject[] = "sealtrail-dev";
inline constexpr absl::Duration kDevTokenTtl = absl::Hours(24 * 30);
// A dev token closer than this to its expiry is minted again at start.
inline constexpr absl::Duration kDevTokenRenewBefore = absl::Hours(24);

// REQUIRES: env is not null. Errors: those of reading the key files or the dev credentials;
// INVALID_ARGUMENT for key files without an issuer or audience.
[[nodiscard]] absl::StatusOr<std::unique_ptr<JwtVerifier>> LoadTokenVerifier(
    Env* env, const ServerOptions& options, EventLog* events);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_TOKEN_VERIFIER_H_

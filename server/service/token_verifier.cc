#include "server/service/token_verifier.h"

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "sealtrail/status_macros.h"
#include "server/auth/dev_credentials.h"
#include "server/service/small_files.h"

namespace sealtrail {
namespace {

constexpr uint64_t kMaxDevTokenBytes = 16 * 1024;

// Whether DATA/dev-token holds a token `verifier` accepts for at least kDevTokenRenewBefore more,
// in a file only its owner can read.
bool DevTokenIsCurrent(Env* env, const std::string& path, const JwtVerifier& verifier) {
  if (!env->FileExists(path)) return false;
  absl::StatusOr<uint32_t> mode = env->GetFileMode(path);
  if (!mode.ok() || (*mode & 077) != 0) return false;
  absl::StatusOr<std::string> text = ReadSmallFile(env, path, kMaxDevTokenBytes, "a token");
  if (!text.ok()) return false;
  absl::StatusOr<VerifiedToken> token =
      verifier.Verify(std::string(absl::StripAsciiWhitespace(*text)));
  absl::Time now = absl::FromUnixNanos(env->NowNanos());
  return token.ok() && token->expires_at - now > kDevTokenRenewBefore;
}

absl::Status EnsureDevToken(Env* env, const std::string& data_dir,
                            const DevCredentials& credentials, const JwtVerifier& verifier,
                            EventLog* events) {
  std::string path = absl::StrCat(data_dir, "/", kDevTokenFile);
  if (!DevTokenIsCurrent(env, path, verifier)) {
    DevTokenClaims claims;
    claims.subject = kDevTokenSubject;
    claims.roles = {"appender", "platform-auditor", "admin"};
    claims.tenants = {"*"};
    claims.ttl = kDevTokenTtl;
    ASSIGN_OR_RETURN(std::string token, credentials.Mint(claims));
    RETURN_IF_ERROR(WriteFileAtomically(env, data_dir, path, token + "\n", /*private_file=*/true));
  }
  events->Info("dev_token",
               {{"token_file", path},
                {"note", absl::StrCat("a development token with every role for every tenant; "
                                      "clients on this machine use it with `sealtrail ... --data ",
                                      data_dir, "` or `--token-file ", path,
                                      "`; configure --jwt-keys in production")}});
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<JwtVerifier>> LoadTokenVerifier(Env* env,
                                                               const ServerOptions& options,
                                                               EventLog* events) {
  if (!options.jwt_key_files.empty()) {
    if (options.jwt.issuer.empty() || options.jwt.audience.empty()) {
      return absl::InvalidArgumentError(
          "--jwt-keys needs --jwt-issuer and --jwt-audience: tokens are checked against both");
    }
    std::optional<JwtKeySet> keys;
    for (const std::string& file : options.jwt_key_files) {
      absl::StatusOr<JwtKeySet> loaded = JwtKeySet::FromFile(env, file);
      if (!loaded.ok()) {
        return absl::Status(loaded.status().code(),
                            absl::StrCat("JWT keys ", file, ": ", loaded.status().message()));
      }
      if (!keys.has_value()) {
        keys.emplace(*std::move(loaded));
      } else {
        RETURN_IF_ERROR(keys->Merge(*std::move(loaded)));
      }
    }
    events->Info("jwt_keys", {{"keys", keys->size()},
                              {"issuer", options.jwt.issuer},
                              {"audience", options.jwt.audience}});
    return JwtVerifier::Create(*std::move(keys), options.jwt, env);
  }
  ASSIGN_OR_RETURN(DevCredentials credentials,
                   DevCredentials::Open(env, options.data_dir, /*create=*/true));
  ASSIGN_OR_RETURN(JwtKeySet keys, credentials.VerifierKeys());
  JwtVerifierOptions dev_options;
  dev_options.issuer = kDevIssuer;
  dev_options.audience = kDevAudience;
  dev_options.leeway = options.jwt.leeway;
  dev_options.max_lifetime = options.jwt.max_lifetime;
  ASSIGN_OR_RETURN(std::unique_ptr<JwtVerifier> verifier,
                   JwtVerifier::Create(std::move(keys), dev_options, env));
  RETURN_IF_ERROR(EnsureDevToken(env, options.data_dir, credentials, *verifier, events));
  return verifier;
}

}  // namespace sealtrail

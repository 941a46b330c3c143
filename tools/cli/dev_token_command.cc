#include "cli/dev_token_command.h"

#include <cstdint>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "cli/output.h"
#include "cli/time_flags.h"
#include "sealtrail/status_macros.h"
#include "server/auth/dev_credentials.h"
#include "server/auth/principal.h"

namespace sealtrail::cli {
namespace {

absl::Status Invalid(absl::string_view flag, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat(flag, " ", problem));
}

absl::Status CheckRoles(const std::vector<std::string>& roles) {
  if (roles.empty()) return Invalid("--role", "is required (give it once per role)");
  for (const std::string& role : roles) {
    if (!RoleFromName(role).has_value()) {
      return Invalid("--role", absl::StrCat("\"", role,
                                            "\" is not a role: appender, auditor, "
                                            "platform-auditor or admin"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTenants(const std::vector<std::string>& tenants) {
  if (tenants.empty()) return Invalid("--tenant", "is required (a tenant, or \"*\" for all)");
  for (const std::string& tenant : tenants) {
    if (tenant.empty()) return Invalid("--tenant", "must not be empty");
  }
  return absl::OkStatus();
}

// The claims of `args`, checked.
absl::StatusOr<DevTokenClaims> ClaimsOf(const DevTokenArgs& args) {
  DevTokenClaims claims;
  if (args.subject.empty()) return Invalid("--sub", "is required");
  claims.subject = args.subject;
  ASSIGN_OR_RETURN(claims.ttl, ParseTtl(args.ttl));
  if (args.actor) {
    if (!args.roles.empty() || !args.tenants.empty()) {
      return Invalid("--actor",
                     "tokens carry no --role or --tenant; use --user-role and "
                     "--user-tenant");
    }
    if (args.user_tenant.empty()) return Invalid("--user-tenant", "is required with --actor");
    claims.role = args.user_role;
    claims.tenant = args.user_tenant;
    return claims;
  }
  if (!args.user_role.empty() || !args.user_tenant.empty()) {
    return Invalid("--user-role and --user-tenant", "need --actor");
  }
  RETURN_IF_ERROR(CheckRoles(args.roles));
  RETURN_IF_ERROR(CheckTenants(args.tenants));
  claims.roles = args.roles;
  claims.tenants = args.tenants;
  return claims;
}

}  // namespace

absl::StatusOr<absl::Duration> ParseTtl(absl::string_view text) {
  ASSIGN_OR_RETURN(const absl::Duration ttl,
                   ParseDurationFlag(std::string_view(text.data(), text.size()), "--ttl"));
  if (ttl <= absl::ZeroDuration()) return Invalid("--ttl", "must be positive");
  if (ttl > kMaxDevTokenTtl) {
    return Invalid("--ttl", absl::StrCat("is at most ", absl::ToInt64Hours(kMaxDevTokenTtl) / 24,
                                         "d for a dev token"));
  }
  return ttl;
}

absl::Status RunDevToken(Env* env, const DevTokenArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(DevTokenClaims claims, ClaimsOf(args));
  absl::StatusOr<DevCredentials> credentials = DevCredentials::Open(env, args.data_dir, false);
  if (absl::IsNotFound(credentials.status())) {
    return absl::NotFoundError(
        absl::StrCat("no dev JWT key in ", args.data_dir, " (", args.data_dir, "/", kDevJwtKeyFile,
                     "): start sealtraild once with --data ", args.data_dir, " to create it"));
  }
  if (!credentials.ok()) return WithContext(credentials.status(), args.data_dir);
  ASSIGN_OR_RETURN(std::string token, credentials->Mint(claims));
  return WriteText(out, absl::StrCat(token, "\n"));
}

}  // namespace sealtrail::cli

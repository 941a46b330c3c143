// `sealtrail dev-token`: mints a JWT with a local sealtraild's dev signing key (DATA/dev-jwt.key,
// server/auth/dev_credentials.h), for local trials and tests. It uses that key and no other: a
// data directory without one is NOT_FOUND, and nothing here creates a key. Tokens it mints carry
// the dev issuer, so only a server started with that data directory's dev key accepts them.
//
// Two kinds of token:
//   caller  (default)   roles and tenants for calling sealtraild: --role R... --tenant T...
//   actor   (--actor)   an end user's token that an appending service passes with its event:
//                       --user-role R --user-tenant T become the "role" and "tenant" claims.
//                       It carries no roles or tenants, so it cannot be used to call the server.
#ifndef SEALTRAIL_TOOLS_CLI_DEV_TOKEN_COMMAND_H_
#define SEALTRAIL_TOOLS_CLI_DEV_TOKEN_COMMAND_H_

#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "sealtrail/env.h"

namespace sealtrail::cli {

// The longest lifetime a dev token may have.
inline constexpr absl::Duration kMaxDevTokenTtl = absl::Hours(24 * 366);

struct DevTokenArgs {
  std::string data_dir{};
  std::string subject{};               // "sub"; required.
  std::vector<std::string> roles{};    // Caller tokens: one or more of the server's roles.
  std::vector<std::string> tenants{};  // Caller tokens: one or more tenants, or "*" for all.
  bool actor = false;                  // An end user's actor token instead.
  std::string user_role{};             // Actor tokens: the "role" claim (may be empty).
  std::string user_tenant{};           // Actor tokens: the "tenant" claim; required.
  std::string ttl = "24h";             // ParseTtl.
};

// A token lifetime: a positive duration (ParseDurationFlag: "7d", "1h", "30m", "1h30m", "90s"),
// at most kMaxDevTokenTtl. INVALID_ARGUMENT naming --ttl otherwise.
absl::StatusOr<absl::Duration> ParseTtl(absl::string_view text);

// Mints the token `args` describe and prints it, alone on a line, to `out`. INVALID_ARGUMENT
// naming the flag for a missing subject, a role that is not appender, auditor,
// platform-auditor or admin, a missing or empty tenant, caller flags in actor mode or the
// reverse, or a bad ttl; NOT_FOUND (saying how to create it) if the data directory has no dev key.
absl::Status RunDevToken(Env* env, const DevTokenArgs& args, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_DEV_TOKEN_COMMAND_H_

// Principal: who is calling, as established by the server from a verified credential (a bearer
// JWT, or a client certificate mapped to an identity), and what that caller may do.
//
// Roles (docs/security.md):
//   appender          append records for the tenants its credential names
//   auditor           query and prove within the tenants its credential names
//   platform-auditor  query and prove across every tenant
//   admin             operations: reindex, forced checkpoints
// A credential names tenants explicitly, or "*" for every tenant.
//
// Thread-safety: a value type; const methods may be called concurrently.
#ifndef SEALTRAIL_SERVER_AUTH_PRINCIPAL_H_
#define SEALTRAIL_SERVER_AUTH_PRINCIPAL_H_

#include <optional>
#include <set>
#include <string>
#include <string_view>

namespace sealtrail {

enum class Role { kAppender, kAuditor, kPlatformAuditor, kAdmin };

// "appender", "auditor", "platform-auditor", "admin".
std::string_view RoleName(Role role);
// The role named `name` exactly as above; nullopt for anything else.
std::optional<Role> RoleFromName(std::string_view name);

struct Principal {
  std::string subject;     // JWT "sub", or the identity a client certificate maps to.
  std::string credential;  // "jwt" or "client-certificate", for messages and events.
  std::set<Role> roles;
  std::set<std::string> tenants;  // Tenants the credential names (ignored if all_tenants).
  bool all_tenants = false;       // The credential names "*".

  bool HasRole(Role role) const { return roles.count(role) > 0; }
  bool CoversTenant(std::string_view tenant) const {
    return all_tenants || tenants.count(std::string(tenant)) > 0;
  }
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_PRINCIPAL_H_

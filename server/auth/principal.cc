#include "server/auth/principal.h"

namespace sealtrail {

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kAppender:
      return "appender";
    case Role::kAuditor:
      return "auditor";
    case Role::kPlatformAuditor:
      return "platform-auditor";
    case Role::kAdmin:
      return "admin";
  }
  return "unknown";
}

std::optional<Role> RoleFromName(std::string_view name) {
  for (Role role : {Role::kAppender, Role::kAuditor, Role::kPlatformAuditor, Role::kAdmin}) {
    if (name == RoleName(role)) return role;
  }
  return std::nullopt;
}

}  // namespace sealtrail

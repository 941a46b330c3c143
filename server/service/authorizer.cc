#include "server/service/authorizer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sealtrail {
namespace {

// A role that grants an access, and whether it does so only for the principal's own tenants.
struct Grant {
  Role role;
  bool own_tenants_only;
};

// The table of docs/server.md: which roles grant which access.
std::vector<Grant> GrantsOf(Access access) {
  switch (access) {
    case Access::kAppend:
      return {{Role::kAppender, true}};
    case Access::kReadTenant:
      return {{Role::kAuditor, true}, {Role::kPlatformAuditor, false}};
    case Access::kReadLog:
      return {{Role::kAuditor, false}, {Role::kPlatformAuditor, false}, {Role::kAdmin, false}};
    case Access::kAdminister:
      return {{Role::kAdmin, false}};
  }
  return {};
}

std::string RoleNames(const std::vector<Grant>& grants) {
  std::vector<std::string> names;
  for (const Grant& grant : grants) names.emplace_back(RoleName(grant.role));
  return absl::StrJoin(names, " or ");
}

std::string PrincipalRoles(const Principal& principal) {
  if (principal.roles.empty()) return "no role";
  std::vector<std::string> names;
  for (Role role : principal.roles) names.emplace_back(RoleName(role));
  return absl::StrCat("roles ", absl::StrJoin(names, ", "));
}

absl::string_view Verb(Access access) {
  switch (access) {
    case Access::kAppend:
      return "append to";
    case Access::kReadTenant:
      return "read";
    case Access::kReadLog:
      return "read";
    case Access::kAdminister:
      return "administer";
  }
  return "use";
}

}  // namespace

Access RequiredAccess(absl::string_view method) {
  if (method == kAppendMethod || method == kAppendStreamMethod || method == kOtlpLogsExportMethod ||
      method == kOtlpHttpLogsMethod) {
    return Access::kAppend;
  }
  if (method == kQueryMethod || method == kQueryStreamMethod || method == kProveInclusionMethod) {
    return Access::kReadTenant;
  }
  if (method == kListWebhookDeliveriesMethod || method == kRetryWebhookDeliveriesMethod) {
    return Access::kAdminister;
  }
  return Access::kReadLog;
}

absl::Status AuthorizeRole(const Principal& principal, Access access) {
  std::vector<Grant> grants = GrantsOf(access);
  for (const Grant& grant : grants) {
    if (principal.HasRole(grant.role)) return absl::OkStatus();
  }
  return absl::PermissionDeniedError(absl::StrCat("this method needs role ", RoleNames(grants),
                                                  "; \"", principal.subject, "\" has ",
                                                  PrincipalRoles(principal)));
}

absl::Status Authorize(const Principal& principal, Access access, absl::string_view tenant) {
  std::vector<Grant> grants = GrantsOf(access);
  bool has_role = false;
  for (const Grant& grant : grants) {
    if (!principal.HasRole(grant.role)) continue;
    has_role = true;
    if (!grant.own_tenants_only ||
        principal.CoversTenant(std::string_view(tenant.data(), tenant.size())))
      return absl::OkStatus();
  }
  if (!has_role) return AuthorizeRole(principal, access);
  return absl::PermissionDeniedError(absl::StrCat("\"", principal.subject, "\" may not ",
                                                  Verb(access), " tenant \"", tenant, "\""));
}

bool GrantsEveryTenant(const Principal& principal, Access access) {
  for (const Grant& grant : GrantsOf(access)) {
    if (principal.HasRole(grant.role) && (!grant.own_tenants_only || principal.all_tenants)) {
      return true;
    }
  }
  return false;
}

}  // namespace sealtrail

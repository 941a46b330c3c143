#include "server/service/authenticator.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "grpc/grpc_security_constants.h"
#include "grpcpp/security/auth_context.h"
#include "nlohmann/json.hpp"
#include "sealtrail/status_macros.h"
#include "server/service/small_files.h"

namespace sealtrail {
namespace {

constexpr char kAuthorizationKey[] = "authorization";
constexpr char kBearerPrefix[] = "Bearer ";
constexpr uint64_t kMaxIdentitiesFileBytes = 1 << 20;

absl::Status BadEntry(absl::string_view cn, absl::string_view problem) {
  return absl::InvalidArgumentError(absl::StrCat("client identity \"", cn, "\": ", problem));
}

absl::StatusOr<std::vector<std::string>> StringList(const nlohmann::json& value,
                                                    absl::string_view cn, absl::string_view field) {
  std::vector<std::string> strings;
  if (!value.is_array()) return BadEntry(cn, absl::StrCat(field, " must be a list of strings"));
  for (const nlohmann::json& item : value) {
    if (!item.is_string()) return BadEntry(cn, absl::StrCat(field, " must be a list of strings"));
    strings.push_back(item.get<std::string>());
  }
  return strings;
}

}  // namespace

absl::StatusOr<ClientIdentities> ParseClientIdentities(absl::string_view json) {
  nlohmann::json root = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return absl::InvalidArgumentError(
        "a client identity map must be a JSON object: {\"CN\": {\"subject\": ..., \"roles\": "
        "[...], \"tenants\": [...]}}");
  }
  ClientIdentities identities;
  for (const auto& [cn, entry] : root.items()) {
    if (!entry.is_object()) return BadEntry(cn, "must be an object");
    Principal principal;
    principal.credential = "client-certificate";
    auto subject = entry.find("subject");
    if (subject == entry.end() || !subject->is_string() || subject->get<std::string>().empty()) {
      return BadEntry(cn, "subject (a non-empty string) is required");
    }
    principal.subject = subject->get<std::string>();
    for (const auto& [field, value] : entry.items()) {
      if (field == "subject") continue;
      if (field != "roles" && field != "tenants") {
        return BadEntry(cn, absl::StrCat("unknown field \"", field, "\""));
      }
      ASSIGN_OR_RETURN(std::vector<std::string> names, StringList(value, cn, field));
      for (const std::string& name : names) {
        if (field == "tenants") {
          if (name == "*")
            principal.all_tenants = true;
          else
            principal.tenants.insert(name);
          continue;
        }
        std::optional<Role> role = RoleFromName(name);
        if (!role.has_value()) return BadEntry(cn, absl::StrCat("unknown role \"", name, "\""));
        principal.roles.insert(*role);
      }
    }
    identities.emplace(cn, std::move(principal));
  }
  return identities;
}

absl::StatusOr<ClientIdentities> LoadClientIdentities(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(std::string text,
                   ReadSmallFile(env, path, kMaxIdentitiesFileBytes, "a client identity map"));
  absl::StatusOr<ClientIdentities> identities = ParseClientIdentities(text);
  if (!identities.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", identities.status().message()));
  }
  return identities;
}

Principal PrincipalFromToken(const VerifiedToken& token) {
  Principal principal;
  principal.subject = token.subject;
  principal.credential = "jwt";
  for (const std::string& name : token.roles) {
    std::optional<Role> role = RoleFromName(name);
    if (role.has_value()) principal.roles.insert(*role);
  }
  for (const std::string& tenant : token.tenants) {
    if (tenant == "*")
      principal.all_tenants = true;
    else
      principal.tenants.insert(tenant);
  }
  return principal;
}

absl::StatusOr<Principal> Authenticator::Authenticate(
    const grpc::ServerContextBase& context) const {
  CallCredentials credentials;
  auto [first, last] = context.client_metadata().equal_range(kAuthorizationKey);
  for (auto value = first; value != last; ++value) {
    credentials.authorization.emplace_back(value->second.data(), value->second.size());
  }
  if (credentials.authorization.empty()) {
    std::shared_ptr<const grpc::AuthContext> auth = context.auth_context();
    if (auth != nullptr && auth->IsPeerAuthenticated()) {
      std::vector<grpc::string_ref> names = auth->FindPropertyValues(GRPC_X509_CN_PROPERTY_NAME);
      if (!names.empty()) {
        credentials.client_certificate_cn.assign(names.front().data(), names.front().size());
      }
    }
  }
  return Authenticate(credentials);
}

absl::StatusOr<Principal> Authenticator::Authenticate(const CallCredentials& credentials) const {
  if (!credentials.authorization.empty()) {
    if (credentials.authorization.size() > 1) {
      return absl::UnauthenticatedError("more than one authorization metadata value");
    }
    absl::string_view value = credentials.authorization.front();
    if (!absl::StartsWithIgnoreCase(value, kBearerPrefix)) {
      return absl::UnauthenticatedError(
          "the authorization metadata must be \"Bearer <token>\" (a JWT)");
    }
    absl::string_view token = absl::StripAsciiWhitespace(value.substr(sizeof(kBearerPrefix) - 1));
    if (token.empty()) return absl::UnauthenticatedError("the bearer token is empty");
    ASSIGN_OR_RETURN(VerifiedToken verified,
                     verifier_->Verify(std::string_view(token.data(), token.size())));
    if (verified.subject.empty()) {
      return absl::UnauthenticatedError("the token has no subject (\"sub\")");
    }
    return PrincipalFromToken(verified);
  }
  if (!credentials.client_certificate_cn.empty()) {
    const std::string& cn = credentials.client_certificate_cn;
    auto identity = identities_.find(cn);
    if (identity == identities_.end()) {
      return absl::UnauthenticatedError(
          absl::StrCat("client certificate CN \"", cn,
                       "\" is not in the client identity map, and no bearer token was sent"));
    }
    return identity->second;
  }
  return absl::UnauthenticatedError(
      "no credential: send \"authorization: Bearer <token>\" metadata (locally, the server's "
      "DATA/dev-token)");
}

}  // namespace sealtrail

#include "server/auth/jwt_claims.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/auth/jose_text.h"

namespace sealtrail {
namespace {

absl::Status Refused(absl::string_view why) { return absl::UnauthenticatedError(why); }

std::string Rfc3339(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", time, absl::UTCTimeZone());
}

// The latest NumericDate accepted: the end of the year 9999. Anything later is not a date an
// issuer means (`exp: 1e300` would otherwise never expire).
constexpr int64_t kMaxNumericDate = 253402300799;

// A NumericDate (RFC 7519 §2: seconds since the epoch, possibly fractional), or nullopt if the
// claim is absent. Refused: a value that is not a number, not finite, or after kMaxNumericDate.
absl::StatusOr<std::optional<absl::Time>> NumericDate(const nlohmann::json& claims,
                                                      const char* name) {
  if (!claims.contains(name)) return std::nullopt;
  const nlohmann::json& value = claims[name];
  if (!value.is_number())
    return Refused(absl::StrCat("token claim \"", name, "\" is not a number"));
  if (value.is_number_float() && !std::isfinite(value.get<double>())) {
    return Refused(absl::StrCat("token claim \"", name, "\" is not a finite number"));
  }
  const bool too_late = value.is_number_unsigned()  ? value.get<uint64_t>() > kMaxNumericDate
                        : value.is_number_integer() ? value.get<int64_t>() > kMaxNumericDate
                                                    : value.get<double>() > kMaxNumericDate;
  if (too_late) {
    return Refused(absl::StrCat("token claim \"", name, "\" is after the year 9999"));
  }
  if (value.is_number_integer()) return absl::FromUnixSeconds(value.get<int64_t>());
  return absl::UnixEpoch() + absl::Seconds(value.get<double>());
}

// A string claim; empty if absent.
absl::StatusOr<std::string> StringClaim(const nlohmann::json& claims, const std::string& name) {
  if (name.empty() || !claims.contains(name)) return std::string();
  const nlohmann::json& value = claims[name];
  if (!value.is_string()) {
    return Refused(absl::StrCat("token claim ", QuoteForMessage(name), " is not a string"));
  }
  return value.get<std::string>();
}

// A claim that is a string or an array of strings; empty if absent.
absl::StatusOr<std::vector<std::string>> StringListClaim(const nlohmann::json& claims,
                                                         const std::string& name) {
  std::vector<std::string> list;
  if (name.empty() || !claims.contains(name)) return list;
  const nlohmann::json& value = claims[name];
  if (value.is_string()) {
    list.push_back(value.get<std::string>());
    return list;
  }
  bool ok = value.is_array();
  if (ok) {
    for (const nlohmann::json& element : value) {
      if (!element.is_string()) {
        ok = false;
        break;
      }
      list.push_back(element.get<std::string>());
    }
  }
  if (!ok) {
    return Refused(absl::StrCat("token claim ", QuoteForMessage(name),
                                " is neither a string nor an array of strings"));
  }
  return list;
}

std::string Days(absl::Duration duration) {
  return absl::StrCat(absl::ToDoubleHours(duration) / 24, " days");
}

absl::Status CheckTimes(const nlohmann::json& claims, const JwtVerifierOptions& options,
                        absl::Time now, absl::Time* expires_at) {
  const absl::Duration leeway = options.leeway;
  ASSIGN_OR_RETURN(const std::optional<absl::Time> exp, NumericDate(claims, "exp"));
  ASSIGN_OR_RETURN(const std::optional<absl::Time> nbf, NumericDate(claims, "nbf"));
  ASSIGN_OR_RETURN(const std::optional<absl::Time> iat, NumericDate(claims, "iat"));
  if (!exp.has_value()) return Refused("token has no expiry (\"exp\")");
  // A negative exp is in the past and refused as expired below.
  if (nbf.has_value() && *nbf < absl::UnixEpoch()) {
    return Refused("token claim \"nbf\" is negative (before 1970)");
  }
  if (iat.has_value() && *iat < absl::UnixEpoch()) {
    return Refused("token claim \"iat\" is negative (before 1970)");
  }
  if (now >= *exp + leeway) return Refused(absl::StrCat("token expired at ", Rfc3339(*exp)));
  if (nbf.has_value() && now < *nbf - leeway) {
    return Refused(absl::StrCat("token is not valid before ", Rfc3339(*nbf)));
  }
  if (iat.has_value() && *iat > now + leeway) {
    return Refused(absl::StrCat("token is issued in the future, at ", Rfc3339(*iat)));
  }
  // A token that (nearly) never expires is a standing credential: its lifetime is limited, from
  // its issue time, or from now when it does not say when it was issued.
  const absl::Duration lifetime = iat.has_value() ? *exp - *iat : *exp - now;
  if (lifetime > options.max_lifetime + (iat.has_value() ? absl::ZeroDuration() : leeway)) {
    return Refused(absl::StrCat("token is valid for ", Days(lifetime),
                                iat.has_value() ? " from its \"iat\"" : " from now",
                                ", more than the maximum of ", Days(options.max_lifetime)));
  }
  *expires_at = *exp;
  return absl::OkStatus();
}

absl::Status CheckIssuerAndAudience(const nlohmann::json& claims,
                                    const JwtVerifierOptions& options) {
  if (!claims.contains("iss")) return Refused("token has no issuer (\"iss\")");
  const nlohmann::json& iss = claims["iss"];
  if (!iss.is_string() || iss.get_ref<const std::string&>() != options.issuer) {
    return Refused(absl::StrCat(
        "token issuer ",
        iss.is_string() ? QuoteForMessage(iss.get<std::string>()) : std::string("(not a string)"),
        " is not ", QuoteForMessage(options.issuer)));
  }
  if (!claims.contains("aud")) return Refused("token has no audience (\"aud\")");
  ASSIGN_OR_RETURN(const std::vector<std::string> audiences, StringListClaim(claims, "aud"));
  for (const std::string& audience : audiences) {
    if (audience == options.audience) return absl::OkStatus();
  }
  return Refused(
      absl::StrCat("token audience does not include ", QuoteForMessage(options.audience)));
}

}  // namespace

absl::StatusOr<VerifiedToken> CheckJwtClaims(const nlohmann::json& claims,
                                             const JwtVerifierOptions& options, absl::Time now) {
  VerifiedToken token;
  RETURN_IF_ERROR(CheckTimes(claims, options, now, &token.expires_at));
  RETURN_IF_ERROR(CheckIssuerAndAudience(claims, options));
  ASSIGN_OR_RETURN(token.subject, StringClaim(claims, "sub"));
  ASSIGN_OR_RETURN(token.roles, StringListClaim(claims, options.roles_claim));
  ASSIGN_OR_RETURN(token.tenants, StringListClaim(claims, options.tenants_claim));
  ASSIGN_OR_RETURN(token.role, StringClaim(claims, options.role_claim));
  ASSIGN_OR_RETURN(token.tenant, StringClaim(claims, options.tenant_claim));
  return token;
}

}  // namespace sealtrail

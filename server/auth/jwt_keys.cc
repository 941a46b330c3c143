// JwtKeySet: loading verification keys from a JWKS, a PEM public key, an HS256 secret or a file.
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/read_file.h"
#include "sealtrail/status_macros.h"
#include "server/auth/jose_text.h"
#include "server/auth/jwk.h"
#include "server/auth/jwt_key.h"
#include "server/auth/jwt_verifier.h"
#include "server/auth/key_file.h"

namespace sealtrail {
namespace {

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

}  // namespace

JwtKeySet::JwtKeySet() = default;
JwtKeySet::JwtKeySet(JwtKeySet&&) noexcept = default;
JwtKeySet& JwtKeySet::operator=(JwtKeySet&&) noexcept = default;
JwtKeySet::~JwtKeySet() = default;

size_t JwtKeySet::size() const { return keys_.size(); }

absl::Status JwtKeySet::Merge(JwtKeySet other) {
  for (const std::shared_ptr<const Key>& key : other.keys_) {
    if (key->kid.empty()) continue;
    for (const std::shared_ptr<const Key>& existing : keys_) {
      if (existing->kid == key->kid) {
        return absl::InvalidArgumentError(
            absl::StrCat("duplicate key id ", QuoteForMessage(key->kid)));
      }
    }
  }
  for (std::shared_ptr<const Key>& key : other.keys_) keys_.push_back(std::move(key));
  return absl::OkStatus();
}

absl::StatusOr<JwtKeySet> JwtKeySet::FromJwks(std::string_view jwks_json) {
  const std::optional<nlohmann::json> jwks = ParseJsonObject(jwks_json);
  if (!jwks.has_value()) return absl::InvalidArgumentError("JWKS is not a JSON object");
  if (!jwks->contains("keys") || !(*jwks)["keys"].is_array()) {
    return absl::InvalidArgumentError("JWKS has no \"keys\" array");
  }
  const nlohmann::json& jwks_keys = (*jwks)["keys"];
  if (jwks_keys.empty()) return absl::InvalidArgumentError("JWKS holds no keys");
  JwtKeySet set;
  for (size_t i = 0; i < jwks_keys.size(); ++i) {
    const std::string context = absl::StrCat("JWKS key ", i);
    absl::StatusOr<std::shared_ptr<const Key>> key = KeyFromJwk(jwks_keys[i]);
    if (!key.ok()) return WithContext(key.status(), context);
    JwtKeySet one;
    one.keys_.push_back(*std::move(key));
    const absl::Status merged = set.Merge(std::move(one));
    if (!merged.ok()) return WithContext(merged, context);
  }
  return set;
}

absl::StatusOr<JwtKeySet> JwtKeySet::FromPem(std::string_view pem, std::string kid) {
  ASSIGN_OR_RETURN(EvpPkeyPtr public_key, ParsePublicKeyPem(pem));
  ASSIGN_OR_RETURN(std::shared_ptr<const Key> key,
                   MakePublicJwtKey(std::move(public_key), std::move(kid)));
  JwtKeySet set;
  set.keys_.push_back(std::move(key));
  return set;
}

absl::StatusOr<JwtKeySet> JwtKeySet::FromHmacSecret(std::string_view secret, std::string kid) {
  ASSIGN_OR_RETURN(std::shared_ptr<const Key> key, MakeHmacJwtKey(secret, std::move(kid)));
  JwtKeySet set;
  set.keys_.push_back(std::move(key));
  return set;
}

absl::StatusOr<JwtKeySet> JwtKeySet::FromFile(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(const std::string contents, ReadFileToString(env, path, kMaxKeyFileBytes));
  const absl::string_view text = absl::StripLeadingAsciiWhitespace(contents);
  absl::StatusOr<JwtKeySet> set = absl::InvalidArgumentError(
      "neither a JWKS (a JSON object) nor a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
  if (absl::StartsWith(text, "{")) {
    set = FromJwks(std::string_view(text.data(), text.size()));
  } else if (absl::StrContains(text, "-----BEGIN")) {
    set = FromPem(std::string_view(text.data(), text.size()));
  }
  if (!set.ok()) return WithContext(set.status(), path);
  return set;
}

}  // namespace sealtrail

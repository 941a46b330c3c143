#include "server/auth/jwk.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>

#include <optional>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/auth/jose_text.h"

namespace sealtrail {
namespace {

constexpr size_t kP256CoordinateBytes = 32;
constexpr size_t kEd25519PublicKeyBytes = 32;

absl::Status Malformed(absl::string_view why) { return absl::InvalidArgumentError(why); }

// A string member, or nullopt if absent. INVALID_ARGUMENT if present but not a string.
absl::StatusOr<std::optional<std::string>> OptionalString(const nlohmann::json& jwk,
                                                          const char* name) {
  if (!jwk.contains(name)) return std::nullopt;
  const nlohmann::json& value = jwk[name];
  if (!value.is_string()) return Malformed(absl::StrCat("\"", name, "\" is not a string"));
  return value.get<std::string>();
}

// The bytes of a required base64url member.
absl::StatusOr<std::string> RequiredBytes(const nlohmann::json& jwk, const char* name) {
  ASSIGN_OR_RETURN(std::optional<std::string> text, OptionalString(jwk, name));
  if (!text.has_value()) return Malformed(absl::StrCat("\"", name, "\" is missing"));
  std::optional<std::string> bytes = DecodeBase64Url(*text);
  if (!bytes.has_value() || bytes->empty()) {
    return Malformed(absl::StrCat("\"", name, "\" is not non-empty base64url"));
  }
  return *std::move(bytes);
}

absl::StatusOr<std::string> RequiredBytesOfSize(const nlohmann::json& jwk, const char* name,
                                                size_t size) {
  ASSIGN_OR_RETURN(std::string bytes, RequiredBytes(jwk, name));
  if (bytes.size() != size) {
    return Malformed(absl::StrCat("\"", name, "\" has ", bytes.size(), " bytes, not ", size));
  }
  return bytes;
}

absl::Status RequireCurve(const nlohmann::json& jwk, std::string_view curve) {
  ASSIGN_OR_RETURN(std::optional<std::string> crv, OptionalString(jwk, "crv"));
  if (crv != curve) {
    return Malformed(absl::StrCat("\"crv\" is ", crv ? QuoteForMessage(*crv) : "missing", "; only ",
                                  Absl(curve), " is supported"));
  }
  return absl::OkStatus();
}

// A public key from OSSL_PARAMs, checked by OpenSSL (point on the curve, sane RSA modulus).
absl::StatusOr<EvpPkeyPtr> KeyFromParams(const char* type, OSSL_PARAM_BLD* builder) {
  OsslParamPtr params(OSSL_PARAM_BLD_to_param(builder));
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* raw = nullptr;
  if (params == nullptr || ctx == nullptr || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &raw, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument, "not a valid public key");
  }
  EvpPkeyPtr key(raw);
  EvpPkeyCtxPtr check(EVP_PKEY_CTX_new_from_pkey(nullptr, key.get(), nullptr));
  if (check == nullptr || EVP_PKEY_public_check(check.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInvalidArgument, "public key fails OpenSSL's check");
  }
  return key;
}

absl::StatusOr<EvpPkeyPtr> RsaKey(const nlohmann::json& jwk) {
  for (const char* private_member : {"d", "p", "q", "dp", "dq", "qi", "oth"}) {
    if (jwk.contains(private_member)) {
      return Malformed(absl::StrCat("holds private key material (\"", private_member, "\")"));
    }
  }
  ASSIGN_OR_RETURN(const std::string n_bytes, RequiredBytes(jwk, "n"));
  ASSIGN_OR_RETURN(const std::string e_bytes, RequiredBytes(jwk, "e"));
  auto to_bignum = [](const std::string& bytes) {
    return BignumPtr(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                               static_cast<int>(bytes.size()), nullptr));
  };
  BignumPtr n = to_bignum(n_bytes);
  BignumPtr e = to_bignum(e_bytes);
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (n == nullptr || e == nullptr || builder == nullptr ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, n.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, e.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot build RSA key parameters");
  }
  return KeyFromParams("RSA", builder.get());
}

absl::StatusOr<EvpPkeyPtr> EcKey(const nlohmann::json& jwk) {
  if (jwk.contains("d")) return Malformed("holds private key material (\"d\")");
  RETURN_IF_ERROR(RequireCurve(jwk, "P-256"));
  ASSIGN_OR_RETURN(const std::string x, RequiredBytesOfSize(jwk, "x", kP256CoordinateBytes));
  ASSIGN_OR_RETURN(const std::string y, RequiredBytesOfSize(jwk, "y", kP256CoordinateBytes));
  // SEC 1 uncompressed point: 0x04 || x || y.
  std::string point = absl::StrCat("\x04", x, y);
  ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (builder == nullptr ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, "prime256v1", 0) !=
          1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(),
                                       point.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot build EC key parameters");
  }
  return KeyFromParams("EC", builder.get());
}

absl::StatusOr<EvpPkeyPtr> OkpKey(const nlohmann::json& jwk) {
  if (jwk.contains("d")) return Malformed("holds private key material (\"d\")");
  RETURN_IF_ERROR(RequireCurve(jwk, "Ed25519"));
  ASSIGN_OR_RETURN(const std::string x, RequiredBytesOfSize(jwk, "x", kEd25519PublicKeyBytes));
  EvpPkeyPtr key(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(x.data()), x.size()));
  if (key == nullptr) return OpenSslError(absl::StatusCode::kInvalidArgument, "bad Ed25519 key");
  return key;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> KeyFromJwk(const nlohmann::json& jwk) {
  if (!jwk.is_object()) return Malformed("is not a JSON object");
  ASSIGN_OR_RETURN(const std::optional<std::string> kty, OptionalString(jwk, "kty"));
  ASSIGN_OR_RETURN(const std::optional<std::string> alg, OptionalString(jwk, "alg"));
  ASSIGN_OR_RETURN(const std::optional<std::string> use, OptionalString(jwk, "use"));
  ASSIGN_OR_RETURN(std::optional<std::string> kid, OptionalString(jwk, "kid"));
  if (!kty.has_value()) return Malformed("\"kty\" is missing");
  if (use.has_value() && *use != "sig") {
    return Malformed(absl::StrCat("\"use\" is ", QuoteForMessage(*use), ", not \"sig\""));
  }

  absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> key;
  if (*kty == "oct") {
    if (alg != "HS256") return Malformed("an oct key must say \"alg\": \"HS256\"");
    ASSIGN_OR_RETURN(std::string secret, RequiredBytes(jwk, "k"));
    key = MakeHmacJwtKey(secret, kid.value_or(""));
    OPENSSL_cleanse(secret.data(), secret.size());
  } else {
    absl::StatusOr<EvpPkeyPtr> public_key;
    if (*kty == "RSA") {
      public_key = RsaKey(jwk);
    } else if (*kty == "EC") {
      public_key = EcKey(jwk);
    } else if (*kty == "OKP") {
      public_key = OkpKey(jwk);
    } else {
      return Malformed(absl::StrCat("\"kty\" ", QuoteForMessage(*kty),
                                    " is not supported (RSA, EC, OKP and oct are)"));
    }
    if (!public_key.ok()) return public_key.status();
    key = MakePublicJwtKey(*std::move(public_key), kid.value_or(""));
  }
  if (!key.ok()) return key.status();
  const std::string_view algorithm = JwtAlgorithmName((*key)->algorithm);
  if (alg.has_value() && *alg != algorithm) {
    return Malformed(absl::StrCat("\"alg\" ", QuoteForMessage(*alg),
                                  " does not fit this key, which is for ", Absl(algorithm)));
  }
  return key;
}

}  // namespace sealtrail

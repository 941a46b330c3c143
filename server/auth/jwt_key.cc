#include "server/auth/jwt_key.h"

#include <openssl/crypto.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {

std::string_view JwtAlgorithmName(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kRS256:
      return "RS256";
    case JwtAlgorithm::kES256:
      return "ES256";
    case JwtAlgorithm::kHS256:
      return "HS256";
    case JwtAlgorithm::kEdDSA:
      return "EdDSA";
  }
  return "?";
}

std::optional<JwtAlgorithm> JwtAlgorithmFromName(std::string_view name) {
  for (JwtAlgorithm algorithm :
       {JwtAlgorithm::kRS256, JwtAlgorithm::kES256, JwtAlgorithm::kHS256, JwtAlgorithm::kEdDSA}) {
    if (name == JwtAlgorithmName(algorithm)) return algorithm;
  }
  return std::nullopt;
}

JwtKeySet::Key::~Key() {
  if (algorithm == JwtAlgorithm::kHS256) OPENSSL_cleanse(libjwt_key.data(), libjwt_key.size());
}

namespace {

// The algorithm `key`'s type allows, after checking its size or curve.
absl::StatusOr<JwtAlgorithm> AlgorithmForPublicKey(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "RSA")) {
    const int bits = EVP_PKEY_get_bits(key);
    if (bits < kMinRsaBits) {
      return absl::InvalidArgumentError(
          absl::StrCat("RSA key has ", bits, " bits; at least ", kMinRsaBits, " are required"));
    }
    return JwtAlgorithm::kRS256;
  }
  if (IsP256Key(key)) return JwtAlgorithm::kES256;
  if (EVP_PKEY_is_a(key, "EC")) {
    return absl::InvalidArgumentError("EC key is not on curve P-256 (the only one for ES256)");
  }
  if (EVP_PKEY_is_a(key, "ED25519")) return JwtAlgorithm::kEdDSA;
  return absl::InvalidArgumentError(
      "unsupported key type (RSA, EC P-256 and Ed25519 public keys are supported)");
}

}  // namespace

absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> MakePublicJwtKey(EvpPkeyPtr public_key,
                                                                       std::string kid) {
  ASSIGN_OR_RETURN(const JwtAlgorithm algorithm, AlgorithmForPublicKey(public_key.get()));
  auto key = std::make_shared<JwtKeySet::Key>();
  key->kid = std::move(kid);
  key->algorithm = algorithm;
  if (algorithm != JwtAlgorithm::kEdDSA) {
    ASSIGN_OR_RETURN(key->libjwt_key, PublicKeyPem(public_key.get()));
  }
  key->public_key = std::move(public_key);
  return key;
}

absl::StatusOr<std::shared_ptr<const JwtKeySet::Key>> MakeHmacJwtKey(std::string_view secret,
                                                                     std::string kid) {
  if (secret.size() < kMinHmacSecretBytes) {
    return absl::InvalidArgumentError(absl::StrCat("HS256 secret has ", secret.size(),
                                                   " bytes; at least ", kMinHmacSecretBytes,
                                                   " are required"));
  }
  auto key = std::make_shared<JwtKeySet::Key>();
  key->kid = std::move(kid);
  key->algorithm = JwtAlgorithm::kHS256;
  key->libjwt_key = std::string(secret);
  return key;
}

}  // namespace sealtrail

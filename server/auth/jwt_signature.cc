#include "server/auth/jwt_signature.h"

#include <jwt.h>

#include <cerrno>
#include <climits>
#include <memory>

#include "absl/strings/str_cat.h"
#include "server/auth/jose_text.h"

namespace sealtrail {
namespace {

constexpr size_t kEd25519SignatureBytes = 64;

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};

jwt_alg_t LibjwtAlgorithm(JwtAlgorithm algorithm) {
  switch (algorithm) {
    case JwtAlgorithm::kRS256:
      return JWT_ALG_RS256;
    case JwtAlgorithm::kES256:
      return JWT_ALG_ES256;
    case JwtAlgorithm::kHS256:
      return JWT_ALG_HS256;
    case JwtAlgorithm::kEdDSA:
      break;
  }
  return JWT_ALG_INVAL;
}

absl::Status DoesNotVerify(const JwtKeySet::Key& key) {
  return absl::UnauthenticatedError(
      absl::StrCat("signature does not verify with ", Absl(JwtAlgorithmName(key.algorithm)), " key",
                   key.kid.empty() ? "" : absl::StrCat(" ", QuoteForMessage(key.kid))));
}

absl::Status VerifyWithLibjwt(const JwtKeySet::Key& key, const std::string& token) {
  const jwt_alg_t expected = LibjwtAlgorithm(key.algorithm);
  if (expected == JWT_ALG_INVAL || key.libjwt_key.empty() || key.libjwt_key.size() > INT_MAX) {
    return absl::InternalError("key cannot be used with libjwt");
  }
  jwt_t* decoded = nullptr;
  const int error = jwt_decode(&decoded, token.c_str(),
                               reinterpret_cast<const unsigned char*>(key.libjwt_key.data()),
                               static_cast<int>(key.libjwt_key.size()));
  std::unique_ptr<jwt_t, JwtFree> owned(decoded);
  ClearOpenSslErrors();
  if (error == ENOMEM) return absl::ResourceExhaustedError("out of memory verifying a token");
  if (error != 0 || owned == nullptr) return DoesNotVerify(key);
  // Defence in depth: the algorithm libjwt verified with must be the key's.
  if (jwt_get_alg(owned.get()) != expected) {
    return absl::UnauthenticatedError(
        absl::StrCat("token algorithm changed between header checks; expected ",
                     Absl(JwtAlgorithmName(key.algorithm))));
  }
  return absl::OkStatus();
}

absl::Status VerifyEd25519(const JwtKeySet::Key& key, std::string_view signing_input,
                           std::string_view signature) {
  if (key.public_key == nullptr) return absl::InternalError("EdDSA key has no public key");
  if (signature.size() != kEd25519SignatureBytes) {
    return absl::UnauthenticatedError(absl::StrCat("EdDSA signature has ", signature.size(),
                                                   " bytes, not ", kEd25519SignatureBytes));
  }
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.public_key.get()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot start an Ed25519 verification");
  }
  const int verified = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
      reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size());
  ClearOpenSslErrors();
  if (verified != 1) return DoesNotVerify(key);
  return absl::OkStatus();
}

}  // namespace

absl::Status VerifyJwtSignature(const JwtKeySet::Key& key, const std::string& token,
                                std::string_view signing_input, std::string_view signature) {
  if (key.algorithm == JwtAlgorithm::kEdDSA) {
    return VerifyEd25519(key, signing_input, signature);
  }
  return VerifyWithLibjwt(key, token);
}

}  // namespace sealtrail

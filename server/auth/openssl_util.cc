#include "server/auth/openssl_util.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <climits>

#include "absl/strings/str_cat.h"

namespace sealtrail {

absl::Status OpenSslError(absl::StatusCode code, absl::string_view what) {
  const unsigned long error = ERR_peek_error();  // NOLINT(runtime/int): OpenSSL's type
  std::string message(what);
  if (error != 0) {
    char reason[256];
    ERR_error_string_n(error, reason, sizeof(reason));
    absl::StrAppend(&message, ": ", reason);
  }
  ERR_clear_error();
  return absl::Status(code, message);
}

void ClearOpenSslErrors() { ERR_clear_error(); }

bool IsP256Key(EVP_PKEY* key) {
  char curve[64] = {};
  const bool p256 = EVP_PKEY_is_a(key, "EC") &&
                    EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, curve,
                                                   sizeof(curve), nullptr) == 1 &&
                    std::string_view(curve) == "prime256v1";
  ClearOpenSslErrors();
  return p256;
}

absl::StatusOr<std::string> PublicKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio.get(), key) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot write a public key as PEM");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return std::string(data, static_cast<size_t>(length));
}

absl::StatusOr<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem) {
  if (pem.size() > INT_MAX) return absl::InvalidArgumentError("PEM public key is too large");
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (bio == nullptr) return OpenSslError(absl::StatusCode::kInternal, "cannot read PEM");
  EvpPkeyPtr key(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInvalidArgument,
                        "not a PEM public key (\"-----BEGIN PUBLIC KEY-----\")");
  }
  return key;
}

}  // namespace sealtrail

// Owning pointers for the OpenSSL objects server/auth uses, and the PEM and error helpers its
// key code shares. Internal to server/auth.
//
// Thread-safety: pure functions over caller-owned objects.
#ifndef SEALTRAIL_SERVER_AUTH_OPENSSL_UTIL_H_
#define SEALTRAIL_SERVER_AUTH_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace sealtrail {

template <typename T, void (*Free)(T*)>
struct OpenSslFree {
  void operator()(T* p) const { Free(p); }
};
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslFree<EVP_PKEY, EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, OpenSslFree<EVP_PKEY_CTX, EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, OpenSslFree<EVP_MD_CTX, EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, OpenSslFree<BIO, BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslFree<BIGNUM, BN_free>>;
using ParamBldPtr =
    std::unique_ptr<OSSL_PARAM_BLD, OpenSslFree<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>>;
using OsslParamPtr = std::unique_ptr<OSSL_PARAM, OpenSslFree<OSSL_PARAM, OSSL_PARAM_free>>;

// `code` with "`what`: <OpenSSL's first queued reason>"; empties this thread's error queue.
absl::Status OpenSslError(absl::StatusCode code, absl::string_view what);
// Empties this thread's OpenSSL error queue (after a failure that is reported otherwise).
void ClearOpenSslErrors();

// Whether `key` is an EC key on curve P-256 (secp256r1, "prime256v1" to OpenSSL).
bool IsP256Key(EVP_PKEY* key);

// The SubjectPublicKeyInfo PEM ("-----BEGIN PUBLIC KEY-----") of `key`.
absl::StatusOr<std::string> PublicKeyPem(EVP_PKEY* key);
// The one public key in `pem`. INVALID_ARGUMENT if it holds none.
absl::StatusOr<EvpPkeyPtr> ParsePublicKeyPem(std::string_view pem);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_OPENSSL_UTIL_H_

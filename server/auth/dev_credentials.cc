// DevCredentials: the data directory's ES256 dev key (generated with OpenSSL's EVP API, kept
// as a 0600 PEM file) and the tokens minted with it through libjwt.
#include "server/auth/dev_credentials.h"

#include <jwt.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include <climits>
#include <cstdlib>
#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "nlohmann/json.hpp"
#include "sealtrail/read_file.h"
#include "sealtrail/status_macros.h"
#include "server/auth/jose_text.h"
#include "server/auth/key_file.h"
#include "server/auth/openssl_util.h"
#include "server/auth/principal.h"

namespace sealtrail {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

std::string DataPath(const std::string& data_dir, const char* name) {
  return absl::StrCat(data_dir, "/", name);
}

// Creates `path` (never replacing a file) with `contents`; returns once they are on disk.
absl::Status WriteNewFile(Env* env, const std::string& path, uint32_t mode,
                          std::string_view contents) {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewExclusiveFile(path, mode));
  RETURN_IF_ERROR(file->Append(contents));
  RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

absl::StatusOr<std::string> PrivateKeyPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot write the dev key as PEM");
  }
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  std::string pem(data, static_cast<size_t>(length));
  OPENSSL_cleanse(data, static_cast<size_t>(length));
  return pem;
}

absl::Status GenerateKeyFile(Env* env, const std::string& path) {
  EvpPkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (key == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot generate a P-256 key");
  }
  ASSIGN_OR_RETURN(std::string pem, PrivateKeyPem(key.get()));
  const absl::Status written = WriteNewFile(env, path, 0600, pem);
  OPENSSL_cleanse(pem.data(), pem.size());
  return written;
}

// dev-jwt.pub holds `public_pem`: written if missing, FAILED_PRECONDITION if it differs.
absl::Status EnsurePublicKeyFile(Env* env, const std::string& path, const std::string& public_pem) {
  if (!env->FileExists(path)) return WriteNewFile(env, path, 0644, public_pem);
  ASSIGN_OR_RETURN(const std::string existing, ReadFileToString(env, path, kMaxKeyFileBytes));
  if (existing != public_pem) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is not the public key of ",
                                                      kDevJwtKeyFile, "; remove it and restart"));
  }
  return absl::OkStatus();
}

}  // namespace

struct DevCredentials::Key {
  std::string private_pem;  // What libjwt signs with.
  std::string public_pem;
  ~Key() { OPENSSL_cleanse(private_pem.data(), private_pem.size()); }
};

DevCredentials::DevCredentials(Env* env, std::unique_ptr<Key> key)
    : env_(env), key_(std::move(key)) {}
DevCredentials::DevCredentials(DevCredentials&&) noexcept = default;
DevCredentials& DevCredentials::operator=(DevCredentials&&) noexcept = default;
DevCredentials::~DevCredentials() = default;

absl::StatusOr<DevCredentials> DevCredentials::Open(Env* env, const std::string& data_dir,
                                                    bool create) {
  const std::string key_path = DataPath(data_dir, kDevJwtKeyFile);
  const std::string public_path = DataPath(data_dir, kDevJwtPublicKeyFile);
  bool created = false;
  if (!env->FileExists(key_path)) {
    if (!create) {
      return absl::NotFoundError(absl::StrCat("no dev JWT key ", key_path,
                                              " (sealtraild creates it on its first local start)"));
    }
    if (env->FileExists(public_path)) {
      return absl::FailedPreconditionError(
          absl::StrCat(public_path, " exists without ", kDevJwtKeyFile, "; remove it and restart"));
    }
    RETURN_IF_ERROR(GenerateKeyFile(env, key_path));
    created = true;
  }

  ASSIGN_OR_RETURN(const uint32_t mode, env->GetFileMode(key_path));
  if ((mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "dev JWT key %s has mode %04o: group or others can access it; refusing to use it "
        "(run: chmod 600 %s)",
        key_path, mode, key_path));
  }
  auto key = std::make_unique<Key>();
  ASSIGN_OR_RETURN(key->private_pem, ReadFileToString(env, key_path, kMaxKeyFileBytes));
  BioPtr bio(BIO_new_mem_buf(key->private_pem.data(), static_cast<int>(key->private_pem.size())));
  EvpPkeyPtr private_key(
      bio == nullptr ? nullptr : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (private_key == nullptr || !IsP256Key(private_key.get())) {
    ClearOpenSslErrors();
    return absl::FailedPreconditionError(
        absl::StrCat(key_path, " is not a P-256 private key in PEM; remove it (and ",
                     kDevJwtPublicKeyFile, ") to generate a new one"));
  }
  ASSIGN_OR_RETURN(key->public_pem, PublicKeyPem(private_key.get()));

  created |= !env->FileExists(public_path);
  RETURN_IF_ERROR(EnsurePublicKeyFile(env, public_path, key->public_pem));
  if (created) RETURN_IF_ERROR(env->SyncDir(data_dir));
  return DevCredentials(env, std::move(key));
}

absl::StatusOr<std::string> DevCredentials::Mint(const DevTokenClaims& claims) const {
  if (claims.subject.empty()) return absl::InvalidArgumentError("dev token subject is empty");
  if (claims.ttl <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("dev token lifetime is not positive");
  }
  for (const std::string& role : claims.roles) {
    if (!RoleFromName(role).has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown role ", QuoteForMessage(role),
                       " (appender, auditor, platform-auditor and admin are the roles)"));
    }
  }
  for (const std::string& tenant : claims.tenants) {
    if (tenant.empty()) return absl::InvalidArgumentError("dev token names an empty tenant");
  }
  for (const std::string* text : {&claims.subject, &claims.role, &claims.tenant}) {
    if (text->find('\0') != std::string::npos) {
      return absl::InvalidArgumentError("dev token claim holds a NUL character");
    }
  }

  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) return absl::ResourceExhaustedError("out of memory minting a token");
  JwtPtr jwt(raw);
  const absl::Time now = absl::FromUnixNanos(env_->NowNanos());
  const long issued = absl::ToUnixSeconds(now);                // NOLINT(runtime/int): libjwt's type
  const long expires = absl::ToUnixSeconds(now + claims.ttl);  // NOLINT(runtime/int)
  std::string arrays;
  try {
    arrays = nlohmann::json{{"roles", claims.roles}, {"tenants", claims.tenants}}.dump();
  } catch (const nlohmann::json::exception&) {
    return absl::InvalidArgumentError("dev token role or tenant is not valid UTF-8");
  }
  // libjwt returns an errno value; jansson refuses strings that are not UTF-8.
  int error = jwt_add_grant(jwt.get(), "sub", claims.subject.c_str());
  if (error == 0) error = jwt_add_grant(jwt.get(), "iss", kDevIssuer);
  if (error == 0) error = jwt_add_grant(jwt.get(), "aud", kDevAudience);
  if (error == 0) error = jwt_add_grant_int(jwt.get(), "iat", issued);
  if (error == 0) error = jwt_add_grant_int(jwt.get(), "nbf", issued);
  if (error == 0) error = jwt_add_grant_int(jwt.get(), "exp", expires);
  if (error == 0) error = jwt_add_grants_json(jwt.get(), arrays.c_str());
  if (error == 0 && !claims.role.empty())
    error = jwt_add_grant(jwt.get(), "role", claims.role.c_str());
  if (error == 0 && !claims.tenant.empty()) {
    error = jwt_add_grant(jwt.get(), "tenant", claims.tenant.c_str());
  }
  if (error == 0) error = jwt_add_header(jwt.get(), "kid", kDevKeyId);
  if (error != 0) {
    return absl::InvalidArgumentError("dev token claims are not valid (not UTF-8?)");
  }
  if (jwt_set_alg(jwt.get(), JWT_ALG_ES256,
                  reinterpret_cast<const unsigned char*>(key_->private_pem.data()),
                  static_cast<int>(key_->private_pem.size())) != 0) {
    return absl::InternalError("libjwt refused the dev key");
  }
  char* encoded = jwt_encode_str(jwt.get());
  ClearOpenSslErrors();
  if (encoded == nullptr) return absl::InternalError("libjwt failed to sign the dev token");
  std::string token(encoded);
  free(encoded);  // NOLINT: libjwt allocates with malloc
  return token;
}

absl::StatusOr<JwtKeySet> DevCredentials::VerifierKeys() const {
  return JwtKeySet::FromPem(key_->public_pem, kDevKeyId);
}

}  // namespace sealtrail

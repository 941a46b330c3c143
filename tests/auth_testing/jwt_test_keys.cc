#include "auth_testing/jwt_test_keys.h"

#include <jwt.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sealtrail::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "jwt_test_keys: %s failed\n", what);
  std::abort();
}

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);  // NOLINT(runtime/int)
  return std::string(data, static_cast<size_t>(length));
}

// Fills the PEMs of `key` into `out`.
void SetPems(EVP_PKEY* key, TestJwtKey* out) {
  BIO* bio = BIO_new(BIO_s_mem());
  if (PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    Die("PEM_write_bio_PrivateKey");
  }
  out->private_pem = BioText(bio);
  BIO_free(bio);
  bio = BIO_new(BIO_s_mem());
  if (PEM_write_bio_PUBKEY(bio, key) != 1) Die("PEM_write_bio_PUBKEY");
  out->public_pem = BioText(bio);
  BIO_free(bio);
}

std::string BignumParam(EVP_PKEY* key, const char* name, int pad_to = 0) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &value) != 1) Die("EVP_PKEY_get_bn_param");
  std::string bytes(pad_to > 0 ? pad_to : BN_num_bytes(value), '\0');
  if (BN_bn2binpad(value, reinterpret_cast<unsigned char*>(bytes.data()),
                   static_cast<int>(bytes.size())) < 0) {
    Die("BN_bn2binpad");
  }
  BN_free(value);
  return bytes;
}

TestJwtKey StartKey(std::string alg, std::string kid) {
  TestJwtKey key;
  key.alg = std::move(alg);
  key.kid = std::move(kid);
  key.jwk = {{"alg", key.alg}};
  if (!key.kid.empty()) key.jwk["kid"] = key.kid;
  return key;
}

std::string EdDsaSign(const TestJwtKey& key, std::string_view signing_input) {
  BIO* bio = BIO_new_mem_buf(key.private_pem.data(), static_cast<int>(key.private_pem.size()));
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr));
  BIO_free(bio);
  if (pkey == nullptr) Die("PEM_read_bio_PrivateKey");
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  std::string signature(64, '\0');
  size_t length = signature.size();
  if (EVP_DigestSignInit(ctx, nullptr, nullptr, nullptr, pkey.get()) != 1 ||
      EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(signing_input.data()),
                     signing_input.size()) != 1) {
    Die("Ed25519 EVP_DigestSign");
  }
  EVP_MD_CTX_free(ctx);
  return signature;
}

// Signs with libjwt: `alg` with `key_bytes` (a private key PEM or an HMAC secret).
std::string LibjwtSign(jwt_alg_t alg, std::string_view key_bytes, std::string_view kid,
                       const nlohmann::json& claims, const nlohmann::json& extra_header) {
  jwt_t* jwt = nullptr;
  if (jwt_new(&jwt) != 0) Die("jwt_new");
  if (jwt_add_grants_json(jwt, claims.dump().c_str()) != 0) Die("jwt_add_grants_json");
  if (!kid.empty() && jwt_add_header(jwt, "kid", std::string(kid).c_str()) != 0) {
    Die("jwt_add_header");
  }
  if (!extra_header.empty() && jwt_add_headers_json(jwt, extra_header.dump().c_str()) != 0) {
    Die("jwt_add_headers_json");
  }
  if (jwt_set_alg(jwt, alg, reinterpret_cast<const unsigned char*>(key_bytes.data()),
                  static_cast<int>(key_bytes.size())) != 0) {
    Die("jwt_set_alg");
  }
  char* encoded = jwt_encode_str(jwt);
  if (encoded == nullptr) Die("jwt_encode_str");
  std::string token(encoded);
  free(encoded);  // NOLINT: libjwt allocates with malloc
  jwt_free(jwt);
  return token;
}

}  // namespace

TestJwtKey GenerateRsaKey(std::string kid, int bits) {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(bits)));
  if (pkey == nullptr) Die("RSA keygen");
  TestJwtKey key = StartKey("RS256", std::move(kid));
  SetPems(pkey.get(), &key);
  key.jwk["kty"] = "RSA";
  key.jwk["n"] = Base64Url(BignumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_N));
  key.jwk["e"] = Base64Url(BignumParam(pkey.get(), OSSL_PKEY_PARAM_RSA_E));
  return key;
}

TestJwtKey GenerateEcKey(std::string kid, std::string_view curve) {
  const std::string curve_name(curve);
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", curve_name.c_str()));
  if (pkey == nullptr) Die("EC keygen");
  const int coordinate_bytes = curve == "P-384" ? 48 : 32;
  TestJwtKey key = StartKey("ES256", std::move(kid));
  SetPems(pkey.get(), &key);
  key.jwk["kty"] = "EC";
  key.jwk["crv"] = std::string(curve);
  key.jwk["x"] = Base64Url(BignumParam(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_X, coordinate_bytes));
  key.jwk["y"] = Base64Url(BignumParam(pkey.get(), OSSL_PKEY_PARAM_EC_PUB_Y, coordinate_bytes));
  return key;
}

TestJwtKey GenerateEd25519Key(std::string kid) {
  PkeyPtr pkey(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (pkey == nullptr) Die("Ed25519 keygen");
  TestJwtKey key = StartKey("EdDSA", std::move(kid));
  SetPems(pkey.get(), &key);
  std::string raw(32, '\0');
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(pkey.get(), reinterpret_cast<unsigned char*>(raw.data()),
                                  &length) != 1) {
    Die("EVP_PKEY_get_raw_public_key");
  }
  key.jwk["kty"] = "OKP";
  key.jwk["crv"] = "Ed25519";
  key.jwk["x"] = Base64Url(raw);
  return key;
}

TestJwtKey GenerateHmacKey(std::string kid, size_t bytes) {
  TestJwtKey key = StartKey("HS256", std::move(kid));
  key.secret.resize(bytes);
  if (RAND_bytes(reinterpret_cast<unsigned char*>(key.secret.data()), static_cast<int>(bytes)) !=
      1) {
    Die("RAND_bytes");
  }
  key.jwk["kty"] = "oct";
  key.jwk["k"] = Base64Url(key.secret);
  return key;
}

std::string JwksOf(std::initializer_list<const TestJwtKey*> keys) {
  nlohmann::json jwks = {{"keys", nlohmann::json::array()}};
  for (const TestJwtKey* key : keys) jwks["keys"].push_back(key->jwk);
  return jwks.dump();
}

std::string SignJwt(const TestJwtKey& key, const nlohmann::json& claims,
                    const nlohmann::json& extra_header) {
  if (key.alg == "RS256") {
    return LibjwtSign(JWT_ALG_RS256, key.private_pem, key.kid, claims, extra_header);
  }
  if (key.alg == "ES256") {
    return LibjwtSign(JWT_ALG_ES256, key.private_pem, key.kid, claims, extra_header);
  }
  if (key.alg == "HS256") {
    return LibjwtSign(JWT_ALG_HS256, key.secret, key.kid, claims, extra_header);
  }
  nlohmann::json header = {{"alg", "EdDSA"}, {"typ", "JWT"}};
  if (!key.kid.empty()) header["kid"] = key.kid;
  header.update(extra_header);
  const std::string signing_input =
      absl::StrCat(Base64Url(header.dump()), ".", Base64Url(claims.dump()));
  return absl::StrCat(signing_input, ".", Base64Url(EdDsaSign(key, signing_input)));
}

std::string SignHs256WithSecret(std::string_view secret, const nlohmann::json& claims,
                                std::string_view kid) {
  return LibjwtSign(JWT_ALG_HS256, secret, kid, claims, nlohmann::json::object());
}

std::string Base64Url(std::string_view bytes) {
  return absl::WebSafeBase64Escape(absl::string_view(bytes.data(), bytes.size()));
}

std::string AssembleJwt(std::string_view header, std::string_view payload,
                        std::string_view signature) {
  return absl::StrCat(Base64Url(header), ".", Base64Url(payload), ".", Base64Url(signature));
}

}  // namespace sealtrail::testing

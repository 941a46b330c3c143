// Keys generated in a test with OpenSSL, their public forms (PEM and JWK), and tokens signed with
// them: libjwt for RS256, ES256 and HS256, OpenSSL's EVP API for EdDSA. Shares no code with
// server/auth, so a token the verifier accepts was made by an independent signer.
//
// Every function aborts the test binary on an OpenSSL or libjwt failure: a test cannot run
// without its keys.
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_TESTS_AUTH_TESTING_JWT_TEST_KEYS_H_
#define SEALTRAIL_TESTS_AUTH_TESTING_JWT_TEST_KEYS_H_

#include <initializer_list>
#include <string>
#include <string_view>

#include "nlohmann/json.hpp"

namespace sealtrail::testing {

struct TestJwtKey {
  std::string alg;          // "RS256", "ES256", "EdDSA" or "HS256"
  std::string kid;          // may be empty
  std::string private_pem;  // PKCS#8 PEM (asymmetric keys)
  std::string public_pem;   // SubjectPublicKeyInfo PEM (asymmetric keys)
  std::string secret;       // HS256
  nlohmann::json jwk;       // the public JWK with "kid" and "alg" (oct: the secret as "k")
};

TestJwtKey GenerateRsaKey(std::string kid, int bits = 2048);
TestJwtKey GenerateEcKey(std::string kid, std::string_view curve = "P-256");
TestJwtKey GenerateEd25519Key(std::string kid);
TestJwtKey GenerateHmacKey(std::string kid, size_t bytes = 32);

// {"keys": [each key's jwk]}.
std::string JwksOf(std::initializer_list<const TestJwtKey*> keys);

// A compact JWS of `claims` signed with `key`. The header holds "alg", "typ":"JWT", the key's
// "kid" (unless empty) and the members of `extra_header`.
std::string SignJwt(const TestJwtKey& key, const nlohmann::json& claims,
                    const nlohmann::json& extra_header = nlohmann::json::object());
// An HS256 token whose HMAC key is `secret`, whatever it is (an RSA public key PEM, say).
std::string SignHs256WithSecret(std::string_view secret, const nlohmann::json& claims,
                                std::string_view kid);

// base64url without padding.
std::string Base64Url(std::string_view bytes);
// base64url(header) "." base64url(payload) "." base64url(signature).
std::string AssembleJwt(std::string_view header, std::string_view payload,
                        std::string_view signature);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_AUTH_TESTING_JWT_TEST_KEYS_H_

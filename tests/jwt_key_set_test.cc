// JwtKeySet (server/auth/jwt_verifier.h), the configuration side of token verification: JWKS,
// PEM and secret keys built from keys generated in the test, every key refused and why, key
// files, and the options JwtVerifier::Create refuses.
#include <string>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/time/time.h"
#include "auth_testing/jwt_test_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/auth/jwt_verifier.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::Base64Url;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::JwksOf;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::TestJwtKey;
using ::testing::AllOf;
using ::testing::HasSubstr;

auto BadKey(const std::string& message_part) {
  return StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(message_part));
}

TEST(JwtKeySetTest, MalformedJwksIsRefused) {
  EXPECT_THAT(JwtKeySet::FromJwks("not json"), BadKey("JWKS is not a JSON object"));
  EXPECT_THAT(JwtKeySet::FromJwks("[]"), BadKey("JWKS is not a JSON object"));
  EXPECT_THAT(JwtKeySet::FromJwks("{}"), BadKey("no \"keys\" array"));
  EXPECT_THAT(JwtKeySet::FromJwks(R"({"keys":{}})"), BadKey("no \"keys\" array"));
  EXPECT_THAT(JwtKeySet::FromJwks(R"({"keys":[]})"), BadKey("holds no keys"));
  EXPECT_THAT(JwtKeySet::FromJwks(R"({"keys":[7]})"), BadKey("JWKS key 0: is not a JSON object"));
}

TEST(JwtKeySetTest, UnsupportedOrUnsafeKeysAreRefusedByIndex) {
  const TestJwtKey rsa = testing::GenerateRsaKey("rsa");
  const TestJwtKey ec = testing::GenerateEcKey("ec");
  const TestJwtKey ed = testing::GenerateEd25519Key("ed");
  const TestJwtKey hmac = testing::GenerateHmacKey("hs");
  struct Case {
    const TestJwtKey* key;
    const char* member;
    nlohmann::json value;  // null: the member is removed
    const char* message;
  };
  const Case cases[] = {
      {&rsa, "kty", nullptr, "JWKS key 1: \"kty\" is missing"},
      {&rsa, "kty", "RSA-PSS", "JWKS key 1: \"kty\" \"RSA-PSS\" is not supported"},
      {&rsa, "d", "AQAB", "private key material"},
      {&ec, "d", "AQAB", "private key material"},
      {&ed, "d", "AQAB", "private key material"},
      {&rsa, "use", "enc", "\"use\""},
      {&rsa, "alg", "RS512", "\"alg\" \"RS512\" does not fit"},
      {&ec, "alg", "RS256", "does not fit this key, which is for ES256"},
      {&rsa, "n", "not base64!", "\"n\" is not non-empty base64url"},
      {&ec, "crv", "P-384", "only P-256 is supported"},
      {&ec, "x", Base64Url("short"), "\"x\" has 5 bytes, not 32"},
      {&ed, "crv", "X25519", "only Ed25519 is supported"},
      {&hmac, "alg", nullptr, "must say \"alg\": \"HS256\""},
      {&hmac, "k", Base64Url("too short"), "at least 32"},
      {&rsa, "kid", "ec", "JWKS key 1: duplicate key id \"ec\""},
      {&rsa, "kid", 3, "\"kid\""},
  };
  for (const Case& c : cases) {
    nlohmann::json jwk = c.key->jwk;
    if (c.value.is_null()) {
      jwk.erase(c.member);
    } else {
      jwk[c.member] = c.value;
    }
    const std::string jwks = nlohmann::json{{"keys", {ec.jwk, jwk}}}.dump();
    EXPECT_THAT(JwtKeySet::FromJwks(jwks), BadKey(c.message)) << c.member << " " << c.value;
  }
}

TEST(JwtKeySetTest, EcPointNotOnTheCurveIsRefused) {
  nlohmann::json jwk = testing::GenerateEcKey("ec").jwk;
  std::string y;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(jwk["y"].get<std::string>(), &y));
  y[31] ^= 0x01;
  jwk["y"] = Base64Url(y);
  EXPECT_THAT(JwtKeySet::FromJwks(nlohmann::json{{"keys", {jwk}}}.dump()), BadKey("JWKS key 0"));
}

TEST(JwtKeySetTest, WeakOrUnsupportedPemKeysAreRefused) {
  EXPECT_THAT(JwtKeySet::FromPem(testing::GenerateRsaKey("", 1024).public_pem),
              BadKey("RSA key has 1024 bits"));
  EXPECT_THAT(JwtKeySet::FromPem(testing::GenerateEcKey("", "P-384").public_pem),
              BadKey("not on curve P-256"));
  EXPECT_THAT(JwtKeySet::FromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
              BadKey("not a PEM public key"));
  // A private key is not what a verifier is given.
  EXPECT_THAT(JwtKeySet::FromPem(testing::GenerateEcKey("").private_pem),
              BadKey("not a PEM public key"));
  EXPECT_THAT(JwtKeySet::FromHmacSecret(std::string(31, 'k')), BadKey("at least 32"));
}

TEST(JwtKeySetTest, MergeRefusesADuplicateKeyId) {
  ASSERT_OK_AND_ASSIGN(JwtKeySet keys, JwtKeySet::FromHmacSecret(std::string(32, 'a'), "k"));
  ASSERT_OK_AND_ASSIGN(JwtKeySet same_kid, JwtKeySet::FromHmacSecret(std::string(32, 'b'), "k"));
  EXPECT_THAT(keys.Merge(std::move(same_kid)), BadKey("duplicate key id \"k\""));
  // Keys without a kid never collide.
  ASSERT_OK_AND_ASSIGN(JwtKeySet no_kid_1, JwtKeySet::FromHmacSecret(std::string(32, 'c')));
  ASSERT_OK_AND_ASSIGN(JwtKeySet no_kid_2, JwtKeySet::FromHmacSecret(std::string(32, 'd')));
  ASSERT_OK(keys.Merge(std::move(no_kid_1)));
  ASSERT_OK(keys.Merge(std::move(no_kid_2)));
  EXPECT_EQ(keys.size(), 3u);
}

TEST(JwtKeySetTest, FromFileReadsJwksOrPem) {
  ScratchDir dir("jwt_verifier_test");
  const TestJwtKey rsa = testing::GenerateRsaKey("rsa");
  const TestJwtKey ed = testing::GenerateEd25519Key("ed");
  ASSERT_OK(testing::WriteWholeFile(dir.Sub("keys.json"), "\n  " + JwksOf({&rsa, &ed})));
  ASSERT_OK(testing::WriteWholeFile(dir.Sub("key.pem"), ed.public_pem));
  ASSERT_OK(testing::WriteWholeFile(dir.Sub("garbage"), "hello"));
  EXPECT_THAT(JwtKeySet::FromFile(Env::Default(), dir.Sub("keys.json")),
              IsOkAndHolds(::testing::Property(&JwtKeySet::size, 2u)));
  EXPECT_THAT(JwtKeySet::FromFile(Env::Default(), dir.Sub("key.pem")),
              IsOkAndHolds(::testing::Property(&JwtKeySet::size, 1u)));
  EXPECT_THAT(JwtKeySet::FromFile(Env::Default(), dir.Sub("garbage")),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr(dir.Sub("garbage")), HasSubstr("neither a JWKS"))));
  EXPECT_THAT(JwtKeySet::FromFile(Env::Default(), dir.Sub("missing")),
              StatusIs(absl::StatusCode::kNotFound));
}

TEST(JwtVerifierCreateTest, RefusesIncompleteOptions) {
  auto keys = [] { return *JwtKeySet::FromHmacSecret(std::string(32, 'k')); };
  JwtVerifierOptions options;
  options.issuer = "i";
  options.audience = "a";
  EXPECT_OK(JwtVerifier::Create(keys(), options));
  JwtVerifierOptions no_issuer = options;
  no_issuer.issuer.clear();
  EXPECT_THAT(JwtVerifier::Create(keys(), no_issuer), BadKey("issuer is empty"));
  JwtVerifierOptions no_audience = options;
  no_audience.audience.clear();
  EXPECT_THAT(JwtVerifier::Create(keys(), no_audience), BadKey("audience is empty"));
  JwtKeySet moved_from = keys();
  JwtKeySet taken = std::move(moved_from);
  EXPECT_THAT(
      JwtVerifier::Create(std::move(moved_from), options),  // NOLINT(bugprone-use-after-move)
      BadKey("key set is empty"));
  JwtVerifierOptions negative_leeway = options;
  negative_leeway.leeway = absl::Seconds(-1);
  EXPECT_THAT(JwtVerifier::Create(std::move(taken), negative_leeway), BadKey("leeway"));
}

}  // namespace
}  // namespace sealtrail

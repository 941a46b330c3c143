// JwtVerifier (server/auth/jwt_verifier.h): tokens of every algorithm signed in the test by an
// independent signer (libjwt, and EVP for EdDSA) with keys generated in the test, the RFC 7515 /
// RFC 8037 examples as known answers, and every bad token the issue lists. Key sets:
// jwt_key_set_test.cc.
#include "server/auth/jwt_verifier.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "auth_testing/jose_vectors.h"
#include "auth_testing/jwt_test_keys.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "openssl/evp.h"
#include "openssl/hmac.h"
#include "server/auth/jwk.h"
#include "server/auth/jwt_signature.h"
#include "testing/fault_env.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::AssembleJwt;
using ::sealtrail::testing::Base64Url;
using ::sealtrail::testing::FaultInjectionEnv;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::JwksOf;
using ::sealtrail::testing::SignHs256WithSecret;
using ::sealtrail::testing::SignJwt;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::TestJwtKey;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kIssuer[] = "https://issuer.example";
constexpr char kAudience[] = "sealtrail";

// Keys shared by every test: RSA key generation takes a while.
struct Keys {
  TestJwtKey rsa = testing::GenerateRsaKey("rsa-1");
  TestJwtKey ec = testing::GenerateEcKey("ec-1");
  TestJwtKey ed = testing::GenerateEd25519Key("ed-1");
  TestJwtKey hmac = testing::GenerateHmacKey("hs-1");
};
const Keys& TestKeys() {
  static const Keys* keys = new Keys;
  return *keys;
}

std::string PartOf(const std::string& token, int index) {
  const std::vector<std::string> parts = absl::StrSplit(token, '.');
  return parts.at(index);
}

// `token` with its payload replaced by `claims` (the signature left as it was).
std::string WithPayload(const std::string& token, const nlohmann::json& claims) {
  return absl::StrCat(PartOf(token, 0), ".", Base64Url(claims.dump()), ".", PartOf(token, 2));
}

class JwtVerifierTest : public ::testing::Test {
 protected:
  JwtVerifierOptions Options() const {
    JwtVerifierOptions options;
    options.issuer = kIssuer;
    options.audience = kAudience;
    options.leeway = absl::Seconds(30);
    return options;
  }
  std::unique_ptr<JwtVerifier> MakeVerifier(const std::string& jwks, JwtVerifierOptions options) {
    absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(jwks);
    EXPECT_OK(keys);
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier =
        JwtVerifier::Create(*std::move(keys), std::move(options), &env_);
    EXPECT_OK(verifier);
    return *std::move(verifier);
  }
  // A verifier of every test key.
  const JwtVerifier& Verifier() {
    if (verifier_ == nullptr) {
      const Keys& k = TestKeys();
      verifier_ = MakeVerifier(JwksOf({&k.rsa, &k.ec, &k.ed, &k.hmac}), Options());
    }
    return *verifier_;
  }
  absl::StatusOr<VerifiedToken> Verify(std::string_view token) { return Verifier().Verify(token); }

  int64_t NowSeconds() { return absl::ToUnixSeconds(absl::FromUnixNanos(env_.NowNanos())); }
  // Claims that pass: issued now, valid for ten minutes.
  nlohmann::json Claims() {
    const int64_t now = NowSeconds();
    return {{"iss", kIssuer},       {"aud", kAudience},
            {"sub", "alice"},       {"iat", now},
            {"nbf", now},           {"exp", now + 600},
            {"roles", {"auditor"}}, {"tenants", {"acme", "umbrella"}}};
  }
  nlohmann::json ClaimsWith(std::string_view name, const nlohmann::json& value) {
    nlohmann::json claims = Claims();
    claims[std::string(name)] = value;
    return claims;
  }
  nlohmann::json ClaimsWithout(std::string_view name) {
    nlohmann::json claims = Claims();
    claims.erase(std::string(name));
    return claims;
  }
  std::vector<const TestJwtKey*> AllKeys() {
    const Keys& k = TestKeys();
    return {&k.rsa, &k.ec, &k.ed, &k.hmac};
  }

  FaultInjectionEnv env_;
  std::unique_ptr<JwtVerifier> verifier_;
};

auto Refused(const std::string& message_part) {
  return StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr(message_part));
}

// ---- Accepted tokens ----------------------------------------------------------------------------

TEST_F(JwtVerifierTest, EachAlgorithmVerifies) {
  for (const TestJwtKey* key : AllKeys()) {
    SCOPED_TRACE(key->alg);
    const nlohmann::json claims = Claims();
    ASSERT_OK_AND_ASSIGN(const VerifiedToken verified, Verify(SignJwt(*key, claims)));
    EXPECT_EQ(verified.algorithm, key->alg);
    EXPECT_EQ(verified.key_id, key->kid);
    EXPECT_EQ(verified.subject, "alice");
    EXPECT_THAT(verified.roles, ElementsAre("auditor"));
    EXPECT_THAT(verified.tenants, ElementsAre("acme", "umbrella"));
    EXPECT_EQ(verified.role, "");
    EXPECT_EQ(verified.tenant, "");
    EXPECT_EQ(verified.expires_at, absl::FromUnixSeconds(claims["exp"].get<int64_t>()));
  }
}

TEST_F(JwtVerifierTest, KeysFromPemAndSecretVerifyLikeJwks) {
  const Keys& k = TestKeys();
  ASSERT_OK_AND_ASSIGN(JwtKeySet keys, JwtKeySet::FromPem(k.rsa.public_pem, "rsa-1"));
  for (const TestJwtKey* key : {&k.ec, &k.ed}) {
    ASSERT_OK_AND_ASSIGN(JwtKeySet more, JwtKeySet::FromPem(key->public_pem, key->kid));
    ASSERT_OK(keys.Merge(std::move(more)));
  }
  ASSERT_OK_AND_ASSIGN(JwtKeySet secret, JwtKeySet::FromHmacSecret(k.hmac.secret, "hs-1"));
  ASSERT_OK(keys.Merge(std::move(secret)));
  EXPECT_EQ(keys.size(), 4u);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<JwtVerifier> verifier,
                       JwtVerifier::Create(std::move(keys), Options(), &env_));
  for (const TestJwtKey* key : AllKeys()) {
    EXPECT_THAT(verifier->Verify(SignJwt(*key, Claims())), IsOkAndHolds(::testing::_)) << key->alg;
  }
}

TEST_F(JwtVerifierTest, TokenWithoutKidUsesTheOnlyKeyOfItsAlgorithm) {
  for (const TestJwtKey* key : AllKeys()) {
    TestJwtKey no_kid = *key;
    no_kid.kid.clear();
    EXPECT_THAT(Verify(SignJwt(no_kid, Claims())), IsOkAndHolds(::testing::_)) << key->alg;
  }
}

TEST_F(JwtVerifierTest, TokenWithoutKidIsRefusedWhenTwoKeysHaveItsAlgorithm) {
  const TestJwtKey other = testing::GenerateEcKey("ec-2");
  const Keys& k = TestKeys();
  std::unique_ptr<JwtVerifier> verifier = MakeVerifier(JwksOf({&k.ec, &other}), Options());
  TestJwtKey no_kid = k.ec;
  no_kid.kid.clear();
  EXPECT_THAT(verifier->Verify(SignJwt(no_kid, Claims())), Refused("no key id and more than one"));
  EXPECT_OK(verifier->Verify(SignJwt(k.ec, Claims())));
  EXPECT_OK(verifier->Verify(SignJwt(other, Claims())));
}

TEST_F(JwtVerifierTest, TypJwtIsAcceptedInAnyCase) {
  const Keys& k = TestKeys();
  EXPECT_OK(Verify(SignJwt(k.ed, Claims(), {{"typ", "jwt"}})));
}

TEST_F(JwtVerifierTest, FractionalNumericDatesAreAccepted) {
  const Keys& k = TestKeys();
  const double exp = static_cast<double>(NowSeconds()) + 100.5;
  ASSERT_OK_AND_ASSIGN(const VerifiedToken verified, Verify(SignJwt(k.ed, ClaimsWith("exp", exp))));
  EXPECT_EQ(verified.expires_at, absl::UnixEpoch() + absl::Seconds(exp));
}

// ---- Claims extraction --------------------------------------------------------------------------

TEST_F(JwtVerifierTest, RolesAndTenantsMayBeAStringOrAnArray) {
  const Keys& k = TestKeys();
  nlohmann::json claims = Claims();
  claims["roles"] = "admin";
  claims["tenants"] = "*";
  ASSERT_OK_AND_ASSIGN(VerifiedToken verified, Verify(SignJwt(k.hmac, claims)));
  EXPECT_THAT(verified.roles, ElementsAre("admin"));
  EXPECT_THAT(verified.tenants, ElementsAre("*"));

  claims["roles"] = {"appender", "platform-auditor"};
  claims["tenants"] = {"*"};
  ASSERT_OK_AND_ASSIGN(verified, Verify(SignJwt(k.hmac, claims)));
  EXPECT_THAT(verified.roles, ElementsAre("appender", "platform-auditor"));
  EXPECT_THAT(verified.tenants, ElementsAre("*"));

  claims.erase("roles");
  claims.erase("tenants");
  claims.erase("sub");
  ASSERT_OK_AND_ASSIGN(verified, Verify(SignJwt(k.hmac, claims)));
  EXPECT_TRUE(verified.roles.empty());
  EXPECT_TRUE(verified.tenants.empty());
  EXPECT_EQ(verified.subject, "");
}

TEST_F(JwtVerifierTest, ClaimNamesAreConfigurable) {
  const Keys& k = TestKeys();
  JwtVerifierOptions options = Options();
  options.roles_claim = "https://sealtrail.example/roles";
  options.tenants_claim = "org_ids";
  options.role_claim = "user_role";
  options.tenant_claim = "org";
  std::unique_ptr<JwtVerifier> verifier = MakeVerifier(JwksOf({&k.rsa}), options);
  nlohmann::json claims = Claims();
  claims["https://sealtrail.example/roles"] = {"appender"};
  claims["org_ids"] = "acme";
  claims["user_role"] = "nurse";
  claims["org"] = "acme";
  ASSERT_OK_AND_ASSIGN(const VerifiedToken verified, verifier->Verify(SignJwt(k.rsa, claims)));
  EXPECT_THAT(verified.roles, ElementsAre("appender"));  // not "auditor" from "roles"
  EXPECT_THAT(verified.tenants, ElementsAre("acme"));
  EXPECT_EQ(verified.role, "nurse");
  EXPECT_EQ(verified.tenant, "acme");
}

TEST_F(JwtVerifierTest, MistypedIdentityClaimsAreRefused) {
  const Keys& k = TestKeys();
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("roles", 7))), Refused("\"roles\" is neither"));
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("roles", {"auditor", 7}))),
              Refused("\"roles\" is neither"));
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("tenants", {{"a", "b"}}))),
              Refused("\"tenants\" is neither"));
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("sub", 42))), Refused("\"sub\" is not a string"));
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("tenant", {"a"}))),
              Refused("\"tenant\" is not a string"));
}

// ---- Refused tokens: shape and encoding -----------------------------------------------------

TEST_F(JwtVerifierTest, MalformedTokensAreRefused) {
  const std::string valid = SignJwt(TestKeys().hmac, Claims());
  EXPECT_THAT(Verify(""), Refused("no token"));
  for (const std::string& token :
       {std::string("abc"), std::string("a.b"), std::string("a.b.c.d"),
        PartOf(valid, 0) + "." + PartOf(valid, 1), valid + ".", valid + ".x"}) {
    EXPECT_THAT(Verify(token), Refused("not three dot-separated parts")) << token;
  }
  for (const std::string& token : {"Bearer " + valid, valid + " ", valid + "=", valid + "\n",
                                   std::string("a+b.c/d.e"), std::string("a.b\0.c", 6)}) {
    EXPECT_THAT(Verify(token), Refused("neither base64url nor '.'"));
  }
}

TEST_F(JwtVerifierTest, GarbageBase64IsRefused) {
  const std::string valid = SignJwt(TestKeys().hmac, Claims());
  const std::string header = PartOf(valid, 0);
  const std::string payload = PartOf(valid, 1);
  const std::string signature = PartOf(valid, 2);
  // A length of 1 mod 4 is never base64; a last character with bits set beyond the data is not
  // the canonical encoding.
  EXPECT_THAT(Verify(absl::StrCat("eyJhb.", payload, ".", signature)),
              Refused("header is not base64url"));
  EXPECT_THAT(Verify(absl::StrCat("", ".", payload, ".", signature)),
              Refused("header is not a JSON object"));
  EXPECT_THAT(Verify(".."), Refused("header is not a JSON object"));
  EXPECT_THAT(Verify(absl::StrCat(header, ".", payload, "A.", signature)),
              Refused("payload is not base64url"));
  EXPECT_THAT(Verify(absl::StrCat(header, ".", payload, ".", signature, "AA")),  // 45 characters
              Refused("signature is not non-empty base64url"));
  EXPECT_THAT(Verify(absl::StrCat(header, ".", payload, ".")),
              Refused("signature is not non-empty base64url"));
  // "AB" decodes to one byte but is not canonical ("AA" is).
  EXPECT_THAT(Verify(absl::StrCat(header, ".", payload, ".AB")),
              Refused("signature is not non-empty base64url"));
}

TEST_F(JwtVerifierTest, HeaderOrPayloadThatIsNotAJsonObjectIsRefused) {
  const std::string claims = Claims().dump();
  EXPECT_THAT(Verify(AssembleJwt("not json", claims, "sig")), Refused("header is not a JSON"));
  EXPECT_THAT(Verify(AssembleJwt("[\"HS256\"]", claims, "sig")), Refused("header is not a JSON"));
  EXPECT_THAT(Verify(AssembleJwt(R"({"alg":"HS256")", claims, "sig")),
              Refused("header is not a JSON"));
  EXPECT_THAT(Verify(AssembleJwt(R"({"alg":"HS256","kid":"hs-1"})", "not json", "sig")),
              Refused("payload is not a JSON object"));
  EXPECT_THAT(Verify(AssembleJwt(R"({"alg":"HS256","kid":"hs-1"})", "42", "sig")),
              Refused("payload is not a JSON object"));
}

TEST_F(JwtVerifierTest, OversizedTokensAreRefusedBeforeParsing) {
  const Keys& k = TestKeys();
  const std::string big = SignJwt(k.hmac, ClaimsWith("padding", std::string(9000, 'x')));
  EXPECT_THAT(Verify(big), Refused("more than the limit of 8192"));
  // Not even looked at: garbage of the same size gets the same answer.
  EXPECT_THAT(Verify(std::string(100000, '\xff')), Refused("more than the limit"));

  JwtVerifierOptions options = Options();
  options.max_token_bytes = 16 * 1024;
  std::unique_ptr<JwtVerifier> verifier = MakeVerifier(JwksOf({&k.hmac}), options);
  EXPECT_OK(verifier->Verify(big));
}

// ---- Refused tokens: header and key choice --------------------------------------------------

TEST_F(JwtVerifierTest, AlgNoneIsRefused) {
  const std::string claims = Claims().dump();
  for (const char* header : {R"({"alg":"none"})", R"({"alg":"none","typ":"JWT"})",
                             R"({"alg":"None","kid":"hs-1"})", R"({"alg":"NONE"})"}) {
    const std::string unsigned_token = absl::StrCat(Base64Url(header), ".", Base64Url(claims), ".");
    EXPECT_THAT(Verify(unsigned_token), Refused("alg none is not accepted")) << header;
    EXPECT_THAT(Verify(AssembleJwt(header, claims, "sig")), Refused("alg none is not accepted"));
  }
}

TEST_F(JwtVerifierTest, AlgorithmConfusionWithTheRsaPublicKeyAsHmacSecretIsRefused) {
  const Keys& k = TestKeys();
  // The classic attack: HS256, keyed with the RSA public key the server publishes.
  const std::string forged = SignHs256WithSecret(k.rsa.public_pem, Claims(), "rsa-1");
  EXPECT_THAT(Verify(forged), Refused("token alg HS256 does not match key \"rsa-1\""));

  // Without a kid, against a verifier with no HS256 key at all.
  std::unique_ptr<JwtVerifier> rsa_only = MakeVerifier(JwksOf({&k.rsa}), Options());
  EXPECT_THAT(rsa_only->Verify(SignHs256WithSecret(k.rsa.public_pem, Claims(), "")),
              Refused("no key for alg HS256"));
  // Without a kid, against a verifier that has an HS256 key: the secret is the real one.
  EXPECT_THAT(Verify(SignHs256WithSecret(k.rsa.public_pem, Claims(), "")),
              Refused("signature does not verify"));
  // The same confusion the other way round, and between the asymmetric algorithms.
  TestJwtKey ec_as_rsa = k.ec;
  ec_as_rsa.kid = "rsa-1";
  EXPECT_THAT(Verify(SignJwt(ec_as_rsa, Claims())),
              Refused("token alg ES256 does not match key \"rsa-1\""));
  TestJwtKey hmac_as_ed = k.hmac;
  hmac_as_ed.kid = "ed-1";
  EXPECT_THAT(Verify(SignJwt(hmac_as_ed, Claims())), Refused("does not match key \"ed-1\""));
}

TEST_F(JwtVerifierTest, UnsupportedAlgorithmsAreRefused) {
  const std::string claims = Claims().dump();
  for (const char* alg :
       {"HS384", "HS512", "RS384", "RS512", "PS256", "ES384", "ES256K", "Ed25519", "rs256", ""}) {
    const nlohmann::json header = {{"alg", alg}, {"kid", "rsa-1"}};
    EXPECT_THAT(Verify(AssembleJwt(header.dump(), claims, "sig")), Refused("is not accepted"))
        << alg;
  }
  EXPECT_THAT(Verify(AssembleJwt(R"({"kid":"rsa-1"})", claims, "sig")), Refused("no \"alg\""));
  EXPECT_THAT(Verify(AssembleJwt(R"({"alg":256})", claims, "sig")), Refused("no \"alg\""));
}

TEST_F(JwtVerifierTest, UnknownKeyIdIsRefused) {
  TestJwtKey stranger = testing::GenerateEcKey("k7");
  EXPECT_THAT(Verify(SignJwt(stranger, Claims())), Refused("unknown key id \"k7\""));
  EXPECT_THAT(Verify(SignJwt(TestKeys().ec, Claims(), {{"kid", 7}})),
              Refused("\"kid\" is not a string"));
}

TEST_F(JwtVerifierTest, CriticalHeaderExtensionsAndOtherTypesAreRefused) {
  const Keys& k = TestKeys();
  EXPECT_THAT(Verify(SignJwt(k.ed, Claims(), {{"crit", {"exp"}}, {"exp", 1}})),
              Refused("\"crit\""));
  EXPECT_THAT(Verify(SignJwt(k.ed, Claims(), {{"typ", "at+jwt"}})), Refused("\"typ\""));
}

// ---- Refused tokens: signatures ---------------------------------------------------------------

TEST_F(JwtVerifierTest, TamperedPayloadIsRefused) {
  for (const TestJwtKey* key : AllKeys()) {
    const std::string token = SignJwt(*key, Claims());
    EXPECT_THAT(Verify(WithPayload(token, ClaimsWith("roles", {"admin"}))),
                Refused("signature does not verify"))
        << key->alg;
  }
}

TEST_F(JwtVerifierTest, TamperedSignatureIsRefused) {
  for (const TestJwtKey* key : AllKeys()) {
    const std::string token = SignJwt(*key, Claims());
    const size_t signature_start = token.rfind('.') + 1;
    for (size_t offset : {signature_start, signature_start + 10, token.size() - 2}) {
      std::string tampered = token;
      tampered[offset] = tampered[offset] == 'A' ? 'B' : 'A';
      EXPECT_THAT(Verify(tampered), Refused("signature")) << key->alg << " at " << offset;
    }
    // A signature of the wrong length.
    EXPECT_THAT(Verify(token.substr(0, token.size() - 4)), Refused("signature")) << key->alg;
  }
}

TEST_F(JwtVerifierTest, TokenSignedByAnotherKeyWithTheSameKidIsRefused) {
  const std::vector<TestJwtKey> impostors = {
      testing::GenerateRsaKey("rsa-1"), testing::GenerateEcKey("ec-1"),
      testing::GenerateEd25519Key("ed-1"), testing::GenerateHmacKey("hs-1")};
  for (const TestJwtKey& impostor : impostors) {
    EXPECT_THAT(Verify(SignJwt(impostor, Claims())), Refused("signature does not verify"))
        << impostor.alg;
  }
}

// ---- Refused tokens: claims -------------------------------------------------------------------

TEST_F(JwtVerifierTest, ExpiredTokensAreRefusedAfterTheLeeway) {
  const Keys& k = TestKeys();
  const int64_t now = NowSeconds();
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("exp", now - 60))), Refused("token expired at"));
  EXPECT_OK(Verify(SignJwt(k.rsa, ClaimsWith("exp", now - 10))));  // within the leeway

  JwtVerifierOptions strict = Options();
  strict.leeway = absl::ZeroDuration();
  std::unique_ptr<JwtVerifier> verifier = MakeVerifier(JwksOf({&k.rsa}), strict);
  EXPECT_THAT(verifier->Verify(SignJwt(k.rsa, ClaimsWith("exp", now - 10))),
              Refused("token expired at"));
}

TEST_F(JwtVerifierTest, TokenExpiresAsTheClockMoves) {
  const std::string token = SignJwt(TestKeys().ed, ClaimsWith("exp", NowSeconds() + 100));
  EXPECT_OK(Verify(token));
  env_.SetClockOffsetNanos(absl::ToInt64Nanoseconds(absl::Seconds(125)));  // exp + 25 s
  EXPECT_OK(Verify(token));
  env_.SetClockOffsetNanos(absl::ToInt64Nanoseconds(absl::Seconds(135)));  // exp + 35 s
  EXPECT_THAT(Verify(token), Refused("token expired at"));
}

TEST_F(JwtVerifierTest, ExpiryMessageNamesTheTime) {
  const absl::Time exp = absl::FromUnixSeconds(1795428000);  // 2026-11-23T10:00:00Z
  env_.SetClockOffsetNanos(absl::ToInt64Nanoseconds(exp + absl::Minutes(5) - absl::Now()));
  EXPECT_THAT(Verify(SignJwt(TestKeys().ec, ClaimsWith("exp", absl::ToUnixSeconds(exp)))),
              Refused("token expired at 2026-11-23T10:00:00Z"));
}

TEST_F(JwtVerifierTest, NotYetValidTokensAreRefusedBeforeTheLeeway) {
  const Keys& k = TestKeys();
  const int64_t now = NowSeconds();
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("nbf", now + 60))),
              Refused("token is not valid before"));
  EXPECT_OK(Verify(SignJwt(k.ec, ClaimsWith("nbf", now + 10))));
  EXPECT_THAT(Verify(SignJwt(k.ec, ClaimsWith("iat", now + 60))),
              Refused("token is issued in the future"));
  EXPECT_OK(Verify(SignJwt(k.ec, ClaimsWith("iat", now + 10))));

  const std::string later = SignJwt(k.ec, ClaimsWith("nbf", now + 60));
  env_.SetClockOffsetNanos(absl::ToInt64Nanoseconds(absl::Seconds(45)));
  EXPECT_OK(Verify(later));

  JwtVerifierOptions strict = Options();
  strict.leeway = absl::ZeroDuration();
  std::unique_ptr<JwtVerifier> verifier = MakeVerifier(JwksOf({&k.ec}), strict);
  EXPECT_THAT(verifier->Verify(later), Refused("token is not valid before"));
}

TEST_F(JwtVerifierTest, ExpIsRequiredAndTimesMustBeNumbers) {
  const Keys& k = TestKeys();
  EXPECT_THAT(Verify(SignJwt(k.hmac, ClaimsWithout("exp"))), Refused("token has no expiry"));
  for (const nlohmann::json& bad : {nlohmann::json("tomorrow"), nlohmann::json(nullptr),
                                    nlohmann::json(true), nlohmann::json::array({1})}) {
    EXPECT_THAT(Verify(SignJwt(k.hmac, ClaimsWith("exp", bad))), Refused("\"exp\" is not a number"))
        << bad.dump();
    EXPECT_THAT(Verify(SignJwt(k.hmac, ClaimsWith("nbf", bad))),
                Refused("\"nbf\" is not a number"));
    EXPECT_THAT(Verify(SignJwt(k.hmac, ClaimsWith("iat", bad))),
                Refused("\"iat\" is not a number"));
  }
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("exp", -1))), Refused("token expired at"));
}

// `exp: 1e300` was accepted and never expired: a token's lifetime is limited.
TEST_F(JwtVerifierTest, TokensLivingLongerThanTheMaximumAreRefused) {
  const Keys& k = TestKeys();
  const int64_t now = NowSeconds();
  const int64_t max_s = absl::ToInt64Seconds(kDefaultMaxTokenLifetime);
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("exp", 1e300))),
              Refused("token claim \"exp\" is after the year 9999"));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("exp", nlohmann::json(UINT64_MAX)))),
              Refused("token claim \"exp\" is after the year 9999"));
  // With iat: exp - iat counts, even for a token issued long ago that expires soon.
  EXPECT_OK(Verify(SignJwt(k.ed, ClaimsWith("exp", now + max_s))));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("exp", now + max_s + 1))),
              Refused("token is valid for 366"));
  nlohmann::json old = ClaimsWith("iat", now - max_s);
  old["nbf"] = now - max_s;
  old["exp"] = now + 60;
  EXPECT_THAT(Verify(SignJwt(k.ed, old)),
              Refused("from its \"iat\", more than the maximum of 366 days"));
  // Without iat: exp - now, with the leeway.
  nlohmann::json no_iat = ClaimsWithout("iat");
  no_iat["exp"] = now + max_s;
  EXPECT_OK(Verify(SignJwt(k.ec, no_iat)));
  no_iat["exp"] = now + max_s + 3600;
  EXPECT_THAT(Verify(SignJwt(k.ec, no_iat)), Refused("from now, more than the maximum of 366"));

  // The maximum is configurable.
  JwtVerifierOptions short_lived = Options();
  short_lived.max_lifetime = absl::Hours(1);
  std::unique_ptr<JwtVerifier> verifier = MakeVerifier(JwksOf({&k.hmac}), short_lived);
  EXPECT_OK(verifier->Verify(SignJwt(k.hmac, ClaimsWith("exp", now + 3600))));
  EXPECT_THAT(verifier->Verify(SignJwt(k.hmac, ClaimsWith("exp", now + 3601))),
              Refused("more than the maximum of 0.0416667 days"));
  JwtVerifierOptions zero = Options();
  zero.max_lifetime = absl::ZeroDuration();
  absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(JwksOf({&k.hmac}));
  ASSERT_OK(keys);
  EXPECT_THAT(JwtVerifier::Create(*std::move(keys), zero, &env_),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("max_lifetime")));
}

TEST_F(JwtVerifierTest, NegativeAndOutOfRangeTimesAreRefused) {
  const Keys& k = TestKeys();
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("nbf", -1))),
              Refused("token claim \"nbf\" is negative"));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("iat", -1))),
              Refused("token claim \"iat\" is negative"));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("iat", -0.5))),
              Refused("token claim \"iat\" is negative"));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("exp", -1e300))), Refused("token expired at"));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("nbf", 1e19))),
              Refused("token claim \"nbf\" is after the year 9999"));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("iat", 253402300800))),
              Refused("token claim \"iat\" is after the year 9999"));
  // JSON has no infinity, but a number too large for a double may parse as one: the payload is
  // written by hand (a JSON library would not print it) and signed with OpenSSL's HMAC.
  const std::string header = Base64Url(R"({"alg":"HS256","typ":"JWT","kid":"hs-1"})");
  const std::string payload = Base64Url(
      absl::StrCat(R"({"iss":")", kIssuer, R"(","aud":")", kAudience, R"(","exp":1e400})"));
  const std::string signing_input = absl::StrCat(header, ".", payload);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  ASSERT_NE(HMAC(EVP_sha256(), k.hmac.secret.data(), static_cast<int>(k.hmac.secret.size()),
                 reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(),
                 mac, &mac_size),
            nullptr);
  const std::string infinite = absl::StrCat(
      signing_input, ".", Base64Url(std::string_view(reinterpret_cast<char*>(mac), mac_size)));
  absl::StatusOr<VerifiedToken> verified = Verify(infinite);
  EXPECT_FALSE(verified.ok());
  EXPECT_EQ(verified.status().code(), absl::StatusCode::kUnauthenticated);
  EXPECT_THAT(verified.status().message(),
              ::testing::AnyOf(HasSubstr("\"exp\" is not a finite number"),
                               HasSubstr("\"exp\" is after the year 9999"),
                               HasSubstr("payload is not a JSON object")));
}

TEST_F(JwtVerifierTest, WrongOrMissingIssuerIsRefused) {
  const Keys& k = TestKeys();
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("iss", "https://evil.example"))),
              Refused("issuer \"https://evil.example\" is not \"https://issuer.example\""));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWith("iss", {kIssuer}))), Refused("issuer"));
  EXPECT_THAT(Verify(SignJwt(k.rsa, ClaimsWithout("iss"))), Refused("token has no issuer"));
}

TEST_F(JwtVerifierTest, AudienceMustIncludeOurs) {
  const Keys& k = TestKeys();
  EXPECT_OK(Verify(SignJwt(k.ed, ClaimsWith("aud", {"other", kAudience}))));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("aud", "other"))),
              Refused("audience does not include \"sealtrail\""));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("aud", {"other", "sealtrail-admin"}))),
              Refused("audience does not include"));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("aud", nlohmann::json::array()))),
              Refused("audience does not include"));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWith("aud", 1))), Refused("\"aud\" is neither"));
  EXPECT_THAT(Verify(SignJwt(k.ed, ClaimsWithout("aud"))), Refused("token has no audience"));
}

TEST_F(JwtVerifierTest, MessagesNeverEchoTheToken) {
  const Keys& k = TestKeys();
  const std::string valid = SignJwt(k.rsa, Claims());
  std::vector<std::string> bad_tokens = {
      WithPayload(valid, ClaimsWith("roles", {"admin"})),
      SignJwt(k.rsa, ClaimsWith("exp", 1)),
      SignJwt(testing::GenerateHmacKey("hs-1"), Claims()),
      valid.substr(0, valid.size() - 1),
      std::string(valid).replace(0, 1, "!"),
  };
  for (const std::string& token : bad_tokens) {
    const absl::Status status = Verify(token).status();
    ASSERT_FALSE(status.ok());
    for (int part = 0; part < 3; ++part) {
      EXPECT_THAT(std::string(status.message()), Not(HasSubstr(PartOf(token, part).substr(0, 12))))
          << status;
    }
  }
}

// ---- Known answers: the RFC examples ------------------------------------------------------------

class RfcExampleTest : public ::testing::Test {
 protected:
  RfcExampleTest() {
    // Two minutes before the examples' exp.
    env_.SetClockOffsetNanos(absl::ToInt64Nanoseconds(
        absl::FromUnixSeconds(testing::kRfc7515Exp - 120) - absl::FromUnixNanos(env_.NowNanos())));
  }
  std::unique_ptr<JwtVerifier> RfcVerifier() {
    JwtVerifierOptions options;
    options.issuer = testing::kRfc7515Issuer;
    options.audience = "sealtrail";
    options.leeway = absl::ZeroDuration();
    absl::StatusOr<JwtKeySet> keys = JwtKeySet::FromJwks(testing::RfcExampleJwks());
    EXPECT_OK(keys);
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier =
        JwtVerifier::Create(*std::move(keys), options, &env_);
    EXPECT_OK(verifier);
    return *std::move(verifier);
  }
  FaultInjectionEnv env_;
};

// The examples' signatures verify and their claims pass up to "aud", which they lack: the
// only refusal left is the audience.
TEST_F(RfcExampleTest, Rfc7515ExamplesVerifyUpToTheirMissingAudience) {
  std::unique_ptr<JwtVerifier> verifier = RfcVerifier();
  for (const char* token :
       {testing::kRfc7515Hs256Token, testing::kRfc7515Rs256Token, testing::kRfc7515Es256Token}) {
    EXPECT_THAT(verifier->Verify(token), Refused("token has no audience")) << token;
    std::string tampered = token;
    tampered[tampered.rfind('.') + 5] ^= 0x01;
    EXPECT_THAT(verifier->Verify(tampered), Refused("signature")) << token;
  }
  env_.SetClockOffsetNanos(
      absl::ToInt64Nanoseconds(absl::FromUnixSeconds(testing::kRfc7515Exp) -
                               absl::FromUnixNanos(env_.target()->NowNanos())));
  EXPECT_THAT(verifier->Verify(testing::kRfc7515Rs256Token),
              Refused("token expired at 2011-03-22T18:43:00Z"));
}

// The signature check alone, for all four examples (RFC 8037's payload is not JSON, so it can
// only be checked here).
TEST_F(RfcExampleTest, SignatureCheckAcceptsEveryRfcExample) {
  const std::pair<const char*, const char*> examples[] = {
      {testing::kRfc7515HmacKeyJwk, testing::kRfc7515Hs256Token},
      {testing::kRfc7515RsaKeyJwk, testing::kRfc7515Rs256Token},
      {testing::kRfc7515EcKeyJwk, testing::kRfc7515Es256Token},
      {testing::kRfc8037Ed25519KeyJwk, testing::kRfc8037EdDsaToken},
  };
  for (const auto& [jwk, token_text] : examples) {
    ASSERT_OK_AND_ASSIGN(std::shared_ptr<const JwtKeySet::Key> key,
                         KeyFromJwk(nlohmann::json::parse(jwk)));
    const std::string token = token_text;
    const size_t dot = token.rfind('.');
    std::string signature;
    ASSERT_TRUE(absl::WebSafeBase64Unescape(token.substr(dot + 1), &signature));
    EXPECT_OK(VerifyJwtSignature(*key, token, std::string_view(token).substr(0, dot), signature))
        << jwk;
    // The same signature over one changed byte of the payload does not verify.
    std::string changed = token;
    changed[dot - 3] = changed[dot - 3] == 'A' ? 'B' : 'A';
    EXPECT_THAT(
        VerifyJwtSignature(*key, changed, std::string_view(changed).substr(0, dot), signature),
        StatusIs(absl::StatusCode::kUnauthenticated))
        << jwk;
  }
}

}  // namespace
}  // namespace sealtrail

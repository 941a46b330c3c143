// DevCredentials (server/auth/dev_credentials.h): the data directory's dev key files, and the
// tokens minted with the key, checked by the real verifier.
#include "server/auth/dev_credentials.h"

#include <sys/stat.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "server/auth/jwt_verifier.h"
#include "testing/fault_env.h"
#include "testing/file_util.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::FaultInjectionEnv;
using ::sealtrail::testing::FileModeOf;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::ReadWholeFile;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::StatusIs;
using ::sealtrail::testing::WriteWholeFile;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The JSON of one part (0 header, 1 payload) of a compact JWS.
nlohmann::json TokenPart(const std::string& token, int index) {
  const std::vector<std::string> parts = absl::StrSplit(token, '.');
  std::string bytes;
  EXPECT_TRUE(absl::WebSafeBase64Unescape(parts.at(index), &bytes));
  return nlohmann::json::parse(bytes);
}

DevTokenClaims AliceClaims() {
  DevTokenClaims claims;
  claims.subject = "alice";
  claims.roles = {"appender", "auditor"};
  claims.tenants = {"acme"};
  claims.ttl = absl::Minutes(10);
  return claims;
}

class DevCredentialsTest : public ::testing::Test {
 protected:
  std::string KeyPath() const { return dir_.Sub(kDevJwtKeyFile); }
  std::string PublicKeyPath() const { return dir_.Sub(kDevJwtPublicKeyFile); }

  absl::StatusOr<DevCredentials> Open(bool create = true) {
    return DevCredentials::Open(&env_, dir_.path(), create);
  }
  std::unique_ptr<JwtVerifier> VerifierFor(const DevCredentials& credentials) {
    absl::StatusOr<JwtKeySet> keys = credentials.VerifierKeys();
    EXPECT_OK(keys);
    JwtVerifierOptions options;
    options.issuer = kDevIssuer;
    options.audience = kDevAudience;
    absl::StatusOr<std::unique_ptr<JwtVerifier>> verifier =
        JwtVerifier::Create(*std::move(keys), options, &env_);
    EXPECT_OK(verifier);
    return *std::move(verifier);
  }

  ScratchDir dir_{"dev_credentials_test"};
  FaultInjectionEnv env_;
};

TEST_F(DevCredentialsTest, CreateWritesAKeyOnlyTheOwnerCanReadAndItsPublicKey) {
  ASSERT_OK(Open());
  EXPECT_THAT(FileModeOf(KeyPath()), IsOkAndHolds(mode_t{0600}));
  EXPECT_THAT(ReadWholeFile(KeyPath()), IsOkAndHolds(StartsWith("-----BEGIN PRIVATE KEY-----")));
  EXPECT_THAT(ReadWholeFile(PublicKeyPath()),
              IsOkAndHolds(StartsWith("-----BEGIN PUBLIC KEY-----")));
  // The public key file is what a verifier can be configured with.
  ASSERT_OK_AND_ASSIGN(const std::string public_pem, ReadWholeFile(PublicKeyPath()));
  EXPECT_OK(JwtKeySet::FromPem(public_pem));
}

TEST_F(DevCredentialsTest, OpenWithoutCreateNeedsAnExistingKey) {
  EXPECT_THAT(Open(/*create=*/false),
              StatusIs(absl::StatusCode::kNotFound, HasSubstr(kDevJwtKeyFile)));
  EXPECT_FALSE(Env::Default()->FileExists(KeyPath()));
  ASSERT_OK(Open(/*create=*/true));
  EXPECT_OK(Open(/*create=*/false));
}

TEST_F(DevCredentialsTest, ReopeningLoadsTheSameKeyAndNeverRewritesIt) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials first, Open());
  ASSERT_OK_AND_ASSIGN(const std::string key_bytes, ReadWholeFile(KeyPath()));
  ASSERT_OK_AND_ASSIGN(const std::string public_bytes, ReadWholeFile(PublicKeyPath()));
  ASSERT_OK_AND_ASSIGN(const DevCredentials again, Open(/*create=*/true));
  ASSERT_OK_AND_ASSIGN(const DevCredentials read_only, Open(/*create=*/false));
  EXPECT_THAT(ReadWholeFile(KeyPath()), IsOkAndHolds(key_bytes));
  EXPECT_THAT(ReadWholeFile(PublicKeyPath()), IsOkAndHolds(public_bytes));

  ASSERT_OK_AND_ASSIGN(const std::string token, first.Mint(AliceClaims()));
  EXPECT_OK(VerifierFor(again)->Verify(token));
  EXPECT_OK(VerifierFor(read_only)->Verify(token));
  ASSERT_OK_AND_ASSIGN(const std::string later_token, again.Mint(AliceClaims()));
  EXPECT_OK(VerifierFor(first)->Verify(later_token));
}

TEST_F(DevCredentialsTest, KeyFileOthersCanReadIsRefused) {
  ASSERT_OK(Open());
  for (mode_t mode : {0640, 0604, 0660, 0644}) {
    ASSERT_EQ(::chmod(KeyPath().c_str(), mode), 0);
    EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kPermissionDenied, HasSubstr("chmod 600")))
        << std::oct << mode;
  }
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0600), 0);
  EXPECT_OK(Open());
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0400), 0);  // Stricter is fine.
  EXPECT_OK(Open());
}

TEST_F(DevCredentialsTest, APublicKeyFileWithoutItsKeyIsNeverReplaced) {
  ASSERT_OK(WriteWholeFile(PublicKeyPath(), "someone else's key\n"));
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("exists without dev-jwt.key")));
  EXPECT_FALSE(Env::Default()->FileExists(KeyPath()));
  EXPECT_THAT(ReadWholeFile(PublicKeyPath()), IsOkAndHolds(std::string("someone else's key\n")));
}

TEST_F(DevCredentialsTest, AMismatchedPublicKeyFileIsRefusedAndAMissingOneRewritten) {
  ASSERT_OK(Open());
  ASSERT_OK_AND_ASSIGN(const std::string public_bytes, ReadWholeFile(PublicKeyPath()));
  ASSERT_OK(testing::RemovePath(PublicKeyPath()));
  ASSERT_OK(Open(/*create=*/false));
  EXPECT_THAT(ReadWholeFile(PublicKeyPath()), IsOkAndHolds(public_bytes));

  ScratchDir other_dir("dev_credentials_test");
  ASSERT_OK(DevCredentials::Open(&env_, other_dir.path(), true));
  ASSERT_OK_AND_ASSIGN(const std::string other_public,
                       ReadWholeFile(other_dir.Sub(kDevJwtPublicKeyFile)));
  ASSERT_OK(WriteWholeFile(PublicKeyPath(), other_public));
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("is not the public key of dev-jwt.key")));
  EXPECT_THAT(ReadWholeFile(PublicKeyPath()), IsOkAndHolds(other_public));
}

TEST_F(DevCredentialsTest, AKeyFileThatIsNotAP256KeyIsRefused) {
  ASSERT_OK(WriteWholeFile(KeyPath(), "not a key\n"));
  ASSERT_EQ(::chmod(KeyPath().c_str(), 0600), 0);
  EXPECT_THAT(Open(), StatusIs(absl::StatusCode::kFailedPrecondition,
                               HasSubstr("is not a P-256 private key")));
  EXPECT_THAT(ReadWholeFile(KeyPath()), IsOkAndHolds(std::string("not a key\n")));
}

TEST_F(DevCredentialsTest, MintedTokenVerifiesWithItsVerifierKeys) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials credentials, Open());
  DevTokenClaims claims = AliceClaims();
  claims.role = "nurse";
  claims.tenant = "acme";
  const absl::Time now = absl::FromUnixNanos(env_.NowNanos());
  ASSERT_OK_AND_ASSIGN(const std::string token, credentials.Mint(claims));

  ASSERT_OK_AND_ASSIGN(const VerifiedToken verified, VerifierFor(credentials)->Verify(token));
  EXPECT_EQ(verified.subject, "alice");
  EXPECT_EQ(verified.key_id, kDevKeyId);
  EXPECT_EQ(verified.algorithm, "ES256");
  EXPECT_THAT(verified.roles, ElementsAre("appender", "auditor"));
  EXPECT_THAT(verified.tenants, ElementsAre("acme"));
  EXPECT_EQ(verified.role, "nurse");
  EXPECT_EQ(verified.tenant, "acme");
  EXPECT_EQ(verified.expires_at, absl::FromUnixSeconds(absl::ToUnixSeconds(now + claims.ttl)));

  const nlohmann::json header = TokenPart(token, 0);
  EXPECT_EQ(header["alg"], "ES256");
  EXPECT_EQ(header["kid"], kDevKeyId);
  const nlohmann::json payload = TokenPart(token, 1);
  EXPECT_EQ(payload["iss"], kDevIssuer);
  EXPECT_EQ(payload["aud"], kDevAudience);
  EXPECT_EQ(payload["iat"], absl::ToUnixSeconds(now));
  EXPECT_EQ(payload["nbf"], absl::ToUnixSeconds(now));
  EXPECT_EQ(payload["roles"], nlohmann::json({"appender", "auditor"}));
  EXPECT_EQ(payload["tenants"], nlohmann::json({"acme"}));
}

TEST_F(DevCredentialsTest, EveryRoleForEveryTenantIsATokenToo) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials credentials, Open());
  DevTokenClaims claims;
  claims.subject = "dev";
  claims.roles = {"appender", "platform-auditor", "admin"};
  claims.tenants = {"*"};
  ASSERT_OK_AND_ASSIGN(const std::string token, credentials.Mint(claims));
  ASSERT_OK_AND_ASSIGN(const VerifiedToken verified, VerifierFor(credentials)->Verify(token));
  EXPECT_THAT(verified.roles, ElementsAre("appender", "platform-auditor", "admin"));
  EXPECT_THAT(verified.tenants, ElementsAre("*"));
  EXPECT_EQ(verified.role, "");
  EXPECT_EQ(verified.tenant, "");
}

TEST_F(DevCredentialsTest, TokenOfAnotherDevKeyIsRefused) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials ours, Open());
  ScratchDir other_dir("dev_credentials_test");
  ASSERT_OK_AND_ASSIGN(const DevCredentials theirs,
                       DevCredentials::Open(&env_, other_dir.path(), true));
  ASSERT_OK_AND_ASSIGN(const std::string token, theirs.Mint(AliceClaims()));
  EXPECT_THAT(VerifierFor(ours)->Verify(token),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("signature does not verify")));
}

TEST_F(DevCredentialsTest, TokenExpiresAfterItsTtl) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials credentials, Open());
  DevTokenClaims claims = AliceClaims();
  claims.ttl = absl::Minutes(1);
  ASSERT_OK_AND_ASSIGN(const std::string token, credentials.Mint(claims));
  std::unique_ptr<JwtVerifier> verifier = VerifierFor(credentials);
  EXPECT_OK(verifier->Verify(token));
  env_.SetClockOffsetNanos(absl::ToInt64Nanoseconds(absl::Minutes(2)));
  EXPECT_THAT(verifier->Verify(token),
              StatusIs(absl::StatusCode::kUnauthenticated, HasSubstr("token expired at")));
}

// The verifier's default lifetime limit takes the longest dev token `sealtrail dev-token --ttl`
// mints (366 days) and the server's own (kDevTokenTtl, 30 days), and no longer one.
TEST_F(DevCredentialsTest, TheLongestDevTokensFitTheDefaultLifetimeLimit) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials credentials, Open());
  std::unique_ptr<JwtVerifier> verifier = VerifierFor(credentials);
  DevTokenClaims claims = AliceClaims();
  for (const absl::Duration ttl : {absl::Hours(24 * 30), absl::Hours(24 * 366)}) {
    claims.ttl = ttl;
    ASSERT_OK_AND_ASSIGN(const std::string token, credentials.Mint(claims));
    EXPECT_OK(verifier->Verify(token)) << absl::FormatDuration(ttl);
  }
  claims.ttl = absl::Hours(24 * 367);
  ASSERT_OK_AND_ASSIGN(const std::string too_long, credentials.Mint(claims));
  EXPECT_THAT(verifier->Verify(too_long), StatusIs(absl::StatusCode::kUnauthenticated,
                                                   HasSubstr("more than the maximum of 366 days")));
}

TEST_F(DevCredentialsTest, MintRefusesBadClaims) {
  ASSERT_OK_AND_ASSIGN(const DevCredentials credentials, Open());
  auto refused = [](const std::string& part) {
    return StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr(part));
  };
  DevTokenClaims claims = AliceClaims();
  claims.subject.clear();
  EXPECT_THAT(credentials.Mint(claims), refused("subject is empty"));
  claims = AliceClaims();
  claims.ttl = absl::ZeroDuration();
  EXPECT_THAT(credentials.Mint(claims), refused("lifetime is not positive"));
  claims.ttl = -absl::Minutes(1);
  EXPECT_THAT(credentials.Mint(claims), refused("lifetime is not positive"));
  claims = AliceClaims();
  claims.roles = {"auditor", "root"};
  EXPECT_THAT(credentials.Mint(claims), refused("unknown role \"root\""));
  claims = AliceClaims();
  claims.tenants = {""};
  EXPECT_THAT(credentials.Mint(claims), refused("empty tenant"));
  claims = AliceClaims();
  claims.subject = std::string("ali\0ce", 6);
  EXPECT_THAT(credentials.Mint(claims), refused("NUL"));
  claims = AliceClaims();
  claims.tenants = {"\xff\xfe"};
  EXPECT_THAT(credentials.Mint(claims), refused("UTF-8"));
  claims = AliceClaims();
  claims.subject = "\xc3";
  EXPECT_THAT(credentials.Mint(claims), refused("UTF-8"));
}

}  // namespace
}  // namespace sealtrail

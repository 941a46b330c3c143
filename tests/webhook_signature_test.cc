// Standard Webhooks signatures (server/webhook/webhook_signature.h) against the specification's
// published vectors (the reference libraries' TestWebhookSign and TestAsymmetricWebhookSign),
// the log key as a v1a key, the secret's form, webhook ids, and the retry backoff.
#include "server/webhook/webhook_signature.h"

#include <openssl/evp.h>

#include <string>

#include "absl/strings/escaping.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/webhook/endpoint_worker.h"
#include "server/webhook/retry_backoff.h"
#include "testing/status_matchers.h"
#include "webhook_testing/webhook_receiver.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::Ed25519Verifies;
using ::sealtrail::testing::IsOkAndHolds;
using ::sealtrail::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

// From the Standard Webhooks reference libraries' tests.
constexpr char kSpecSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kSpecId[] = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr char kSpecBody[] = R"({"test": 2432232314})";
constexpr char kSpecV1[] = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
constexpr char kSpecSeedBase64[] = "VEVTVFNJR05JTkdLRVlET05PVFVTRVRISVNGT1JBTlk=";
constexpr char kSpecV1a[] =
    "v1a,tQ9V2XOqn7jL/DQenEFpqIugdBVtiMmER5mhSkXBNwM0mkATuDe6KYYUuxqtaiHeYGb7KaaBRdM5WqyeFiL8Ag==";

std::string SpecSeed() {
  std::string seed;
  EXPECT_TRUE(absl::Base64Unescape(kSpecSeedBase64, &seed));
  return seed;
}

TEST(WebhookSignature, MatchesTheSpecificationsHmacVector) {
  ASSERT_OK_AND_ASSIGN(const std::string key, DecodeWebhookSecret(kSpecSecret));
  EXPECT_EQ(key.size(), 24u);
  EXPECT_THAT(StandardWebhookSignature(key, kSpecId, kSpecTimestamp, kSpecBody),
              IsOkAndHolds(std::string(kSpecV1)));
}

TEST(WebhookSignature, MatchesTheSpecificationsEd25519Vector) {
  ASSERT_OK_AND_ASSIGN(const Ed25519WebhookKey key, Ed25519WebhookKey::FromSeed(SpecSeed()));
  EXPECT_THAT(key.Sign(kSpecId, kSpecTimestamp, kSpecBody), IsOkAndHolds(std::string(kSpecV1a)));
  EXPECT_THAT(key.PublicKeyText(), StartsWith("whpk_"));
  std::string public_key;
  ASSERT_TRUE(absl::Base64Unescape(key.PublicKeyText().substr(5), &public_key));
  EXPECT_EQ(public_key, key.public_key());
}

TEST(WebhookSignature, SignedContentIsIdDotTimestampDotBody) {
  EXPECT_EQ(WebhookSignedContent("msg_1", 1700000000, "{}"), "msg_1.1700000000.{}");
}

TEST(WebhookSignature, TheLogKeySignsV1aThatItsVerifierKeyChecks) {
  ASSERT_OK_AND_ASSIGN(const NoteSigner signer, NoteSigner::Generate("example.com/audit"));
  ASSERT_OK_AND_ASSIGN(const Ed25519WebhookKey key, Ed25519WebhookKey::FromNoteSigner(signer));
  const std::string verifier_public_key(
      reinterpret_cast<const char*>(signer.verifier_key().public_key.data()), 32);
  EXPECT_EQ(key.public_key(), verifier_public_key);
  ASSERT_OK_AND_ASSIGN(const std::string v1a, key.Sign("msg_7", 1700000000, "{\"a\":1}"));
  ASSERT_THAT(v1a, StartsWith("v1a,"));
  std::string raw;
  ASSERT_TRUE(absl::Base64Unescape(v1a.substr(4), &raw));
  EXPECT_TRUE(Ed25519Verifies(verifier_public_key, "msg_7.1700000000.{\"a\":1}", raw));
  EXPECT_FALSE(Ed25519Verifies(verifier_public_key, "msg_7.1700000001.{\"a\":1}", raw));
}

TEST(WebhookSignature, FromPrivateKeySharesTheKeyAndRefusesOthers) {
  EVP_PKEY* ed25519 = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  ASSERT_NE(ed25519, nullptr);
  absl::StatusOr<Ed25519WebhookKey> shared = Ed25519WebhookKey::FromPrivateKey(ed25519);
  EVP_PKEY_free(ed25519);  // The webhook key holds its own reference.
  ASSERT_OK(shared);
  EXPECT_OK(shared->Sign("msg_1", 1, "x"));

  EVP_PKEY* p256 = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  ASSERT_NE(p256, nullptr);
  EXPECT_THAT(Ed25519WebhookKey::FromPrivateKey(p256),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("not an Ed25519 key")));
  EVP_PKEY_free(p256);
  EXPECT_THAT(Ed25519WebhookKey::FromPrivateKey(nullptr),
              StatusIs(absl::StatusCode::kInvalidArgument));
  EXPECT_THAT(Ed25519WebhookKey::FromSeed("short"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("32 bytes, not 5")));
}

TEST(WebhookSignature, SecretsMustBeWhsecBase64Of24To64BytesAndAreNeverQuoted) {
  const std::string sixteen = "whsec_" + absl::Base64Escape(std::string(16, 'k'));
  const std::string sixty_five = "whsec_" + absl::Base64Escape(std::string(65, 'k'));
  EXPECT_THAT(DecodeWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("starts with \"whsec_\"")));
  EXPECT_THAT(
      DecodeWebhookSecret("whsec_not base64!"),
      StatusIs(absl::StatusCode::kInvalidArgument,
               AllOf(HasSubstr("not canonical standard base64"), Not(HasSubstr("not base64!")))));
  EXPECT_THAT(DecodeWebhookSecret(sixteen),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("decodes to 16 bytes"), HasSubstr("24 to 64"),
                             Not(HasSubstr(sixteen.substr(6))))));
  EXPECT_THAT(DecodeWebhookSecret(sixty_five),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("decodes to 65 bytes")));
  EXPECT_OK(DecodeWebhookSecret("whsec_" + absl::Base64Escape(std::string(64, 'k'))));
}

TEST(WebhookSignature, AWebhookIdWithADotIsRefused) {
  ASSERT_OK_AND_ASSIGN(const std::string key, DecodeWebhookSecret(kSpecSecret));
  ASSERT_OK_AND_ASSIGN(const Ed25519WebhookKey ed25519, Ed25519WebhookKey::FromSeed(SpecSeed()));
  EXPECT_THAT(StandardWebhookSignature(key, "msg.1", 1, "{}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds a '.'")));
  EXPECT_THAT(ed25519.Sign("msg.1", 1, "{}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("holds a '.'")));
  EXPECT_THAT(StandardWebhookSignature(key, "", 1, "{}"),
              StatusIs(absl::StatusCode::kInvalidArgument, HasSubstr("empty")));
}

TEST(WebhookId, IsDeterministicFromTheSeqAndPrefix) {
  EXPECT_EQ(WebhookIdFor("3fa1c0de", 42), "msg_3fa1c0de_42");
  EXPECT_EQ(WebhookIdFor("", 42), "msg_42");
}

TEST(RetryBackoff, CapDoublesFromTheInitialBackoffUpToTheMaximum) {
  const absl::Duration initial = absl::Seconds(5);
  const absl::Duration max = absl::Minutes(1);
  EXPECT_EQ(BackoffCap(0, initial, max), absl::Seconds(5));
  EXPECT_EQ(BackoffCap(1, initial, max), absl::Seconds(5));
  EXPECT_EQ(BackoffCap(2, initial, max), absl::Seconds(10));
  EXPECT_EQ(BackoffCap(4, initial, max), absl::Seconds(40));
  EXPECT_EQ(BackoffCap(5, initial, max), absl::Minutes(1));
  EXPECT_EQ(BackoffCap(4000000000u, initial, max), absl::Minutes(1));
}

TEST(RetryBackoff, FullJitterSpansZeroToTheCap) {
  const absl::Duration initial = absl::Seconds(1);
  const absl::Duration max = absl::Seconds(8);
  EXPECT_EQ(FullJitterBackoff(3, initial, max, 0.0), absl::ZeroDuration());
  EXPECT_EQ(FullJitterBackoff(3, initial, max, 1.0), absl::Seconds(4));
  EXPECT_EQ(FullJitterBackoff(3, initial, max, 0.5), absl::Seconds(2));
  EXPECT_EQ(FullJitterBackoff(10, initial, max, 0.25), absl::Seconds(2));
}

}  // namespace
}  // namespace sealtrail

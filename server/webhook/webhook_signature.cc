// Standard Webhooks v1 (HMAC-SHA256) and v1a (Ed25519) signatures through OpenSSL's EVP API.
#include "server/webhook/webhook_signature.h"

#include <openssl/crypto.h>

#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "server/auth/openssl_util.h"

namespace sealtrail {
namespace {

constexpr size_t kEd25519SeedBytes = 32;
constexpr size_t kEd25519SignatureBytes = 64;

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

absl::Status CheckWebhookId(std::string_view webhook_id) {
  if (webhook_id.empty()) return absl::InvalidArgumentError("the webhook id is empty");
  if (webhook_id.find('.') != std::string_view::npos) {
    // The signed content is split at its dots; an id with one could pose as another id and
    // timestamp.
    return absl::InvalidArgumentError(
        absl::StrCat("webhook id \"", Absl(webhook_id), "\" holds a '.'"));
  }
  return absl::OkStatus();
}

// Standard base64 that round-trips exactly (absl::Base64Unescape alone also takes unpadded text).
bool DecodeCanonicalBase64(std::string_view text, std::string* raw) {
  return absl::Base64Unescape(Absl(text), raw) && absl::Base64Escape(*raw) == Absl(text);
}

}  // namespace

absl::StatusOr<std::string> DecodeWebhookSecret(std::string_view secret) {
  if (secret.substr(0, kWebhookSecretPrefix.size()) != kWebhookSecretPrefix) {
    return absl::InvalidArgumentError(
        absl::StrCat("a webhook secret starts with \"", Absl(kWebhookSecretPrefix),
                     "\" followed by base64 (e.g. whsec_$(openssl rand -base64 32))"));
  }
  std::string key;
  if (!DecodeCanonicalBase64(secret.substr(kWebhookSecretPrefix.size()), &key)) {
    OPENSSL_cleanse(key.data(), key.size());
    return absl::InvalidArgumentError(absl::StrCat("the part of the webhook secret after \"",
                                                   Absl(kWebhookSecretPrefix),
                                                   "\" is not canonical standard base64"));
  }
  if (key.size() < kMinWebhookSecretBytes || key.size() > kMaxWebhookSecretBytes) {
    const size_t size = key.size();
    OPENSSL_cleanse(key.data(), key.size());
    return absl::InvalidArgumentError(absl::StrCat("the webhook secret decodes to ", size,
                                                   " bytes; it must be ", kMinWebhookSecretBytes,
                                                   " to ", kMaxWebhookSecretBytes, " bytes"));
  }
  return key;
}

std::string WebhookSignedContent(std::string_view webhook_id, int64_t timestamp,
                                 std::string_view body) {
  return absl::StrCat(Absl(webhook_id), ".", timestamp, ".", Absl(body));
}

absl::StatusOr<std::string> StandardWebhookSignature(std::string_view key,
                                                     std::string_view webhook_id, int64_t timestamp,
                                                     std::string_view body) {
  if (absl::Status id = CheckWebhookId(webhook_id); !id.ok()) return id;
  if (key.empty()) return absl::InvalidArgumentError("the HMAC key is empty");
  const std::string content = WebhookSignedContent(webhook_id, timestamp, body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  size_t mac_length = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key.data(), key.size(),
                reinterpret_cast<const unsigned char*>(content.data()), content.size(), mac,
                sizeof(mac), &mac_length) == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "HMAC-SHA256 failed");
  }
  return absl::StrCat(
      "v1,", absl::Base64Escape(absl::string_view(reinterpret_cast<const char*>(mac), mac_length)));
}

struct Ed25519WebhookKey::Key {
  EvpPkeyPtr pkey;
};

Ed25519WebhookKey::Ed25519WebhookKey(std::unique_ptr<Key> key, std::string public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}
Ed25519WebhookKey::Ed25519WebhookKey(Ed25519WebhookKey&&) noexcept = default;
Ed25519WebhookKey& Ed25519WebhookKey::operator=(Ed25519WebhookKey&&) noexcept = default;
Ed25519WebhookKey::~Ed25519WebhookKey() = default;

absl::StatusOr<Ed25519WebhookKey> Ed25519WebhookKey::FromSeed(std::string_view seed) {
  if (seed.size() != kEd25519SeedBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("an Ed25519 seed is ", kEd25519SeedBytes, " bytes, not ", seed.size()));
  }
  EvpPkeyPtr pkey(EVP_PKEY_new_raw_private_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(seed.data()), seed.size()));
  if (pkey == nullptr) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot load the Ed25519 seed");
  }
  EVP_PKEY* raw = pkey.release();
  absl::StatusOr<Ed25519WebhookKey> key = FromPrivateKey(raw);
  EVP_PKEY_free(raw);  // FromPrivateKey holds its own reference.
  return key;
}

absl::StatusOr<Ed25519WebhookKey> Ed25519WebhookKey::FromPrivateKey(EVP_PKEY* key) {
  if (key == nullptr) return absl::InvalidArgumentError("no Ed25519 key given");
  if (!EVP_PKEY_is_a(key, "ED25519")) {
    ClearOpenSslErrors();
    return absl::InvalidArgumentError("the webhook signing key is not an Ed25519 key");
  }
  size_t seed_length = 0;
  if (EVP_PKEY_get_raw_private_key(key, nullptr, &seed_length) != 1) {
    ClearOpenSslErrors();
    return absl::InvalidArgumentError("the Ed25519 key holds no private key");
  }
  std::string public_key(kEd25519SeedBytes, '\0');
  size_t public_length = public_key.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(public_key.data()),
                                  &public_length) != 1 ||
      public_length != public_key.size()) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot read the Ed25519 public key");
  }
  if (EVP_PKEY_up_ref(key) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "cannot share the Ed25519 key");
  }
  auto owned = std::make_unique<Key>();
  owned->pkey.reset(key);
  return Ed25519WebhookKey(std::move(owned), std::move(public_key));
}

absl::StatusOr<Ed25519WebhookKey> Ed25519WebhookKey::FromNoteSigner(const NoteSigner& signer) {
  // "PRIVATE+KEY+<name>+<8 hex digits>+<base64(0x01 || 32-byte seed)>" (note_signer.h): the
  // name holds no '+', the base64 may.
  constexpr std::string_view kPrefix = "PRIVATE+KEY+";
  std::string text = signer.PrivateKeyText();
  const size_t name_end = text.find('+', kPrefix.size());
  const size_t key_start = name_end == std::string::npos ? text.size() : name_end + 1 + 8 + 1;
  std::string raw;
  const bool decoded = key_start < text.size() && text[key_start - 1] == '+' &&
                       DecodeCanonicalBase64(std::string_view(text).substr(key_start), &raw);
  OPENSSL_cleanse(text.data(), text.size());
  if (!decoded || raw.size() != 1 + kEd25519SeedBytes || raw[0] != 0x01) {
    OPENSSL_cleanse(raw.data(), raw.size());
    return absl::InternalError("the note signer's private key text is not in the expected form");
  }
  absl::StatusOr<Ed25519WebhookKey> key = FromSeed(std::string_view(raw).substr(1));
  OPENSSL_cleanse(raw.data(), raw.size());
  if (key.ok() && std::memcmp(key->public_key().data(), signer.verifier_key().public_key.data(),
                              kEd25519SeedBytes) != 0) {
    return absl::InternalError("the note signer's seed does not give its verifier key");
  }
  return key;
}

absl::StatusOr<std::string> Ed25519WebhookKey::Sign(std::string_view webhook_id, int64_t timestamp,
                                                    std::string_view body) const {
  if (absl::Status id = CheckWebhookId(webhook_id); !id.ok()) return id;
  const std::string content = WebhookSignedContent(webhook_id, timestamp, body);
  EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  unsigned char signature[kEd25519SignatureBytes];
  size_t signature_length = sizeof(signature);
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &signature_length,
                     reinterpret_cast<const unsigned char*>(content.data()), content.size()) != 1) {
    return OpenSslError(absl::StatusCode::kInternal, "Ed25519 signing failed");
  }
  return absl::StrCat("v1a,", absl::Base64Escape(absl::string_view(
                                  reinterpret_cast<const char*>(signature), signature_length)));
}

std::string Ed25519WebhookKey::PublicKeyText() const {
  return absl::StrCat(Absl(kWebhookPublicKeyPrefix), absl::Base64Escape(public_key_));
}

}  // namespace sealtrail

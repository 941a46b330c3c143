// Standard Webhooks signatures (https://www.standardwebhooks.com/, spec/standard-webhooks.md):
// what a webhook's `webhook-signature` header holds, computed with OpenSSL.
//
//   signed content  "<webhook-id>.<webhook-timestamp>.<body>" (the timestamp in decimal Unix
//                   seconds, the body byte for byte as sent)
//   v1              "v1," + base64(HMAC-SHA256(key, signed content)); the key is the base64-decoded
//                   part of the endpoint's secret "whsec_<base64>"
//   v1a             "v1a," + base64(Ed25519 signature of the signed content)
//   header          the signatures separated by single spaces, e.g. "v1,K5o... v1a,hnO..."
//
// Base64 is standard (RFC 4648 §4) with padding. The webhook id may hold no '.', so the signed
// content parses one way only.
//
// Thread-safety: the functions are pure; an Ed25519WebhookKey is immutable and Sign may be called
// concurrently.
#ifndef SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_SIGNATURE_H_
#define SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_SIGNATURE_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sealtrail/note_signer.h"

namespace sealtrail {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";
inline constexpr std::string_view kWebhookPublicKeyPrefix = "whpk_";
// The specification's bounds on a symmetric secret: at least 24 bytes, at most 64 (512 bits).
inline constexpr size_t kMinWebhookSecretBytes = 24;
inline constexpr size_t kMaxWebhookSecretBytes = 64;

// The HMAC key of a secret "whsec_<base64>". INVALID_ARGUMENT (never quoting the secret) if the
// prefix is missing, the rest is not canonical standard base64, or the key is shorter than 24
// or longer than 64 bytes.
[[nodiscard]] absl::StatusOr<std::string> DecodeWebhookSecret(std::string_view secret);

// "<webhook_id>.<timestamp>.<body>".
std::string WebhookSignedContent(std::string_view webhook_id, int64_t timestamp,
                                 std::string_view body);

// "v1,<base64 HMAC-SHA256>" over WebhookSignedContent, keyed by `key` (DecodeWebhookSecret's
// result). INVALID_ARGUMENT if `webhook_id` is empty or holds a '.', or `key` is empty.
[[nodiscard]] absl::StatusOr<std::string> StandardWebhookSignature(std::string_view key,
                                                                   std::string_view webhook_id,
                                                                   int64_t timestamp,
                                                                   std::string_view body);

// An Ed25519 private key for "v1a" signatures. The server passes the log's checkpoint signing
// key, so that a receiver who trusts the log's verifier key can check deliveries with it alone.
class Ed25519WebhookKey {
 public:
  // From a raw 32-byte Ed25519 seed (RFC 8032 private key). INVALID_ARGUMENT for another size.
  static absl::StatusOr<Ed25519WebhookKey> FromSeed(std::string_view seed);
  // From an OpenSSL Ed25519 private key (the key is shared: its reference count is raised).
  // INVALID_ARGUMENT if `key` is null, not Ed25519, or holds no private part.
  static absl::StatusOr<Ed25519WebhookKey> FromPrivateKey(EVP_PKEY* key);
  // The key of a log's checkpoint signer (sealtrail/note_signer.h), read from its private key
  // text.
  static absl::StatusOr<Ed25519WebhookKey> FromNoteSigner(const NoteSigner& signer);

  Ed25519WebhookKey(Ed25519WebhookKey&&) noexcept;
  Ed25519WebhookKey& operator=(Ed25519WebhookKey&&) noexcept;
  ~Ed25519WebhookKey();

  // "v1a,<base64 Ed25519 signature>" over WebhookSignedContent. INVALID_ARGUMENT for a
  // `webhook_id` as StandardWebhookSignature refuses; INTERNAL if OpenSSL fails.
  [[nodiscard]] absl::StatusOr<std::string> Sign(std::string_view webhook_id, int64_t timestamp,
                                                 std::string_view body) const;

  // The raw 32-byte public key.
  const std::string& public_key() const { return public_key_; }
  // "whpk_<base64 public key>", the specification's form of a verifying key.
  std::string PublicKeyText() const;

 private:
  struct Key;
  Ed25519WebhookKey(std::unique_ptr<Key> key, std::string public_key);
  std::unique_ptr<Key> key_;
  std::string public_key_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_WEBHOOK_WEBHOOK_SIGNATURE_H_

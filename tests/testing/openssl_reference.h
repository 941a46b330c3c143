// Straight OpenSSL calls for tests that check signed notes and checkpoints independently of the
// library: SHA-256, strict standard base64, and raw Ed25519 keys, signatures and verification
// through the EVP API. Shares no code with engine/src, so a test that builds a vector here and
// compares it with the library's output checks the library against the specification, not
// against itself.
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_TESTS_TESTING_OPENSSL_REFERENCE_H_
#define SEALTRAIL_TESTS_TESTING_OPENSSL_REFERENCE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sealtrail::testing {

// SHA-256(data), 32 raw bytes.
std::string RefSha256(std::string_view data);

// Standard base64 with padding (RFC 4648 §4).
std::string RefBase64Encode(std::string_view bytes);
// The bytes `text` encodes, or nullopt unless `text` is exactly RefBase64Encode of them.
std::optional<std::string> RefBase64Decode(std::string_view text);

// An Ed25519 key held as raw bytes (RFC 8032).
struct RefEd25519Key {
  std::string seed;        // 32 bytes
  std::string public_key;  // 32 bytes
};
// The key with this 32-byte seed. Aborts on a seed of the wrong length.
RefEd25519Key RefEd25519FromSeed(std::string_view seed);
// A fresh random key.
RefEd25519Key RefEd25519Generate();
// The 64-byte signature of `message`.
std::string RefEd25519Sign(const RefEd25519Key& key, std::string_view message);
bool RefEd25519Verify(std::string_view public_key, std::string_view message,
                      std::string_view signature);

// c2sp.org/signed-note key ID: SHA-256(name || 0x0A || type || public_key)[:4], big-endian.
uint32_t RefNoteKeyId(std::string_view name, uint8_t type, std::string_view public_key);
// "name+<8 lowercase hex>+base64(type || public_key)", with the ID computed as above.
std::string RefVerifierKeyText(std::string_view name, uint8_t type, std::string_view public_key);
// "— name base64(key_id big-endian || signature)\n" (em dash U+2014).
std::string RefSignatureLine(std::string_view name, uint32_t key_id, std::string_view signature);

// 4 bytes, big-endian.
std::string RefBigEndian32(uint32_t value);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_OPENSSL_REFERENCE_H_

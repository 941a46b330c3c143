#include "testing/openssl_reference.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace sealtrail::testing {
namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "openssl_reference: %s failed\n", what);
  std::abort();
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string RefSha256(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    Die("EVP_Digest");
  }
  return std::string(reinterpret_cast<const char*>(digest), length);
}

std::string RefBase64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(bytes),
                                static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> RefBase64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), Bytes(text),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  out.resize(static_cast<size_t>(n));
  // EVP_DecodeBlock keeps the bytes of padding; drop them.
  if (!text.empty() && text.back() == '=') out.pop_back();
  if (text.size() >= 2 && text[text.size() - 2] == '=') out.pop_back();
  // Canonical only: re-encoding must give the same text (no stray bits, no odd characters).
  if (RefBase64Encode(out) != text) return std::nullopt;
  return out;
}

RefEd25519Key RefEd25519FromSeed(std::string_view seed) {
  if (seed.size() != 32) Die("seed length");
  PkeyPtr key(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(seed), seed.size()));
  if (key == nullptr) Die("EVP_PKEY_new_raw_private_key");
  RefEd25519Key out;
  out.seed = std::string(seed);
  out.public_key.resize(32);
  size_t length = 32;
  if (EVP_PKEY_get_raw_public_key(
          key.get(), reinterpret_cast<unsigned char*>(out.public_key.data()), &length) != 1 ||
      length != 32) {
    Die("EVP_PKEY_get_raw_public_key");
  }
  return out;
}

RefEd25519Key RefEd25519Generate() {
  std::string seed(32, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(seed.data()), 32) != 1) Die("RAND_bytes");
  return RefEd25519FromSeed(seed);
}

std::string RefEd25519Sign(const RefEd25519Key& key, std::string_view message) {
  PkeyPtr pkey(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, Bytes(key.seed), key.seed.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (pkey == nullptr || ctx == nullptr) Die("EVP_PKEY_new_raw_private_key");
  if (EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) {
    Die("EVP_DigestSignInit");
  }
  std::string signature(64, '\0');
  size_t length = signature.size();
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     Bytes(message), message.size()) != 1 ||
      length != 64) {
    Die("EVP_DigestSign");
  }
  return signature;
}

bool RefEd25519Verify(std::string_view public_key, std::string_view message,
                      std::string_view signature) {
  PkeyPtr pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (pkey == nullptr || ctx == nullptr) return false;
  if (EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(), Bytes(message),
                          message.size()) == 1;
}

std::string RefBigEndian32(uint32_t value) {
  std::string out(4, '\0');
  for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((value >> (24 - 8 * i)) & 0xff);
  return out;
}

uint32_t RefNoteKeyId(std::string_view name, uint8_t type, std::string_view public_key) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(type));
  input.append(public_key);
  const std::string digest = RefSha256(input);
  uint32_t id = 0;
  for (int i = 0; i < 4; ++i) id = (id << 8) | static_cast<uint8_t>(digest[i]);
  return id;
}

std::string RefVerifierKeyText(std::string_view name, uint8_t type, std::string_view public_key) {
  char id[9];
  std::snprintf(id, sizeof(id), "%08x", RefNoteKeyId(name, type, public_key));
  std::string typed(1, static_cast<char>(type));
  typed.append(public_key);
  return std::string(name) + "+" + id + "+" + RefBase64Encode(typed);
}

std::string RefSignatureLine(std::string_view name, uint32_t key_id, std::string_view signature) {
  return "\xE2\x80\x94 " + std::string(name) + " " +
         RefBase64Encode(RefBigEndian32(key_id) + std::string(signature)) + "\n";
}

}  // namespace sealtrail::testing

// Ed25519 note signing keys through OpenSSL's EVP API, and their key files.
#include "sealtrail/note_signer.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sealtrail/read_file.h"
#include "segment_format.h"
#include "status_util.h"

namespace sealtrail {
namespace {

constexpr std::string_view kPrivateKeyPrefix = "PRIVATE+KEY+";
constexpr size_t kSeedSize = 32;

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyDeleter>;
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

absl::Status OpenSslError(absl::string_view what) {
  return absl::InternalError(absl::StrCat("OpenSSL failed to ", what));
}

}  // namespace

struct NoteSigner::Key {
  PkeyPtr pkey;
  uint8_t seed[kSeedSize];
  ~Key() { OPENSSL_cleanse(seed, sizeof(seed)); }
};

NoteSigner::NoteSigner(std::string name, std::unique_ptr<Key> key) : key_(std::move(key)) {
  verifier_key_.name = std::move(name);
  size_t length = verifier_key_.public_key.size();
  // Cannot fail for an Ed25519 key built from a seed: the public key is derived on creation.
  EVP_PKEY_get_raw_public_key(key_->pkey.get(), verifier_key_.public_key.data(), &length);
  verifier_key_.key_id = NoteKeyId(verifier_key_.name, verifier_key_.public_key);
}

NoteSigner::NoteSigner(NoteSigner&&) noexcept = default;
NoteSigner& NoteSigner::operator=(NoteSigner&&) noexcept = default;
NoteSigner::~NoteSigner() = default;

absl::StatusOr<NoteSigner> NoteSigner::Generate(std::string_view name) {
  if (!IsValidNoteKeyName(name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "key name \"", Absl(name), "\" is empty or holds a space, '+' or control character"));
  }
  EVP_PKEY* generated = EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519");
  if (generated == nullptr) return OpenSslError("generate an Ed25519 key");
  auto key = std::make_unique<Key>();
  key->pkey.reset(generated);
  size_t length = kSeedSize;
  if (EVP_PKEY_get_raw_private_key(generated, key->seed, &length) != 1 || length != kSeedSize) {
    return OpenSslError("export the Ed25519 private key");
  }
  return NoteSigner(std::string(name), std::move(key));
}

absl::StatusOr<NoteSigner> NoteSigner::FromPrivateKeyText(std::string_view text) {
  auto bad = [](absl::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat(
        "malformed private key (expected PRIVATE+KEY+<name>+<key ID>+<base64>): ", why));
  };
  if (text.substr(0, kPrivateKeyPrefix.size()) != kPrivateKeyPrefix) return bad("wrong prefix");
  text.remove_prefix(kPrivateKeyPrefix.size());
  const size_t name_end = text.find('+');
  if (name_end == std::string_view::npos || text.size() < name_end + 10 ||
      text[name_end + 9] != '+') {
    return bad("missing key ID");
  }
  const std::string name(text.substr(0, name_end));
  if (!IsValidNoteKeyName(name)) return bad("invalid key name");
  uint32_t key_id = 0;
  const std::string_view id_hex = text.substr(name_end + 1, 8);
  if (id_hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos ||
      !absl::SimpleHexAtoi(Absl(id_hex), &key_id)) {
    return bad("key ID is not 8 hexadecimal digits");
  }
  const absl::string_view encoded = Absl(text.substr(name_end + 10));
  std::string raw;
  if (!absl::Base64Unescape(encoded, &raw) || absl::Base64Escape(raw) != encoded) {
    return bad("key is not canonical standard base64");
  }
  if (raw.size() != 1 + kSeedSize || static_cast<uint8_t>(raw[0]) != kNoteSignatureTypeEd25519) {
    return bad("not an Ed25519 key (0x01 followed by a 32-byte seed)");
  }
  auto key = std::make_unique<Key>();
  std::memcpy(key->seed, raw.data() + 1, kSeedSize);
  OPENSSL_cleanse(raw.data(), raw.size());
  key->pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, key->seed, kSeedSize));
  if (key->pkey == nullptr) return OpenSslError("load the Ed25519 private key");
  NoteSigner signer(name, std::move(key));
  if (signer.verifier_key().key_id != key_id) {
    return bad(absl::StrFormat("key ID %08x does not match the key (expected %08x)", key_id,
                               signer.verifier_key().key_id));
  }
  return signer;
}

absl::StatusOr<NoteSigner> NoteSigner::LoadFile(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(const uint32_t mode, env->GetFileMode(path));
  if ((mode & 077) != 0) {
    return absl::PermissionDeniedError(absl::StrFormat(
        "private key file %s has mode %04o: group or others can access it; refusing to use it "
        "(run: chmod 600 %s)",
        path, mode, path));
  }
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, path, kMaxSmallFileBytes));
  const absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(text);
  absl::StatusOr<NoteSigner> signer =
      FromPrivateKeyText(std::string_view(trimmed.data(), trimmed.size()));
  OPENSSL_cleanse(text.data(), text.size());
  if (!signer.ok()) return Annotate(signer.status(), path);
  return signer;
}

absl::Status NoteSigner::WriteNewFile(Env* env, const std::string& path) const {
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewExclusiveFile(path, 0600));
  std::string text = PrivateKeyText() + "\n";
  absl::Status status = file->Append(text);
  OPENSSL_cleanse(text.data(), text.size());
  RETURN_IF_ERROR(status);
  RETURN_IF_ERROR(file->Sync());
  RETURN_IF_ERROR(file->Close());
  const size_t slash = path.find_last_of('/');
  return env->SyncDir(slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash));
}

std::string NoteSigner::PrivateKeyText() const {
  std::string raw(1, static_cast<char>(kNoteSignatureTypeEd25519));
  raw.append(reinterpret_cast<const char*>(key_->seed), kSeedSize);
  std::string text = absl::StrFormat("%s%s+%08x+%s", Absl(kPrivateKeyPrefix), verifier_key_.name,
                                     verifier_key_.key_id, absl::Base64Escape(raw));
  OPENSSL_cleanse(raw.data(), raw.size());
  return text;
}

absl::StatusOr<std::string> NoteSigner::Sign(std::string_view text) const {
  if (text.empty() || text.back() != '\n') {
    return absl::InvalidArgumentError("a note text must be non-empty and end with a newline");
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  unsigned char signature[64];
  size_t signature_length = sizeof(signature);
  if (ctx == nullptr ||
      EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), signature, &signature_length,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1) {
    return OpenSslError("sign with Ed25519");
  }
  std::string raw(4, '\0');
  for (int i = 0; i < 4; ++i) raw[i] = static_cast<char>(verifier_key_.key_id >> (24 - 8 * i));
  raw.append(reinterpret_cast<const char*>(signature), signature_length);
  std::string note = absl::StrCat(Absl(text), "\n\xE2\x80\x94 ", verifier_key_.name, " ",
                                  absl::Base64Escape(raw), "\n");
  // The note parser is the one judge of well-formedness: what it cannot read back exactly,
  // nobody else could either (not UTF-8, a control character, no final newline...).
  absl::StatusOr<ParsedNote> parsed = ParseSignedNote(note);
  if (!parsed.ok() || parsed->text != text) {
    return absl::InvalidArgumentError(
        absl::StrCat("cannot sign this text as a note: ",
                     parsed.ok() ? "it ends with a blank line" : parsed.status().message()));
  }
  return note;
}

}  // namespace sealtrail

// C2SP signed notes (c2sp.org/signed-note): parsing, key IDs, verifier keys and Ed25519
// verification through OpenSSL's EVP API.
#include "sealtrail/note.h"

#include <openssl/evp.h>

#include <cstring>
#include <memory>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "sealtrail/hash.h"

namespace sealtrail {
namespace {

constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014 then U+0020.

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// Decodes one UTF-8 code point at `s[*i]`, advancing *i; returns -1 if malformed.
int32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(*i);
  int len = 0;
  int32_t cp = 0;
  if (b0 < 0x80) {
    ++*i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    return -1;
  }
  if (*i + len > s.size()) return -1;
  for (int k = 1; k < len; ++k) {
    if ((byte(*i + k) & 0xC0) != 0x80) return -1;
    cp = (cp << 6) | (byte(*i + k) & 0x3F);
  }
  // Reject overlong forms, surrogates and values beyond U+10FFFF.
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return -1;
  *i += len;
  return cp;
}

// Unicode White_Space, as Go's unicode.IsSpace sees it.
bool IsUnicodeSpace(int32_t cp) {
  return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

// Strict standard base64: must re-encode to exactly the input.
bool DecodeCanonicalBase64(std::string_view text, std::string* out) {
  return absl::Base64Unescape(Absl(text), out) && absl::Base64Escape(*out) == Absl(text);
}

struct PkeyDeleter {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

bool VerifyEd25519(const Ed25519PublicKey& public_key, std::string_view message,
                   std::string_view signature) {
  std::unique_ptr<EVP_PKEY, PkeyDeleter> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, public_key.data(), public_key.size()));
  std::unique_ptr<EVP_MD_CTX, MdCtxDeleter> ctx(EVP_MD_CTX_new());
  if (key == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

std::string KeyLabel(std::string_view name, uint32_t key_id) {
  return absl::StrFormat("%s+%08x", Absl(name), key_id);
}

}  // namespace

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty()) return false;
  size_t i = 0;
  while (i < name.size()) {
    const int32_t cp = NextCodePoint(name, &i);
    if (cp < 0 || cp < 0x20 || cp == 0x7F || cp == '+' || IsUnicodeSpace(cp)) return false;
  }
  return true;
}

uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& public_key) {
  std::string input(name);
  input.push_back('\n');
  input.push_back(static_cast<char>(kNoteSignatureTypeEd25519));
  input.append(reinterpret_cast<const char*>(public_key.data()), public_key.size());
  const Hash digest = Sha256(input);
  return (uint32_t{digest[0]} << 24) | (uint32_t{digest[1]} << 16) | (uint32_t{digest[2]} << 8) |
         uint32_t{digest[3]};
}

absl::StatusOr<NoteVerifierKey> ParseNoteVerifierKey(std::string_view text) {
  const size_t first = text.find('+');
  const size_t second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "verifier key must have the form <name>+<key ID in hex>+<base64 key>");
  }
  NoteVerifierKey key;
  key.name = std::string(text.substr(0, first));
  const std::string_view id_hex = text.substr(first + 1, second - first - 1);
  const std::string_view key_b64 = text.substr(second + 1);
  if (!IsValidNoteKeyName(key.name)) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key name \"", key.name,
                     "\" is empty or holds a space, '+' or control character"));
  }
  if (id_hex.size() != 8 || !absl::SimpleHexAtoi(Absl(id_hex), &key.key_id) ||
      id_hex.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("verifier key ID \"", Absl(id_hex), "\" is not 8 hexadecimal digits"));
  }
  std::string raw;
  if (!DecodeCanonicalBase64(key_b64, &raw)) {
    return absl::InvalidArgumentError("verifier key is not canonical standard base64");
  }
  if (raw.empty() || static_cast<uint8_t>(raw[0]) != kNoteSignatureTypeEd25519) {
    return absl::InvalidArgumentError(
        "verifier key is not an Ed25519 key (its first byte is not 0x01)");
  }
  if (raw.size() != 1 + key.public_key.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("Ed25519 verifier key has ", raw.size() - 1, " bytes; expected 32"));
  }
  std::memcpy(key.public_key.data(), raw.data() + 1, key.public_key.size());
  const uint32_t expected = NoteKeyId(key.name, key.public_key);
  if (expected != key.key_id) {
    return absl::InvalidArgumentError(
        absl::StrFormat("verifier key ID %08x does not match its name and key (expected %08x)",
                        key.key_id, expected));
  }
  return key;
}

std::string FormatNoteVerifierKey(const NoteVerifierKey& key) {
  std::string raw(1, static_cast<char>(kNoteSignatureTypeEd25519));
  raw.append(reinterpret_cast<const char*>(key.public_key.data()), key.public_key.size());
  return absl::StrCat(KeyLabel(key.name, key.key_id), "+", absl::Base64Escape(raw));
}

absl::StatusOr<ParsedNote> ParseSignedNote(std::string_view note) {
  auto malformed = [](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrCat("malformed signed note: ", Absl(why)));
  };
  for (size_t i = 0; i < note.size();) {
    const size_t at = i;
    const int32_t cp = NextCodePoint(note, &i);
    if (cp < 0) return malformed(absl::StrCat("invalid UTF-8 at byte ", at));
    if ((cp < 0x20 && cp != '\n') || cp == 0x7F) {
      return malformed(absl::StrCat("control character at byte ", at));
    }
  }
  if (note.empty() || note.back() != '\n') return malformed("it does not end with a newline");
  const size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return malformed("no blank line separates the text from the signatures");
  }
  ParsedNote parsed;
  parsed.text = std::string(note.substr(0, split + 1));
  std::string_view rest = note.substr(split + 2);
  if (rest.empty()) return malformed("no signature lines");
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    const std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end + 1);
    if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) {
      return malformed(absl::StrCat("signature line \"", Absl(line),
                                    "\" does not start with an em dash and a space"));
    }
    const std::string_view body = line.substr(kEmDashSpace.size());
    const size_t space = body.find(' ');
    if (space == std::string_view::npos) {
      return malformed(absl::StrCat("signature line \"", Absl(line), "\" has no signature"));
    }
    NoteSignature signature;
    signature.name = std::string(body.substr(0, space));
    if (!IsValidNoteKeyName(signature.name)) {
      return malformed(
          absl::StrCat("signature line has an invalid key name \"", signature.name, "\""));
    }
    std::string raw;
    if (!DecodeCanonicalBase64(body.substr(space + 1), &raw)) {
      return malformed(
          absl::StrCat("signature by ", signature.name, " is not canonical standard base64"));
    }
    if (raw.size() < 5) {
      return malformed(absl::StrCat("signature by ", signature.name, " is too short"));
    }
    signature.key_id = (uint32_t{static_cast<uint8_t>(raw[0])} << 24) |
                       (uint32_t{static_cast<uint8_t>(raw[1])} << 16) |
                       (uint32_t{static_cast<uint8_t>(raw[2])} << 8) |
                       uint32_t{static_cast<uint8_t>(raw[3])};
    signature.signature = raw.substr(4);
    parsed.signatures.push_back(std::move(signature));
    if (parsed.signatures.size() > kMaxNoteSignatures) {
      return malformed(absl::StrCat("more than ", kMaxNoteSignatures, " signatures"));
    }
  }
  return parsed;
}

absl::StatusOr<std::string> OpenSignedNote(std::string_view signed_note,
                                           const NoteVerifierKey& key) {
  absl::StatusOr<ParsedNote> parsed = ParseSignedNote(signed_note);
  if (!parsed.ok()) return parsed.status();
  std::vector<std::string> present;
  bool verified = false;
  for (const NoteSignature& signature : parsed->signatures) {
    if (signature.name != key.name || signature.key_id != key.key_id) {
      present.push_back(KeyLabel(signature.name, signature.key_id));
      continue;
    }
    if (!VerifyEd25519(key.public_key, parsed->text, signature.signature)) {
      return absl::UnauthenticatedError(absl::StrCat("the signature by ",
                                                     KeyLabel(key.name, key.key_id),
                                                     " does not verify: the note was "
                                                     "altered or signed by another key"));
    }
    verified = true;
  }
  if (!verified) {
    return absl::UnauthenticatedError(
        absl::StrCat("no signature by the trusted key ", KeyLabel(key.name, key.key_id),
                     "; the note is signed by ", absl::StrJoin(present, ", ")));
  }
  return std::move(parsed->text);
}

}  // namespace sealtrail

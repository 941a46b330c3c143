// C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys: verifier keys, key IDs, and
// opening (verifying) a signed note. Part of the client verifier library: depends only on
// OpenSSL and Abseil, so an auditor's tool can embed it.
//
// Thread-safety: pure functions; call from any thread.
#ifndef SEALTRAIL_NOTE_H_
#define SEALTRAIL_NOTE_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace sealtrail {

inline constexpr uint8_t kNoteSignatureTypeEd25519 = 0x01;
// Notes with more signature lines than this are refused (the spec requires accepting 16).
inline constexpr size_t kMaxNoteSignatures = 100;

using Ed25519PublicKey = std::array<uint8_t, 32>;

struct NoteVerifierKey {
  std::string name;
  uint32_t key_id = 0;
  Ed25519PublicKey public_key{};
};

// True when `name` is non-empty and has no Unicode space, no '+' and no control character.
bool IsValidNoteKeyName(std::string_view name);

// SHA-256(name || 0x0A || 0x01 || public_key)[:4], big-endian.
uint32_t NoteKeyId(std::string_view name, const Ed25519PublicKey& public_key);

// Parses "<name>+<key ID, 8 hex digits>+<base64(0x01 || 32-byte public key)>".
// INVALID_ARGUMENT saying what is wrong: a bad name, a key ID that is not 8 hex digits, a key
// type other than Ed25519, a key of the wrong length, non-canonical base64, or a key ID that does
// not match the name and key.
absl::StatusOr<NoteVerifierKey> ParseNoteVerifierKey(std::string_view text);
// The inverse of ParseNoteVerifierKey.
std::string FormatNoteVerifierKey(const NoteVerifierKey& key);

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  std::string signature;  // The bytes after the key ID.
};

struct ParsedNote {
  std::string text;  // Includes its final newline.
  std::vector<NoteSignature> signatures;
};

// Splits a signed note into its text and signature lines without verifying anything.
// INVALID_ARGUMENT for a malformed note: not UTF-8, a control character other than newline, no
// blank line before the signatures, a malformed signature line, non-canonical base64, a
// signature shorter than 5 bytes, more than kMaxNoteSignatures signatures, or no final newline.
absl::StatusOr<ParsedNote> ParseSignedNote(std::string_view signed_note);

// Verifies that `signed_note` carries a valid Ed25519 signature by `key` (same name and key ID)
// over its text, and returns the text. Signatures by other keys are ignored, as the spec says.
// INVALID_ARGUMENT if malformed (see ParseSignedNote); UNAUTHENTICATED if no signature line has
// the key's name and ID (the message lists the names and IDs that are there, so a key-ID
// mismatch is visible) or if the key's signature does not verify.
absl::StatusOr<std::string> OpenSignedNote(std::string_view signed_note,
                                           const NoteVerifierKey& key);

}  // namespace sealtrail

#endif  // SEALTRAIL_NOTE_H_

// NoteSigner: an Ed25519 signing key for C2SP signed notes, its key files, and key generation.
// Keys go through OpenSSL's EVP API; nothing here implements cryptography.
//
// Private key file format (the Go sumdb/note signer-key form, one line):
//   PRIVATE+KEY+<name>+<key ID, 8 hex digits>+<base64(0x01 || 32-byte Ed25519 seed)>
// The file must be mode 0600 (or stricter): a key file that group or others can read is refused.
//
// Thread-safety: a NoteSigner is immutable after construction; Sign may be called concurrently.
#ifndef SEALTRAIL_NOTE_SIGNER_H_
#define SEALTRAIL_NOTE_SIGNER_H_

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/note.h"

namespace sealtrail {

class NoteSigner {
 public:
  // A fresh key named `name` (INVALID_ARGUMENT if IsValidNoteKeyName fails).
  static absl::StatusOr<NoteSigner> Generate(std::string_view name);
  // Parses the private key text above. INVALID_ARGUMENT saying what is wrong.
  static absl::StatusOr<NoteSigner> FromPrivateKeyText(std::string_view text);
  // Reads a private key file. PERMISSION_DENIED, naming the file and its mode, if group or others
  // have any access to it; NOT_FOUND if missing; INVALID_ARGUMENT if malformed.
  static absl::StatusOr<NoteSigner> LoadFile(Env* env, const std::string& path);

  // Writes the private key to a new file `path` with mode 0600 and syncs it. ALREADY_EXISTS if
  // the file exists: a key is never overwritten.
  absl::Status WriteNewFile(Env* env, const std::string& path) const;

  std::string PrivateKeyText() const;
  const NoteVerifierKey& verifier_key() const { return verifier_key_; }
  // "name+keyid+base64", the form every verifier takes.
  std::string VerifierKeyText() const { return FormatNoteVerifierKey(verifier_key_); }

  // Signs `text` and returns the signed note: text, blank line, signature line.
  // INVALID_ARGUMENT if `text` is empty, does not end in a newline, is not UTF-8 or holds a
  // control character other than newline.
  absl::StatusOr<std::string> Sign(std::string_view text) const;

  NoteSigner(NoteSigner&&) noexcept;
  NoteSigner& operator=(NoteSigner&&) noexcept;
  ~NoteSigner();

 private:
  struct Key;
  NoteSigner(std::string name, std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
  NoteVerifierKey verifier_key_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_NOTE_SIGNER_H_

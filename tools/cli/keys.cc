#include "cli/keys.h"

#include <string_view>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "cli/files.h"
#include "cli/output.h"
#include "sealtrail/note_signer.h"

namespace sealtrail::cli {

absl::Status RunKeygen(Env* env, const std::string& name, const std::string& key_file,
                       std::ostream& out) {
  absl::StatusOr<NoteSigner> signer = NoteSigner::Generate(name);
  if (!signer.ok()) return signer.status();
  if (absl::Status written = signer->WriteNewFile(env, key_file); !written.ok()) return written;
  return WriteText(out, signer->VerifierKeyText() + "\n");
}

absl::StatusOr<NoteVerifierKey> LoadVerifierKey(Env* env, const std::string& text_or_path) {
  absl::StatusOr<NoteVerifierKey> key = ParseNoteVerifierKey(text_or_path);
  if (key.ok()) return key;
  if (!env->FileExists(text_or_path)) {
    return absl::InvalidArgumentError(absl::StrCat("the verifier key '", text_or_path,
                                                   "' is neither a verifier key (",
                                                   key.status().message(), ") nor a file"));
  }
  absl::StatusOr<std::string> contents = ReadWholeFile(env, text_or_path, kMaxSmallFileBytes);
  if (!contents.ok()) return contents.status();
  const absl::string_view trimmed = absl::StripTrailingAsciiWhitespace(*contents);
  const std::string_view text(trimmed.data(), trimmed.size());
  // Never echo a private key into an error message or a log.
  if (absl::StartsWith(trimmed, "PRIVATE+KEY+")) {
    return absl::InvalidArgumentError(absl::StrCat(
        text_or_path, " holds a private key; pass the verifier key that keygen printed"));
  }
  key = ParseNoteVerifierKey(text);
  if (!key.ok()) {
    return WithContext(key.status(), absl::StrCat("verifier key file ", text_or_path));
  }
  return key;
}

}  // namespace sealtrail::cli

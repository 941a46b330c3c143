// Keys on the command line: `sealtrail keygen`, and the VKEY argument of the auditor's commands,
// which is either the verifier key text itself or the path of a file holding it.
#ifndef SEALTRAIL_TOOLS_CLI_KEYS_H_
#define SEALTRAIL_TOOLS_CLI_KEYS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/env.h"
#include "sealtrail/note.h"

namespace sealtrail::cli {

// `keygen`: generates an Ed25519 key named `name`, writes its private key to the new file
// `key_file` (mode 0600; ALREADY_EXISTS, and the file untouched, if it exists) and prints the
// verifier key ("name+keyid+base64") and a newline, nothing else. Prints nothing on error.
absl::Status RunKeygen(Env* env, const std::string& name, const std::string& key_file,
                       std::ostream& out);

// A VKEY argument: `text_or_path` parsed as a verifier key if it is one, else read as a file
// whose contents (trailing whitespace and newlines dropped) must be one. INVALID_ARGUMENT when it
// is neither, or the file holds a private key; NOT_FOUND or I/O errors reading the file.
absl::StatusOr<NoteVerifierKey> LoadVerifierKey(Env* env, const std::string& text_or_path);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_KEYS_H_

#include "server/service/signing_key.h"

#include <memory>
#include <string>

#include "absl/random/random.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "sealtrail/status_macros.h"
#include "server/service/defaults.h"
#include "server/service/small_files.h"

namespace sealtrail {
namespace {

absl::StatusOr<NoteSigner> LoadOrCreateDevKey(Env* env, const std::string& data_dir,
                                              EventLog* events) {
  std::string key_path = absl::StrCat(data_dir, "/", kDevSigningKeyFile);
  std::string vkey_path = absl::StrCat(data_dir, "/", kDevVerifierKeyFile);
  if (!env->FileExists(key_path)) {
    absl::BitGen random;
    std::string name = absl::StrFormat("sealtrail-dev-%08x", absl::Uniform<uint32_t>(random));
    ASSIGN_OR_RETURN(NoteSigner generated, NoteSigner::Generate(name));
    RETURN_IF_ERROR(generated.WriteNewFile(env, key_path));
    RETURN_IF_ERROR(env->SyncDir(data_dir));
    events->Info("dev_signing_key_generated",
                 {{"key_file", key_path}, {"note", "a development key; use --key in production"}});
  }
  ASSIGN_OR_RETURN(NoteSigner signer, NoteSigner::LoadFile(env, key_path));
  std::string vkey_line = signer.VerifierKeyText() + "\n";
  if (!env->FileExists(vkey_path)) {
    RETURN_IF_ERROR(WriteFileAtomically(env, data_dir, vkey_path, vkey_line));
  } else {
    ASSIGN_OR_RETURN(std::string existing,
                     ReadSmallFile(env, vkey_path, 4096, "a verifier key file"));
    if (absl::StripAsciiWhitespace(existing) != signer.VerifierKeyText()) {
      return absl::FailedPreconditionError(
          absl::StrCat(vkey_path, " holds another key than ", key_path,
                       "; restore the matching pair or remove the stale .vkey file"));
    }
  }
  return signer;
}

}  // namespace

absl::StatusOr<NoteSigner> LoadOrCreateSigningKey(Env* env, const std::string& data_dir,
                                                  const std::string& key_file, EventLog* events) {
  absl::StatusOr<NoteSigner> signer = key_file.empty() ? LoadOrCreateDevKey(env, data_dir, events)
                                                       : NoteSigner::LoadFile(env, key_file);
  if (!signer.ok()) return signer.status();
  std::string source =
      key_file.empty() ? absl::StrCat(data_dir, "/", kDevSigningKeyFile) : key_file;
  events->Info("signing_key", {{"key_file", source}, {"verifier_key", signer->VerifierKeyText()}});
  return signer;
}

}  // namespace sealtrail

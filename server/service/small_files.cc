#include "server/service/small_files.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "sealtrail/read_file.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {

absl::StatusOr<std::string> ReadSmallFile(Env* env, const std::string& path, uint64_t max_bytes,
                                          absl::string_view what) {
  absl::StatusOr<std::string> text = ReadFileToString(env, path, max_bytes);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        absl::StrCat("reading ", what, ": ", text.status().message()));
  }
  return text;
}

absl::Status WriteFileAtomically(Env* env, const std::string& dir, const std::string& path,
                                 const std::string& text, bool private_file) {
  std::string temporary = path + ".tmp";
  std::unique_ptr<WritableFile> file;
  if (private_file) {
    // A stale temporary file of a crashed write may have any mode: start afresh.
    if (env->FileExists(temporary)) RETURN_IF_ERROR(env->RemoveFile(temporary));
    ASSIGN_OR_RETURN(file, env->NewExclusiveFile(temporary, 0600));
  } else {
    ASSIGN_OR_RETURN(file, env->NewWritableFile(temporary));
  }
  RETURN_IF_ERROR(file->Append(text));
  RETURN_IF_ERROR(file->Sync());
  RETURN_IF_ERROR(file->Close());
  RETURN_IF_ERROR(env->RenameFile(temporary, path));
  return env->SyncDir(dir);
}

}  // namespace sealtrail

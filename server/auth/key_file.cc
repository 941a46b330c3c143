#include "server/auth/key_file.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {

absl::StatusOr<std::string> ReadKeyFile(Env* env, const std::string& path) {
  ASSIGN_OR_RETURN(const uint64_t size, env->GetFileSize(path));
  if (size > kMaxKeyFileBytes) {
    return absl::FailedPreconditionError(absl::StrCat(
        "key file ", path, " has ", size, " bytes; a key file has at most ", kMaxKeyFileBytes));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  std::string contents(size, '\0');
  RETURN_IF_ERROR(file->ReadAt(0, size, contents.data()));
  return contents;
}

}  // namespace sealtrail

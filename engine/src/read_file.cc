#include "sealtrail/read_file.h"

#include <memory>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {

absl::StatusOr<std::string> ReadFileToString(Env* env, const std::string& path,
                                             uint64_t max_bytes) {
  ASSIGN_OR_RETURN(const uint64_t size, env->GetFileSize(path));
  if (size > max_bytes) {
    return absl::FailedPreconditionError(absl::StrCat(path, " is ", size, " bytes, more than the ",
                                                      max_bytes, " bytes such a file may hold"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  std::string contents(size, '\0');
  RETURN_IF_ERROR(file->ReadAt(0, size, contents.data()));
  return contents;
}

}  // namespace sealtrail

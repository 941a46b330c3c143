#include "cli/files.h"

#include <iterator>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "sealtrail/read_file.h"

namespace sealtrail::cli {

absl::StatusOr<std::string> ReadWholeFile(Env* env, const std::string& path, uint64_t max_bytes) {
  if (!env->FileExists(path)) return absl::NotFoundError(absl::StrCat("no such file: ", path));
  absl::StatusOr<std::string> contents = ReadFileToString(env, path, max_bytes);
  // A file too large is the user's argument that is wrong.
  if (absl::IsFailedPrecondition(contents.status())) {
    return absl::InvalidArgumentError(contents.status().message());
  }
  if (!contents.ok()) return WithContext(contents.status(), absl::StrCat("reading ", path));
  return contents;
}

absl::StatusOr<std::string> ReadFileOrStdin(Env* env, const std::string& path, std::istream& in,
                                            uint64_t max_bytes) {
  if (path != "-") return ReadWholeFile(env, path, max_bytes);
  std::string contents;
  char buffer[4096];
  while (in.read(buffer, sizeof(buffer)) || in.gcount() > 0) {
    contents.append(buffer, static_cast<size_t>(in.gcount()));
    if (contents.size() > max_bytes) {
      return absl::InvalidArgumentError(
          absl::StrCat("standard input is longer than the limit of ", max_bytes, " bytes"));
    }
  }
  if (in.bad()) return absl::UnknownError("reading standard input failed");
  return contents;
}

std::string ParentDir(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

absl::Status ReplaceFileAtomically(Env* env, const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  absl::Status written = [&]() -> absl::Status {
    absl::StatusOr<std::unique_ptr<WritableFile>> file = env->NewWritableFile(tmp);
    if (!file.ok()) return file.status();
    if (absl::Status s = (*file)->Append(contents); !s.ok()) return s;
    if (absl::Status s = (*file)->Sync(); !s.ok()) return s;
    return (*file)->Close();
  }();
  if (written.ok()) written = env->RenameFile(tmp, path);
  if (!written.ok()) {
    // `path` still holds its old contents; the temporary file is ours to drop.
    env->RemoveFile(tmp).IgnoreError();
    return WithContext(written, absl::StrCat("writing ", path, " (unchanged)"));
  }
  // Renamed: `path` now holds the new contents, durable once the directory entry is.
  if (absl::Status synced = env->SyncDir(ParentDir(path)); !synced.ok()) {
    return WithContext(synced, absl::StrCat("syncing the directory of ", path));
  }
  return absl::OkStatus();
}

}  // namespace sealtrail::cli

#include "server/index/index_dir.h"

#include <filesystem>
#include <string_view>
#include <system_error>
#include <vector>

#include "absl/strings/str_cat.h"
#include "rocksdb/env.h"
#include "server/index/rocks_status.h"

namespace sealtrail::index_internal {
namespace {

namespace fs = std::filesystem;

absl::Status FsError(const std::error_code& ec, std::string_view what, const fs::path& path) {
  const std::string message = absl::StrCat(absl::string_view(what.data(), what.size()), " ",
                                           path.string(), ": ", ec.message());
  if (ec == std::errc::no_such_file_or_directory) return absl::NotFoundError(message);
  if (ec == std::errc::no_space_on_device) return absl::ResourceExhaustedError(message);
  if (ec == std::errc::permission_denied) return absl::PermissionDeniedError(message);
  return absl::InternalError(message);
}

bool IsRocksDbFile(const std::string& name) {
  auto starts = [&](std::string_view p) { return name.rfind(p, 0) == 0; };
  auto ends = [&](std::string_view s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  return name == "CURRENT" || name == "IDENTITY" || name == "LOCK" || starts("LOG") ||
         starts("MANIFEST-") || starts("OPTIONS-") || ends(".sst") || ends(".log") ||
         ends(".blob") || ends(".dbtmp") || ends(".tmp");
}

absl::StatusOr<std::vector<fs::path>> ListDir(const std::string& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec == std::errc::no_such_file_or_directory) return entries;
  if (ec) return FsError(ec, "listing", dir);
  for (; it != fs::directory_iterator(); it.increment(ec)) entries.push_back(it->path());
  if (ec) return FsError(ec, "listing", dir);
  return entries;
}

}  // namespace

absl::StatusOr<IndexDirState> InspectIndexDir(const std::string& dir) {
  absl::StatusOr<std::vector<fs::path>> entries = ListDir(dir);
  if (!entries.ok()) return entries.status();
  if (entries->empty()) return IndexDirState::kMissingOrEmpty;
  for (const fs::path& entry : *entries) {
    if (entry.filename() == "CURRENT") return IndexDirState::kDatabase;
  }
  return IndexDirState::kOther;
}

absl::Status ClearIndexDir(const std::string& dir) {
  absl::StatusOr<std::vector<fs::path>> entries = ListDir(dir);
  if (!entries.ok()) return entries.status();
  for (const fs::path& entry : *entries) {
    std::error_code ec;
    if (!fs::is_regular_file(fs::symlink_status(entry, ec)) ||
        !IsRocksDbFile(entry.filename().string())) {
      return absl::FailedPreconditionError(absl::StrCat("refusing to clear index directory ", dir,
                                                        ": ", entry.filename().string(),
                                                        " is not an index file"));
    }
  }
  if (entries->empty()) return absl::OkStatus();
  // Without the lock, a rebuild beside a running server would delete the files of its open
  // index (LOCK among them) and then lock and create a new one: both would seem to work.
  rocksdb::Env* const env = rocksdb::Env::Default();
  // Spelled as RocksDB spells it (LockFileName), so its in-process lock table matches too.
  const std::string lock_file = dir + "/LOCK";
  rocksdb::FileLock* lock = nullptr;
  const rocksdb::Status locked = env->LockFile(lock_file, &lock);
  if (!locked.ok()) {
    return FromRocks(locked, absl::StrCat("locking index ", dir));
  }
  absl::Status status = absl::OkStatus();
  for (const fs::path& entry : *entries) {
    if (entry.filename() == "LOCK") continue;
    std::error_code ec;
    if (!fs::remove(entry, ec) && ec) {
      status = FsError(ec, "removing", entry);
      break;
    }
  }
  // LOCK goes last, still held, so no other rebuild or server starts on a half-deleted index.
  std::error_code ec;
  if (status.ok() && !fs::remove(lock_file, ec) && ec) status = FsError(ec, "removing", lock_file);
  const absl::Status unlocked = FromRocks(env->UnlockFile(lock), "unlocking index " + dir);
  return status.ok() ? unlocked : status;
}

}  // namespace sealtrail::index_internal

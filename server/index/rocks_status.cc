#include "server/index/rocks_status.h"

#include <cerrno>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/env.h"

namespace sealtrail::index_internal {

bool IsRocksLockHeld(const rocksdb::Status& status) {
  if (!status.IsIOError() || status.getState() == nullptr) return false;
  const absl::string_view state = status.getState();
  if (absl::StartsWith(state, "lock hold by current process")) return true;
  // IOError("While lock file", path, errno): "While lock file: PATH: strerror(errno)". fcntl's
  // F_SETLK answers EAGAIN or EACCES when another process holds the lock; any other errno is an
  // I/O failure, not a holder.
  if (!absl::StartsWith(state, "While lock file: ")) return false;
  return absl::EndsWith(state, std::strerror(EAGAIN)) ||
         absl::EndsWith(state, std::strerror(EACCES));
}

absl::Status FromRocks(const rocksdb::Status& status, std::string_view context) {
  if (status.ok()) return absl::OkStatus();
  const std::string message =
      absl::StrCat(absl::string_view(context.data(), context.size()), ": ", status.ToString());
  if (status.IsCorruption()) return absl::DataLossError(message);
  if (status.IsNotFound()) return absl::NotFoundError(message);
  if (status.IsNoSpace()) return absl::ResourceExhaustedError("the disk is full: " + message);
  if (IsRocksLockHeld(status)) {
    return LockHeldError(absl::StrCat(absl::string_view(context.data(), context.size()),
                                      ": the index is in use, locked by another process or open "
                                      "handle (",
                                      status.ToString(), ")"));
  }
  if (status.IsBusy() || status.IsTryAgain()) return absl::UnavailableError(message);
  if (status.IsInvalidArgument()) return absl::InvalidArgumentError(message);
  if (status.IsNotSupported()) return absl::UnimplementedError(message);
  return absl::InternalError(message);
}

}  // namespace sealtrail::index_internal

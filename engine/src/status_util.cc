#include "status_util.h"

#include <cerrno>
#include <cstring>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/env.h"

namespace sealtrail {

absl::Status IoError(int err, absl::string_view what, absl::string_view path) {
  std::string message = absl::StrCat(what, " ", path, ": ", std::strerror(err));
  switch (err) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return absl::PermissionDeniedError(message);
    case ENOSPC:
      return absl::ResourceExhaustedError(absl::StrCat("the disk is full: ", message));
    case EDQUOT:
      return absl::ResourceExhaustedError(absl::StrCat("the disk quota is used up: ", message));
    case EMFILE:
    case ENFILE:
      return absl::ResourceExhaustedError(message);
    case EWOULDBLOCK:  // EAGAIN too: "try again".
    case EINTR:
      return absl::UnavailableError(message);
    default:
      return absl::InternalError(message);
  }
}

absl::Status Annotate(const absl::Status& status, absl::string_view context) {
  if (status.ok()) return status;
  absl::Status annotated(status.code(), absl::StrCat(context, ": ", status.message()));
  // Payloads (e.g. LockHeldError's mark) say what the error is; the context must not drop them.
  status.ForEachPayload([&annotated](absl::string_view type, const absl::Cord& payload) {
    annotated.SetPayload(type, payload);
  });
  return annotated;
}

namespace {
constexpr absl::string_view kLockHeldPayload = "type.sealtrail/lock-held";
}  // namespace

absl::Status LockHeldError(std::string_view message) {
  absl::Status status = absl::UnavailableError(absl::string_view(message.data(), message.size()));
  status.SetPayload(kLockHeldPayload, absl::Cord("1"));
  return status;
}

bool IsLockHeldError(const absl::Status& status) {
  return absl::IsUnavailable(status) && status.GetPayload(kLockHeldPayload).has_value();
}

}  // namespace sealtrail

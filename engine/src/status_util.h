// Small helpers for absl::Status that Abseil 20220623 (Debian 12) does not have yet.
#ifndef SEALTRAIL_ENGINE_STATUS_UTIL_H_
#define SEALTRAIL_ENGINE_STATUS_UTIL_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"

#define SEALTRAIL_CONCAT_INNER_(a, b) a##b
#define SEALTRAIL_CONCAT_(a, b) SEALTRAIL_CONCAT_INNER_(a, b)

// Returns from the enclosing function if `expr` (an absl::Status) is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status sealtrail_status_ = (expr); \
    if (!sealtrail_status_.ok()) {             \
      return sealtrail_status_;                \
    }                                          \
  } while (0)

// `lhs = value of expr` or return its error. `lhs` may declare a variable.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SEALTRAIL_CONCAT_(sealtrail_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) {                             \
    return tmp.status();                       \
  }                                            \
  lhs = std::move(tmp).value()

namespace sealtrail {

// A status for a failed system call: the code follows errno (ENOENT → NOT_FOUND, ENOSPC →
// RESOURCE_EXHAUSTED, ...), the message is "`what` `path`: strerror".
absl::Status IoError(int err, absl::string_view what, absl::string_view path);

// The same status with `context` prepended to its message.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_STATUS_UTIL_H_

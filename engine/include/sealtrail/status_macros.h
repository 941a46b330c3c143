// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status / absl::StatusOr, which Abseil 20220623
// (Debian 12) does not provide. Shared by every sealtrail module.
#ifndef SEALTRAIL_STATUS_MACROS_H_
#define SEALTRAIL_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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

// `lhs = value of expr` (an absl::StatusOr) or return its error. `lhs` may declare a variable.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(SEALTRAIL_CONCAT_(sealtrail_statusor_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) {                             \
    return tmp.status();                       \
  }                                            \
  lhs = std::move(tmp).value()

#endif  // SEALTRAIL_STATUS_MACROS_H_

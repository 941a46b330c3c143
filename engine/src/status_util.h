// Status helpers for system calls; the RETURN_IF_ERROR/ASSIGN_OR_RETURN macros come with it.
#ifndef SEALTRAIL_ENGINE_STATUS_UTIL_H_
#define SEALTRAIL_ENGINE_STATUS_UTIL_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {

// A status for a failed system call: the code follows errno (ENOENT → NOT_FOUND, ENOSPC and
// EDQUOT → RESOURCE_EXHAUSTED with "the disk is full", EAGAIN → UNAVAILABLE, ...), the message
// is "`what` `path`: strerror".
absl::Status IoError(int err, absl::string_view what, absl::string_view path);

// The same status (code and payloads) with `context` prepended to its message.
absl::Status Annotate(const absl::Status& status, absl::string_view context);

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_STATUS_UTIL_H_

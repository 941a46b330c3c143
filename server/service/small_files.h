// Small files of the data directory and of the configuration (keys, certificates, tokens, the
// client identity map), read and written whole through Env.
#ifndef SEALTRAIL_SERVER_SERVICE_SMALL_FILES_H_
#define SEALTRAIL_SERVER_SERVICE_SMALL_FILES_H_

#include <cstdint>
#include <string>
#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/env.h"

namespace sealtrail {

// The whole of `path`. NOT_FOUND if missing; FAILED_PRECONDITION naming `what` if it is larger
// than `max_bytes`.
[[nodiscard]] absl::StatusOr<std::string> ReadSmallFile(Env* env, const std::string& path,
                                                        uint64_t max_bytes, absl::string_view what);

// Writes `text` to `path` in `dir` atomically: a temporary file, synced, renamed over `path`,
// then the directory synced. Returns after the file is on disk. `private_file`: the temporary
// file is created with mode 0600, so the content is never readable by others, not even briefly.
[[nodiscard]] absl::Status WriteFileAtomically(Env* env, const std::string& dir,
                                               const std::string& path, const std::string& text,
                                               bool private_file = false);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_SMALL_FILES_H_

// Reading a small file whole through an Env: keys, tokens, certificates, format files, proofs.
// The one implementation every module uses, so the size cap and the errors are the same
// everywhere.
#ifndef SEALTRAIL_READ_FILE_H_
#define SEALTRAIL_READ_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"

namespace sealtrail {

// The whole of `path`. The Env's error if it cannot be read (NOT_FOUND naming the path if it
// is missing); FAILED_PRECONDITION naming the path and both sizes if it is larger than
// `max_bytes`, before anything is read.
[[nodiscard]] absl::StatusOr<std::string> ReadFileToString(Env* env, const std::string& path,
                                                           uint64_t max_bytes);

}  // namespace sealtrail

#endif  // SEALTRAIL_READ_FILE_H_

// Whole-file reads and the atomic replacement of a small file, through sealtrail::Env, for the
// commands that take files as input (notes, proofs, keys, records) or keep state (the witness).
#ifndef SEALTRAIL_TOOLS_CLI_FILES_H_
#define SEALTRAIL_TOOLS_CLI_FILES_H_

#include <cstdint>
#include <istream>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/env.h"

namespace sealtrail::cli {

// Limit for the small text inputs: signed notes, proof JSON, key files.
inline constexpr uint64_t kMaxSmallFileBytes = 1u << 20;

// The contents of `path`. NOT_FOUND if it does not exist; INVALID_ARGUMENT if it is larger
// than `max_bytes`; other I/O errors as the Env reports them. Every message names the file.
absl::StatusOr<std::string> ReadWholeFile(Env* env, const std::string& path, uint64_t max_bytes);

// As ReadWholeFile, but "-" means `in` (standard input).
absl::StatusOr<std::string> ReadFileOrStdin(Env* env, const std::string& path, std::istream& in,
                                            uint64_t max_bytes);

// The directory part of `path` ("." when it has none, "/" for a file in the root).
std::string ParentDir(const std::string& path);

// Replaces `path` with `contents` so that a crash leaves either the old file or the new one,
// never a mix: writes `path`.tmp, syncs it, renames it over `path` and syncs the parent
// directory. Returns after the new contents are durable. On an error before the rename `path`
// is untouched (the temporary file is removed, best effort).
absl::Status ReplaceFileAtomically(Env* env, const std::string& path, std::string_view contents);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_FILES_H_

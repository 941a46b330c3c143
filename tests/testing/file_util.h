// Direct file access for tests that inspect or tamper with a data directory.
//
// These go straight to POSIX, never through sealtrail::Env, so a test sees and changes the
// real bytes on disk. None of them changes permissions implicitly: a test that edits a sealed
// (0444) segment calls MakeOwnerWritable first, as an attacker would.
#ifndef SEALTRAIL_TESTS_TESTING_FILE_UTIL_H_
#define SEALTRAIL_TESTS_TESTING_FILE_UTIL_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace sealtrail::testing {

absl::StatusOr<std::string> ReadWholeFile(const std::string& path);
// Creates or replaces the contents of `path` (mode 0644 when created).
absl::Status WriteWholeFile(const std::string& path, std::string_view data);
absl::Status AppendToFile(const std::string& path, std::string_view data);
// Overwrites bytes in place; the file must already be at least offset + data.size() long.
absl::Status OverwriteAt(const std::string& path, uint64_t offset, std::string_view data);
// XORs the byte at `offset` with `mask` (non-zero).
absl::Status FlipByteAt(const std::string& path, uint64_t offset, uint8_t mask = 0x01);
absl::Status TruncateTo(const std::string& path, uint64_t size);
absl::Status RemovePath(const std::string& path);

absl::StatusOr<uint64_t> FileSizeOf(const std::string& path);
// The permission bits (st_mode & 07777).
absl::StatusOr<mode_t> FileModeOf(const std::string& path);
// chmod u+w.
absl::Status MakeOwnerWritable(const std::string& path);

// Sorted names of the entries of `dir`, without "." and "..".
absl::StatusOr<std::vector<std::string>> ListDir(const std::string& dir);
// Every regular file below `dir`, keyed by its path relative to `dir`, with its contents.
absl::StatusOr<std::map<std::string, std::string>> SnapshotTree(const std::string& dir);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_FILE_UTIL_H_

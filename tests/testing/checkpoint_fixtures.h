// Small builders shared by the checkpoint, store, checkpointer and audit tests: real logs of
// numbered records (optionally forked from some index on), and checkpoint notes signed by a
// given key. Nothing here is a fake: logs are real directories, notes are really signed.
#ifndef SEALTRAIL_TESTS_TESTING_CHECKPOINT_FIXTURES_H_
#define SEALTRAIL_TESTS_TESTING_CHECKPOINT_FIXTURES_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/note_signer.h"

namespace sealtrail::testing {

// Record i of a test log: "record <i>", or "forked record <i>" when i >= fork_at.
std::string TestRecord(uint64_t i, std::optional<uint64_t> fork_at = std::nullopt);

// Appends records [first, first + count) one batch at a time.
absl::Status AppendTestRecords(Log& log, uint64_t first, uint64_t count,
                               std::optional<uint64_t> fork_at = std::nullopt);

// Opens (creating) a log in `dir` with 2^log2-leaf segments and SyncPolicy::kNone, and fills it
// with records [0, n).
absl::StatusOr<std::unique_ptr<Log>> OpenTestLog(const std::string& dir, uint64_t n,
                                                 uint32_t log2 = 2,
                                                 std::optional<uint64_t> fork_at = std::nullopt);

// The signed note of the checkpoint body {origin, size, root, timestamp_ms}.
absl::StatusOr<std::string> SignTestCheckpoint(const NoteSigner& signer, const std::string& origin,
                                               uint64_t size, const Hash& root,
                                               std::optional<int64_t> timestamp_ms = 1700000000000);

// The NoteSigner of the Go sumdb/note test key "PeterNeumann" (testing/note_vectors.h).
NoteSigner GoTestSigner();

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_TESTING_CHECKPOINT_FIXTURES_H_

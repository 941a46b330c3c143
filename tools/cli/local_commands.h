// The `sealtrail local ...` commands, which work on a data directory directly (no server).
//
// Each Run* function opens the directory with the engine, prints one JSON object per line
// (shapes in output.h and evidence.h) to `out` and returns a status; main() maps the status to
// an exit code (exit_codes.h) and prints its message. Nothing here exits or touches the process's
// standard streams, so tests call these functions with string streams.
//
// Commands that only read open the directory without creating it (a missing one is NOT_FOUND).
// All but `verify` open it through Log::Open, which takes the directory's exclusive lock
// (FAILED_PRECONDITION while another process has it open) and runs recovery, exactly as a
// writer would. `verify` only reads files (VerifyDataDir).
#ifndef SEALTRAIL_TOOLS_CLI_LOCAL_COMMANDS_H_
#define SEALTRAIL_TOOLS_CLI_LOCAL_COMMANDS_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "cli/evidence.h"
#include "cli/output.h"
#include "sealtrail/log.h"

namespace sealtrail::cli {

// Records per Log::Append call when appending many.
inline constexpr size_t kAppendBatchRecords = 4096;

enum class OpenMode {
  kCreateForAppend,  // Takes the directory's lock; creates the directory if missing.
  kReadOnly,         // No lock, nothing changed on disk; NOT_FOUND if the directory is missing.
};

// Opens the log in `dir` with the directory's own segment size (leaves_per_segment_log2 = 0) and
// durable appends.
absl::StatusOr<std::unique_ptr<Log>> OpenDataDir(const std::string& dir, OpenMode mode);

// Splits `in` at '\n' into records. A last line without '\n' is a record too; nothing else is
// stripped (a '\r' stays: records are bytes). INVALID_ARGUMENT naming the 1-based line number if
// a line is empty or longer than `max_record_bytes`; UNKNOWN if reading `in` fails.
absl::StatusOr<std::vector<std::string>> ReadRecordLines(std::istream& in,
                                                         uint32_t max_record_bytes);

// Appends `records` in order, as consecutive indexes, kAppendBatchRecords per Log::Append.
// REQUIRES: every record is non-empty and within the log's max_record_bytes (ReadRecordLines
// checks both), so the only way a batch fails is an I/O error. Batches are separate commits: if
// one fails, the earlier ones stay appended and the error says how many records that was.
// Zero records is OK: nothing is written and first_index is the current size.
absl::StatusOr<AppendSummary> AppendRecords(Log& log, absl::Span<const std::string> records);

// Evidence built by the log and checked with the verifier before it is returned: a proof that
// does not verify against the log's own root is DATA_LOSS and never printed.
// Errors as Log::ProveInclusion / Log::ProveConsistency.
absl::StatusOr<InclusionEvidence> BuildInclusionEvidence(const Log& log, uint64_t leaf_index,
                                                         uint64_t tree_size);
absl::StatusOr<ConsistencyEvidence> BuildConsistencyEvidence(const Log& log, uint64_t old_size,
                                                             uint64_t new_size);

// The record at `index` with its stored leaf hash; DATA_LOSS if the record does not hash to it.
absl::StatusOr<RecordEntry> ReadRecordEntry(const Log& log, uint64_t index);

// `local append`: every line of `in` becomes one record. The whole input is read and checked
// before the directory is opened (or created), so a rejected line appends nothing.
absl::Status RunAppend(const std::string& dir, std::istream& in, std::ostream& out);
// `local root`: the root at `size`, or at the current size.
absl::Status RunRoot(const std::string& dir, std::optional<uint64_t> size, std::ostream& out);
// `local prove-inclusion`: `tree_size` defaults to the current size.
absl::Status RunProveInclusion(const std::string& dir, uint64_t leaf_index,
                               std::optional<uint64_t> tree_size, std::ostream& out);
// `local prove-consistency`: `new_size` defaults to the current size.
absl::Status RunProveConsistency(const std::string& dir, uint64_t old_size,
                                 std::optional<uint64_t> new_size, std::ostream& out);
// `local get`.
absl::Status RunGet(const std::string& dir, uint64_t index, std::ostream& out);
// `local verify`: prints VerifyOkJson and returns OK, or prints VerifyFailedJson and returns
// the first problem VerifyDataDir found.
absl::Status RunVerify(const std::string& dir, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_LOCAL_COMMANDS_H_

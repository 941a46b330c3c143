// `sealtrail reindex`: rebuilds sealtraild's secondary index (server/index/, docs/index.md) from
// the log, offline. The index is derived state that the server also rebuilds on its own when it
// distrusts it; this command does it on demand, with the server stopped.
//
// Like the other commands, RunReindex prints one JSON line to `out` and returns a status that
// main() maps to an exit code (exit_codes.h); it never exits or touches the standard streams.
#ifndef SEALTRAIL_TOOLS_CLI_REINDEX_COMMAND_H_
#define SEALTRAIL_TOOLS_CLI_REINDEX_COMMAND_H_

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "cli/output.h"

namespace sealtrail::cli {

struct ReindexArgs {
  std::string data_dir;
  // Empty: DATA_DIR/index (kDefaultIndexDir), where sealtraild keeps the index by default.
  std::string index_dir;
};

// The index directory `args` names: index_dir, or DATA_DIR/index when it is empty.
std::string IndexDirFor(const ReindexArgs& args);

// {"records":N,"index_dir":"...","seconds":S}: the records indexed (all of the log), the index
// directory, and the wall time of the rebuild.
struct ReindexSummary {
  uint64_t records = 0;
  std::string index_dir;
  double seconds = 0;
};
Json ToJson(const ReindexSummary& summary);

// Opens the log in args.data_dir read-only (no lock taken, nothing in it changed), deletes the
// index in IndexDirFor(args) and indexes every record into a new one with
// IndexFieldsFromStoredBytes, the decoder sealtraild uses (AuditIndex::Rebuild), then flushes
// and closes it and prints ReindexSummary. The log must be sealtrail's audit log (serialized
// AuditRecords).
// Errors: NOT_FOUND if data_dir holds no log; UNAVAILABLE, saying the index is in use, while
// sealtraild (or any process) has the index open: stop it first, nothing is deleted;
// FAILED_PRECONDITION if the index directory holds files that are not RocksDB's; DATA_LOSS if a
// record is not an AuditRecord (naming its sequence number) or the log is damaged. After a
// failure past the deletion the index is incomplete; sealtraild rebuilds it at its next start.
absl::Status RunReindex(const ReindexArgs& args, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_REINDEX_COMMAND_H_

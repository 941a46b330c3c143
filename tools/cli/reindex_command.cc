#include "cli/reindex_command.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "cli/local_commands.h"
#include "sealtrail/env.h"
#include "sealtrail/log.h"
#include "server/index/audit_index.h"
#include "server/record/record.h"
#include "server/service/defaults.h"

namespace sealtrail::cli {

std::string IndexDirFor(const ReindexArgs& args) {
  if (!args.index_dir.empty()) return args.index_dir;
  return (std::filesystem::path(args.data_dir) / kDefaultIndexDir).string();
}

Json ToJson(const ReindexSummary& summary) {
  return Json{
      {"records", summary.records}, {"index_dir", summary.index_dir}, {"seconds", summary.seconds}};
}

absl::Status RunReindex(const ReindexArgs& args, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<std::unique_ptr<Log>> log = OpenDataDir(args.data_dir, OpenMode::kReadOnly);
  if (!log.ok()) return log.status();
  ReindexSummary summary;
  summary.index_dir = IndexDirFor(args);
  absl::StatusOr<std::unique_ptr<AuditIndex>> index =
      AuditIndex::Rebuild(summary.index_dir, **log, IndexFieldsFromStoredBytes);
  if (IsLockHeldError(index.status())) {
    // The index's RocksDB lock is held: almost always by a running server.
    return absl::UnavailableError(
        absl::StrCat("cannot reindex: ", index.status().message(), "; stop sealtraild first"));
  }
  if (!index.ok()) return WithContext(index.status(), "reindex");
  summary.records = (*index)->covered();
  // Flushed before the summary is printed: a clean close means the next start re-indexes nothing.
  if (absl::Status closed = (*index)->Close(); !closed.ok()) {
    return WithContext(closed, "reindex");
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  summary.seconds = elapsed.count();
  return WriteJsonLine(out, ToJson(summary));
}

}  // namespace sealtrail::cli

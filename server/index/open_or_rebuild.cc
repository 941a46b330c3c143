#include "server/index/open_or_rebuild.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "server/index/index_dir.h"
#include "server/index/rocks_status.h"

namespace sealtrail {
namespace {

bool CallsForRebuild(const absl::Status& status) {
  return status.code() == absl::StatusCode::kDataLoss ||
         status.code() == absl::StatusCode::kFailedPrecondition;
}

// Why the open index cannot be trusted with `log`, or "" if it can.
absl::StatusOr<std::string> Distrust(const AuditIndex& index, const Log& log,
                                     const IndexDecoder& decoder) {
  const uint64_t covered = index.covered();
  const uint64_t size = log.Size();
  if (covered > size) {
    return absl::StrCat("index covers ", covered, " records but the log has only ", size);
  }
  if (covered == 0) return std::string();
  ASSIGN_OR_RETURN(const std::string bytes, log.Read(covered - 1));
  ASSIGN_OR_RETURN(const IndexFields fields, decoder(bytes));
  ASSIGN_OR_RETURN(const bool present, index.HasEntry(covered - 1, fields));
  if (!present) {
    return absl::StrCat("index entry for record ", covered - 1, " does not match the log");
  }
  return std::string();
}

absl::StatusOr<OpenedIndex> RebuildFor(std::string reason, const std::string& dir, const Log& log,
                                       const IndexDecoder& decoder, const IndexOptions& options) {
  OpenedIndex opened;
  ASSIGN_OR_RETURN(opened.index, AuditIndex::Rebuild(dir, log, decoder, options));
  opened.report.action = IndexOpenReport::Action::kRebuilt;
  opened.report.reason = std::move(reason);
  opened.report.records_indexed = opened.index->covered();
  return opened;
}

}  // namespace

std::string IndexOpenReport::ToString() const {
  switch (action) {
    case Action::kOpened:
      return "index opened: up to date";
    case Action::kCaughtUp:
      return absl::StrCat("index caught up: indexed ", records_indexed, " records");
    case Action::kRebuilt:
      return absl::StrCat("index rebuilt (", reason, "): indexed ", records_indexed, " records");
  }
  return "index: unknown action";
}

absl::StatusOr<OpenedIndex> OpenOrRebuild(const std::string& dir, const Log& log,
                                          const IndexDecoder& decoder,
                                          const IndexOptions& options) {
  ASSIGN_OR_RETURN(const index_internal::IndexDirState state, index_internal::InspectIndexDir(dir));
  if (state == index_internal::IndexDirState::kMissingOrEmpty) {
    return RebuildFor("no index in " + dir, dir, log, decoder, options);
  }
  absl::StatusOr<std::unique_ptr<AuditIndex>> index = AuditIndex::Open(dir, options);
  if (!index.ok()) {
    if (!CallsForRebuild(index.status())) return index.status();
    return RebuildFor(std::string(index.status().message()), dir, log, decoder, options);
  }
  ASSIGN_OR_RETURN(std::string distrust, Distrust(**index, log, decoder));
  if (!distrust.empty()) {
    RETURN_IF_ERROR((*index)->Close());
    index->reset();
    return RebuildFor(std::move(distrust), dir, log, decoder, options);
  }
  OpenedIndex opened;
  opened.index = *std::move(index);
  const uint64_t before = opened.index->covered();
  RETURN_IF_ERROR(opened.index->CatchUp(log, decoder));
  opened.report.records_indexed = opened.index->covered() - before;
  opened.report.action = opened.report.records_indexed == 0 ? IndexOpenReport::Action::kOpened
                                                            : IndexOpenReport::Action::kCaughtUp;
  return opened;
}

}  // namespace sealtrail

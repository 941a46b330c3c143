#include "cli/local_commands.h"

#include <algorithm>
#include <chrono>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/exit_codes.h"
#include "sealtrail/hash.h"
#include "sealtrail/verify.h"

namespace sealtrail::cli {
absl::StatusOr<std::unique_ptr<Log>> OpenDataDir(const std::string& dir, OpenMode mode) {
  LogOptions options;
  options.leaves_per_segment_log2 = 0;  // The directory's own value.
  options.sync = SyncPolicy::kDurable;
  options.create_if_missing = mode == OpenMode::kCreateForAppend;
  options.read_only = mode == OpenMode::kReadOnly;
  return Log::Open(options, dir);
}

absl::StatusOr<std::vector<std::string>> ReadRecordLines(std::istream& in,
                                                         uint32_t max_record_bytes) {
  std::vector<std::string> records;
  std::string line;
  while (std::getline(in, line, '\n')) {
    const size_t line_number = records.size() + 1;
    if (line.empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "line ", line_number, " of the input is empty; every record needs at least one byte"));
    }
    if (line.size() > max_record_bytes) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line_number, " of the input is ",
                                                     line.size(), " bytes; the limit is ",
                                                     max_record_bytes));
    }
    records.push_back(std::move(line));
    line.clear();
  }
  if (in.bad()) return absl::UnknownError("reading the input failed");
  return records;
}

absl::StatusOr<AppendSummary> AppendRecords(Log& log, absl::Span<const std::string> records) {
  AppendSummary summary;
  summary.first_index = log.Size();
  std::vector<std::string_view> batch;
  while (summary.count < records.size()) {
    const size_t n = std::min(kAppendBatchRecords, records.size() - summary.count);
    batch.assign(records.begin() + summary.count, records.begin() + summary.count + n);
    absl::StatusOr<uint64_t> first = log.Append(batch);
    if (!first.ok()) {
      if (summary.count == 0) return first.status();
      return WithContext(
          first.status(),
          absl::StrCat("appended ", summary.count, " of ", records.size(), " records (indexes ",
                       summary.first_index, "..", summary.first_index + summary.count - 1,
                       ") before a batch failed"));
    }
    if (summary.count == 0) {
      summary.first_index = *first;
    } else if (*first != summary.first_index + summary.count) {
      // Cannot happen while this process holds the directory's lock.
      return absl::InternalError(absl::StrCat("the log gave a batch index ", *first, ", expected ",
                                              summary.first_index + summary.count));
    }
    summary.count += n;
  }
  summary.tree_size = log.Size();
  return summary;
}

absl::StatusOr<InclusionEvidence> BuildInclusionEvidence(const Log& log, uint64_t leaf_index,
                                                         uint64_t tree_size) {
  absl::StatusOr<InclusionProof> proof = log.ProveInclusion(leaf_index, tree_size);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<Hash> leaf_hash = log.LeafHash(leaf_index);
  if (!leaf_hash.ok()) return leaf_hash.status();
  absl::StatusOr<Hash> root = log.Root(tree_size);
  if (!root.ok()) return root.status();
  InclusionEvidence evidence{*leaf_hash, *root, *std::move(proof)};
  if (absl::Status check = CheckEvidence(evidence); !check.ok()) {
    return absl::DataLossError(
        absl::StrCat("the log's inclusion proof for leaf ", leaf_index, " in the tree of size ",
                     tree_size, " does not verify against its own root: ", check.message()));
  }
  return evidence;
}

absl::StatusOr<ConsistencyEvidence> BuildConsistencyEvidence(const Log& log, uint64_t old_size,
                                                             uint64_t new_size) {
  absl::StatusOr<ConsistencyProof> proof = log.ProveConsistency(old_size, new_size);
  if (!proof.ok()) return proof.status();
  absl::StatusOr<Hash> old_root = log.Root(old_size);
  if (!old_root.ok()) return old_root.status();
  absl::StatusOr<Hash> new_root = log.Root(new_size);
  if (!new_root.ok()) return new_root.status();
  ConsistencyEvidence evidence{*old_root, *new_root, *std::move(proof)};
  if (absl::Status check = CheckEvidence(evidence); !check.ok()) {
    return absl::DataLossError(
        absl::StrCat("the log's consistency proof from size ", old_size, " to ", new_size,
                     " does not verify against its own roots: ", check.message()));
  }
  return evidence;
}

absl::StatusOr<RecordEntry> ReadRecordEntry(const Log& log, uint64_t index) {
  absl::StatusOr<std::string> data = log.Read(index);
  if (!data.ok()) return data.status();
  absl::StatusOr<Hash> leaf_hash = log.LeafHash(index);
  if (!leaf_hash.ok()) return leaf_hash.status();
  if (HashLeaf(*data) != *leaf_hash) {
    return absl::DataLossError(absl::StrCat("record ", index, " in ", log.dir(),
                                            " does not hash to its stored leaf hash"));
  }
  return RecordEntry{index, *leaf_hash, *std::move(data)};
}

absl::Status RunAppend(const std::string& dir, std::istream& in, std::ostream& out) {
  absl::StatusOr<std::vector<std::string>> records =
      ReadRecordLines(in, LogOptions{}.max_record_bytes);
  if (!records.ok()) return WithContext(records.status(), "nothing appended");
  absl::StatusOr<std::unique_ptr<Log>> log = OpenDataDir(dir, OpenMode::kCreateForAppend);
  if (!log.ok()) return log.status();
  absl::StatusOr<AppendSummary> summary = AppendRecords(**log, *records);
  if (!summary.ok()) return summary.status();
  return WriteJsonLine(out, ToJson(*summary));
}

absl::Status RunRoot(const std::string& dir, std::optional<uint64_t> size, std::ostream& out) {
  absl::StatusOr<std::unique_ptr<Log>> log = OpenDataDir(dir, OpenMode::kReadOnly);
  if (!log.ok()) return log.status();
  if (!size.has_value()) {
    absl::StatusOr<TreeHead> head = (*log)->Head();
    if (!head.ok()) return head.status();
    return WriteJsonLine(out, ToJson(*head));
  }
  absl::StatusOr<Hash> root = (*log)->Root(*size);
  if (!root.ok()) return root.status();
  return WriteJsonLine(out, ToJson(TreeHead{*size, *root}));
}

absl::Status RunProveInclusion(const std::string& dir, uint64_t leaf_index,
                               std::optional<uint64_t> tree_size, std::ostream& out) {
  absl::StatusOr<std::unique_ptr<Log>> log = OpenDataDir(dir, OpenMode::kReadOnly);
  if (!log.ok()) return log.status();
  absl::StatusOr<InclusionEvidence> evidence =
      BuildInclusionEvidence(**log, leaf_index, tree_size.value_or((*log)->Size()));
  if (!evidence.ok()) return evidence.status();
  return WriteJsonLine(out, ToJson(*evidence));
}

absl::Status RunProveConsistency(const std::string& dir, uint64_t old_size,
                                 std::optional<uint64_t> new_size, std::ostream& out) {
  absl::StatusOr<std::unique_ptr<Log>> log = OpenDataDir(dir, OpenMode::kReadOnly);
  if (!log.ok()) return log.status();
  absl::StatusOr<ConsistencyEvidence> evidence =
      BuildConsistencyEvidence(**log, old_size, new_size.value_or((*log)->Size()));
  if (!evidence.ok()) return evidence.status();
  return WriteJsonLine(out, ToJson(*evidence));
}

absl::Status RunGet(const std::string& dir, uint64_t index, std::ostream& out) {
  absl::StatusOr<std::unique_ptr<Log>> log = OpenDataDir(dir, OpenMode::kReadOnly);
  if (!log.ok()) return log.status();
  absl::StatusOr<RecordEntry> entry = ReadRecordEntry(**log, index);
  if (!entry.ok()) return entry.status();
  return WriteJsonLine(out, ToJson(*entry));
}

absl::Status RunVerify(const std::string& dir, std::ostream& out) {
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<VerifyReport> report = VerifyDataDir(dir);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!report.ok()) {
    // The verification failure is what the caller must see; a failed write of the JSON line
    // would only hide it.
    WriteJsonLine(out, VerifyFailedJson(report.status())).IgnoreError();
    return report.status();
  }
  return WriteJsonLine(out, VerifyOkJson(*report, elapsed.count()));
}

}  // namespace sealtrail::cli

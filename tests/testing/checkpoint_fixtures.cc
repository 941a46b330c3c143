#include "testing/checkpoint_fixtures.h"

#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "testing/note_vectors.h"

namespace sealtrail::testing {

std::string TestRecord(uint64_t i, std::optional<uint64_t> fork_at) {
  return absl::StrCat(fork_at.has_value() && i >= *fork_at ? "forked record " : "record ", i);
}

absl::Status AppendTestRecords(Log& log, uint64_t first, uint64_t count,
                               std::optional<uint64_t> fork_at) {
  std::vector<std::string> records;
  for (uint64_t i = first; i < first + count; ++i) records.push_back(TestRecord(i, fork_at));
  if (records.empty()) return absl::OkStatus();
  std::vector<std::string_view> views(records.begin(), records.end());
  absl::StatusOr<uint64_t> index = log.Append(views);
  if (!index.ok()) return index.status();
  if (*index != first) {
    return absl::InternalError(absl::StrCat("appended at ", *index, ", expected ", first));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Log>> OpenTestLog(const std::string& dir, uint64_t n, uint32_t log2,
                                                 std::optional<uint64_t> fork_at) {
  LogOptions options;
  options.sync = SyncPolicy::kNone;
  options.leaves_per_segment_log2 = log2;
  absl::StatusOr<std::unique_ptr<Log>> log = Log::Open(options, dir);
  if (!log.ok()) return log.status();
  const uint64_t have = (*log)->Size();
  if (have < n) {
    absl::Status appended = AppendTestRecords(**log, have, n - have, fork_at);
    if (!appended.ok()) return appended;
  }
  return log;
}

absl::StatusOr<std::string> SignTestCheckpoint(const NoteSigner& signer, const std::string& origin,
                                               uint64_t size, const Hash& root,
                                               std::optional<int64_t> timestamp_ms) {
  Checkpoint checkpoint;
  checkpoint.origin = origin;
  checkpoint.size = size;
  checkpoint.root = root;
  checkpoint.timestamp_ms = timestamp_ms;
  return signer.Sign(FormatCheckpointBody(checkpoint));
}

NoteSigner GoTestSigner() {
  absl::StatusOr<NoteSigner> signer = NoteSigner::FromPrivateKeyText(kGoPrivateKey);
  if (!signer.ok()) {
    std::fprintf(stderr, "the Go test key does not load: %s\n", signer.status().ToString().c_str());
    std::abort();
  }
  return *std::move(signer);
}

}  // namespace sealtrail::testing

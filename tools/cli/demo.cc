#include "cli/demo.h"

#include <chrono>
#include <memory>
#include <random>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/local_commands.h"
#include "cli/output.h"
#include "sealtrail/hash.h"
#include "sealtrail/log.h"
#include "sealtrail/verify.h"

namespace sealtrail::cli {
namespace {

struct ActionKind {
  const char* action;
  const char* route;
  const char* target_prefix;
  const char* role;  // The role allowed to do it.
};

constexpr ActionKind kActions[] = {
    {"agent.login", "POST /v2/auth/login", "session", "agent"},
    {"call.answer", "POST /v2/calls/answer", "call", "agent"},
    {"recording.access", "GET /v2/recordings", "recording", "agent"},
    {"call.barge", "POST /v2/calls/barge", "call", "supervisor"},
    {"call.whisper", "POST /v2/calls/whisper", "call", "supervisor"},
    {"transcript.override", "PUT /v2/transcripts", "transcript", "supervisor"},
    {"routing.policy.update", "PATCH /v2/routing/policies", "policy", "admin"},
    {"qa.rubric.update", "PATCH /v2/qa/rubrics", "rubric", "admin"},
    {"data.export", "POST /v2/exports", "export", "admin"},
};
constexpr size_t kBargeAction = 3;
constexpr std::string_view kProvenAction = "call.barge";

Json Step(std::string_view step, const Json& fields) {
  Json line{{"step", step}};
  line.update(fields);
  return line;
}

}  // namespace

std::vector<std::string> MakeDemoEvents(const DemoOptions& options) {
  std::mt19937_64 rng(options.seed);
  auto pick = [&rng](uint64_t n) { return rng() % n; };
  std::vector<std::string> events;
  events.reserve(options.events);
  int64_t ts_ns = options.start_unix_nanos;
  for (int i = 0; i < options.events; ++i) {
    const ActionKind& kind =
        i == options.events / 2 ? kActions[kBargeAction] : kActions[pick(std::size(kActions))];
    const std::string allowed_role = kind.role;
    // Now and then an agent tries a privileged action and is refused; that is evidence too.
    const bool denied = allowed_role != "agent" && pick(12) == 0;
    const std::string role = denied ? "agent" : allowed_role;
    const uint64_t people = role == "agent" ? 40 : role == "supervisor" ? 6 : 2;
    const uint64_t tenant = 1 + pick(3);
    ts_ns += 50'000'000 + static_cast<int64_t>(pick(2'000'000'000));
    Json event{
        {"ts_ns", ts_ns},
        {"tenant_id", absl::StrCat("tenant-", tenant)},
        {"actor", absl::StrCat(role, "-", 1 + pick(people))},
        {"role", role},
        {"action", kind.action},
        {"route", kind.route},
        {"target", absl::StrFormat("%s-%06d", kind.target_prefix, pick(1'000'000))},
        {"source_ip", absl::StrCat("10.", 10 * tenant, ".", pick(16), ".", 1 + pick(254))},
        {"outcome", denied ? "denied" : "success"},
    };
    if (std::string_view(kind.action) == "data.export" && !denied) {
      event["rows"] = 1 + pick(250'000);
    }
    events.push_back(event.dump());
  }
  return events;
}

absl::Status RunDemo(const std::string& dir, const DemoOptions& options, std::ostream& out) {
  if (options.events <= 0) return absl::InvalidArgumentError("the demo needs at least one event");
  const std::vector<std::string> events = MakeDemoEvents(options);

  absl::StatusOr<std::unique_ptr<Log>> opened = OpenDataDir(dir, OpenMode::kCreateForAppend);
  if (!opened.ok()) return opened.status();
  std::unique_ptr<Log> log = *std::move(opened);
  const uint64_t size_before = log->Size();

  absl::StatusOr<AppendSummary> appended = AppendRecords(*log, events);
  if (!appended.ok()) return appended.status();
  if (absl::Status s = WriteJsonLine(out, Step("append", ToJson(*appended))); !s.ok()) return s;

  absl::StatusOr<TreeHead> current = log->Head();
  if (!current.ok()) return current.status();
  const TreeHead head = *current;
  if (absl::Status s = WriteJsonLine(out, Step("root", ToJson(head))); !s.ok()) return s;

  // Inclusion of the first barge-in of this run, in the tree the root above belongs to.
  size_t proven = 0;
  while (Json::parse(events[proven])["action"] != kProvenAction) ++proven;
  const std::string& record = events[proven];
  absl::StatusOr<InclusionEvidence> inclusion =
      BuildInclusionEvidence(*log, appended->first_index + proven, head.size);
  if (!inclusion.ok()) return inclusion.status();
  Json inclusion_line = Step("prove_inclusion", ToJson(*inclusion));
  inclusion_line["record"] = Json::parse(record);
  if (absl::Status s = WriteJsonLine(out, inclusion_line); !s.ok()) return s;

  // What a client does with that line: hash the record it holds, check it against the printed
  // proof with merkle_proof.h alone.
  absl::StatusOr<InclusionEvidence> received = InclusionEvidenceFromJson(inclusion_line);
  if (!received.ok()) return received.status();
  absl::Status included = HashLeaf(record) == received->leaf_hash
                              ? CheckEvidence(*received)
                              : absl::DataLossError("the record does not hash to leaf_hash");
  if (!included.ok()) return WithContext(included, "verify_inclusion");
  if (absl::Status s = WriteJsonLine(out, Json{{"step", "verify_inclusion"},
                                               {"ok", true},
                                               {"leaf_index", received->proof.leaf_index},
                                               {"tree_size", received->proof.tree_size}});
      !s.ok()) {
    return s;
  }

  // The same event with its outcome flipped no longer fits the proof.
  Json altered = Json::parse(record);
  altered["outcome"] = altered["outcome"] == "success" ? "denied" : "success";
  InclusionEvidence tampered = *received;
  tampered.leaf_hash = HashLeaf(altered.dump());
  const absl::Status tamper_status = CheckEvidence(tampered);
  if (absl::Status s = WriteJsonLine(out, Json{{"step", "tamper_check"},
                                               {"altered_field", "outcome"},
                                               {"detected", !tamper_status.ok()},
                                               {"error", std::string(tamper_status.message())}});
      !s.ok()) {
    return s;
  }
  if (tamper_status.ok()) {
    return absl::InternalError("a tampered record verified against the proof of the original");
  }

  // Consistency: the tree before this run (or half-way through it) is a prefix of the new one.
  const uint64_t old_size =
      size_before > 0 ? size_before : appended->first_index + appended->count / 2;
  absl::StatusOr<ConsistencyEvidence> consistency =
      BuildConsistencyEvidence(*log, old_size, head.size);
  if (!consistency.ok()) return consistency.status();
  const Json consistency_line = Step("prove_consistency", ToJson(*consistency));
  if (absl::Status s = WriteJsonLine(out, consistency_line); !s.ok()) return s;
  absl::StatusOr<ConsistencyEvidence> received_consistency =
      ConsistencyEvidenceFromJson(consistency_line);
  if (!received_consistency.ok()) return received_consistency.status();
  if (absl::Status s = CheckEvidence(*received_consistency); !s.ok()) {
    return WithContext(s, "verify_consistency");
  }
  if (absl::Status s = WriteJsonLine(out, Json{{"step", "verify_consistency"},
                                               {"ok", true},
                                               {"old_size", old_size},
                                               {"new_size", head.size}});
      !s.ok()) {
    return s;
  }

  // Offline check of every file, after closing the log; it must recompute the same root.
  log.reset();
  const auto start = std::chrono::steady_clock::now();
  absl::StatusOr<VerifyReport> report = VerifyDataDir(dir);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  if (!report.ok()) {
    WriteJsonLine(out, Step("verify_data_dir", VerifyFailedJson(report.status()))).IgnoreError();
    return report.status();
  }
  const bool root_matches = report->records == head.size && report->root == head.root;
  Json verify_line = Step("verify_data_dir", VerifyOkJson(*report, elapsed.count()));
  verify_line["root_matches"] = root_matches;
  if (absl::Status s = WriteJsonLine(out, verify_line); !s.ok()) return s;
  if (!root_matches) {
    return absl::DataLossError(absl::StrCat("VerifyDataDir recomputed ", report->records,
                                            " records with root ", HashToBase64(report->root),
                                            " but the log's head was ", head.size, " with root ",
                                            HashToBase64(head.root)));
  }
  return absl::OkStatus();
}

}  // namespace sealtrail::cli

#include "cli/server_commands.h"

#include <algorithm>
#include <memory>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/query_output.h"
#include "cli/server_evidence.h"
#include "cli/time_flags.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/note.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"

namespace sealtrail::cli {
namespace {

// Most records one `--follow` poll prints; the next poll continues after them.
constexpr uint64_t kFollowPollRecords = 100000;

// The time `--follow` stops, or none for "until interrupted".
absl::StatusOr<std::optional<absl::Time>> FollowDeadline(const QueryArgs& args) {
  if (args.follow_for.empty()) return std::optional<absl::Time>();
  ASSIGN_OR_RETURN(const absl::Duration duration,
                   ParseDurationFlag(args.follow_for, "--follow-for"));
  return std::optional<absl::Time>(absl::Now() + duration);
}

// `--follow` after the first rows: polls for matches after the last seq printed.
absl::Status Follow(QueryFetcher& fetcher, v1::QueryRequest request,
                    std::optional<absl::Time> deadline, absl::Duration poll_interval,
                    std::optional<uint64_t> last_seq, int64_t last_commit_ns,
                    QueryPrinter& printer) {
  request.set_order(v1::QueryRequest::OLDEST_FIRST);
  request.clear_page_token();
  // Unbounded without a deadline by design: `tail -f` runs until interrupted.
  while (!deadline.has_value() || absl::Now() < *deadline) {
    absl::SleepFor(deadline.has_value() ? std::min(poll_interval, *deadline - absl::Now())
                                        : poll_interval);
    // Commit times never decrease along seqs, so every record after last_seq has a commit time
    // of at least last_commit_ns; the fetcher skips the ones already printed.
    request.set_from_ns(std::max(request.from_ns(), last_commit_ns));
    std::vector<QueryRow> rows;
    RETURN_IF_ERROR(fetcher.Fetch(request, kFollowPollRecords, last_seq, rows));
    if (rows.empty()) continue;
    last_seq = rows.back().seq;
    last_commit_ns = rows.back().record.context().commit_time_ns();
    RETURN_IF_ERROR(printer.Print(rows));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RunQuery(ServerClient& client, const QueryArgs& args, std::ostream& out) {
  ASSIGN_OR_RETURN(v1::QueryRequest request, QueryRequestFromArgs(args));
  ASSIGN_OR_RETURN(QueryFormat format, ParseQueryFormat(args.format));
  ASSIGN_OR_RETURN(std::optional<absl::Time> deadline, FollowDeadline(args));
  QueryFetcher fetcher(client, args.with_proofs);
  std::vector<QueryRow> rows;
  RETURN_IF_ERROR(fetcher.Fetch(request, args.limit, std::nullopt, rows));
  // Like `tail -f`, a follow shows the newest matches oldest first, then what comes after.
  if (args.follow && !args.oldest_first) std::reverse(rows.begin(), rows.end());
  QueryPrinter printer(format, out,
                       args.alert_columns ? QueryColumns::kAlerts : QueryColumns::kRecords);
  RETURN_IF_ERROR(printer.Print(rows));
  if (!args.follow) return absl::OkStatus();
  std::optional<uint64_t> last_seq;
  int64_t last_commit_ns = 0;
  if (!rows.empty()) {
    last_seq = rows.back().seq;
    last_commit_ns = rows.back().record.context().commit_time_ns();
  }
  return Follow(fetcher, request, deadline, args.poll_interval, last_seq, last_commit_ns, printer);
}

namespace {

absl::Status NotZero(std::optional<uint64_t> size, absl::string_view flag) {
  if (size.has_value() && *size == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat(flag, " must be at least 1 (leave it out for the latest checkpoint)"));
  }
  return absl::OkStatus();
}

// DATA_LOSS unless the server answered for what was asked. `asked` 0 means "any".
absl::Status CheckAnswered(absl::string_view what, uint64_t asked, uint64_t got) {
  if (asked == 0 || asked == got) return absl::OkStatus();
  return absl::DataLossError(
      absl::StrCat("asked the server for a proof with ", what, " ", asked, ", got ", got));
}

// With a vkey: fetches the checkpoint of `tree_size`, verifies its signature and origin, and
// requires its root to be `root` (the root the proof leads to). Without one: OK.
absl::Status CheckSignedRoot(Env* env, ServerClient& client, const CheckpointCheck& check,
                             uint64_t tree_size, const Hash& root) {
  if (check.vkey.empty()) return absl::OkStatus();
  ASSIGN_OR_RETURN(NoteVerifierKey key, LoadVerifierKey(env, check.vkey));
  ASSIGN_OR_RETURN(v1::Checkpoint checkpoint, client.GetCheckpoint(tree_size));
  ASSIGN_OR_RETURN(Checkpoint verified, CheckedCheckpoint(checkpoint, key, check.origin));
  if (verified.size != tree_size) {
    return absl::DataLossError(absl::StrCat("asked the server for the checkpoint of tree size ",
                                            tree_size, ", got one of size ", verified.size));
  }
  if (verified.root != root) {
    return absl::DataLossError(absl::StrCat("the proof's root ", HashToBase64(root),
                                            " is not the root ", HashToBase64(verified.root),
                                            " of the signed checkpoint of tree size ", tree_size));
  }
  return absl::OkStatus();
}

absl::StatusOr<Hash> ParseLeafHash(const std::string& text) {
  if (text.size() == 2 * kHashSize) {
    ASSIGN_OR_RETURN(std::string bytes, ParseHexId(text, kHashSize, "--leaf-hash"));
    Hash hash{};
    std::copy(bytes.begin(), bytes.end(), hash.begin());
    return hash;
  }
  absl::StatusOr<Hash> hash = HashFromBase64(text);
  if (!hash.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--leaf-hash must be the base64 or 64 hex digits of a 32-byte hash: ",
                     hash.status().message()));
  }
  return hash;
}

}  // namespace

absl::Status RunServerProveInclusion(Env* env, ServerClient& client, const InclusionTarget& target,
                                     const CheckpointCheck& check, std::ostream& out,
                                     ProofFormat format) {
  RETURN_IF_ERROR(NotZero(target.tree_size, "--size"));
  v1::ProveInclusionRequest request;
  std::optional<Hash> wanted_leaf;
  if (target.seq.has_value()) {
    request.set_seq(*target.seq);
  } else {
    ASSIGN_OR_RETURN(wanted_leaf, ParseLeafHash(target.leaf_hash));
    request.set_leaf_hash(std::string(AsStringView(*wanted_leaf)));
  }
  request.set_tree_size(target.tree_size.value_or(0));

  ASSIGN_OR_RETURN(v1::ProveInclusionResponse response, client.ProveInclusion(request));
  ASSIGN_OR_RETURN(InclusionEvidence evidence, CheckedInclusionEvidence(response.proof()));
  RETURN_IF_ERROR(CheckLeafData(evidence.proof.leaf_index, response.data(), evidence.leaf_hash));
  if (target.seq.has_value()) {
    RETURN_IF_ERROR(CheckAnswered("seq", *target.seq, evidence.proof.leaf_index));
  } else if (evidence.leaf_hash != *wanted_leaf) {
    return absl::DataLossError(absl::StrCat("asked the server for a proof of leaf hash ",
                                            HashToBase64(*wanted_leaf), ", got one of ",
                                            HashToBase64(evidence.leaf_hash)));
  }
  RETURN_IF_ERROR(CheckAnswered("tree size", request.tree_size(), evidence.proof.tree_size));
  RETURN_IF_ERROR(CheckSignedRoot(env, client, check, evidence.proof.tree_size, evidence.root));
  if (format == ProofFormat::kJson) return WriteJsonLine(out, ToJson(evidence));

  ASSIGN_OR_RETURN(v1::Checkpoint checkpoint, client.GetCheckpoint(evidence.proof.tree_size));
  ASSIGN_OR_RETURN(std::string tlog_proof,
                   TlogProofInCheckpoint(evidence, checkpoint.signed_note()));
  return WriteText(out, tlog_proof);
}

absl::Status RunServerProveConsistency(Env* env, ServerClient& client, uint64_t old_size,
                                       std::optional<uint64_t> new_size,
                                       const CheckpointCheck& check, std::ostream& out) {
  RETURN_IF_ERROR(NotZero(old_size, "--old"));
  RETURN_IF_ERROR(NotZero(new_size, "--new"));
  v1::ProveConsistencyRequest request;
  request.set_old_size(old_size);
  request.set_new_size(new_size.value_or(0));

  ASSIGN_OR_RETURN(v1::ProveConsistencyResponse response, client.ProveConsistency(request));
  ASSIGN_OR_RETURN(ConsistencyEvidence evidence, CheckedConsistencyEvidence(response.proof()));
  RETURN_IF_ERROR(CheckAnswered("old size", old_size, evidence.proof.old_size));
  RETURN_IF_ERROR(CheckAnswered("new size", request.new_size(), evidence.proof.new_size));
  RETURN_IF_ERROR(CheckSignedRoot(env, client, check, evidence.proof.new_size, evidence.new_root));
  return WriteJsonLine(out, ToJson(evidence));
}

absl::Status RunServerCheckpoint(ServerClient& client, std::optional<uint64_t> tree_size,
                                 std::ostream& out) {
  RETURN_IF_ERROR(NotZero(tree_size, "--size"));
  ASSIGN_OR_RETURN(v1::Checkpoint checkpoint, client.GetCheckpoint(tree_size.value_or(0)));
  return WriteText(out, checkpoint.signed_note());
}

}  // namespace sealtrail::cli

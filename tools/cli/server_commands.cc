#include "cli/server_commands.h"

#include <algorithm>
#include <memory>
#include <string_view>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/keys.h"
#include "cli/output.h"
#include "cli/query_output.h"
#include "cli/server_evidence.h"
#include "nlohmann/json.hpp"
#include "sealtrail/checkpoint.h"
#include "sealtrail/note.h"
#include "sealtrail/status_macros.h"
#include "server/record/json_text.h"
#include "server/record/record.h"

namespace sealtrail::cli {
namespace {

absl::StatusOr<AppendedRecord> CheckedAppendResult(const v1::AppendResult& result) {
  ASSIGN_OR_RETURN(Hash leaf_hash, HashFromServer(result.leaf_hash(),
                                                  absl::StrCat("leaf hash of seq ", result.seq())));
  return AppendedRecord{result.seq(), leaf_hash, result.tree_size()};
}

// Prints the results of one AppendResponse, which must hold one per record sent.
absl::Status PrintAppendResponse(const v1::AppendResponse& response, size_t records_sent,
                                 std::ostream& out) {
  if (static_cast<size_t>(response.results_size()) != records_sent) {
    return absl::InternalError(absl::StrCat("the server answered ", response.results_size(),
                                            " results for a request of ", records_sent,
                                            " records"));
  }
  for (const v1::AppendResult& result : response.results()) {
    ASSIGN_OR_RETURN(AppendedRecord appended, CheckedAppendResult(result));
    RETURN_IF_ERROR(WriteJsonLine(out, ToJson(appended)));
  }
  return absl::OkStatus();
}

// One AppendStream call. The main thread writes requests while a reader thread prints the
// replies as they come, so that neither side's flow control can stall the other; at most
// kAppendWindowRequests requests are unanswered at any time. A watchdog thread cancels the call
// when a request has gone unanswered for the connection's call_timeout: the timeout is on
// progress, not on the whole stream, which may be as long as the input.
class AppendStreamer {
 public:
  AppendStreamer(ServerClient& client, const AppendInput& input, std::ostream& out)
      : client_(client),
        records_(input.records),
        actor_tokens_(input.actor_tokens),
        out_(out),
        requests_((input.records.size() + kAppendRequestRecords - 1) / kAppendRequestRecords) {}

  absl::Status Run() {
    stream_ = client_.audit_log().AppendStream(&context_);
    std::thread reader([this] { ReadReplies(); });
    std::thread watchdog([this] { Watch(); });
    for (size_t i = 0; i < requests_; ++i) {
      {
        absl::MutexLock lock(&mu_);
        const auto window_open = [this, i]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
          return i < replies_ + kAppendWindowRequests || reader_done_;
        };
        mu_.Await(absl::Condition(&window_open));
        if (reader_done_) break;
        written_ = i + 1;  // Unanswered from here on, for the watchdog.
      }
      // A failed write means the stream is broken (or cancelled); Finish says why.
      if (!stream_->Write(Request(i))) break;
    }
    stream_->WritesDone();
    reader.join();
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    watchdog.join();
    const grpc::Status finished = stream_->Finish();

    absl::MutexLock lock(&mu_);
    absl::Status status = absl::OkStatus();
    if (timed_out_) {
      status = absl::DeadlineExceededError(
          absl::StrCat("the server at ", client_.connection().address, " sent no reply for ",
                       absl::FormatDuration(client_.connection().call_timeout)));
    }
    if (status.ok()) status = reader_error_;
    if (status.ok()) status = FromGrpcStatus(finished, client_.connection());
    if (status.ok() && replies_ != requests_) {
      status = absl::InternalError(absl::StrCat("the server ended the append stream after ",
                                                replies_, " of ", requests_, " replies"));
    }
    if (status.ok() || appended_ == 0) return status;
    return WithContext(status, absl::StrCat("appended ", appended_, " of ", records_.size(),
                                            " records (each printed) before the stream failed"));
  }

 private:
  v1::AppendRequest Request(size_t i) const {
    v1::AppendRequest request;
    for (const v1::AuditRecord& record : RequestRecords(i)) *request.add_records() = record;
    if (!actor_tokens_.empty()) {
      for (const std::string& token :
           actor_tokens_.subspan(i * kAppendRequestRecords, kAppendRequestRecords)) {
        request.add_actor_tokens(token);
      }
    }
    return request;
  }

  absl::Span<const v1::AuditRecord> RequestRecords(size_t i) const {
    return records_.subspan(i * kAppendRequestRecords, kAppendRequestRecords);
  }

  // Reads until the stream ends (after a cancel, promptly), printing what each reply confirms.
  void ReadReplies() {
    v1::AppendResponse response;
    absl::Status status = absl::OkStatus();
    size_t replies = 0;
    while (stream_->Read(&response)) {
      if (!status.ok()) continue;  // Cancelled; draining.
      if (replies == requests_) {
        status = absl::InternalError("the server sent more replies than there were requests");
      } else {
        const size_t sent = RequestRecords(replies).size();
        status = PrintAppendResponse(response, sent, out_);
        absl::MutexLock lock(&mu_);
        if (status.ok()) {
          replies_ = ++replies;
          appended_ += sent;
        }
      }
      if (!status.ok()) context_.TryCancel();
    }
    absl::MutexLock lock(&mu_);
    reader_error_ = status;
    reader_done_ = true;
  }

  // Cancels the call when a written request has had no reply for call_timeout.
  void Watch() {
    absl::MutexLock lock(&mu_);
    while (!finished_) {  // Each round ends in a reply, a timeout, or the end of the call.
      const size_t seen = replies_;
      const auto progressed = [this, seen]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return finished_ || replies_ != seen;
      };
      if (!mu_.AwaitWithTimeout(absl::Condition(&progressed), client_.connection().call_timeout) &&
          written_ > replies_) {
        timed_out_ = true;
        context_.TryCancel();
        return;
      }
    }
  }

  ServerClient& client_;
  const absl::Span<const v1::AuditRecord> records_;
  const absl::Span<const std::string> actor_tokens_;  // Empty, or one per record.
  std::ostream& out_;                                 // Written by the reader thread only.
  const size_t requests_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AppendRequest, v1::AppendResponse>> stream_;

  absl::Mutex mu_;
  size_t written_ ABSL_GUARDED_BY(mu_) = 0;   // Requests given to the stream.
  size_t replies_ ABSL_GUARDED_BY(mu_) = 0;   // Replies received and printed.
  size_t appended_ ABSL_GUARDED_BY(mu_) = 0;  // Records in those replies.
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status reader_error_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // The reader is done; the watchdog may stop.
  bool timed_out_ ABSL_GUARDED_BY(mu_) = false;
};

absl::Status LineError(const absl::Status& status, size_t line) {
  return WithContext(status, absl::StrCat("nothing appended: line ", line, " of the input"));
}

// The record of one input line and its actor token ("" for none): a plain record, or the
// envelope {"record": ..., "actor_token": "..."}, which a record cannot be mistaken for (an
// AuditRecord has no field "record").
absl::StatusOr<std::pair<v1::AuditRecord, std::string>> ParseAppendLine(const std::string& line) {
  // ParseJsonText: bounded depth (dump() below recurses), no key twice, no input in errors.
  absl::StatusOr<nlohmann::json> parsed = ParseJsonText<nlohmann::json>(line);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& json = *parsed;
  if (!json.is_object() || !json.contains("record")) {
    ASSIGN_OR_RETURN(v1::AuditRecord record, RecordFromJson(line));
    return std::make_pair(std::move(record), std::string());
  }
  std::string actor_token;
  for (const auto& [key, value] : json.items()) {
    if (key == "actor_token") {
      if (!value.is_string()) {
        return absl::InvalidArgumentError("\"actor_token\" must be a string");
      }
      actor_token = value.get<std::string>();
    } else if (key != "record") {
      return absl::InvalidArgumentError(absl::StrCat(
          "a line with \"record\" may hold only \"record\" and \"actor_token\", not \"", key,
          "\""));
    }
  }
  ASSIGN_OR_RETURN(v1::AuditRecord record, RecordFromJson(json["record"].dump()));
  return std::make_pair(std::move(record), std::move(actor_token));
}

}  // namespace

absl::StatusOr<AppendInput> ReadJsonRecords(std::istream& in) {
  std::vector<v1::AuditRecord> records;
  std::vector<std::string> actor_tokens;
  std::string line;
  for (size_t line_number = 1; std::getline(in, line, '\n'); ++line_number) {
    if (line.empty()) {
      return LineError(absl::InvalidArgumentError("the line is empty"), line_number);
    }
    if (line.size() > kMaxJsonLineBytes) {
      return LineError(
          absl::InvalidArgumentError(absl::StrCat("the line is ", line.size(),
                                                  " bytes; the limit is ", kMaxJsonLineBytes)),
          line_number);
    }
    absl::StatusOr<std::pair<v1::AuditRecord, std::string>> parsed = ParseAppendLine(line);
    if (!parsed.ok()) return LineError(parsed.status(), line_number);
    if (absl::Status valid = ValidateRecord(parsed->first); !valid.ok()) {
      return LineError(valid, line_number);
    }
    auto& [record, actor_token] = *parsed;
    if (!actor_token.empty() && actor_tokens.empty()) {
      actor_tokens.resize(records.size());  // "" for the records before the first token.
    }
    records.push_back(std::move(record));
    if (!actor_token.empty() || !actor_tokens.empty()) {
      actor_tokens.push_back(std::move(actor_token));
    }
  }
  if (in.bad()) return absl::UnknownError("reading the input failed");
  return AppendInput{std::move(records), std::move(actor_tokens)};
}

absl::Status RunServerAppend(ServerClient& client, std::istream& in, std::ostream& out) {
  ASSIGN_OR_RETURN(AppendInput input, ReadJsonRecords(in));
  if (input.records.empty()) return absl::OkStatus();
  return AppendStreamer(client, input, out).Run();
}

absl::Status RunServerAppendRecord(ServerClient& client, const RecordFlags& flags,
                                   std::ostream& out, const std::string& actor_token) {
  v1::AppendRequest request;
  ASSIGN_OR_RETURN(*request.add_records(), RecordFromFlags(flags));
  RETURN_IF_ERROR(ValidateRecord(request.records(0)));
  if (!actor_token.empty()) request.add_actor_tokens(actor_token);
  ASSIGN_OR_RETURN(v1::AppendResponse response, client.Append(request));
  return PrintAppendResponse(response, 1, out);
}

namespace {

// Most records one `--follow` poll prints; the next poll continues after them.
constexpr uint64_t kFollowPollRecords = 100000;

// The time `--follow` stops, or none for "until interrupted".
absl::StatusOr<std::optional<absl::Time>> FollowDeadline(const QueryArgs& args) {
  if (args.follow_for.empty()) return std::optional<absl::Time>();
  absl::Duration duration;
  if (!absl::ParseDuration(args.follow_for, &duration) || duration < absl::ZeroDuration()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--follow-for must be a duration such as 30s, 1.5s or 2m, got '", args.follow_for, "'"));
  }
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
  QueryPrinter printer(format, out);
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
    Hash hash;
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

#include "cli/append_stream.h"

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <thread>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "cli/evidence.h"
#include "cli/exit_codes.h"
#include "cli/line_source.h"
#include "cli/output.h"
#include "cli/server_evidence.h"
#include "nlohmann/json.hpp"
#include "sealtrail/status_macros.h"
#include "server/record/json_text.h"
#include "server/record/record.h"

namespace sealtrail::cli {
namespace {

// How often a run waiting for input checks whether the stream has ended.
constexpr absl::Duration kIdleCheck = absl::Milliseconds(100);

absl::StatusOr<AppendedRecord> CheckedAppendResult(const v1::AppendResult& result) {
  ASSIGN_OR_RETURN(Hash leaf_hash, HashFromServer(result.leaf_hash(),
                                                  absl::StrCat("leaf hash of seq ", result.seq())));
  return AppendedRecord{result.seq(), leaf_hash, result.tree_size()};
}

// Prints the results of one AppendResponse, which must hold one per record sent, and flushes.
absl::Status PrintAppendResponse(const v1::AppendResponse& response, size_t records_sent,
                                 std::ostream& out) {
  if (static_cast<size_t>(response.results_size()) != records_sent) {
    return absl::InternalError(absl::StrCat("the server answered ", response.results_size(),
                                            " results for a request of ", records_sent,
                                            " records"));
  }
  std::string lines;
  for (const v1::AppendResult& result : response.results()) {
    ASSIGN_OR_RETURN(AppendedRecord appended, CheckedAppendResult(result));
    lines += JsonLineText(ToJson(appended));
  }
  return WriteText(out, lines);
}

absl::Status LineError(const absl::Status& status, size_t line) {
  return WithContext(status, absl::StrCat("line ", line, " of the input"));
}

absl::Status TooLong(size_t line) {
  return LineError(absl::InvalidArgumentError(absl::StrCat("the line is longer than the limit of ",
                                                           kMaxJsonLineBytes, " bytes")),
                   line);
}

// The records read and not yet sent: one request in the making.
class Batch {
 public:
  size_t records() const { return static_cast<size_t>(request_.records_size()); }
  size_t bytes() const { return bytes_; }
  absl::Time first_read() const { return first_read_; }
  bool Full() const { return records() >= kAppendRequestRecords || bytes_ >= kAppendRequestBytes; }
  // Whether `line` would take the batch over its byte limit (a batch always takes one line).
  bool Overflows(const AppendLine& line) const {
    return records() > 0 && bytes_ + Bytes(line) > kAppendRequestBytes;
  }

  void Add(AppendLine line) {
    if (records() == 0) first_read_ = absl::Now();
    bytes_ += Bytes(line);
    has_tokens_ = has_tokens_ || !line.actor_token.empty();
    *request_.add_records() = std::move(line.record);
    tokens_.push_back(std::move(line.actor_token));
  }

  // The request, with actor_tokens only if a record has one; leaves the batch empty.
  v1::AppendRequest Take() {
    v1::AppendRequest request = std::move(request_);
    if (has_tokens_) {
      for (std::string& token : tokens_) request.add_actor_tokens(std::move(token));
    }
    *this = Batch();
    return request;
  }

 private:
  static size_t Bytes(const AppendLine& line) {
    return line.record.ByteSizeLong() + line.actor_token.size();
  }

  v1::AppendRequest request_;
  std::vector<std::string> tokens_;
  bool has_tokens_ = false;
  size_t bytes_ = 0;
  absl::Time first_read_;
};

// One AppendStream call fed from a LineSource. The calling thread reads, parses and writes
// requests; a reply thread prints the replies as they come, so that neither side's flow control
// can stall the other; at most kAppendWindowRequests requests are unanswered at any time, and
// while that many are, no input is read. A watchdog thread cancels the call when a request has
// gone unanswered for the connection's call_timeout: the timeout is on progress, not on the
// whole stream, which lasts as long as the input. The stream is opened with the first request,
// so an input without lines sends nothing.
class AppendStreamer {
 public:
  AppendStreamer(ServerClient& client, std::ostream& out, absl::Duration flush_delay)
      : client_(client), out_(out), flush_delay_(flush_delay) {}

  absl::Status Run(LineSource& input) {
    Batch batch;
    absl::Status input_status = absl::OkStatus();
    size_t lines = 0;  // Lines read, and so records: every line that is not refused is one.
    bool sent = true;  // False once a request could not be sent: the stream has ended.
    while (sent && !StreamEnded()) {
      absl::Duration wait = kIdleCheck;
      if (batch.records() > 0) {
        const absl::Duration left = batch.first_read() + flush_delay_ - absl::Now();
        if (left <= absl::ZeroDuration()) {
          sent = Send(batch);
          continue;
        }
        wait = std::min(left, kIdleCheck);
      }
      NextLine next = input.Next(wait);
      if (next.kind == NextLine::kPause) continue;
      if (next.kind == NextLine::kEnd) break;
      if (next.kind == NextLine::kError) {
        input_status = absl::UnknownError(
            absl::StrCat("reading the input after line ", lines, " failed: ", next.error));
        break;
      }
      if (next.kind == NextLine::kTooLong) {
        input_status = TooLong(lines + 1);
        break;
      }
      absl::StatusOr<AppendLine> line = ParseAppendLine(next.line);
      ++lines;
      if (!line.ok()) {
        input_status = LineError(line.status(), lines);
        break;
      }
      if (batch.Overflows(*line)) {
        sent = Send(batch);
        if (!sent) break;
      }
      batch.Add(*std::move(line));
      if (batch.Full()) sent = Send(batch);
    }
    if (sent && batch.records() > 0) Send(batch);
    return Finish(input_status);
  }

 private:
  bool StreamEnded() {
    absl::MutexLock lock(&mu_);
    return reader_done_;
  }

  // Sends the batch once the window has room. False (and the batch is dropped) if the stream
  // ended first.
  bool Send(Batch& batch) {
    if (stream_ == nullptr) Start();
    const size_t records = batch.records();
    {
      absl::MutexLock lock(&mu_);
      const auto window_open = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return unanswered_.size() < kAppendWindowRequests || reader_done_;
      };
      mu_.Await(absl::Condition(&window_open));
      if (reader_done_) return false;
      unanswered_.push_back(records);  // From here on the watchdog waits for its reply.
      ++written_;
    }
    // A failed write means the stream is broken (or cancelled); Finish says why.
    return stream_->Write(batch.Take());
  }

  void Start() {
    stream_ = client_.audit_log().AppendStream(&context_);
    reader_ = std::thread([this] { ReadReplies(); });
    watchdog_ = std::thread([this] { Watch(); });
  }

  absl::Status Finish(const absl::Status& input_status) {
    if (stream_ == nullptr) return input_status.ok() ? input_status : Stopped(input_status, 0);
    stream_->WritesDone();
    reader_.join();
    {
      absl::MutexLock lock(&mu_);
      finished_ = true;
    }
    watchdog_.join();
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
    if (status.ok() && replies_ != written_) {
      status = absl::InternalError(absl::StrCat("the server ended the append stream after ",
                                                replies_, " of ", written_, " replies"));
    }
    if (!status.ok()) {
      return WithContext(
          status, appended_ == 0
                      ? std::string("nothing appended")
                      : absl::StrCat("appended ", appended_, " records (lines 1 to ", appended_,
                                     ", each printed); nothing from "
                                     "line ",
                                     appended_ + 1, " on is acknowledged"));
    }
    if (!input_status.ok()) return Stopped(input_status, appended_);
    return absl::OkStatus();
  }

  // The input's error (naming its line) once the `appended` records before it are acknowledged.
  static absl::Status Stopped(const absl::Status& input_status, size_t appended) {
    if (appended == 0) return WithContext(input_status, "nothing appended");
    return absl::Status(
        input_status.code(),
        absl::StrCat(input_status.message(), "; stopped there: lines 1 to ", appended,
                     " are appended (each printed), nothing after "
                     "them was sent"));
  }

  // Reads until the stream ends (after a cancel, promptly), printing what each reply confirms.
  void ReadReplies() {
    v1::AppendResponse response;
    absl::Status status = absl::OkStatus();
    while (stream_->Read(&response)) {
      if (!status.ok()) continue;  // Cancelled; draining.
      std::optional<size_t> records;
      {
        absl::MutexLock lock(&mu_);
        if (!unanswered_.empty()) records = unanswered_.front();
      }
      if (!records.has_value()) {
        status = absl::InternalError("the server sent more replies than there were requests");
      } else {
        status = PrintAppendResponse(response, *records, out_);
        if (status.ok()) {
          absl::MutexLock lock(&mu_);
          unanswered_.pop_front();
          ++replies_;
          appended_ += *records;
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
  std::ostream& out_;  // Written by the reply thread only.
  const absl::Duration flush_delay_;
  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::AppendRequest, v1::AppendResponse>> stream_;
  std::thread reader_;
  std::thread watchdog_;

  absl::Mutex mu_;
  std::deque<size_t> unanswered_ ABSL_GUARDED_BY(mu_);  // Records of each unanswered request.
  size_t written_ ABSL_GUARDED_BY(mu_) = 0;             // Requests given to the stream.
  size_t replies_ ABSL_GUARDED_BY(mu_) = 0;             // Replies received and printed.
  size_t appended_ ABSL_GUARDED_BY(mu_) = 0;            // Records in those replies.
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status reader_error_ ABSL_GUARDED_BY(mu_);
  bool finished_ ABSL_GUARDED_BY(mu_) = false;  // The reader is done; the watchdog may stop.
  bool timed_out_ ABSL_GUARDED_BY(mu_) = false;
};

// An AuditRecord has no field "record", so a record cannot be mistaken for the envelope.
absl::StatusOr<AppendLine> ParseEnvelopeOrRecord(const std::string& line) {
  // ParseJsonText: bounded depth (dump() below recurses), no key twice, no input in errors.
  absl::StatusOr<nlohmann::json> parsed = ParseJsonText<nlohmann::json>(line);
  if (!parsed.ok()) return parsed.status();
  const nlohmann::json& json = *parsed;
  if (!json.is_object() || !json.contains("record")) {
    ASSIGN_OR_RETURN(v1::AuditRecord record, RecordFromJson(line));
    return AppendLine{std::move(record), ""};
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
  return AppendLine{std::move(record), std::move(actor_token)};
}

}  // namespace

absl::StatusOr<AppendLine> ParseAppendLine(const std::string& line) {
  if (line.empty()) return absl::InvalidArgumentError("the line is empty");
  ASSIGN_OR_RETURN(AppendLine parsed, ParseEnvelopeOrRecord(line));
  RETURN_IF_ERROR(ValidateRecord(parsed.record));
  return parsed;
}

absl::StatusOr<AppendInput> ReadJsonRecords(std::istream& in) {
  IstreamLineSource source(in, kMaxJsonLineBytes);
  AppendInput input;
  for (size_t line_number = 1;; ++line_number) {
    NextLine next = source.Next(absl::InfiniteDuration());
    if (next.kind == NextLine::kEnd) return input;
    if (next.kind == NextLine::kError) return absl::UnknownError("reading the input failed");
    if (next.kind == NextLine::kTooLong) {
      return WithContext(TooLong(line_number), "nothing appended");
    }
    absl::StatusOr<AppendLine> line = ParseAppendLine(next.line);
    if (!line.ok()) return WithContext(LineError(line.status(), line_number), "nothing appended");
    if (!line->actor_token.empty() && input.actor_tokens.empty()) {
      input.actor_tokens.resize(input.records.size());  // "" for the records before.
    }
    input.records.push_back(std::move(line->record));
    if (!line->actor_token.empty() || !input.actor_tokens.empty()) {
      input.actor_tokens.push_back(std::move(line->actor_token));
    }
  }
}

absl::Status RunServerAppendFromFd(ServerClient& client, int fd, std::ostream& out) {
  FdLineSource source(fd, kMaxJsonLineBytes);
  return AppendStreamer(client, out, kAppendFlushDelay).Run(source);
}

absl::Status RunServerAppend(ServerClient& client, std::istream& in, std::ostream& out) {
  IstreamLineSource source(in, kMaxJsonLineBytes);
  return AppendStreamer(client, out, absl::InfiniteDuration()).Run(source);
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

}  // namespace sealtrail::cli

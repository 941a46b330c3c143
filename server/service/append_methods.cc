// AuditLogService's append methods: Append (unary) and AppendStream (a reply per request).
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "server/service/audit_log_service.h"
#include "server/service/authorizer.h"
#include "server/service/grpc_status.h"
#include "server/service/raw_call.h"

namespace sealtrail {
namespace {

using CommitResult = absl::StatusOr<std::vector<CommittedRecord>>;

void FillResponse(const std::vector<CommittedRecord>& committed, v1::AppendResponse* response) {
  response->mutable_results()->Reserve(static_cast<int>(committed.size()));
  for (const CommittedRecord& record : committed) {
    v1::AppendResult* result = response->add_results();
    result->set_seq(record.seq);
    result->set_leaf_hash(std::string(AsStringView(record.leaf_hash)));
    result->set_tree_size(record.tree_size);
  }
}

// An AppendStream refused before anything was read.
class RefusedStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit RefusedStream(grpc::Status refusal) { Finish(std::move(refusal)); }
  void OnDone() override { delete this; }
};

}  // namespace

// Serves one AppendStream. Requests are submitted to the pipeline as they arrive, up to
// `window` in flight; replies are written one at a time in request order. On the first failed
// request (invalid, refused, or failed to commit) the reactor stops reading, still writes the
// replies of the requests before it, and finishes with that request's error. It finishes only
// when no pipeline callback is outstanding, so a callback never outlives it.
class AppendStreamReactor final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  // REQUIRES: `call` is authenticated.
  AppendStreamReactor(AuditLogService* service, AppendPipeline* pipeline,
                      const AppendAdmission* admission, Call call, uint32_t window)
      : service_(service),
        pipeline_(pipeline),
        admission_(admission),
        call_(std::move(call)),
        window_(window) {
    bool registered = service_->RegisterStream(this);
    absl::MutexLock lock(&mu_);
    if (registered) {
      StartReadLocked();
    } else {
      DrainLocked();
    }
  }

  // Stops reading and finishes as soon as nothing is in flight (see BeginShutdown).
  void Drain() {
    absl::MutexLock lock(&mu_);
    DrainLocked();
  }

  void OnReadDone(bool ok) override {
    if (!ok || Draining()) {  // The client half-closed, the call ended, or we are draining.
      absl::MutexLock lock(&mu_);
      reading_ = false;
      reads_done_ = true;
      ProgressLocked();
      return;
    }
    // reading_ stays set until this request is submitted: from its clearing on, another thread
    // may start the next read and submit the next request, which must not overtake this one
    // (a stream's records are committed in the order it sent them).
    // Requests arrive as bytes (raw_call.h): one that does not parse fails the stream with
    // INVALID_ARGUMENT, where gRPC's own parsing would have ended the reads as if the client had
    // closed the stream.
    v1::AppendRequest request;
    absl::Status parsed = ParseRequest(request_bytes_, request);
    request_bytes_.Clear();
    absl::StatusOr<std::vector<v1::AuditRecord>> records =
        parsed.ok() ? admission_->Admit(call_, request)
                    : absl::StatusOr<std::vector<v1::AuditRecord>>(parsed);
    absl::Status invalid = records.status();
    uint64_t id;
    {
      absl::MutexLock lock(&mu_);
      id = next_id_++;
      if (!invalid.ok() || failed_id_.has_value()) {
        // After a failure nothing more is submitted; this request just ends the reading.
        reading_ = false;
        if (!invalid.ok()) FailLocked(id, std::move(invalid));
        reads_done_ = true;
        ProgressLocked();
        return;
      }
      ++inflight_;
    }
    pipeline_->Submit(*std::move(records),
                      [this, id](CommitResult result) { OnCommitted(id, std::move(result)); });
    absl::MutexLock lock(&mu_);
    reading_ = false;
    ProgressLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) FailLocked(next_write_id_, absl::CancelledError("the client went away"));
    ProgressLocked();
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    FailLocked(next_id_, absl::CancelledError("the call was cancelled"));
    ProgressLocked();
  }

  void OnDone() override {
    service_->UnregisterStream(this);
    delete this;
  }

 private:
  void OnCommitted(uint64_t id, CommitResult result) {
    absl::MutexLock lock(&mu_);
    --inflight_;
    if (!result.ok()) {
      FailLocked(id, result.status());
    } else {
      FillResponse(*result, &replies_[id]);
    }
    ProgressLocked();
  }

  bool Draining() {
    absl::MutexLock lock(&mu_);
    return draining_;
  }

  void DrainLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    draining_ = true;
    FailLocked(next_id_, absl::UnavailableError(
                             "the server is shutting down: every reply sent is durable; resend "
                             "the requests that got none to another server or after restart"));
    ProgressLocked();
  }

  // Keeps the earliest failure: replies before it are still written.
  void FailLocked(uint64_t id, absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!failed_id_.has_value() || id < *failed_id_) {
      failed_id_ = id;
      failure_ = std::move(status);
    }
  }

  void StartReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    reading_ = true;
    StartRead(&request_bytes_);
  }

  // Writes the next reply if it is ready, reads ahead if the window allows, and finishes when
  // nothing is left to do.
  void ProgressLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_) return;
    if (!writing_ && (!failed_id_.has_value() || next_write_id_ < *failed_id_)) {
      auto next = replies_.find(next_write_id_);
      if (next != replies_.end()) {
        reply_ = SerializeReply(next->second);
        replies_.erase(next);
        ++next_write_id_;
        writing_ = true;
        StartWrite(&reply_);
      }
    }
    if (!reading_ && !reads_done_ && !failed_id_.has_value() && inflight_ < window_) {
      StartReadLocked();
    }
    // A reply that could be written has just been started, so !writing_ means none is left.
    // While draining, an outstanding read does not hold the finish back: gRPC completes it with
    // ok=false.
    bool input_done = reads_done_ || failed_id_.has_value();
    if (input_done && (!reading_ || draining_) && !writing_ && inflight_ == 0) {
      finished_ = true;
      Finish(failed_id_.has_value() ? ToGrpcStatus(failure_) : grpc::Status::OK);
    }
  }

  AuditLogService* const service_;
  AppendPipeline* const pipeline_;
  const AppendAdmission* const admission_;
  const Call call_;
  const uint32_t window_;

  // The read buffer: only touched while reading_ is true (between StartRead and the point in
  // OnReadDone where reading_ is cleared).
  grpc::ByteBuffer request_bytes_;
  absl::Mutex mu_;
  grpc::ByteBuffer reply_ ABSL_GUARDED_BY(mu_);                          // The write buffer.
  std::map<uint64_t, v1::AppendResponse> replies_ ABSL_GUARDED_BY(mu_);  // Ready, not written.
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 0;        // Id of the next request read.
  uint64_t next_write_id_ ABSL_GUARDED_BY(mu_) = 0;  // Id of the next reply to write.
  uint32_t inflight_ ABSL_GUARDED_BY(mu_) = 0;       // Submitted, callback not yet run.
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool reads_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool draining_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<uint64_t> failed_id_ ABSL_GUARDED_BY(mu_);
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

grpc::ServerUnaryReactor* AuditLogService::Append(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request_bytes,
                                                  grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::AppendRequest, v1::AppendResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::AppendRequest& request, v1::AppendResponse* response, RawDone done) {
        Call call = access_->Begin(*context, kAppendMethod);
        absl::Status authenticated = access_->Authenticate(
            *context, call,
            request.records_size() > 0 ? request.records(0).context().tenant_id() : "");
        if (!authenticated.ok()) return done(ToGrpcStatus(authenticated));
        // Admit moves the records out of the request, which this call owns.
        absl::StatusOr<std::vector<v1::AuditRecord>> records = admission_.Admit(call, request);
        if (!records.ok()) return done(ToGrpcStatus(records.status()));
        pipeline_->Submit(*std::move(records),
                          [response, done = std::move(done)](CommitResult result) {
                            if (result.ok()) FillResponse(*result, response);
                            done(ToGrpcStatus(result.status()));
                          });
      });
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AuditLogService::AppendStream(
    grpc::CallbackServerContext* context) {
  Call call = access_->Begin(*context, kAppendStreamMethod);
  // The records' tenants are not known yet: each request is authorized as it arrives.
  absl::Status authenticated = access_->Authenticate(*context, call, "");
  if (!authenticated.ok()) return new RefusedStream(ToGrpcStatus(authenticated));
  return new AppendStreamReactor(this, pipeline_, &admission_, std::move(call),
                                 options_.stream_window);
}

bool AuditLogService::RegisterStream(AppendStreamReactor* stream) {
  absl::MutexLock lock(&streams_mu_);
  if (shutting_down_) return false;
  streams_.insert(stream);
  return true;
}

void AuditLogService::UnregisterStream(AppendStreamReactor* stream) {
  absl::MutexLock lock(&streams_mu_);
  streams_.erase(stream);
}

void AuditLogService::BeginShutdown() {
  // Under streams_mu_ throughout, so no stream's OnDone (which unregisters it first) can delete
  // it while it is being drained.
  absl::MutexLock lock(&streams_mu_);
  shutting_down_ = true;
  for (AppendStreamReactor* stream : streams_) stream->Drain();
}

}  // namespace sealtrail

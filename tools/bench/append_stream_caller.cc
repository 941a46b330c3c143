#include "bench/append_stream_caller.h"

#include "absl/strings/str_cat.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"

namespace sealtrail::bench {

std::string AuditLogMethodPath(const char* method) {
  return absl::StrCat("/", v1::AuditLog::service_full_name(), "/", method);
}

AppendStreamCaller::AppendStreamCaller(AppendStub* stub, const std::string* method,
                                       const RequestPool* pool, TicketSource* source, RunState* run,
                                       AppendStreamOptions options)
    : Caller(options.window, source),
      stub_(stub),
      method_(method),
      pool_(pool),
      run_(run),
      options_(options) {}

void AppendStreamCaller::Start() {
  SetDeadline(context_, options_.stream_timeout);
  stub_->PrepareBidiStreamingCall(&context_, *method_, grpc::StubOptions(), this);
  // Released by Pump once the source will make no more calls back (see the header).
  AddHold();
  StartRead(&response_);
  StartCall();
  Pump();
}

void AppendStreamCaller::OnWriteDone(bool ok) {
  {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) broken_ = true;  // The stream is over; OnDone has its status.
  }
  Pump();
}

void AppendStreamCaller::OnReadDone(bool ok) {
  bool read_again = false;
  bool cancel = false;
  {
    absl::MutexLock lock(&mu_);
    if (!ok) {
      // The server ended the stream. Before we half-closed, that is a failure, and OnDone has
      // its status.
      if (!writes_done_) broken_ = true;
    } else if (in_flight_.empty() ||
               static_cast<uint32_t>(response_.results_size()) != options_.batch) {
      reply_error_ = grpc::Status(
          grpc::StatusCode::INTERNAL,
          in_flight_.empty() ? "an AppendResponse came with no request in flight"
                             : absl::StrCat("an AppendResponse has ", response_.results_size(),
                                            " results for ", options_.batch, " records"));
      broken_ = true;
      cancel = true;
    } else {
      stats_.Add(in_flight_.front(), options_.batch, Clock::now());
      in_flight_.pop_front();
      slots_.Release();
      read_again = true;
    }
  }
  if (read_again) {
    run_->AddReply(options_.batch);
    StartRead(&response_);
  }
  if (cancel) context_.TryCancel();  // Ends the call; OnDone reports reply_error_.
  Pump();
}

void AppendStreamCaller::Pump() {
  const grpc::ByteBuffer* write = nullptr;
  bool writes_done = false;
  bool release_hold = false;
  {
    absl::MutexLock lock(&mu_);
    if (broken_) {
      slots_.Stop();
    } else {
      slots_.Fill(this, ready_);
    }
    if (!writing_ && !broken_ && !ready_.empty()) {
      in_flight_.push_back(ready_.front());
      ready_.pop_front();
      write = &pool_->Request(in_flight_.back().number);
      writing_ = true;
    }
    const bool idle = ready_.empty() && in_flight_.empty() && !writing_;
    if (!writes_done_ && !broken_ && slots_.exhausted() && idle) {
      writes_done_ = true;
      writes_done = true;
    }
    if (!hold_released_ && slots_.exhausted() && (writes_done_ || broken_)) {
      hold_released_ = true;
      release_hold = true;
    }
  }
  if (write != nullptr) StartWrite(write);
  if (writes_done) StartWritesDone();
  // Last: once released, OnDone may run (and the caller be destroyed) at any moment.
  if (release_hold) RemoveHold();
}

void AppendStreamCaller::OnDone(const grpc::Status& status) {
  {
    absl::MutexLock lock(&mu_);
    const uint64_t unanswered = in_flight_.size() + ready_.size();
    if (!reply_error_.ok()) {
      run_->AddFailure(reply_error_, unanswered);
    } else if (!status.ok()) {
      run_->AddFailure(status, unanswered > 0 ? unanswered : 1);
    } else if (unanswered > 0) {
      run_->AddFailure(grpc::Status(grpc::StatusCode::INTERNAL,
                                    absl::StrCat("the server ended the stream with ", unanswered,
                                                 " requests unanswered")),
                       unanswered);
    }
  }
  run_->CallerFinished();
}

}  // namespace sealtrail::bench

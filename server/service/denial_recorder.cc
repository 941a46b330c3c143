#include "server/service/denial_recorder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace sealtrail {
namespace {

constexpr char kAnonymous[] = "anonymous";

// Length of the well-formed UTF-8 sequence at text[i], or 0 if there is none.
size_t Utf8SequenceLength(absl::string_view text, size_t i) {
  unsigned char lead = static_cast<unsigned char>(text[i]);
  size_t length = lead < 0x80           ? 1
                  : (lead >> 5) == 0x6  ? 2
                  : (lead >> 4) == 0xe  ? 3
                  : (lead >> 3) == 0x1e ? 4
                                        : 0;
  if (length == 0 || i + length > text.size()) return 0;
  for (size_t k = 1; k < length; ++k) {
    if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return 0;
  }
  return length;
}

// At most `max_bytes` of `text`, as valid UTF-8 (a stored string must parse back): malformed
// bytes become '?', and a character is never cut in half. Refusal messages may quote what a
// client sent (a key id, a certificate CN).
std::string Cut(absl::string_view text, size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceLength(text, i);
    if (out.size() + std::max<size_t>(length, 1) > max_bytes) break;
    if (length == 0) {
      out.push_back('?');
      ++i;
    } else {
      out.append(text.data() + i, length);
      i += length;
    }
  }
  return out;
}

// `text` for the record field `field`, within `max_bytes` (server/record/record.h's limits): a
// subject or a refusal message can be longer, and the evidence must still be recorded. Never
// silently: when the stored text differs from `text`, details.attributes["cut.FIELD"] says how
// many bytes the original had.
std::string Fit(absl::string_view text, size_t max_bytes, absl::string_view field,
                v1::AuditRecord& record) {
  std::string out = Cut(text, max_bytes);
  if (out != text) {
    (*record.mutable_details()->mutable_attributes())[absl::StrCat("cut.", field)] =
        absl::StrCat(text.size());
  }
  return out;
}

}  // namespace

v1::AuditRecord DenialRecord(const Denial& denial) {
  v1::AuditRecord record;
  record.mutable_actor()->set_user_id(
      denial.subject.empty() ? kAnonymous
                             : Fit(denial.subject, kMaxRecordIdBytes, "actor.user_id", record));
  record.mutable_actor()->set_verified(!denial.subject.empty() && denial.verified);
  record.mutable_action()->set_name(kDeniedAction);
  record.mutable_action()->set_method(
      Fit(denial.method, kMaxRecordIdBytes, "action.method", record));
  // The tenant is never cut or altered: evidence about a tenant filed under another whose name
  // is a prefix of it would mislead. A name no tenant can have (over the limit, or not UTF-8;
  // the request was refused for it) goes to _platform, with its length.
  if (denial.tenant.empty()) {
    record.mutable_context()->set_tenant_id(kPlatformTenant);
  } else if (Cut(denial.tenant, kMaxRecordIdBytes) != denial.tenant) {
    record.mutable_context()->set_tenant_id(kPlatformTenant);
    (*record.mutable_details()->mutable_attributes())["requested_tenant_bytes"] =
        absl::StrCat(denial.tenant.size());
  } else {
    record.mutable_context()->set_tenant_id(denial.tenant);
  }
  record.mutable_context()->set_source_ip(denial.source_ip);
  record.mutable_outcome()->set_result(v1::Outcome::DENIED);
  record.mutable_outcome()->set_status_code(static_cast<int32_t>(denial.refusal.code()));
  record.mutable_outcome()->set_reason(
      Fit(denial.refusal.message(), kMaxRecordTextBytes, "outcome.reason", record));
  return record;
}

DenialRecorder::DenialRecorder(AppendPipeline* pipeline, EventLog* events, Env* env,
                               DenialRecorderOptions options)
    : pipeline_(pipeline),
      events_(events),
      env_(env != nullptr ? env : Env::Default()),
      options_(options) {
  flusher_ = std::thread([this] { FlushLoop(); });
}

DenialRecorder::~DenialRecorder() { Stop(); }

void DenialRecorder::Record(Denial denial) {
  std::vector<v1::AuditRecord> records;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    int64_t now = env_->NowNanos();
    Key key{denial.subject.empty() ? denial.source_ip : denial.subject, denial.method,
            std::string(denial.refusal.message()), denial.tenant};
    auto found = windows_.find(key);
    if (found != windows_.end() && now < found->second.end_ns) {
      ++found->second.counted;
      return;
    }
    if (found != windows_.end()) {
      // Closed, but not flushed yet: its count goes first, then a new window starts.
      records = TakeClosedLocked(now, /*all=*/false);
    }
    if (windows_.size() >= options_.max_keys) {
      ++overflow_;
    } else {
      records.push_back(DenialRecord(denial));
      windows_[std::move(key)] =
          Window{std::move(denial), now + absl::ToInt64Nanoseconds(options_.window), 0};
    }
  }
  Submit(std::move(records));
}

void DenialRecorder::Stop() {
  std::vector<v1::AuditRecord> records;
  {
    absl::MutexLock lock(&mu_);
    if (stopping_) return;
    stopping_ = true;
    records = TakeClosedLocked(env_->NowNanos(), /*all=*/true);
  }
  if (flusher_.joinable()) flusher_.join();
  Submit(std::move(records));
}

void DenialRecorder::FlushLoop() {
  // Checks a few times per window, so a count is recorded at most ~1/4 window late.
  const absl::Duration tick = std::max(options_.window / 4, absl::Milliseconds(10));
  absl::MutexLock lock(&mu_);
  while (!stopping_) {
    mu_.AwaitWithTimeout(absl::Condition(&stopping_), tick);
    if (stopping_) break;
    std::vector<v1::AuditRecord> records = TakeClosedLocked(env_->NowNanos(), /*all=*/false);
    if (records.empty()) continue;
    mu_.Unlock();
    Submit(std::move(records));
    mu_.Lock();
  }
}

std::vector<v1::AuditRecord> DenialRecorder::TakeClosedLocked(int64_t now_ns, bool all) {
  std::vector<v1::AuditRecord> records;
  for (auto window = windows_.begin(); window != windows_.end();) {
    if (!all && now_ns < window->second.end_ns) {
      ++window;
      continue;
    }
    if (window->second.counted > 0) {
      v1::AuditRecord record = DenialRecord(window->second.first);
      (*record.mutable_details()->mutable_attributes())["count"] =
          absl::StrCat(window->second.counted);
      (*record.mutable_details()->mutable_attributes())["window_s"] =
          absl::StrCat(absl::ToDoubleSeconds(options_.window));
      records.push_back(std::move(record));
    }
    window = windows_.erase(window);
  }
  if (overflow_ > 0) {
    Denial overflow;
    // Built, not assigned from a literal: GCC 12's -Wrestrict misfires on that assignment here
    // under -fsanitize (a known false positive).
    overflow.method = std::string(1, '*');
    overflow.refusal = absl::PermissionDeniedError(
        "denials beyond the number of distinct denials tracked at once, not itemized");
    v1::AuditRecord record = DenialRecord(overflow);
    (*record.mutable_details()->mutable_attributes())["count"] = absl::StrCat(overflow_);
    records.push_back(std::move(record));
    overflow_ = 0;
  }
  return records;
}

void DenialRecorder::Submit(std::vector<v1::AuditRecord> records) {
  if (records.empty()) return;
  // One submission per record would do as well; one for all keeps them adjacent in the log.
  pipeline_->Submit(
      std::move(records), [events = events_](absl::StatusOr<std::vector<CommittedRecord>> result) {
        if (!result.ok()) {
          events->Error("denial_not_recorded", {{"error", result.status().ToString()}});
        }
      });
}

}  // namespace sealtrail

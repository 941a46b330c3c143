#include "server/service/integrity_auditor.h"

#include <atomic>
#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "sealtrail/verify.h"
#include "server/service/checkpoint_audit.h"

namespace sealtrail {

std::string IntegrityViolation::Key() const {
  return absl::StrCat(kind, "\n", file, "\n", offset, "\n",
                      seq.has_value() ? absl::StrCat(*seq) : "-", "\n", message);
}

namespace {

// What one verification of the segment files found.
struct SegmentCheck {
  std::vector<VerifyProblem> damage;
  std::vector<absl::Status> errors;    // I/O errors: what they hid is checked next scan.
  std::optional<VerifyReport> report;  // Set when the segments are intact.
  bool cancelled = false;
};

bool SameProblem(const VerifyProblem& a, const VerifyProblem& b) {
  return a.file == b.file && a.offset == b.offset && a.seq == b.seq && a.status == b.status;
}

bool HasOpenSegmentDamage(const SegmentCheck& check) {
  for (const VerifyProblem& problem : check.damage) {
    if (problem.in_open_segment) return true;
  }
  return false;
}

// `first` without the open-segment problems that `second`, a later look, did not find again
// unchanged: those were a writer's append or seal in progress.
SegmentCheck Confirmed(SegmentCheck first, SegmentCheck second) {
  SegmentCheck confirmed;
  confirmed.cancelled = first.cancelled || second.cancelled;
  for (VerifyProblem& problem : first.damage) {
    bool stays = !problem.in_open_segment;
    for (const VerifyProblem& again : second.damage) stays = stays || SameProblem(problem, again);
    if (stays) confirmed.damage.push_back(std::move(problem));
  }
  confirmed.errors = std::move(first.errors);
  for (absl::Status& error : second.errors) confirmed.errors.push_back(std::move(error));
  confirmed.report = first.report.has_value() ? std::move(first.report) : std::move(second.report);
  return confirmed;
}

// Reads immutable files with pread instead of mapping them, so that a file truncated under the
// auditor (tampering) is a short read it reports, never a SIGBUS that ends the server.
class NoMappingEnv : public EnvWrapper {
 public:
  explicit NoMappingEnv(Env* target) : EnvWrapper(target) {}
  absl::StatusOr<std::unique_ptr<RandomAccessFile>> NewImmutableFile(
      const std::string& path) override {
    return target()->NewRandomAccessFile(path);
  }
};

IntegrityViolation SegmentViolation(const VerifyProblem& problem) {
  return {kSegmentViolation, problem.file, problem.offset, problem.seq,
          std::string(problem.status.message())};
}

}  // namespace

class IntegrityAuditor::Impl {
 public:
  Impl(std::string data_dir, NoteVerifierKey key, std::string origin,
       std::function<void(const IntegrityViolation&)> on_violation, EventLog* events,
       IntegrityAuditorOptions options)
      : data_dir_(std::move(data_dir)),
        env_(options.env != nullptr ? options.env : Env::Default()),
        files_(env_),
        options_(options),
        on_violation_(std::move(on_violation)),
        events_(events),
        checkpoints_(data_dir_, std::move(key), std::move(origin), &files_) {}

  ~Impl() { Stop(); }

  void StartThread() {
    thread_ = std::thread([this] { Run(); });
  }

  void ScanNow() ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    wake_ = true;
  }

  IntegrityAuditorStatus status() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return status_;
  }

  void Stop() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      absl::MutexLock lock(&mu_);
      stop_ = true;
    }
    cancel_ = true;
    absl::MutexLock join_lock(&join_mu_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);
  void Scan() ABSL_LOCKS_EXCLUDED(mu_);
  SegmentCheck CheckSegments();
  // Sleeps for `duration`, or less if stopped (or, when `wakeable`, if ScanNow is called).
  // Returns false when stopped.
  bool Sleep(absl::Duration duration, bool wakeable) ABSL_LOCKS_EXCLUDED(mu_);
  void Report(const SegmentCheck& segments, const CheckpointCheck& checkpoints, int64_t start_ns)
      ABSL_LOCKS_EXCLUDED(mu_);
  // Raises `violation` unless `raised` holds it already; returns whether it was new.
  bool Raise(const IntegrityViolation& violation,
             std::map<std::string, IntegrityViolation>* raised);

  bool StopOrWake() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || wake_; }

  const std::string data_dir_;
  Env* const env_;      // The clock.
  NoMappingEnv files_;  // Every file read.
  const IntegrityAuditorOptions options_;
  const std::function<void(const IntegrityViolation&)> on_violation_;
  EventLog* const events_;

  // Used by the auditor's thread only.
  CheckpointAudit checkpoints_;
  std::map<std::string, IntegrityViolation> raised_segments_;     // By Key(); present now.
  std::map<std::string, IntegrityViolation> raised_checkpoints_;  // By Key(); ever raised.

  std::atomic<bool> cancel_{false};
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  bool wake_ ABSL_GUARDED_BY(mu_) = false;
  IntegrityAuditorStatus status_ ABSL_GUARDED_BY(mu_);
  absl::Mutex join_mu_;  // Serializes Stop's join (Stop may be called from several threads).
  std::thread thread_;
};

void IntegrityAuditor::Impl::Run() {
  while (true) {
    Scan();
    if (!Sleep(options_.scan_period, /*wakeable=*/true)) return;
  }
}

bool IntegrityAuditor::Impl::Sleep(absl::Duration duration, bool wakeable) {
  absl::MutexLock lock(&mu_);
  if (wakeable) {
    mu_.AwaitWithTimeout(absl::Condition(this, &Impl::StopOrWake), duration);
    wake_ = false;
  } else {
    mu_.AwaitWithTimeout(absl::Condition(&stop_), duration);
  }
  return !stop_;
}

SegmentCheck IntegrityAuditor::Impl::CheckSegments() {
  SegmentCheck check;
  std::vector<VerifyProblem> problems;
  VerifyOptions verify_options;
  verify_options.env = &files_;
  verify_options.threads = 1;  // Gentle beside a busy server: one core at most.
  verify_options.problems = &problems;
  verify_options.cancel = &cancel_;
  absl::StatusOr<VerifyReport> report = VerifyDataDir(data_dir_, verify_options);
  if (report.ok()) {
    check.report = *std::move(report);
    return check;
  }
  if (report.status().code() == absl::StatusCode::kCancelled && cancel_) {
    check.cancelled = true;
    return check;
  }
  if (problems.empty()) {
    // Nothing was verified: the FORMAT file or the segments directory.
    VerifyProblem whole;
    whole.status = report.status();
    whole.file = data_dir_;
    problems.push_back(std::move(whole));
  }
  for (VerifyProblem& problem : problems) {
    if (problem.is_damage()) {
      check.damage.push_back(std::move(problem));
    } else {
      check.errors.push_back(problem.status);
    }
  }
  return check;
}

void IntegrityAuditor::Impl::Scan() {
  const int64_t start_ns = env_->NowNanos();
  {
    absl::MutexLock lock(&mu_);
    status_.last_scan_start = absl::FromUnixNanos(start_ns);
  }
  SegmentCheck segments = CheckSegments();
  if (!segments.cancelled && HasOpenSegmentDamage(segments)) {
    if (!Sleep(options_.confirm_delay, /*wakeable=*/false)) return;
    segments = Confirmed(std::move(segments), CheckSegments());
  }
  if (segments.cancelled) return;
  const CheckpointCheck checkpoints = checkpoints_.Check();
  Report(segments, checkpoints, start_ns);
}

bool IntegrityAuditor::Impl::Raise(const IntegrityViolation& violation,
                                   std::map<std::string, IntegrityViolation>* raised) {
  if (!raised->emplace(violation.Key(), violation).second) return false;
  {
    absl::MutexLock lock(&mu_);
    if (stop_) return false;
    status_.violations++;
  }
  events_->Error("integrity_violation",
                 {{"kind", violation.kind},
                  {"file", violation.file},
                  {"offset", violation.offset},
                  {"seq", violation.seq.has_value() ? absl::StrCat(*violation.seq) : "none"},
                  {"message", violation.message}});
  on_violation_(violation);
  return true;
}

void IntegrityAuditor::Impl::Report(const SegmentCheck& segments,
                                    const CheckpointCheck& checkpoints, int64_t start_ns) {
  uint64_t raised_now = 0;
  // A complete verification says which damage is present now; an incomplete one only adds.
  std::map<std::string, IntegrityViolation> present;
  for (const VerifyProblem& problem : segments.damage) {
    const IntegrityViolation violation = SegmentViolation(problem);
    present.emplace(violation.Key(), violation);
    raised_now += Raise(violation, &raised_segments_) ? 1 : 0;
  }
  if (segments.errors.empty()) raised_segments_ = std::move(present);
  for (const IntegrityViolation& violation : checkpoints.violations) {
    raised_now += Raise(violation, &raised_checkpoints_) ? 1 : 0;
  }

  std::vector<absl::Status> errors = segments.errors;
  errors.insert(errors.end(), checkpoints.errors.begin(), checkpoints.errors.end());
  for (const absl::Status& error : errors) {
    events_->Error("integrity_scan_error", {{"data_dir", data_dir_}, {"error", error.ToString()}});
  }
  if (!checkpoints.skipped.ok()) {
    events_->Warning("integrity_checkpoints_not_checked",
                     {{"data_dir", data_dir_}, {"reason", checkpoints.skipped.ToString()}});
  }

  const int64_t end_ns = env_->NowNanos();
  const size_t present_count = raised_segments_.size() + raised_checkpoints_.size();
  absl::Status result;
  if (present_count > 0) {
    const IntegrityViolation& first = !raised_segments_.empty()
                                          ? raised_segments_.begin()->second
                                          : raised_checkpoints_.begin()->second;
    result = absl::DataLossError(absl::StrCat(present_count, " integrity violation",
                                              present_count == 1 ? "" : "s",
                                              " present; one: ", first.message));
  } else if (!errors.empty()) {
    result = errors.front();
  }
  {
    absl::MutexLock lock(&mu_);
    status_.scans++;
    status_.last_scan_end = absl::FromUnixNanos(end_ns);
    status_.last_result = result;
    status_.last_error = errors.empty() ? absl::OkStatus() : errors.front();
    status_.scan_errors += errors.size();
    status_.checkpoints_verified += checkpoints.verified;
    if (segments.report.has_value()) {
      status_.records_verified = segments.report->records;
      status_.segments_verified = segments.report->segments;
    }
  }
  events_->Info("integrity_scan",
                {{"records", segments.report.has_value() ? segments.report->records : 0},
                 {"segments_intact", segments.report.has_value() ? 1 : 0},
                 {"checkpoints_checked", checkpoints.checked},
                 {"new_violations", raised_now},
                 {"violations_present", present_count},
                 {"errors", errors.size()},
                 {"ms", (end_ns - start_ns) / 1'000'000}});
}

absl::StatusOr<std::unique_ptr<IntegrityAuditor>> IntegrityAuditor::Start(
    std::string data_dir, NoteVerifierKey verifier_key, std::string origin,
    std::function<void(const IntegrityViolation&)> on_violation, EventLog* events,
    IntegrityAuditorOptions options) {
  if (data_dir.empty()) return absl::InvalidArgumentError("the data directory is empty");
  if (events == nullptr) return absl::InvalidArgumentError("no event log for the auditor");
  if (!on_violation) return absl::InvalidArgumentError("no receiver for integrity violations");
  if (options.scan_period <= absl::ZeroDuration() ||
      options.confirm_delay <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        absl::StrCat("the integrity scan period (", absl::FormatDuration(options.scan_period),
                     ") and confirm delay (", absl::FormatDuration(options.confirm_delay),
                     ") must be positive"));
  }
  auto impl = std::make_unique<Impl>(std::move(data_dir), std::move(verifier_key),
                                     std::move(origin), std::move(on_violation), events, options);
  impl->StartThread();
  return std::unique_ptr<IntegrityAuditor>(new IntegrityAuditor(std::move(impl)));
}

IntegrityAuditor::IntegrityAuditor(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IntegrityAuditor::~IntegrityAuditor() { Stop(); }
void IntegrityAuditor::ScanNow() { impl_->ScanNow(); }
IntegrityAuditorStatus IntegrityAuditor::status() const { return impl_->status(); }
void IntegrityAuditor::Stop() { impl_->Stop(); }

}  // namespace sealtrail

#include "sealtrail/checkpointer.h"

#include <algorithm>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "status_util.h"

namespace sealtrail {

class Checkpointer::Impl {
 public:
  Impl(const Log* log, CheckpointStore* store, NoteSigner signer, CheckpointerOptions options)
      : log_(log),
        store_(store),
        signer_(std::move(signer)),
        env_(options.env != nullptr ? options.env : Env::Default()),
        origin_(options.origin.empty() ? signer_.verifier_key().name : options.origin),
        interval_(absl::Milliseconds(std::max<int64_t>(options.interval_ms, 1))),
        on_background_error_(std::move(options.on_background_error)),
        content_(std::move(options.content)) {}

  ~Impl() { Stop(); }

  absl::StatusOr<StoredCheckpoint> SignNow() ABSL_LOCKS_EXCLUDED(sign_mu_);
  void Start() ABSL_LOCKS_EXCLUDED(mu_);
  void Stop() ABSL_LOCKS_EXCLUDED(mu_);
  absl::Status background_error() const ABSL_LOCKS_EXCLUDED(mu_) {
    absl::MutexLock lock(&mu_);
    return background_error_;
  }
  const std::string& origin() const { return origin_; }

 private:
  void Run() ABSL_LOCKS_EXCLUDED(mu_);

  const Log* const log_;
  CheckpointStore* const store_;
  const NoteSigner signer_;
  Env* const env_;
  const std::string origin_;
  const absl::Duration interval_;
  const std::function<void(const absl::Status&)> on_background_error_;
  const std::function<absl::StatusOr<CheckpointContent>()> content_;

  absl::Mutex sign_mu_;  // Serializes signing: one checkpoint at a time, in size order.
  mutable absl::Mutex mu_;
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status background_error_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;  // Started and joined only by Start and Stop.
};

absl::StatusOr<StoredCheckpoint> Checkpointer::Impl::SignNow() {
  absl::MutexLock lock(&sign_mu_);
  // Head() covers acknowledged records only, so nothing not yet durable is ever signed.
  ASSIGN_OR_RETURN(TreeHead head, log_->Head());
  CheckpointContent content{head.size, {}};
  if (content_) {
    ASSIGN_OR_RETURN(content, content_());
    if (content.size > head.size) {
      return absl::InternalError(absl::StrCat("refusing to sign: asked to sign size ", content.size,
                                              " but only ", head.size, " records are durable"));
    }
    if (content.size != head.size) {
      head.size = content.size;
      ASSIGN_OR_RETURN(head.root, log_->Root(content.size));
    }
  }
  std::optional<StoredCheckpoint> latest = store_->Latest();
  int64_t timestamp_ms = env_->NowNanos() / 1'000'000;
  if (latest.has_value()) {
    const Checkpoint& previous = latest->checkpoint;
    if (head.size < previous.size) {
      return absl::DataLossError(absl::StrCat(
          "refusing to sign: the log holds ", head.size, " records but checkpoint ", previous.size,
          " was already signed; records were lost or the directory replaced"));
    }
    // A log must never sign a checkpoint inconsistent with one it signed before.
    ASSIGN_OR_RETURN(const Hash root_then, log_->Root(previous.size));
    if (root_then != previous.root) {
      return absl::DataLossError(
          absl::StrCat("refusing to sign: the log's root at size ", previous.size, " is ",
                       HashToBase64(root_then), " but the signed checkpoint of that size says ",
                       HashToBase64(previous.root), "; the log was rewritten"));
    }
    if (head.size == previous.size) return *std::move(latest);
    // Timestamps never go backwards, even when the clock does.
    timestamp_ms = std::max(timestamp_ms, previous.timestamp_ms.value_or(0));
  }
  Checkpoint checkpoint;
  checkpoint.origin = origin_;
  checkpoint.size = head.size;
  checkpoint.root = head.root;
  checkpoint.timestamp_ms = timestamp_ms;
  checkpoint.extensions = std::move(content.extensions);
  ASSIGN_OR_RETURN(std::string note, signer_.Sign(FormatCheckpointBody(checkpoint)));
  RETURN_IF_ERROR(store_->Append(checkpoint, note));
  // The store's entry, which also says where it was stored (signing is serialized, so the
  // latest is this one).
  std::optional<StoredCheckpoint> stored = store_->Latest();
  if (!stored.has_value()) return absl::InternalError("a stored checkpoint is not in the store");
  return *std::move(stored);
}

void Checkpointer::Impl::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void Checkpointer::Impl::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void Checkpointer::Impl::Run() {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      // Sleeps for the interval, waking early only to stop.
      mu_.AwaitWithTimeout(absl::Condition(&stop_), interval_);
      if (stop_) return;
    }
    std::optional<StoredCheckpoint> latest = store_->Latest();
    if (latest.has_value() && log_->Size() <= latest->checkpoint.size) continue;
    absl::StatusOr<StoredCheckpoint> signed_now = SignNow();
    if (!signed_now.ok()) {
      {
        absl::MutexLock lock(&mu_);
        background_error_ = signed_now.status();
      }
      if (on_background_error_) on_background_error_(signed_now.status());
      return;
    }
  }
}

Checkpointer::Checkpointer(const Log* log, CheckpointStore* store, NoteSigner signer,
                           CheckpointerOptions options)
    : impl_(std::make_unique<Impl>(log, store, std::move(signer), std::move(options))) {}
Checkpointer::~Checkpointer() = default;
absl::StatusOr<StoredCheckpoint> Checkpointer::SignNow() { return impl_->SignNow(); }
void Checkpointer::Start() { impl_->Start(); }
void Checkpointer::Stop() { impl_->Stop(); }
absl::Status Checkpointer::background_error() const { return impl_->background_error(); }
const std::string& Checkpointer::origin() const { return impl_->origin(); }

}  // namespace sealtrail

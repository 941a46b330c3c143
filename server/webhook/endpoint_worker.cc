#include "server/webhook/endpoint_worker.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/webhook/alert_routing.h"
#include "server/webhook/retry_backoff.h"

namespace sealtrail {
namespace {

// Feed batches read by one Refill at most, so a long backlog cannot starve delivery.
constexpr int kMaxRefillRounds = 8;
constexpr size_t kMaxErrorChars = 300;

// Errors quote receivers' answers; they go to the journal, the EventLog and the CLI as ASCII.
std::string Printable(absl::string_view text) {
  std::string out;
  for (char c : text.substr(0, kMaxErrorChars)) {
    out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  }
  return out;
}

}  // namespace

std::string WebhookIdFor(std::string_view prefix, uint64_t seq) {
  if (prefix.empty()) return absl::StrCat("msg_", seq);
  return absl::StrCat("msg_", absl::string_view(prefix.data(), prefix.size()), "_", seq);
}

EndpointWorker::EndpointWorker(WebhookEndpoint endpoint, const EndpointWorkerContext* context,
                               std::unique_ptr<DeliveryJournal> journal,
                               std::unique_ptr<HttpsPoster> poster, absl::Status unusable)
    : endpoint_(std::move(endpoint)),
      context_(context),
      journal_(std::move(journal)),
      poster_(std::move(poster)) {
  absl::MutexLock lock(&mu_);
  stats_.endpoint = endpoint_.id;
  failure_ = std::move(unusable);
  if (failure_.ok() && (journal_ == nullptr || poster_ == nullptr)) {
    failure_ = absl::InternalError("the endpoint has no journal or no HTTPS client");
  }
  if (failure_.ok()) fetch_seq_ = scan_seq_ = journal_->Cursor();
}

EndpointWorker::~EndpointWorker() {
  RequestStop();
  Join();
}

void EndpointWorker::Start() {
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) return;
  }
  thread_ = std::thread([this] { Run(); });
}

void EndpointWorker::Notify() {
  absl::MutexLock lock(&mu_);
  notified_ = true;
  wake_.Signal();
}

void EndpointWorker::RequestStop() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
    wake_.Signal();
  }
  if (poster_ != nullptr) poster_->Interrupt();
}

void EndpointWorker::Join() {
  if (thread_.joinable()) thread_.join();
}

bool EndpointWorker::Stopping() const {
  absl::MutexLock lock(&mu_);
  return stop_;
}

int64_t EndpointWorker::NowUnixMillis() const { return context_->env->NowNanos() / 1000000; }

void EndpointWorker::Run() {
  while (!Stopping()) {
    bool refill = false;
    {
      absl::MutexLock lock(&mu_);
      refill = notified_ || (refill_wanted_ && queue_.size() < endpoint_.max_queue);
    }
    const absl::Status refilled = refill ? Refill() : absl::OkStatus();
    absl::StatusOr<std::optional<Target>> target =
        refilled.ok() ? NextTarget() : absl::StatusOr<std::optional<Target>>(refilled);
    if (!target.ok()) {
      ReportFeedError(target.status());
      WaitUntil(absl::Now() + endpoint_.initial_backoff, /*refill_on_notify=*/false);
      absl::MutexLock lock(&mu_);
      notified_ = true;  // Read the feed again.
      continue;
    }
    if (!target->has_value()) {
      PersistIdleCursor();
      absl::MutexLock lock(&mu_);
      if (!stop_ && failure_.ok() && !notified_ &&
          !(refill_wanted_ && queue_.size() < endpoint_.max_queue)) {
        wake_.WaitWithTimeout(&mu_, context_->idle_poll);
        // Read the feed after a quiet spell too: the log, not Notify, is the outbox.
        notified_ = true;
      }
      if (!failure_.ok()) return;
      continue;
    }
    if (absl::Status delivered = Deliver(**target); !delivered.ok()) {
      Fail(delivered);
      return;
    }
  }
  PersistIdleCursor();
}

absl::Status EndpointWorker::Refill() {
  for (int round = 0; round < kMaxRefillRounds; ++round) {
    uint64_t from = 0;
    bool full = false;
    {
      absl::MutexLock lock(&mu_);
      notified_ = false;
      full = queue_.size() >= endpoint_.max_queue;
      // A full queue only counts what is new; otherwise read on from the first deferred alert.
      from = full ? scan_seq_ : fetch_seq_;
    }
    absl::StatusOr<std::vector<PendingAlert>> read =
        context_->feed->AlertsFrom(from, context_->feed_batch);
    if (!read.ok()) {
      absl::MutexLock lock(&mu_);
      notified_ = true;  // The read is still owed.
      return read.status();
    }
    const std::vector<PendingAlert>& alerts = *read;
    uint64_t deferred = 0;
    bool episode_starts = false;
    bool read_on = false;
    {
      absl::MutexLock lock(&mu_);
      bool blocked = full;
      uint64_t next = from;
      for (const PendingAlert& alert : alerts) {
        if (alert.seq < next) {
          notified_ = true;
          return absl::InternalError(absl::StrCat("the alert feed returned alert ", alert.seq,
                                                  " when asked for alerts from ", from,
                                                  " in ascending order"));
        }
        next = alert.seq + 1;
        const bool routed = RouteTakes(endpoint_.route, alert);
        if (!blocked && routed) {
          if (queue_.size() < endpoint_.max_queue) {
            queue_.push_back(alert);
          } else {
            blocked = true;
          }
        }
        if (!blocked) fetch_seq_ = alert.seq + 1;
        if (blocked && routed && alert.seq >= scan_seq_) ++deferred;
        scan_seq_ = std::max(scan_seq_, alert.seq + 1);
      }
      const bool exhausted = alerts.size() < context_->feed_batch;
      if (deferred > 0) {
        stats_.overflowed += deferred;
        if (!stats_.overflowing) {
          stats_.overflowing = true;
          ++stats_.overflow_episodes;
          episode_starts = true;
        }
      }
      // The episode ends when everything the log holds for this endpoint fits the queue again.
      if (!blocked && exhausted && fetch_seq_ >= scan_seq_) stats_.overflowing = false;
      refill_wanted_ = blocked || !exhausted || fetch_seq_ < scan_seq_;
      read_on = !exhausted && (blocked || queue_.size() < endpoint_.max_queue);
      last_feed_error_.clear();
    }
    if (episode_starts) {
      context_->events->Warning(
          "webhook_queue_overflow",
          {{"endpoint", endpoint_.id}, {"deferred", deferred}, {"max_queue", endpoint_.max_queue}});
      if (context_->on_overflow) context_->on_overflow(endpoint_.id, deferred);
    }
    if (!read_on) break;
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<EndpointWorker::Target>> EndpointWorker::NextTarget() {
  if (std::optional<DeadLetter> retry = journal_->FirstRetry(); retry.has_value()) {
    ASSIGN_OR_RETURN(const std::vector<PendingAlert> alerts,
                     context_->feed->AlertsFrom(retry->seq, 1));
    Target target;
    target.retry = true;
    if (!alerts.empty() && alerts[0].seq == retry->seq) {
      target.alert = alerts[0];
    } else {
      target.alert.seq = retry->seq;
      target.alert.rule_id = retry->rule_id;
      target.missing = true;
    }
    return target;
  }
  absl::MutexLock lock(&mu_);
  if (queue_.empty()) return std::nullopt;
  Target target;
  target.alert = queue_.front();
  return target;
}

absl::Status EndpointWorker::Deliver(const Target& target) {
  const uint64_t seq = target.alert.seq;
  const std::string webhook_id = WebhookIdFor(context_->webhook_id_prefix, seq);
  // Attempts made before a restart count: dead_letter_after runs from the very first one.
  DeliveryAttempts tried = journal_->AttemptsOf(seq).value_or(DeliveryAttempts{});
  const int64_t dead_after_ms = absl::ToInt64Milliseconds(endpoint_.dead_letter_after);
  std::optional<std::string> body;
  while (!Stopping()) {
    const int64_t now_ms = NowUnixMillis();
    absl::Status attempt;
    if (target.missing) {
      attempt = absl::NotFoundError(
          absl::StrCat("alert ", seq, " is no longer returned by the alert feed"));
    } else if (!body.has_value()) {
      absl::StatusOr<std::string> built = context_->feed->Body(target.alert);
      if (built.ok()) {
        body = *std::move(built);
      } else {
        attempt = absl::Status(built.status().code(),
                               absl::StrCat("building the body: ", built.status().message()));
      }
    }
    if (attempt.ok()) attempt = Attempt(webhook_id, *body);
    if (attempt.code() == absl::StatusCode::kCancelled && Stopping()) break;
    if (tried.attempts == 0) tried.first_attempt_unix_ms = now_ms;
    ++tried.attempts;

    DeliveryEvent event;
    event.seq = seq;
    event.attempts = tried.attempts;
    event.first_attempt_unix_ms = tried.first_attempt_unix_ms;
    event.at_unix_ms = now_ms;
    if (attempt.ok()) {
      event.type = DeliveryEventType::kDelivered;
      RETURN_IF_ERROR(Settle(target, std::move(event)));
      {
        absl::MutexLock lock(&mu_);
        ++stats_.delivered;
      }
      context_->events->Info("webhook_delivered", {{"endpoint", endpoint_.id},
                                                   {"seq", seq},
                                                   {"webhook_id", webhook_id},
                                                   {"attempts", tried.attempts}});
      return absl::OkStatus();
    }
    tried.last_error = Printable(attempt.message());
    event.error = tried.last_error;
    {
      absl::MutexLock lock(&mu_);
      ++stats_.failed_attempts;
      stats_.last_error = tried.last_error;
    }
    if (target.missing || now_ms - tried.first_attempt_unix_ms >= dead_after_ms) {
      event.type = DeliveryEventType::kDeadLettered;
      event.webhook_id = webhook_id;
      event.rule_id = target.alert.rule_id;
      RETURN_IF_ERROR(Settle(target, std::move(event)));
      {
        absl::MutexLock lock(&mu_);
        ++stats_.dead_lettered;
      }
      context_->events->Error("webhook_dead_lettered", {{"endpoint", endpoint_.id},
                                                        {"seq", seq},
                                                        {"webhook_id", webhook_id},
                                                        {"attempts", tried.attempts},
                                                        {"error", tried.last_error}});
      return absl::OkStatus();
    }
    event.type = DeliveryEventType::kAttempt;
    RETURN_IF_ERROR(journal_->Record({event}));
    const absl::Duration jittered =
        FullJitterBackoff(tried.attempts, endpoint_.initial_backoff, endpoint_.max_backoff,
                          absl::Uniform(bitgen_, 0.0, 1.0));
    // The last retry falls due when dead_letter_after is reached, not a backoff later.
    const absl::Duration delay =
        std::clamp(absl::Milliseconds(tried.first_attempt_unix_ms + dead_after_ms - now_ms),
                   absl::ZeroDuration(), jittered);
    context_->events->Warning("webhook_attempt_failed",
                              {{"endpoint", endpoint_.id},
                               {"seq", seq},
                               {"webhook_id", webhook_id},
                               {"attempt", tried.attempts},
                               {"error", tried.last_error},
                               {"retry_in_ms", absl::ToInt64Milliseconds(delay)}});
    WaitUntil(absl::Now() + delay, /*refill_on_notify=*/true);
  }
  return absl::OkStatus();
}

absl::Status EndpointWorker::Attempt(const std::string& webhook_id, const std::string& body) {
  const int64_t timestamp = NowUnixMillis() / 1000;
  ASSIGN_OR_RETURN(std::string signature,
                   StandardWebhookSignature(endpoint_.hmac_key, webhook_id, timestamp, body));
  if (endpoint_.ed25519) {
    ASSIGN_OR_RETURN(const std::string v1a,
                     context_->ed25519_key->Sign(webhook_id, timestamp, body));
    absl::StrAppend(&signature, " ", v1a);
  }
  HttpsPost post;
  post.url = endpoint_.url;
  post.headers = {{"Content-Type", "application/json"},
                  {"webhook-id", webhook_id},
                  {"webhook-timestamp", absl::StrCat(timestamp)},
                  {"webhook-signature", std::move(signature)}};
  post.body = body;
  post.timeout = endpoint_.timeout;
  post.ca_file = endpoint_.ca_file;
  ASSIGN_OR_RETURN(const HttpsAnswer answer, poster_->Post(post));
  if (answer.status >= 200 && answer.status <= 299) return absl::OkStatus();
  return absl::UnavailableError(absl::StrCat(
      "HTTP ", answer.status,
      answer.body_prefix.empty() ? "" : absl::StrCat(": ", Printable(answer.body_prefix))));
}

absl::Status EndpointWorker::Settle(const Target& target, DeliveryEvent event) {
  if (!target.retry) {
    // The worker alone changes the queue, so the cursor after the head is known before it goes.
    absl::MutexLock lock(&mu_);
    event.cursor = queue_.size() > 1 ? queue_[1].seq : fetch_seq_;
  }
  RETURN_IF_ERROR(journal_->Record({event}));
  if (!target.retry) {
    absl::MutexLock lock(&mu_);
    queue_.pop_front();
  }
  return absl::OkStatus();
}

void EndpointWorker::WaitUntil(absl::Time deadline, bool refill_on_notify) {
  while (true) {
    {
      absl::MutexLock lock(&mu_);
      const auto woken = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
        return stop_ || (refill_on_notify && notified_);
      };
      while (!woken() && absl::Now() < deadline) wake_.WaitWithDeadline(&mu_, deadline);
      if (stop_ || !woken()) return;
    }
    // A new alert while waiting: read it now, so an overflow is counted when it happens.
    if (absl::Status refilled = Refill(); !refilled.ok()) {
      ReportFeedError(refilled);
      refill_on_notify = false;  // The feed is failing: not again before the deadline.
    }
  }
}

void EndpointWorker::PersistIdleCursor() {
  uint64_t cursor = 0;
  {
    absl::MutexLock lock(&mu_);
    if (!queue_.empty() || !failure_.ok()) return;
    cursor = fetch_seq_;
  }
  // Alerts this endpoint does not take move the cursor too; keeping it spares a restart from
  // reading them again.
  if (cursor <= journal_->Cursor()) return;
  if (absl::Status recorded = journal_->Record({CursorEvent(cursor)}); !recorded.ok()) {
    Fail(recorded);
  }
}

void EndpointWorker::ReportFeedError(const absl::Status& error) {
  bool repeated = false;
  {
    absl::MutexLock lock(&mu_);
    ++stats_.feed_errors;
    stats_.last_error = Printable(error.ToString());
    repeated = last_feed_error_ == stats_.last_error;
    last_feed_error_ = stats_.last_error;
  }
  // The same error again and again is counted, not logged again.
  if (!repeated) {
    context_->events->Error("webhook_feed_error",
                            {{"endpoint", endpoint_.id}, {"error", error.ToString()}});
  }
}

void EndpointWorker::Fail(const absl::Status& error) {
  {
    absl::MutexLock lock(&mu_);
    failure_ = error;
  }
  context_->events->Error("webhook_worker_stopped",
                          {{"endpoint", endpoint_.id}, {"error", error.ToString()}});
}

WebhookEndpointStats EndpointWorker::Stats() const {
  WebhookEndpointStats stats;
  {
    absl::MutexLock lock(&mu_);
    stats = stats_;
    stats.queue_depth = queue_.size();
    stats.status = failure_;
  }
  if (journal_ != nullptr) {
    stats.cursor = journal_->Cursor();
    stats.dead_letters = journal_->DeadLetterCount();
  }
  return stats;
}

WebhookEndpointDeliveries EndpointWorker::List() const {
  WebhookEndpointDeliveries list;
  list.endpoint = endpoint_.id;
  const DeliveryState state = journal_ != nullptr ? journal_->State() : DeliveryState{};
  std::deque<PendingAlert> queue;
  {
    absl::MutexLock lock(&mu_);
    queue = queue_;
    list.status = failure_;
    list.more_pending = fetch_seq_ < scan_seq_;
  }
  auto entry = [&](uint64_t seq, const std::string& rule_id) {
    WebhookDeliveryEntry out;
    out.seq = seq;
    out.webhook_id = WebhookIdFor(context_->webhook_id_prefix, seq);
    out.rule_id = rule_id;
    if (const auto it = state.attempts.find(seq); it != state.attempts.end()) {
      out.attempts = it->second.attempts;
      out.first_attempt_unix_ms = it->second.first_attempt_unix_ms;
      out.last_error = it->second.last_error;
    }
    return out;
  };
  for (const auto& [seq, letter] : state.retries)
    list.pending.push_back(entry(seq, letter.rule_id));
  for (const PendingAlert& alert : queue) list.pending.push_back(entry(alert.seq, alert.rule_id));
  for (const auto& [seq, letter] : state.dead_letters) {
    WebhookDeliveryEntry out;
    out.seq = seq;
    out.webhook_id = letter.webhook_id;
    out.rule_id = letter.rule_id;
    out.attempts = letter.attempts;
    out.first_attempt_unix_ms = letter.first_attempt_unix_ms;
    out.dead_lettered_unix_ms = letter.dead_lettered_unix_ms;
    out.last_error = letter.last_error;
    list.dead_letters.push_back(std::move(out));
  }
  return list;
}

absl::StatusOr<size_t> EndpointWorker::Retry(std::optional<uint64_t> seq) {
  {
    absl::MutexLock lock(&mu_);
    if (!failure_.ok()) {
      return absl::FailedPreconditionError(
          absl::StrCat("endpoint \"", endpoint_.id, "\" is not delivering: ", failure_.ToString()));
    }
  }
  const DeliveryState state = journal_->State();
  std::vector<DeliveryEvent> events;
  if (seq.has_value()) {
    if (state.dead_letters.count(*seq) == 0) {
      return absl::NotFoundError(
          absl::StrCat("alert ", *seq, " is not a dead letter of endpoint \"", endpoint_.id, "\""));
    }
    events.push_back(RetryEvent(*seq));
  } else {
    for (const auto& [dead_seq, letter] : state.dead_letters)
      events.push_back(RetryEvent(dead_seq));
  }
  if (events.empty()) return 0;
  if (absl::Status recorded = journal_->Record(events); !recorded.ok()) {
    // INVALID_ARGUMENT: another Retry took it first.
    if (recorded.code() == absl::StatusCode::kInvalidArgument) {
      return absl::NotFoundError(absl::StrCat(recorded.message(), " (retried meanwhile)"));
    }
    return recorded;
  }
  context_->events->Info("webhook_retry",
                         {{"endpoint", endpoint_.id},
                          {"count", events.size()},
                          {"seq", seq.has_value() ? absl::StrCat(*seq) : std::string("all")}});
  Notify();
  return events.size();
}

}  // namespace sealtrail

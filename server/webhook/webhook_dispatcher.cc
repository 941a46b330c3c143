#include "server/webhook/webhook_dispatcher.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/webhook/delivery_journal.h"
#include "server/webhook/endpoint_worker.h"
#include "server/webhook/https_poster.h"

namespace sealtrail {
namespace {

bool IsValidPrefix(std::string_view prefix) {
  if (prefix.size() > 64) return false;
  for (char c : prefix) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
  }
  return true;
}

absl::Status CheckOptions(const WebhookDispatcherOptions& options, const WebhookConfig& config,
                          const AlertFeed* feed) {
  if (options.events == nullptr) return absl::InvalidArgumentError("webhooks need an EventLog");
  if (options.state_dir.empty()) {
    return absl::InvalidArgumentError("webhooks need a state directory");
  }
  if (feed == nullptr) return absl::InvalidArgumentError("webhooks need an alert feed");
  if (options.feed_batch == 0) return absl::InvalidArgumentError("feed_batch must be at least 1");
  if (options.idle_poll <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("idle_poll must be positive");
  }
  if (!IsValidPrefix(options.webhook_id_prefix)) {
    return absl::InvalidArgumentError(
        absl::StrCat("webhook id prefix \"", options.webhook_id_prefix,
                     "\" must be at most 64 of [A-Za-z0-9_-] (a webhook-id may hold no '.')"));
  }
  for (const WebhookEndpoint& endpoint : config.endpoints) {
    if (endpoint.ed25519 && options.ed25519_key == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat(endpoint.defined_at, ": endpoint \"", endpoint.id,
                       "\" asks for ed25519 signatures, but no signing key was given"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(std::unique_ptr<EndpointWorkerContext> context,
                                     std::unique_ptr<FileLock> lock)
    : context_(std::move(context)), lock_(std::move(lock)) {}

WebhookDispatcher::~WebhookDispatcher() { Stop(); }

absl::StatusOr<std::unique_ptr<WebhookDispatcher>> WebhookDispatcher::Start(
    const WebhookDispatcherOptions& options, const WebhookConfig& config, AlertFeed* feed) {
  RETURN_IF_ERROR(CheckOptions(options, config, feed));
  Env* env = options.env != nullptr ? options.env : Env::Default();
  RETURN_IF_ERROR(env->CreateDir(options.state_dir));
  ASSIGN_OR_RETURN(std::unique_ptr<FileLock> lock,
                   env->LockFile(absl::StrCat(options.state_dir, "/LOCK")));

  auto context = std::make_unique<EndpointWorkerContext>();
  context->env = env;
  context->events = options.events;
  context->feed = feed;
  context->ed25519_key = options.ed25519_key;
  context->webhook_id_prefix = options.webhook_id_prefix;
  context->on_overflow = options.on_overflow;
  context->feed_batch = options.feed_batch;
  context->idle_poll = options.idle_poll;
  std::unique_ptr<WebhookDispatcher> dispatcher(
      new WebhookDispatcher(std::move(context), std::move(lock)));

  DeliveryJournalOptions journal_options;
  journal_options.env = env;
  journal_options.events = options.events;
  journal_options.compact_after_bytes = options.journal_compact_after_bytes;
  for (const WebhookEndpoint& endpoint : config.endpoints) {
    absl::StatusOr<std::unique_ptr<DeliveryJournal>> journal =
        DeliveryJournal::Open(journal_options, options.state_dir, endpoint.id, options.start_seq);
    absl::StatusOr<std::unique_ptr<HttpsPoster>> poster = HttpsPoster::Create();
    absl::Status unusable = !journal.ok() ? journal.status() : poster.status();
    if (!unusable.ok()) {
      options.events->Error("webhook_endpoint_unusable",
                            {{"endpoint", endpoint.id}, {"error", unusable.ToString()}});
    }
    dispatcher->workers_.push_back(std::make_unique<EndpointWorker>(
        endpoint, dispatcher->context_.get(), journal.ok() ? *std::move(journal) : nullptr,
        poster.ok() ? *std::move(poster) : nullptr, unusable));
  }
  for (const auto& worker : dispatcher->workers_) worker->Start();
  options.events->Info("webhooks_started",
                       {{"endpoints", config.endpoints.size()}, {"state_dir", options.state_dir}});
  return dispatcher;
}

void WebhookDispatcher::Notify() {
  for (const auto& worker : workers_) worker->Notify();
}

void WebhookDispatcher::Stop() {
  // Every worker is told first, so they all wind down together.
  for (const auto& worker : workers_) worker->RequestStop();
  for (const auto& worker : workers_) worker->Join();
}

std::vector<WebhookEndpointDeliveries> WebhookDispatcher::List() const {
  std::vector<WebhookEndpointDeliveries> lists;
  for (const auto& worker : workers_) lists.push_back(worker->List());
  return lists;
}

absl::StatusOr<size_t> WebhookDispatcher::Retry(std::string_view endpoint_id,
                                                std::optional<uint64_t> seq) {
  for (const auto& worker : workers_) {
    if (worker->id() == endpoint_id) return worker->Retry(seq);
  }
  return absl::NotFoundError(absl::StrCat(
      "no webhook endpoint \"", absl::string_view(endpoint_id.data(), endpoint_id.size()), "\""));
}

std::vector<WebhookEndpointStats> WebhookDispatcher::Stats() const {
  std::vector<WebhookEndpointStats> stats;
  for (const auto& worker : workers_) stats.push_back(worker->Stats());
  return stats;
}

}  // namespace sealtrail

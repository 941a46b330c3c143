#include "server/service/admin_service.h"

#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/service/authorizer.h"
#include "server/service/grpc_status.h"
#include "server/service/raw_call.h"

namespace sealtrail {
namespace {

void AddDeliveries(const std::string& endpoint, const std::vector<WebhookDeliveryEntry>& entries,
                   const char* state, v1::ListWebhookDeliveriesResponse* response) {
  for (const WebhookDeliveryEntry& entry : entries) {
    v1::WebhookDelivery* delivery = response->add_deliveries();
    delivery->set_endpoint(endpoint);
    delivery->set_alert_seq(entry.seq);
    delivery->set_webhook_id(entry.webhook_id);
    delivery->set_rule_id(entry.rule_id);
    delivery->set_state(state);
    delivery->set_attempts(entry.attempts);
    delivery->set_first_attempt_ns(entry.first_attempt_unix_ms * 1'000'000);
    delivery->set_last_error(entry.last_error);
  }
}

// The evidence of a retry: who asked to deliver which dead letters again, and what moved.
v1::AuditRecord RetryRecord(const Call& call, const v1::RetryWebhookDeliveriesRequest& request,
                            size_t retried) {
  v1::AuditRecord record;
  record.mutable_actor()->set_service(call.principal->subject);
  record.mutable_actor()->set_verified(true);
  record.mutable_action()->set_name(kWebhookRetryAction);
  record.mutable_action()->set_method(kRetryWebhookDeliveriesMethod);
  record.mutable_action()->set_resource_type("webhook_endpoint");
  record.mutable_action()->set_resource_id(request.endpoint());
  record.mutable_context()->set_tenant_id(kPlatformTenant);
  record.mutable_context()->set_source_ip(call.source_ip);
  record.mutable_outcome()->set_result(v1::Outcome::SUCCESS);
  auto* attributes = record.mutable_details()->mutable_attributes();
  (*attributes)["which"] =
      request.all_dead() ? "all dead letters" : absl::StrCat("alert ", request.alert_seq());
  (*attributes)["retried"] = absl::StrCat(retried);
  return record;
}

}  // namespace

grpc::ServerUnaryReactor* AdminService::ListWebhookDeliveries(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request_bytes,
                                                              grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::ListWebhookDeliveriesRequest, v1::ListWebhookDeliveriesResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::ListWebhookDeliveriesRequest& request,
                      v1::ListWebhookDeliveriesResponse* response, RawDone done) {
        Call call = access_->Begin(*context, kListWebhookDeliveriesMethod);
        absl::Status admitted = access_->Authenticate(*context, call, "");
        if (admitted.ok()) admitted = access_->Authorize(call, "");
        if (!admitted.ok()) return done(ToGrpcStatus(admitted));
        if (webhooks_ == nullptr) return done(grpc::Status::OK);
        bool found = request.endpoint().empty();
        for (const WebhookEndpointStats& stats : webhooks_->Stats()) {
          if (!request.endpoint().empty() && stats.endpoint != request.endpoint()) continue;
          found = true;
          v1::WebhookEndpointCounters* counters = response->add_endpoints();
          counters->set_endpoint(stats.endpoint);
          counters->set_delivered(stats.delivered);
          counters->set_failed_attempts(stats.failed_attempts);
          counters->set_dead_lettered(stats.dead_lettered);
          counters->set_overflows(stats.overflowed);
          counters->set_queued(stats.queue_depth);
          counters->set_cursor(stats.cursor);
        }
        if (!found) {
          return done(ToGrpcStatus(absl::NotFoundError(
              absl::StrCat("no webhook endpoint \"", request.endpoint(), "\" is configured"))));
        }
        for (const WebhookEndpointDeliveries& endpoint : webhooks_->List()) {
          if (!request.endpoint().empty() && endpoint.endpoint != request.endpoint()) continue;
          AddDeliveries(endpoint.endpoint, endpoint.pending, "pending", response);
          AddDeliveries(endpoint.endpoint, endpoint.dead_letters, "dead", response);
        }
        done(grpc::Status::OK);
      });
}

grpc::ServerUnaryReactor* AdminService::RetryWebhookDeliveries(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request_bytes,
    grpc::ByteBuffer* response_bytes) {
  return ServeRawUnary<v1::RetryWebhookDeliveriesRequest, v1::RetryWebhookDeliveriesResponse>(
      context, request_bytes, response_bytes,
      [this, context](v1::RetryWebhookDeliveriesRequest& request,
                      v1::RetryWebhookDeliveriesResponse* response, RawDone done) {
        Call call = access_->Begin(*context, kRetryWebhookDeliveriesMethod);
        absl::Status admitted = access_->Authenticate(*context, call, "");
        if (admitted.ok()) admitted = access_->Authorize(call, "");
        if (!admitted.ok()) return done(ToGrpcStatus(admitted));
        if (request.endpoint().empty()) {
          return done(ToGrpcStatus(absl::InvalidArgumentError("endpoint is required")));
        }
        if (webhooks_ == nullptr) {
          return done(ToGrpcStatus(absl::FailedPreconditionError(
              "the server delivers no webhooks (no --webhooks file)")));
        }
        std::optional<uint64_t> seq;
        if (!request.all_dead()) seq = request.alert_seq();
        absl::StatusOr<size_t> retried = webhooks_->Retry(request.endpoint(), seq);
        if (!retried.ok()) return done(ToGrpcStatus(retried.status()));
        response->set_retried(static_cast<uint32_t>(*retried));
        std::vector<v1::AuditRecord> records;
        records.push_back(RetryRecord(call, request, *retried));
        pipeline_->Submit(std::move(records),
                          [done](absl::StatusOr<std::vector<CommittedRecord>> committed) {
                            // The retry happened; the reply says whether its evidence is
                            // durable, so an operator never retries unrecorded.
                            done(ToGrpcStatus(committed.status()));
                          });
      });
}

}  // namespace sealtrail

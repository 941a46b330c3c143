// AdminService: the sealtrail.v1.Admin gRPC service, the operator's view of alert delivery:
// `sealtrail webhooks list|retry` (docs/detection.md, "Operating the webhooks"). Needs the admin
// role (authorizer.h). It touches no record: webhook deliveries are state derived from the alert
// records in the log. A retry is an operator's action on evidence delivery, so it is itself
// appended as a record (action sealtrail.webhook.retry, tenant _platform, the caller as actor)
// before it is answered.
//
// Threading: gRPC's callback API; List answers inline, Retry once its record is durable.
// Thread-safety: gRPC calls the methods concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_ADMIN_SERVICE_H_
#define SEALTRAIL_SERVER_SERVICE_ADMIN_SERVICE_H_

#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server/service/access_control.h"
#include "server/service/append_pipeline.h"
#include "server/webhook/webhook_dispatcher.h"

namespace sealtrail {

inline constexpr char kWebhookRetryAction[] = "sealtrail.webhook.retry";

class AdminService final
    : public v1::Admin::WithRawCallbackMethod_ListWebhookDeliveries<
          v1::Admin::WithRawCallbackMethod_RetryWebhookDeliveries<v1::Admin::Service>> {
 public:
  // None owned; all must outlive the service. `webhooks` may be null (no --webhooks): List
  // answers an empty list and Retry FAILED_PRECONDITION.
  AdminService(WebhookDispatcher* webhooks, AppendPipeline* pipeline, const AccessControl* access)
      : webhooks_(webhooks), pipeline_(pipeline), access_(access) {}

  grpc::ServerUnaryReactor* ListWebhookDeliveries(grpc::CallbackServerContext* context,
                                                  const grpc::ByteBuffer* request_bytes,
                                                  grpc::ByteBuffer* response_bytes) override;
  grpc::ServerUnaryReactor* RetryWebhookDeliveries(grpc::CallbackServerContext* context,
                                                   const grpc::ByteBuffer* request_bytes,
                                                   grpc::ByteBuffer* response_bytes) override;

 private:
  WebhookDispatcher* const webhooks_;
  AppendPipeline* const pipeline_;
  const AccessControl* const access_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_ADMIN_SERVICE_H_

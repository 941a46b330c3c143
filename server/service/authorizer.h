// Authorizer: the one place that says which roles may call which method, and for which tenants
// (docs/server.md, "Authentication and authorization"). Every RPC handler asks it before touching
// storage; nothing else in the server compares roles.
//
//   append       Append, AppendStream,        appender, for each record's tenant
//                OTLP logs Export (gRPC, HTTP)
//   read tenant  Query, QueryStream,          auditor for that tenant, or platform-auditor
//                ProveInclusion               (the record's tenant)
//   read log     ProveConsistency,            auditor (any tenant), platform-auditor or admin:
//                GetCheckpoint                they cover the whole log, not one tenant
//   administer   ListWebhookDeliveries,       admin
//                RetryWebhookDeliveries
//
// Thread-safety: pure functions.
#ifndef SEALTRAIL_SERVER_SERVICE_AUTHORIZER_H_
#define SEALTRAIL_SERVER_SERVICE_AUTHORIZER_H_

#include "absl/strings/string_view.h"

#include "absl/status/status.h"
#include "server/auth/principal.h"

namespace sealtrail {

// Full gRPC method paths, as clients call them and as denial evidence names them.
inline constexpr char kAppendMethod[] = "/sealtrail.v1.AuditLog/Append";
inline constexpr char kAppendStreamMethod[] = "/sealtrail.v1.AuditLog/AppendStream";
inline constexpr char kQueryMethod[] = "/sealtrail.v1.AuditLog/Query";
inline constexpr char kQueryStreamMethod[] = "/sealtrail.v1.AuditLog/QueryStream";
inline constexpr char kProveInclusionMethod[] = "/sealtrail.v1.Prover/ProveInclusion";
inline constexpr char kProveConsistencyMethod[] = "/sealtrail.v1.Prover/ProveConsistency";
inline constexpr char kGetCheckpointMethod[] = "/sealtrail.v1.Prover/GetCheckpoint";
inline constexpr char kListWebhookDeliveriesMethod[] = "/sealtrail.v1.Admin/ListWebhookDeliveries";
inline constexpr char kRetryWebhookDeliveriesMethod[] =
    "/sealtrail.v1.Admin/RetryWebhookDeliveries";
// OTLP logs ingestion (docs/otlp.md): appends, over gRPC and over OTLP/HTTP.
inline constexpr char kOtlpLogsExportMethod[] =
    "/opentelemetry.proto.collector.logs.v1.LogsService/Export";
inline constexpr char kOtlpHttpLogsMethod[] = "POST /v1/logs";

enum class Access {
  kAppend,      // Write records of a tenant.
  kReadTenant,  // Read records of a tenant.
  kReadLog,     // Read what covers the whole log (checkpoints, consistency proofs).
  kAdminister,  // Operate the server's alerting (webhook deliveries).
};

// The access `method` (a full path above) needs. REQUIRES: one of the methods above.
Access RequiredAccess(absl::string_view method);

// Whether `principal` holds a role that grants `access` for at least one tenant. Checked before
// anything is looked up, so that a caller without the role learns nothing from the lookup.
// PERMISSION_DENIED naming the method's roles and the caller's.
[[nodiscard]] absl::Status AuthorizeRole(const Principal& principal, Access access);

// Whether `principal` may have `access` to `tenant` (ignored for kReadLog). PERMISSION_DENIED
// naming the subject and the tenant (a tenant the caller named itself, so nothing is revealed).
[[nodiscard]] absl::Status Authorize(const Principal& principal, Access access,
                                     absl::string_view tenant);

// Whether `principal` has `access` to every tenant (a platform auditor; a credential naming "*").
// For it, a lookup that finds nothing may say so; for others, "nothing" must look the same as
// "another tenant's".
bool GrantsEveryTenant(const Principal& principal, Access access);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_AUTHORIZER_H_

#include "server/service/query_request.h"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "server/record/record.h"

namespace sealtrail {

absl::StatusOr<IndexQuery> ToIndexQuery(const v1::QueryRequest& request, uint32_t default_limit) {
  IndexQuery query;
  if (request.all_tenants()) {
    if (!request.tenant_id().empty()) {
      return absl::InvalidArgumentError(
          "tenant_id must be empty with all_tenants (an all-tenants query searches every tenant)");
    }
    query.all_tenants = true;
  } else if (request.tenant_id().empty()) {
    return absl::InvalidArgumentError("tenant_id is required (or all_tenants)");
  }
  if (request.tenant_id().size() > kMaxRecordIdBytes) {
    return absl::InvalidArgumentError(absl::StrCat("tenant_id is ", request.tenant_id().size(),
                                                   " bytes; the limit is ", kMaxRecordIdBytes));
  }
  query.tenant_id = request.tenant_id();
  if (request.from_ns() < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("from_ns is negative (", request.from_ns(), ")"));
  }
  if (request.to_ns() < 0) {
    return absl::InvalidArgumentError(absl::StrCat("to_ns is negative (", request.to_ns(), ")"));
  }
  if (request.to_ns() != 0 && request.from_ns() > request.to_ns()) {
    return absl::InvalidArgumentError(absl::StrCat("the time range is empty: from_ns ",
                                                   request.from_ns(), " is after to_ns ",
                                                   request.to_ns()));
  }
  if (request.to_seq() != 0 && request.from_seq() >= request.to_seq()) {
    return absl::InvalidArgumentError(absl::StrCat("the sequence range is empty: from_seq ",
                                                   request.from_seq(), " is not below to_seq ",
                                                   request.to_seq()));
  }
  if (request.from_ns() != 0) query.from_ns = request.from_ns();
  if (request.to_ns() != 0) query.to_ns = request.to_ns();
  if (!request.actor().empty()) query.actor = request.actor();
  if (!request.action().empty()) query.action = request.action();
  if (!v1::Outcome::Result_IsValid(request.outcome())) {
    return absl::InvalidArgumentError(
        absl::StrCat("outcome ", request.outcome(), " is not a known Outcome.Result value"));
  }
  if (request.outcome() != v1::Outcome::RESULT_UNSPECIFIED) query.outcome = request.outcome();
  if (!request.trace_id().empty()) {
    if (request.trace_id().size() != 16) {
      return absl::InvalidArgumentError(absl::StrCat(
          "trace_id must be 16 bytes (a W3C trace id), got ", request.trace_id().size()));
    }
    query.trace_id = request.trace_id();
  }
  if (request.order() != v1::QueryRequest::NEWEST_FIRST &&
      request.order() != v1::QueryRequest::OLDEST_FIRST) {
    return absl::InvalidArgumentError(
        absl::StrCat("order ", request.order(), " is not a known QueryRequest.Order value"));
  }
  query.newest_first = request.order() == v1::QueryRequest::NEWEST_FIRST;
  query.limit = request.limit() == 0 ? default_limit : std::min(request.limit(), kMaxQueryLimit);
  query.page_token = request.page_token();
  return query;
}

}  // namespace sealtrail

#include "server/completeness/chain_key.h"

#include "absl/strings/str_cat.h"
#include "server/record/record_keys.h"

namespace sealtrail {

using keymap::KeyKind;

absl::StatusOr<ChainKey> ChainKeyOf(const v1::QueryRequest& request) {
  if (request.all_tenants()) {
    return absl::InvalidArgumentError(
        "verify_complete proves one tenant's answer: it cannot be combined with all_tenants");
  }
  if (!request.page_token().empty()) {
    return absl::InvalidArgumentError(
        "verify_complete proves a whole answer: it cannot be combined with page_token");
  }
  ChainKey key;
  key.tenant = request.tenant_id();
  if (!request.trace_id().empty()) {
    if (request.trace_id().size() != 16) {
      return absl::InvalidArgumentError(
          absl::StrCat("trace_id must be 16 bytes, got ", request.trace_id().size()));
    }
    key.kind = KeyKind::kTrace;
    key.value = request.trace_id();
  } else if (!request.actor().empty()) {
    key.kind = KeyKind::kActor;
    key.value = request.actor();
  } else if (!request.action().empty()) {
    key.kind = KeyKind::kAction;
    key.value = request.action();
  }
  return key;
}

v1::QueryRequest ChainQueryOf(const v1::QueryRequest& request, const ChainKey& key) {
  v1::QueryRequest chain = request;
  chain.clear_actor();
  chain.clear_action();
  chain.clear_trace_id();
  chain.clear_outcome();
  switch (key.kind) {
    case KeyKind::kTenant:
      break;
    case KeyKind::kActor:
      chain.set_actor(key.value);
      break;
    case KeyKind::kAction:
      chain.set_action(key.value);
      break;
    case KeyKind::kTrace:
      chain.set_trace_id(key.value);
      break;
  }
  return chain;
}

CompletenessClaim ClaimOf(const v1::QueryRequest& request, const ChainKey& key) {
  CompletenessClaim claim;
  claim.kind = key.kind;
  claim.tenant = key.tenant;
  claim.value = key.value;
  claim.from_ns = request.from_ns();
  claim.to_ns = request.to_ns();
  claim.from_seq = request.from_seq();
  claim.to_seq = request.to_seq();
  claim.newest_first = request.order() == v1::QueryRequest::NEWEST_FIRST;
  return claim;
}

bool MatchesLeftFilters(const v1::QueryRequest& request, const v1::AuditRecord& record) {
  if (request.outcome() != v1::Outcome::RESULT_UNSPECIFIED &&
      record.outcome().result() != request.outcome()) {
    return false;
  }
  if (!request.actor().empty() && RecordKeyOf(record, KeyKind::kActor)->value != request.actor()) {
    return false;
  }
  if (!request.action().empty() && record.action().name() != request.action()) return false;
  if (!request.trace_id().empty() && record.correlation().trace_id() != request.trace_id()) {
    return false;
  }
  return true;
}

}  // namespace sealtrail

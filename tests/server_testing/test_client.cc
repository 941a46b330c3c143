#include "server_testing/test_client.h"

#include "gtest/gtest.h"
#include "server/record/record.h"

namespace sealtrail::testing {

v1::QueryRequest TenantQuery(const std::string& tenant) {
  v1::QueryRequest query;
  query.set_tenant_id(tenant);
  query.set_order(v1::QueryRequest::OLDEST_FIRST);
  query.set_limit(1000);
  return query;
}

v1::AuditRecord Parse(const v1::QueryResult& result) {
  absl::StatusOr<v1::AuditRecord> record = ParseStoredRecord(result.data());
  EXPECT_TRUE(record.ok()) << record.status();
  return record.value_or(v1::AuditRecord());
}

}  // namespace sealtrail::testing

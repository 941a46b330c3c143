// All-tenants queries (QueryRequest.all_tenants): a platform auditor searches every tenant at
// once with the same filters, order and paging as a one-tenant query, and the results are exactly
// the one-tenant answers merged in sequence order. Nobody else may: a caller of some tenants, even
// of every tenant it knows of, is refused and the refusal is evidence. A real AuditServer on
// 127.0.0.1 with tokens signed by its dev key.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/record/record.h"
#include "server_testing/test_client.h"
#include "server_testing/test_server.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail {
namespace {

using ::sealtrail::testing::Client;
using ::sealtrail::testing::MakeRecord;
using ::sealtrail::testing::Parse;
using ::sealtrail::testing::ScratchDir;
using ::sealtrail::testing::TenantQuery;
using ::sealtrail::testing::TestServer;
using ::testing::HasSubstr;

const std::vector<std::string> kTenants = {"acme", "globex", "initech"};

std::string TraceOf(int n) { return std::string(15, '\x11') + static_cast<char>(n); }

class ServerAllTenantsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.checkpoint_interval_ms = 50;
    ASSERT_OK_AND_ASSIGN(server_, TestServer::Start(scratch_.Sub("data"), options));
    Client dev(*server_, server_->dev_token());
    // Interleaved across tenants, one record per request so commit times differ.
    for (int i = 0; i < 30; ++i) {
      v1::AuditRecord record = MakeRecord(kTenants[i % 3], absl::StrCat("user-", i % 4),
                                          i % 5 == 0 ? "data.export" : "doc.read",
                                          i % 7 == 0 ? v1::Outcome::DENIED : v1::Outcome::SUCCESS);
      record.mutable_correlation()->set_trace_id(TraceOf(i % 6));
      v1::AppendResponse response;
      ASSERT_TRUE(dev.Append({record}, &response).ok());
      if (i == 10) middle_ns_ = absl::ToUnixNanos(absl::Now());
    }
    // Evidence in _platform too: a refusal whose target tenant is unknown.
    Client anonymous(*server_, "");
    v1::GetCheckpointResponse checkpoint;
    ASSERT_EQ(anonymous.GetCheckpoint(&checkpoint).error_code(), grpc::StatusCode::UNAUTHENTICATED);
    WaitForRecords(kPlatformTenant, 1);
  }

  // Waits (about two seconds at most) until `tenant` holds at least `count` records.
  void WaitForRecords(const std::string& tenant, int count) {
    Client admin(*server_, server_->dev_token());
    for (int attempt = 0; attempt < 100; ++attempt) {
      v1::QueryResponse response;
      ASSERT_TRUE(admin.Query(TenantQuery(tenant), &response).ok());
      if (response.results_size() >= count) return;
      absl::SleepFor(absl::Milliseconds(20));
    }
    ADD_FAILURE() << tenant << " never held " << count << " records";
  }

  // Every page of `query` (page size `limit`), as (seq, tenant) pairs.
  std::vector<std::pair<uint64_t, std::string>> AllPages(Client& client, v1::QueryRequest query,
                                                         uint32_t limit) {
    std::vector<std::pair<uint64_t, std::string>> found;
    query.set_limit(limit);
    for (int page = 0; page < 1000; ++page) {
      v1::QueryResponse response;
      grpc::Status status = client.Query(query, &response);
      EXPECT_TRUE(status.ok()) << status.error_message();
      if (!status.ok()) break;
      for (const v1::QueryResult& result : response.results()) {
        found.emplace_back(result.seq(), Parse(result).context().tenant_id());
      }
      if (response.next_page_token().empty()) break;
      query.set_page_token(response.next_page_token());
    }
    return found;
  }

  // The one-tenant answers of `query` for every tenant, merged in the query's order.
  std::vector<std::pair<uint64_t, std::string>> Merged(const v1::QueryRequest& query) {
    Client admin(*server_, server_->dev_token());
    std::vector<std::pair<uint64_t, std::string>> merged;
    std::vector<std::string> tenants = kTenants;
    tenants.push_back(kPlatformTenant);
    for (const std::string& tenant : tenants) {
      v1::QueryRequest one = query;
      one.set_all_tenants(false);
      one.set_tenant_id(tenant);
      std::vector<std::pair<uint64_t, std::string>> found = AllPages(admin, one, 1000);
      merged.insert(merged.end(), found.begin(), found.end());
    }
    std::sort(merged.begin(), merged.end());
    if (query.order() == v1::QueryRequest::NEWEST_FIRST) {
      std::reverse(merged.begin(), merged.end());
    }
    return merged;
  }

  ScratchDir scratch_{"server_all_tenants_test"};
  std::unique_ptr<TestServer> server_;
  int64_t middle_ns_ = 0;
};

v1::QueryRequest AllTenants() {
  v1::QueryRequest query;
  query.set_all_tenants(true);
  return query;
}

TEST_F(ServerAllTenantsTest, APlatformAuditorSearchesEveryTenantWithEveryFilter) {
  Client platform(*server_, server_->Token("auditor-1", {"platform-auditor"}, {}));
  std::vector<std::function<void(v1::QueryRequest&)>> filters = {
      [](v1::QueryRequest&) {},
      [](v1::QueryRequest& q) { q.set_outcome(v1::Outcome::DENIED); },
      [](v1::QueryRequest& q) { q.set_actor("user-1"); },
      [](v1::QueryRequest& q) { q.set_action("data.export"); },
      [](v1::QueryRequest& q) { q.set_trace_id(TraceOf(2)); },
      [this](v1::QueryRequest& q) { q.set_from_ns(middle_ns_); },
      [this](v1::QueryRequest& q) {
        q.set_to_ns(middle_ns_);
        q.set_action("doc.read");
        q.set_outcome(v1::Outcome::SUCCESS);
      },
  };
  int non_empty = 0;
  for (size_t i = 0; i < filters.size(); ++i) {
    for (const auto order : {v1::QueryRequest::NEWEST_FIRST, v1::QueryRequest::OLDEST_FIRST}) {
      SCOPED_TRACE(absl::StrCat("filter ", i, " order ", order));
      v1::QueryRequest query = AllTenants();
      query.set_order(order);
      filters[i](query);
      const std::vector<std::pair<uint64_t, std::string>> expected = Merged(query);
      // Pages of 1, 4 and 1000 give the same sequence.
      EXPECT_EQ(AllPages(platform, query, 1), expected);
      EXPECT_EQ(AllPages(platform, query, 4), expected);
      EXPECT_EQ(AllPages(platform, query, 1000), expected);
      if (!expected.empty()) ++non_empty;
    }
  }
  EXPECT_GE(non_empty, 12);

  // "All DENIED events": every tenant's, the platform's evidence included.
  v1::QueryRequest denied = AllTenants();
  denied.set_outcome(v1::Outcome::DENIED);
  std::vector<std::string> tenants;
  for (const auto& [seq, tenant] : AllPages(platform, denied, 100)) tenants.push_back(tenant);
  EXPECT_THAT(tenants, ::testing::IsSupersetOf({"acme", "globex", "initech", kPlatformTenant}));

  // QueryStream pages the same way, with proofs.
  v1::QueryRequest streamed = AllTenants();
  streamed.set_with_proofs(true);
  std::vector<v1::QueryResult> results;
  ASSERT_TRUE(platform.QueryStream(streamed, &results).ok());
  std::vector<std::pair<uint64_t, std::string>> stream_found;
  for (const v1::QueryResult& result : results) {
    EXPECT_TRUE(result.has_inclusion());
    stream_found.emplace_back(result.seq(), Parse(result).context().tenant_id());
  }
  EXPECT_EQ(stream_found, Merged(AllTenants()));

  // An auditor whose tenants are "*" may too.
  Client star(*server_, server_->Token("auditor-2", {"auditor"}, {"*"}));
  EXPECT_EQ(AllPages(star, AllTenants(), 50), Merged(AllTenants()));
}

TEST_F(ServerAllTenantsTest, NobodyElseMayAndEachRefusalIsEvidence) {
  struct Case {
    std::string subject;
    std::vector<std::string> roles;
    std::vector<std::string> tenants;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"two-tenants", {"auditor"}, {"acme", "globex"}, "may not query all tenants"},
      {"every-known",
       {"auditor"},
       {"acme", "globex", "initech", kPlatformTenant},
       "may not query all tenants"},
      {"star-appender", {"appender"}, {"*"}, "needs role auditor or platform-auditor"},
      {"admin", {"admin"}, {"*"}, "needs role auditor or platform-auditor"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.subject);
    Client client(*server_, server_->Token(c.subject, c.roles, c.tenants));
    v1::QueryResponse response;
    grpc::Status status = client.Query(AllTenants(), &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_THAT(status.error_message(), HasSubstr(c.message));
    EXPECT_EQ(response.results_size(), 0);
    std::vector<v1::QueryResult> streamed;
    grpc::Status stream_status = client.QueryStream(AllTenants(), &streamed);
    EXPECT_EQ(stream_status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(streamed.empty());
  }
  // Each refusal is platform evidence, with the caller and the method.
  Client platform(*server_, server_->Token("auditor-1", {"platform-auditor"}, {}));
  std::vector<std::string> refused;
  for (int attempt = 0; attempt < 100 && refused.size() < 8; ++attempt) {
    absl::SleepFor(absl::Milliseconds(20));
    v1::QueryRequest evidence = TenantQuery(kPlatformTenant);
    evidence.set_action(kDeniedAction);
    v1::QueryResponse response;
    ASSERT_TRUE(platform.Query(evidence, &response).ok());
    refused.clear();
    for (const v1::QueryResult& result : response.results()) {
      v1::AuditRecord record = Parse(result);
      if (record.actor().user_id() == "anonymous") continue;  // SetUp's.
      refused.push_back(absl::StrCat(record.actor().user_id(), " ", record.action().method()));
    }
  }
  EXPECT_THAT(refused,
              ::testing::UnorderedElementsAre("two-tenants /sealtrail.v1.AuditLog/Query",
                                              "two-tenants /sealtrail.v1.AuditLog/QueryStream",
                                              "every-known /sealtrail.v1.AuditLog/Query",
                                              "every-known /sealtrail.v1.AuditLog/QueryStream",
                                              "star-appender /sealtrail.v1.AuditLog/Query",
                                              "star-appender /sealtrail.v1.AuditLog/QueryStream",
                                              "admin /sealtrail.v1.AuditLog/Query",
                                              "admin /sealtrail.v1.AuditLog/QueryStream"));

  // A caller of one tenant still sees only that tenant, and may not widen it with a tenant.
  Client acme(*server_, server_->Token("acme-auditor", {"auditor"}, {"acme"}));
  v1::QueryResponse own;
  ASSERT_TRUE(acme.Query(TenantQuery("acme"), &own).ok());
  EXPECT_EQ(own.results_size(), 10);
  for (const v1::QueryResult& result : own.results()) {
    EXPECT_EQ(Parse(result).context().tenant_id(), "acme");
  }
  v1::QueryRequest both = AllTenants();
  both.set_tenant_id("acme");
  v1::QueryResponse response;
  EXPECT_EQ(acme.Query(both, &response).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Client platform_both(*server_, server_->Token("auditor-3", {"platform-auditor"}, {}));
  grpc::Status invalid = platform_both.Query(both, &response);
  EXPECT_EQ(invalid.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(invalid.error_message(), HasSubstr("tenant_id must be empty with all_tenants"));
}

}  // namespace
}  // namespace sealtrail

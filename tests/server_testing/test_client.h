// Client: stubs over one channel to a TestServer that sends one token, with one method per RPC
// as the authorization and isolation tests call them; and small helpers those tests share.
//
// Thread-safety: as gRPC's stubs; one Client may be used by one thread at a time per call.
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_TEST_CLIENT_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_TEST_CLIENT_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "grpcpp/client_context.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"
#include "server_testing/test_server.h"

namespace sealtrail::testing {

// Stubs over one channel that sends one token.
struct Client {
  Client(const TestServer& server, const std::string& bearer)
      : token(bearer),
        channel(server.NewChannel(bearer)),
        audit(v1::AuditLog::NewStub(channel)),
        prover(v1::Prover::NewStub(channel)) {}

  grpc::Status Append(const std::vector<v1::AuditRecord>& records,
                      v1::AppendResponse* response = nullptr) {
    v1::AppendRequest request;
    for (const v1::AuditRecord& record : records) *request.add_records() = record;
    v1::AppendResponse ignored;
    grpc::ClientContext context;
    return audit->Append(&context, request, response != nullptr ? response : &ignored);
  }

  grpc::Status AppendStream(const std::vector<v1::AuditRecord>& records) {
    v1::AppendRequest request;
    for (const v1::AuditRecord& record : records) *request.add_records() = record;
    grpc::ClientContext context;
    auto stream = audit->AppendStream(&context);
    stream->Write(request);
    stream->WritesDone();
    v1::AppendResponse response;
    while (stream->Read(&response)) {
    }
    return stream->Finish();
  }

  grpc::Status Query(const v1::QueryRequest& request, v1::QueryResponse* response) {
    grpc::ClientContext context;
    return audit->Query(&context, request, response);
  }

  grpc::Status QueryStream(const v1::QueryRequest& request, std::vector<v1::QueryResult>* out) {
    grpc::ClientContext context;
    auto reader = audit->QueryStream(&context, request);
    v1::QueryResponse page;
    while (reader->Read(&page))
      out->insert(out->end(), page.results().begin(), page.results().end());
    return reader->Finish();
  }

  grpc::Status ProveSeq(uint64_t seq, v1::ProveInclusionResponse* response) {
    v1::ProveInclusionRequest request;
    request.set_seq(seq);
    grpc::ClientContext context;
    return prover->ProveInclusion(&context, request, response);
  }

  grpc::Status ProveLeafHash(const std::string& hash, v1::ProveInclusionResponse* response) {
    v1::ProveInclusionRequest request;
    request.set_leaf_hash(hash);
    grpc::ClientContext context;
    return prover->ProveInclusion(&context, request, response);
  }

  grpc::Status GetCheckpoint(v1::GetCheckpointResponse* response) {
    grpc::ClientContext context;
    return prover->GetCheckpoint(&context, v1::GetCheckpointRequest(), response);
  }

  grpc::Status ProveConsistency(uint64_t old_size, v1::ProveConsistencyResponse* response) {
    v1::ProveConsistencyRequest request;
    request.set_old_size(old_size);
    grpc::ClientContext context;
    return prover->ProveConsistency(&context, request, response);
  }

  std::string token;
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::AuditLog::Stub> audit;
  std::unique_ptr<v1::Prover::Stub> prover;
};

// A query of every record of `tenant`, oldest first, up to 1000.
v1::QueryRequest TenantQuery(const std::string& tenant);

// The record a query result holds (a test failure if it does not parse).
v1::AuditRecord Parse(const v1::QueryResult& result);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_TEST_CLIENT_H_

#include "bench/unary_methods.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "bench/caller.h"
#include "server/service/defaults.h"

namespace sealtrail::bench {
namespace {

// The failure a call ends with when its reply does not answer the request.
grpc::Status BadReply(const std::string& problem) {
  return grpc::Status(grpc::StatusCode::INTERNAL, problem);
}

}  // namespace

uint64_t MixTicket(uint64_t seed, uint64_t n) {
  uint64_t z = seed * 0x9e3779b97f4a7c15ull + n + 0x9e3779b97f4a7c15ull;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

AppendMethod::AppendMethod(std::shared_ptr<grpc::Channel> channel, const RequestPool* pool,
                           uint32_t batch)
    : stub_(std::move(channel)),
      method_(AuditLogMethodPath("Append")),
      pool_(pool),
      batch_(batch) {}

void AppendMethod::Call(grpc::ClientContext* context, const Ticket& ticket, Done done) {
  auto* response = new v1::AppendResponse;
  stub_.UnaryCall(context, method_, grpc::StubOptions(), &pool_->Request(ticket.number), response,
                  [this, response, done = std::move(done)](grpc::Status status) {
                    const int results = response->results_size();
                    delete response;
                    if (status.ok() && static_cast<uint32_t>(results) != batch_) {
                      status = BadReply(absl::StrCat("an AppendResponse has ", results,
                                                     " results for ", batch_, " records"));
                    }
                    done(status, batch_);
                  });
}

QueryMethod::QueryMethod(std::shared_ptr<grpc::Channel> channel, const RecordShape& shape,
                         uint64_t seed)
    : stub_(v1::AuditLog::NewStub(std::move(channel))), shape_(shape), seed_(seed) {}

void QueryMethod::Call(grpc::ClientContext* context, const Ticket& ticket, Done done) {
  struct QueryCall {
    v1::QueryRequest request;
    v1::QueryResponse response;
  };
  auto* call = new QueryCall;
  const uint32_t actor = static_cast<uint32_t>(MixTicket(seed_, ticket.number) % shape_.actors);
  call->request.set_tenant_id(TenantId(TenantOfActor(actor, shape_.tenants)));
  call->request.set_actor(ActorId(actor));
  call->request.set_order(v1::QueryRequest::NEWEST_FIRST);
  call->request.set_limit(kDefaultQueryLimit);
  stub_->async()->Query(context, &call->request, &call->response,
                        [this, call, done = std::move(done)](grpc::Status status) {
                          const uint64_t results = call->response.results_size();
                          delete call;
                          if (status.ok() && results > kDefaultQueryLimit) {
                            status = BadReply(absl::StrCat("a Query for ", kDefaultQueryLimit,
                                                           " records returned ", results));
                          }
                          if (status.ok()) {
                            queries_.fetch_add(1, std::memory_order_relaxed);
                            results_.fetch_add(results, std::memory_order_relaxed);
                          }
                          done(status, 1);
                        });
}

ProveMethod::ProveMethod(std::shared_ptr<grpc::Channel> channel, uint64_t seed)
    : stub_(v1::Prover::NewStub(std::move(channel))), seed_(seed) {}

absl::Status ProveMethod::RefreshTreeSize(std::chrono::nanoseconds timeout) {
  grpc::ClientContext context;
  SetDeadline(context, timeout);
  v1::GetCheckpointRequest request;
  v1::GetCheckpointResponse response;
  const grpc::Status status = stub_->GetCheckpoint(&context, request, &response);
  if (!status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                        absl::StrCat("GetCheckpoint: ", absl::string_view(status.error_message())));
  }
  if (response.checkpoint().tree_size() == 0) {
    return absl::FailedPreconditionError(
        "the log's latest checkpoint is empty: append records before the prove mode");
  }
  tree_size_.store(response.checkpoint().tree_size(), std::memory_order_relaxed);
  return absl::OkStatus();
}

void ProveMethod::Call(grpc::ClientContext* context, const Ticket& ticket, Done done) {
  struct ProveCall {
    v1::ProveInclusionRequest request;
    v1::ProveInclusionResponse response;
  };
  auto* call = new ProveCall;
  const uint64_t seq = MixTicket(seed_, ticket.number) % tree_size();
  call->request.set_seq(seq);
  stub_->async()->ProveInclusion(
      context, &call->request, &call->response,
      [call, seq, done = std::move(done)](grpc::Status status) {
        const bool answers = call->response.proof().leaf_index() == seq &&
                             call->response.proof().tree_size() > seq &&
                             !call->response.data().empty();
        delete call;
        if (status.ok() && !answers) {
          status = BadReply(absl::StrCat("ProveInclusion of seq ", seq, " proved another record"));
        }
        done(status, 1);
      });
}

}  // namespace sealtrail::bench

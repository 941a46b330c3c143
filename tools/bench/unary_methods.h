// The unary calls the bench makes: Append (a pool request of `batch` records), Query (an
// actor's newest 100 events in the actor's tenant) and ProveInclusion (a random seq below the
// latest checkpoint's size). Which record, actor or seq a ticket asks for is a hash of the seed
// and the ticket number, so a run's requests are the same whichever caller sends them.
#ifndef SEALTRAIL_TOOLS_BENCH_UNARY_METHODS_H_
#define SEALTRAIL_TOOLS_BENCH_UNARY_METHODS_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "bench/append_stream_caller.h"
#include "bench/record_generator.h"
#include "bench/request_pool.h"
#include "bench/unary_caller.h"
#include "grpcpp/channel.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"

namespace sealtrail::bench {

// A well-mixed 64-bit hash of (seed, n): SplitMix64's finalizer.
uint64_t MixTicket(uint64_t seed, uint64_t n);

class AppendMethod final : public UnaryMethod {
 public:
  // `pool` is not owned and must outlive this. Each reply must have `batch` results.
  AppendMethod(std::shared_ptr<grpc::Channel> channel, const RequestPool* pool, uint32_t batch);
  void Call(grpc::ClientContext* context, const Ticket& ticket, Done done) override;

 private:
  AppendStub stub_;
  const std::string method_;
  const RequestPool* const pool_;
  const uint32_t batch_;
};

class QueryMethod final : public UnaryMethod {
 public:
  QueryMethod(std::shared_ptr<grpc::Channel> channel, const RecordShape& shape, uint64_t seed);
  void Call(grpc::ClientContext* context, const Ticket& ticket, Done done) override;

  // Successful queries and their results, to tell empty answers from full pages.
  uint64_t queries() const { return queries_.load(std::memory_order_relaxed); }
  uint64_t results() const { return results_.load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<v1::AuditLog::Stub> stub_;
  const RecordShape shape_;
  const uint64_t seed_;
  std::atomic<uint64_t> queries_{0};
  std::atomic<uint64_t> results_{0};
};

class ProveMethod final : public UnaryMethod {
 public:
  ProveMethod(std::shared_ptr<grpc::Channel> channel, uint64_t seed);
  // Reads the latest checkpoint's size (a blocking call): proofs are asked for seqs below it.
  // FAILED_PRECONDITION if the log is still empty; the call's error otherwise.
  [[nodiscard]] absl::Status RefreshTreeSize(std::chrono::nanoseconds timeout);
  void Call(grpc::ClientContext* context, const Ticket& ticket, Done done) override;

  uint64_t tree_size() const { return tree_size_.load(std::memory_order_relaxed); }
  void set_tree_size(uint64_t size) { tree_size_.store(size, std::memory_order_relaxed); }

 private:
  std::unique_ptr<v1::Prover::Stub> stub_;
  const uint64_t seed_;
  std::atomic<uint64_t> tree_size_{0};
};

}  // namespace sealtrail::bench

#endif  // SEALTRAIL_TOOLS_BENCH_UNARY_METHODS_H_

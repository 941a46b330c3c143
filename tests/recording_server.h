// RecordingServer: a tiny real gRPC server on 127.0.0.1 port 0 for tests of what the CLI's
// clients send (client_credentials_test.cc, append_actor_token_test.cc): the metadata of every
// call and the append requests, answered with well-formed but meaningless replies.
#ifndef SEALTRAIL_TESTS_RECORDING_SERVER_H_
#define SEALTRAIL_TESTS_RECORDING_SERVER_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "sealtrail/v1/audit_service.grpc.pb.h"

namespace sealtrail::cli {

// A Prover and an AuditLog that record the `authorization` metadata of every call (and, over
// mutual TLS, the client certificate's common name) and every append request, refuse a
// GetCheckpoint without a token as sealtraild does, answer it with a fixed note, and answer
// appends with one well-formed result per record (sequence numbers from 0, zero leaf hashes).
class RecordingServer {
 public:
  static constexpr char kNote[] = "recording-server\n7\nroot\n";
  static constexpr char kNoHeader[] = "<none>";

  explicit RecordingServer(std::shared_ptr<grpc::ServerCredentials> credentials)
      : prover_(this), audit_log_(this) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", std::move(credentials), &port_);
    builder.RegisterService(&prover_);
    builder.RegisterService(&audit_log_);
    server_ = builder.BuildAndStart();
  }
  ~RecordingServer() {
    if (server_ != nullptr) server_->Shutdown(std::chrono::system_clock::now());
  }

  bool started() const { return server_ != nullptr && port_ > 0; }
  std::string address() const { return absl::StrCat("127.0.0.1:", port_); }
  std::vector<std::string> seen() {
    absl::MutexLock lock(&mu_);
    return seen_;
  }
  std::vector<std::string> peer_names() {
    absl::MutexLock lock(&mu_);
    return peer_names_;
  }
  // Every AppendRequest received, unary or on a stream, in order.
  std::vector<v1::AppendRequest> appends() {
    absl::MutexLock lock(&mu_);
    return appends_;
  }

 private:
  // Records the call; false if it carried no token.
  bool Record(const grpc::ServerContext& context) {
    std::vector<std::string> values;
    const auto [begin, end] = context.client_metadata().equal_range("authorization");
    for (auto it = begin; it != end; ++it)
      values.emplace_back(it->second.data(), it->second.size());
    std::string peer;
    for (const grpc::string_ref& name :
         context.auth_context()->FindPropertyValues("x509_common_name")) {
      peer.assign(name.data(), name.size());
    }
    absl::MutexLock lock(&mu_);
    seen_.push_back(values.empty() ? kNoHeader : absl::StrJoin(values, ","));
    peer_names_.push_back(peer);
    return !values.empty();
  }

  // Records `request` and answers it.
  v1::AppendResponse Answer(const v1::AppendRequest& request) {
    absl::MutexLock lock(&mu_);
    appends_.push_back(request);
    v1::AppendResponse response;
    for (int i = 0; i < request.records_size(); ++i) {
      v1::AppendResult* result = response.add_results();
      result->set_seq(next_seq_++);
      result->set_leaf_hash(std::string(32, '\0'));
      result->set_tree_size(next_seq_);
    }
    return response;
  }

  class Prover : public v1::Prover::Service {
   public:
    explicit Prover(RecordingServer* owner) : owner_(owner) {}
    grpc::Status GetCheckpoint(grpc::ServerContext* context, const v1::GetCheckpointRequest*,
                               v1::GetCheckpointResponse* response) override {
      if (!owner_->Record(*context)) {
        return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "no bearer token");
      }
      response->mutable_checkpoint()->set_tree_size(7);
      response->mutable_checkpoint()->set_signed_note(kNote);
      return grpc::Status::OK;
    }

   private:
    RecordingServer* owner_;
  };

  class AuditLog : public v1::AuditLog::Service {
   public:
    explicit AuditLog(RecordingServer* owner) : owner_(owner) {}
    grpc::Status Append(grpc::ServerContext* context, const v1::AppendRequest* request,
                        v1::AppendResponse* response) override {
      owner_->Record(*context);
      *response = owner_->Answer(*request);
      return grpc::Status::OK;
    }
    grpc::Status AppendStream(
        grpc::ServerContext* context,
        grpc::ServerReaderWriter<v1::AppendResponse, v1::AppendRequest>* stream) override {
      owner_->Record(*context);
      v1::AppendRequest request;
      while (stream->Read(&request)) stream->Write(owner_->Answer(request));
      return grpc::Status::OK;
    }

   private:
    RecordingServer* owner_;
  };

  absl::Mutex mu_;
  std::vector<std::string> seen_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> peer_names_ ABSL_GUARDED_BY(mu_);
  std::vector<v1::AppendRequest> appends_ ABSL_GUARDED_BY(mu_);
  uint64_t next_seq_ ABSL_GUARDED_BY(mu_) = 0;
  Prover prover_;
  AuditLog audit_log_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TESTS_RECORDING_SERVER_H_

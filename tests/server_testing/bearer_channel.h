// A gRPC channel that sends `authorization: Bearer <token>` on every call, unary or stream, by a
// client interceptor (gRPC's call credentials are refused on plaintext channels, and a test
// server on loopback may be plaintext).
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_BEARER_CHANNEL_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_BEARER_CHANNEL_H_

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/channel_arguments.h"

namespace sealtrail::testing {

// A channel to `target`; with an empty `token`, no authorization metadata.
std::shared_ptr<grpc::Channel> BearerChannel(const std::string& target,
                                             std::shared_ptr<grpc::ChannelCredentials> credentials,
                                             const grpc::ChannelArguments& args,
                                             const std::string& token);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_BEARER_CHANNEL_H_

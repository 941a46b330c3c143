#include "server/service/transport_security.h"

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/status_macros.h"
#include "server/service/small_files.h"

namespace sealtrail {
namespace {

constexpr uint64_t kMaxPemFileBytes = 1 << 20;

absl::StatusOr<std::string> ReadPem(Env* env, const std::string& path, absl::string_view what) {
  ASSIGN_OR_RETURN(std::string pem, ReadSmallFile(env, path, kMaxPemFileBytes, what));
  if (!absl::StrContains(pem, "-----BEGIN ")) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is not a PEM file (", what, ")"));
  }
  return pem;
}

}  // namespace

std::string ListenHost(const std::string& listen) {
  size_t colon = listen.rfind(':');
  return colon == std::string::npos ? listen : listen.substr(0, colon);
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

absl::Status CheckTransportOptions(const ServerOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate and its key (--tls-cert and "
        "--tls-key)");
  }
  bool tls = !options.tls_cert_file.empty();
  if (!options.tls_client_ca_file.empty() && !tls) {
    return absl::InvalidArgumentError("--tls-client-ca needs TLS (--tls-cert/--tls-key)");
  }
  if (!options.client_identities_file.empty() && options.tls_client_ca_file.empty()) {
    return absl::InvalidArgumentError(
        "--client-identities needs mutual TLS (--tls-client-ca): only a certificate the server "
        "verified can name an identity");
  }
  if (!tls && !IsLoopbackHost(ListenHost(options.listen))) {
    return absl::InvalidArgumentError(
        absl::StrCat("listening on ", options.listen, " requires TLS (--tls-cert/--tls-key)"));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> MakeServerCredentials(
    Env* env, const ServerOptions& options) {
  if (options.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  grpc::SslServerCredentialsOptions ssl;
  grpc::SslServerCredentialsOptions::PemKeyCertPair pair;
  ASSIGN_OR_RETURN(pair.cert_chain, ReadPem(env, options.tls_cert_file, "a TLS certificate"));
  ASSIGN_OR_RETURN(pair.private_key, ReadPem(env, options.tls_key_file, "a TLS private key"));
  ssl.pem_key_cert_pairs.push_back(std::move(pair));
  if (!options.tls_client_ca_file.empty()) {
    ASSIGN_OR_RETURN(ssl.pem_root_certs,
                     ReadPem(env, options.tls_client_ca_file, "a client CA certificate"));
    ssl.client_certificate_request = GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY;
  } else {
    ssl.client_certificate_request = GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  }
  return grpc::SslServerCredentials(ssl);
}

}  // namespace sealtrail

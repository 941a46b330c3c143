#include "server/otlp/otlp_http_server.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "httplib.h"
#include "server/otlp/otlp_json.h"
#include "server/otlp/otlp_status.h"
#include "server/service/authorizer.h"
#include "server/service/transport_security.h"

namespace sealtrail {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

constexpr char kLogsPath[] = "/v1/logs";
constexpr char kProtobufType[] = "application/x-protobuf";
constexpr char kJsonType[] = "application/json";
constexpr time_t kKeepAliveSeconds = 2;
// A body refused as too large is still read, and dropped, up to this many bytes past the limit
// (as sent, and again as decompressed): a client is usually still sending when the 413 is
// decided, and closing a socket with unread bytes makes the kernel send a reset, which can reach
// the client before the 413 does. Past this the connection is closed and the client may see only
// the reset.
constexpr uint64_t kMaxDrainBytes = 64u << 20;

enum class Encoding { kProtobuf, kJson, kUnsupported };

Encoding EncodingOf(const httplib::Request& request) {
  std::string type = request.get_header_value("Content-Type");
  type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(type.substr(0, type.find(';'))));
  if (type == kProtobufType || type == "application/protobuf") return Encoding::kProtobuf;
  if (type == kJsonType) return Encoding::kJson;
  return Encoding::kUnsupported;
}

// The peer in gRPC's form, which ClientAddress understands.
std::string PeerOf(const httplib::Request& request) {
  if (request.remote_addr.find(':') != std::string::npos) {
    return absl::StrCat("ipv6:[", request.remote_addr, "]:", request.remote_port);
  }
  return absl::StrCat("ipv4:", request.remote_addr, ":", request.remote_port);
}

std::vector<std::string> HeaderValues(const httplib::Request& request, const char* name) {
  std::vector<std::string> values;
  size_t count = request.get_header_value_count(name);
  for (size_t i = 0; i < count; ++i) values.push_back(request.get_header_value(name, i));
  return values;
}

// The subject CN of the client certificate TLS verified (mutual TLS); "" without one.
std::string ClientCertificateCn(const httplib::Request& request) {
  if (request.ssl == nullptr) return "";
  X509* certificate = SSL_get1_peer_certificate(request.ssl);
  if (certificate == nullptr) return "";
  char cn[256] = {};
  int length =
      X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, cn, sizeof(cn));
  X509_free(certificate);
  return length > 0 ? std::string(cn, static_cast<size_t>(length)) : "";
}

void Reply(httplib::Response& response, Encoding encoding, const absl::Status& status,
           int http_status) {
  response.status = http_status;
  if (IsOtlpRetryable(status.code()) &&
      (http_status == 429 || http_status == 502 || http_status == 503 || http_status == 504)) {
    response.set_header("Retry-After", absl::StrCat(kOtlpRetryAfterSeconds));
  }
  if (encoding == Encoding::kJson) {
    response.set_content(OtlpStatusJson(status), kJsonType);
  } else {
    response.set_content(OtlpStatusProto(status), kProtobufType);
  }
}

void ReplyError(httplib::Response& response, Encoding encoding, const absl::Status& status) {
  Reply(response, encoding, status, OtlpHttpStatus(status));
}

// A body that could not be read whole leaves the connection unusable.
void ReplyBodyError(httplib::Response& response, Encoding encoding, const absl::Status& status,
                    int http_status) {
  response.set_header("Connection", "close");
  Reply(response, encoding, status, http_status);
}

}  // namespace

class OtlpHttpServer::Impl {
 public:
  Impl(const OtlpHttpOptions& options, const OtlpIngest* ingest, const AccessControl* access)
      : options_(options), ingest_(ingest), access_(access) {}

  ~Impl() { Stop(); }

  absl::Status Start() {
    size_t colon = options_.listen.rfind(':');
    int port = -1;
    if (colon == std::string::npos || !absl::SimpleAtoi(options_.listen.substr(colon + 1), &port) ||
        port < 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("OTLP/HTTP listen address \"", options_.listen, "\" is not HOST:PORT"));
    }
    std::string host = ListenHost(options_.listen);
    if (options_.tls_cert_file.empty()) {
      if (!IsLoopbackHost(host)) {
        return absl::InvalidArgumentError(
            absl::StrCat("listening on ", options_.listen, " requires TLS (--tls-cert/--tls-key)"));
      }
      server_ = std::make_unique<httplib::Server>();
    } else {
      server_ = std::make_unique<httplib::SSLServer>(
          options_.tls_cert_file.c_str(), options_.tls_key_file.c_str(),
          options_.tls_client_ca_file.empty() ? nullptr : options_.tls_client_ca_file.c_str());
      if (!server_->is_valid()) {
        return absl::InvalidArgumentError(
            "OTLP/HTTP: the TLS certificate, key or client CA could not be loaded");
      }
    }
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    int threads = options_.threads;
    server_->new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_->set_keep_alive_timeout(kKeepAliveSeconds);
    // Our reader enforces max_body_bytes itself; the library's bound leaves room to drain.
    server_->set_payload_max_length(options_.max_body_bytes + kMaxDrainBytes);
    server_->Post(kLogsPath, [this](const httplib::Request& request, httplib::Response& response,
                                    const httplib::ContentReader& reader) {
      Handle(request, response, reader);
    });
    port_ = port == 0 ? server_->bind_to_any_port(host)
                      : (server_->bind_to_port(host, port) ? port : -1);
    if (port_ <= 0) {
      return absl::UnavailableError(
          absl::StrCat("cannot listen on ", options_.listen, " for OTLP/HTTP (address in use?)"));
    }
    thread_ = std::thread([this] {
      server_->listen_after_bind();
      listen_returned_ = true;
    });
    // httplib's stop() does nothing until the accept loop runs: a Stop right after Start would
    // otherwise leave the loop running and the join waiting forever.
    while (!server_->is_running() && !listen_returned_) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (listen_returned_) {
      thread_.join();
      return absl::UnavailableError(
          absl::StrCat("the OTLP/HTTP listener on ", options_.listen, " stopped as it started"));
    }
    return absl::OkStatus();
  }

  void Stop() {
    if (server_ != nullptr) server_->stop();
    if (thread_.joinable()) thread_.join();
  }

  int port() const { return port_; }

 private:
  void Handle(const httplib::Request& http, httplib::Response& response,
              const httplib::ContentReader& reader) const {
    Encoding encoding = EncodingOf(http);
    if (encoding == Encoding::kUnsupported) {
      ReplyBodyError(response, Encoding::kProtobuf,
                     absl::InvalidArgumentError(
                         absl::StrCat("Content-Type must be ", kProtobufType, " or ", kJsonType,
                                      ", not \"", http.get_header_value("Content-Type"), "\"")),
                     415);
      return;
    }
    absl::StatusOr<ExportLogsServiceRequest> request =
        ReadRequest(http, reader, encoding, response);
    if (!request.ok()) return;  // Answered.

    std::vector<std::string> forwarded_values = HeaderValues(http, "X-Forwarded-For");
    std::vector<absl::string_view> forwarded(forwarded_values.begin(), forwarded_values.end());
    Call call = access_->Begin(kOtlpHttpLogsMethod, PeerOf(http), forwarded);
    MappedExport mapped = ingest_->Map(*request);
    CallCredentials credentials;
    credentials.authorization = HeaderValues(http, "Authorization");
    if (credentials.authorization.empty())
      credentials.client_certificate_cn = ClientCertificateCn(http);
    absl::Status authenticated = access_->Authenticate(credentials, call, FirstTenant(mapped));
    if (!authenticated.ok()) {
      ReplyError(response, encoding, authenticated);
      return;
    }

    absl::Notification done;
    absl::StatusOr<OtlpExportResult> result;
    ingest_->Submit(call, std::move(mapped), http.get_header_value(kOtlpActorTokenHeader),
                    [&done, &result](absl::StatusOr<OtlpExportResult> outcome) {
                      result = std::move(outcome);
                      done.Notify();
                    });
    done.WaitForNotification();
    if (!result.ok()) {
      ReplyError(response, encoding, result.status());
      return;
    }
    ExportLogsServiceResponse reply;
    if (result->rejected > 0 || !result->error_message.empty()) {
      reply.mutable_partial_success()->set_rejected_log_records(result->rejected);
      reply.mutable_partial_success()->set_error_message(std::move(result->error_message));
    }
    response.status = 200;
    if (encoding == Encoding::kJson) {
      response.set_content(OtlpJsonLogsResponse(reply), kJsonType);
    } else {
      response.set_content(reply.SerializeAsString(), kProtobufType);
    }
  }

  // The decoded request, or an error already answered.
  absl::StatusOr<ExportLogsServiceRequest> ReadRequest(const httplib::Request& http,
                                                       const httplib::ContentReader& reader,
                                                       Encoding encoding,
                                                       httplib::Response& response) const {
    const uint64_t limit = options_.max_body_bytes;
    absl::Status too_large =
        absl::InvalidArgumentError(absl::StrCat("the body is over the limit of ", limit,
                                                " bytes (as sent or decompressed); send "
                                                "smaller batches"));
    uint64_t declared = 0;
    if (absl::SimpleAtoi(http.get_header_value("Content-Length"), &declared) &&
        declared > limit + kMaxDrainBytes) {
      ReplyBodyError(response, encoding, too_large, 413);
      return too_large;
    }
    std::string body;
    uint64_t dropped = 0;
    bool complete = reader([&body, &dropped, limit](const char* data, size_t length) {
      if (dropped == 0 && body.size() + length <= limit) {
        body.append(data, length);
        return true;
      }
      // Over the limit: drop what was kept, then read on to the end of the body (bounded).
      dropped += body.size() + length;
      std::string().swap(body);
      return dropped <= limit + kMaxDrainBytes;
    });
    if (dropped > 0) {
      if (complete) {
        Reply(response, encoding, too_large, 413);  // Drained: the connection stays usable.
      } else {
        ReplyBodyError(response, encoding, too_large, 413);
      }
      return too_large;
    }
    if (!complete) {
      absl::Status unreadable = absl::InvalidArgumentError(
          "the body could not be read (a broken transfer, or a Content-Encoding that does not "
          "decode)");
      ReplyBodyError(response, encoding, unreadable, 400);
      return unreadable;
    }
    absl::StatusOr<ExportLogsServiceRequest> request;
    if (encoding == Encoding::kJson) {
      request = ParseOtlpJsonLogsRequest(body);
    } else {
      request.emplace();
      if (!request->ParseFromString(body)) {
        request = absl::InvalidArgumentError(
            "the body is not a protobuf ExportLogsServiceRequest (OTLP/HTTP)");
      }
    }
    if (!request.ok()) ReplyError(response, encoding, request.status());
    return request;
  }

  const OtlpHttpOptions options_;
  const OtlpIngest* const ingest_;
  const AccessControl* const access_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::atomic<bool> listen_returned_{false};
  int port_ = -1;
};

absl::StatusOr<std::unique_ptr<OtlpHttpServer>> OtlpHttpServer::Start(
    const OtlpHttpOptions& options, const OtlpIngest* ingest, const AccessControl* access) {
  auto impl = std::make_unique<Impl>(options, ingest, access);
  absl::Status started = impl->Start();
  if (!started.ok()) return started;
  return std::unique_ptr<OtlpHttpServer>(new OtlpHttpServer(std::move(impl)));
}

OtlpHttpServer::OtlpHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpHttpServer::~OtlpHttpServer() { Stop(); }
int OtlpHttpServer::port() const { return impl_->port(); }
void OtlpHttpServer::Stop() { impl_->Stop(); }

}  // namespace sealtrail

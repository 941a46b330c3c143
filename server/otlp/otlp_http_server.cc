#include "server/otlp/otlp_http_server.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/http/http_server.h"
#include "server/otlp/otlp_json.h"
#include "server/otlp/otlp_status.h"
#include "server/service/authorizer.h"

namespace sealtrail {
namespace {

using opentelemetry::proto::collector::logs::v1::ExportLogsServiceRequest;
using opentelemetry::proto::collector::logs::v1::ExportLogsServiceResponse;

constexpr char kLogsPath[] = "/v1/logs";
constexpr char kProtobufType[] = "application/x-protobuf";
constexpr char kJsonType[] = "application/json";
// A body refused as too large is still read, and dropped, up to this many bytes past the limit
// (as sent): a client is usually still sending when the 413 is decided, and closing a socket with
// unread bytes makes the kernel send a reset, which can reach the client before the 413 does.
// Past this the connection is closed and the client may see only the reset.
constexpr uint64_t kMaxDrainBytes = 64u << 20;

enum class Encoding { kProtobuf, kJson, kUnsupported };

Encoding EncodingOf(const HttpRequest& request) {
  std::string type = request.Header("Content-Type");
  type = absl::AsciiStrToLower(absl::StripAsciiWhitespace(type.substr(0, type.find(';'))));
  if (type == kProtobufType || type == "application/protobuf") return Encoding::kProtobuf;
  if (type == kJsonType) return Encoding::kJson;
  return Encoding::kUnsupported;
}

// The peer in gRPC's form, which ClientAddress understands.
std::string PeerOf(const HttpRequest& request) {
  if (request.peer_address.find(':') != std::string::npos) {
    return absl::StrCat("ipv6:[", request.peer_address, "]:", request.peer_port);
  }
  return absl::StrCat("ipv4:", request.peer_address, ":", request.peer_port);
}

// A google.rpc.Status body in the request's encoding (protobuf unless it asked for JSON).
HttpResponse Reply(Encoding encoding, const absl::Status& status, int http_status) {
  HttpResponse response;
  response.status = http_status;
  if (IsOtlpRetryable(status.code()) &&
      (http_status == 429 || http_status == 502 || http_status == 503 || http_status == 504)) {
    response.headers.emplace_back("Retry-After", absl::StrCat(kOtlpRetryAfterSeconds));
  }
  if (encoding == Encoding::kJson) {
    response.content_type = kJsonType;
    response.body = OtlpStatusJson(status);
  } else {
    response.content_type = kProtobufType;
    response.body = OtlpStatusProto(status);
  }
  return response;
}

HttpResponse ReplyError(Encoding encoding, const absl::Status& status) {
  return Reply(encoding, status, OtlpHttpStatus(status));
}

absl::StatusOr<ExportLogsServiceRequest> Decode(const std::string& body, Encoding encoding) {
  if (encoding == Encoding::kJson) return ParseOtlpJsonLogsRequest(body);
  ExportLogsServiceRequest request;
  if (!request.ParseFromString(body)) {
    return absl::InvalidArgumentError(
        "the body is not a protobuf ExportLogsServiceRequest (OTLP/HTTP)");
  }
  return request;
}

}  // namespace

class OtlpHttpServer::Impl {
 public:
  Impl(const OtlpIngest* ingest, const AccessControl* access) : ingest_(ingest), access_(access) {}

  absl::Status Start(const OtlpHttpOptions& options) {
    HttpServerOptions http;
    http.name = "OTLP/HTTP";
    http.listen = options.listen;
    http.tls_cert_file = options.tls_cert_file;
    http.tls_key_file = options.tls_key_file;
    http.tls_client_ca_file = options.tls_client_ca_file;
    http.max_body_bytes = options.max_body_bytes;
    http.max_drain_bytes = kMaxDrainBytes;
    http.max_connections = options.max_connections;
    http.on_error = options.on_error;
    http.error_response = [](const HttpRequest& header, int status, const absl::Status& why) {
      Encoding encoding = EncodingOf(header);
      return Reply(encoding == Encoding::kJson ? Encoding::kJson : Encoding::kProtobuf, why,
                   status);
    };
    HttpRoutes routes;
    routes.Handle("POST", kLogsPath, [this](HttpRequest request, HttpResponder respond) {
      Handle(std::move(request), std::move(respond));
    });
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(std::move(http), std::move(routes));
    if (!server.ok()) return server.status();
    server_ = std::move(*server);
    return absl::OkStatus();
  }

  void Stop() {
    if (server_ != nullptr) server_->Stop();
  }

  int port() const { return server_->port(); }

 private:
  // On an event-loop thread: everything up to Submit is computation; the reply goes out once
  // the records are durable, from the pipeline's thread.
  void Handle(HttpRequest http, HttpResponder respond) const {
    Encoding encoding = EncodingOf(http);
    if (encoding == Encoding::kUnsupported) {
      return respond(Reply(Encoding::kProtobuf,
                           absl::InvalidArgumentError(absl::StrCat(
                               "Content-Type must be ", kProtobufType, " or ", kJsonType,
                               ", not \"", http.Header("Content-Type"), "\"")),
                           415));
    }
    absl::StatusOr<ExportLogsServiceRequest> request = Decode(http.body, encoding);
    if (!request.ok()) return respond(ReplyError(encoding, request.status()));

    std::vector<std::string> forwarded_values = http.HeaderValues("X-Forwarded-For");
    std::vector<absl::string_view> forwarded(forwarded_values.begin(), forwarded_values.end());
    Call call = access_->Begin(kOtlpHttpLogsMethod, PeerOf(http), forwarded);
    MappedExport mapped = ingest_->Map(*request);
    CallCredentials credentials;
    credentials.authorization = http.HeaderValues("Authorization");
    if (credentials.authorization.empty()) {
      credentials.client_certificate_cn = http.client_certificate_cn;
    }
    absl::Status authenticated = access_->Authenticate(credentials, call, FirstTenant(mapped));
    if (!authenticated.ok()) return respond(ReplyError(encoding, authenticated));

    ingest_->Submit(
        call, std::move(mapped), http.Header(kOtlpActorTokenHeader),
        [encoding, respond](absl::StatusOr<OtlpExportResult> result) {
          if (!result.ok()) return respond(ReplyError(encoding, result.status()));
          ExportLogsServiceResponse reply;
          if (result->rejected > 0 || !result->error_message.empty()) {
            reply.mutable_partial_success()->set_rejected_log_records(result->rejected);
            reply.mutable_partial_success()->set_error_message(std::move(result->error_message));
          }
          HttpResponse response;
          response.status = 200;
          if (encoding == Encoding::kJson) {
            response.content_type = kJsonType;
            response.body = OtlpJsonLogsResponse(reply);
          } else {
            response.content_type = kProtobufType;
            response.body = reply.SerializeAsString();
          }
          respond(std::move(response));
        });
  }

  const OtlpIngest* const ingest_;
  const AccessControl* const access_;
  std::unique_ptr<HttpServer> server_;
};

absl::StatusOr<std::unique_ptr<OtlpHttpServer>> OtlpHttpServer::Start(
    const OtlpHttpOptions& options, const OtlpIngest* ingest, const AccessControl* access) {
  auto impl = std::make_unique<Impl>(ingest, access);
  absl::Status started = impl->Start(options);
  if (!started.ok()) return started;
  return std::unique_ptr<OtlpHttpServer>(new OtlpHttpServer(std::move(impl)));
}

OtlpHttpServer::OtlpHttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpHttpServer::~OtlpHttpServer() { Stop(); }
int OtlpHttpServer::port() const { return impl_->port(); }
void OtlpHttpServer::Stop() { impl_->Stop(); }

}  // namespace sealtrail

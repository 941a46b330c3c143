#include "server/http/http_connection.h"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "boost/beast/ssl.hpp"
#include "server/http/content_coding.h"
#include "server/http/request_framing.h"

namespace sealtrail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// After a reply that closes the connection, the client's unread bytes are read and dropped for
// this long (and this much), so that closing does not reset the connection under the reply.
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr size_t kLingerBytes = 1u << 20;
constexpr size_t kReadChunk = 64 * 1024;

std::chrono::nanoseconds Chrono(absl::Duration d) { return absl::ToChronoNanoseconds(d); }

// The subject CN of the certificate TLS verified (mutual TLS); "" without one.
std::string ClientCertificateCn(SSL* ssl) {
  X509* certificate = SSL_get1_peer_certificate(ssl);
  if (certificate == nullptr) return "";
  char cn[256] = {};
  int length =
      X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, cn, sizeof(cn));
  X509_free(certificate);
  return length > 0 ? std::string(cn, static_cast<size_t>(length)) : "";
}

std::string Text(beast::string_view view) { return std::string(view.data(), view.size()); }

HttpResponse Refusal(int status, const absl::Status& why, bool close) {
  HttpResponse response;
  response.status = status;
  response.content_type = "text/plain; charset=utf-8";
  response.body = absl::StrCat(why.message(), "\n");
  response.close = close;
  return response;
}

template <class Stream>
class Connection : public HttpConnection, public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  Connection(ServerCore* core, uint64_t id, Stream stream, std::string peer_address, int peer_port)
      : core_(core),
        options_(core->options),
        id_(id),
        stream_(std::move(stream)),
        peer_address_(std::move(peer_address)),
        peer_port_(peer_port) {}

  void Run() {
    asio::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      self->tcp().expires_after(Chrono(self->options_.header_timeout));
      if constexpr (kTls) {
        self->stream_.async_handshake(asio::ssl::stream_base::server,
                                      [self](error_code ec) { self->OnHandshake(ec); });
      } else {
        self->ReadHeader();
      }
    });
  }

  void Shutdown() override {
    asio::post(stream_.get_executor(), [self = this->shared_from_this()] {
      self->stopping_ = true;
      if (self->state_ == State::kReading) self->CloseNow();
    });
  }

  // From the responder, on this connection's strand.
  void Answer(uint64_t request, HttpResponse response) {
    if (state_ != State::kHandling || request != request_number_) return;
    Write(std::move(response));
  }

 private:
  enum class State { kReading, kHandling, kWriting, kLingering, kClosed };

  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  void OnHandshake(error_code ec) {
    if (ec) return CloseNow();
    if constexpr (kTls) client_certificate_cn_ = ClientCertificateCn(stream_.native_handle());
    ReadHeader();
  }

  // One request: a fresh parser, and a header deadline (the first request's was armed at Run).
  void ReadHeader() {
    state_ = State::kReading;
    if (stopping_) return CloseNow();
    if (request_number_ > 0) tcp().expires_after(Chrono(options_.header_timeout));
    ++request_number_;
    parser_.emplace();
    parser_->header_limit(options_.max_header_bytes);
    parser_->body_limit(options_.max_body_bytes + options_.max_drain_bytes);
    scanner_ = HeaderScanner();
    body_.clear();
    dropped_ = 0;
    refusal_.reset();
    // Pipelined bytes of this request may already be here.
    if (buffer_.size() > 0 && !ScanAndParse(buffer_.size())) return;
    if (parser_->is_header_done()) return OnHeader();
    ReadMoreHeader();
  }

  void ReadMoreHeader() {
    stream_.async_read_some(buffer_.prepare(kReadChunk),
                            [self = this->shared_from_this()](error_code ec, size_t n) {
                              if (ec) return self->CloseNow();  // EOF, deadline, or Stop.
                              self->buffer_.commit(n);
                              if (!self->ScanAndParse(n)) return;
                              if (self->parser_->is_header_done()) return self->OnHeader();
                              self->ReadMoreHeader();
                            });
  }

  // Checks the last `fresh` bytes of the buffer, then lets the parser take what it can. False
  // if the request was refused.
  bool ScanAndParse(size_t fresh) {
    auto data = buffer_.data();
    absl::string_view all(static_cast<const char*>(data.data()), data.size());
    absl::Status scanned = scanner_.Scan(all.substr(all.size() - fresh));
    if (!scanned.ok()) {
      RefuseNow(400, scanned);
      return false;
    }
    error_code ec;
    size_t used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (ec == http::error::need_more) ec = {};
    if (ec == http::error::header_limit ||
        (!ec && buffer_.size() > options_.max_header_bytes && !parser_->is_header_done())) {
      RefuseNow(431, absl::InvalidArgumentError(absl::StrCat("the request header is over ",
                                                             options_.max_header_bytes, " bytes")));
      return false;
    }
    if (ec == http::error::body_limit) {
      RefuseNow(413, TooLarge());
      return false;
    }
    if (ec) {
      RefuseNow(400, absl::InvalidArgumentError(absl::StrCat("malformed request: ", ec.message())));
      return false;
    }
    return true;
  }

  absl::Status TooLarge() const {
    return absl::InvalidArgumentError(
        absl::StrCat("the body is over the limit of ", options_.max_body_bytes,
                     " bytes (as sent or decompressed); send smaller batches"));
  }

  void OnHeader() {
    const auto& header = parser_->get();
    absl::Status framing = CheckFraming(header.base(), header.version());
    if (!framing.ok()) return RefuseNow(400, framing);
    if (header.version() != 10 && header.version() != 11) {
      return RefuseNow(505, absl::InvalidArgumentError("only HTTP/1.0 and HTTP/1.1 are served"));
    }
    std::string target = Text(header.target());
    size_t question = target.find('?');
    path_ = target.substr(0, question);
    query_ = question == std::string::npos ? "" : target.substr(question + 1);
    method_ = Text(header.method_string());
    handler_ = nullptr;
    auto route = core_->routes.handlers().find(path_);
    if (route == core_->routes.handlers().end()) {
      refusal_ = Refusal(404, absl::NotFoundError(absl::StrCat("no resource ", path_)), false);
    } else if (auto method = route->second.find(method_); method == route->second.end()) {
      std::string allow;
      for (const auto& [name, unused] : route->second) {
        absl::StrAppend(&allow, allow.empty() ? "" : ", ", name);
      }
      refusal_ = Refusal(
          405, absl::InvalidArgumentError(absl::StrCat(path_, " takes ", allow, ", not ", method_)),
          false);
      refusal_->headers.emplace_back("Allow", allow);
    } else {
      handler_ = &method->second;
    }
    // A declared length the drain would not cover is refused unread.
    if (auto length = parser_->content_length(); length && *length > options_.max_body_bytes) {
      if (!refusal_) refusal_ = ErrorResponse(413, TooLarge(), false);
    }
    tcp().expires_after(Chrono(options_.body_timeout));
    auto expect = header.base().find(http::field::expect);
    if (expect != header.base().end()) {
      if (!absl::EqualsIgnoreCase(absl::StripAsciiWhitespace(Text(expect->value())),
                                  "100-continue")) {
        return RefuseNow(417,
                         absl::InvalidArgumentError("only Expect: 100-continue is understood"));
      }
      if (refusal_) {  // The client waits for us: refuse without reading the body.
        refusal_->close = true;
        return Write(std::move(*refusal_));
      }
      if (!parser_->is_done()) return Continue();
    }
    if (parser_->is_done()) return OnBody();
    ReadBody();
  }

  void Continue() {
    static constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";
    asio::async_write(stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
                      [self = this->shared_from_this()](error_code ec, size_t) {
                        if (ec) return self->CloseNow();
                        self->ReadBody();
                      });
  }

  void ReadBody() {
    parser_->get().body().data = chunk_.data();
    parser_->get().body().size = chunk_.size();
    http::async_read_some(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](error_code ec, size_t) { self->OnBodyBytes(ec); });
  }

  void OnBodyBytes(error_code ec) {
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::body_limit) return RefuseNow(413, TooLarge());
    if (ec) return CloseNow();  // Cut off, the deadline, or Stop: nothing to answer.
    size_t got = chunk_.size() - parser_->get().body().size;
    const uint64_t limit = options_.max_body_bytes;
    if (!refusal_ && dropped_ == 0 && body_.size() + got <= limit) {
      body_.append(chunk_.data(), got);
    } else {
      // Over the limit (or refused already): drop what was kept and read on to the end.
      dropped_ += body_.size() + got;
      std::string().swap(body_);
      if (!refusal_) refusal_ = ErrorResponse(413, TooLarge(), false);
      if (dropped_ > limit + options_.max_drain_bytes) {
        refusal_->close = true;
        return Write(std::move(*refusal_));
      }
    }
    if (parser_->is_done()) return OnBody();
    ReadBody();
  }

  void OnBody() {
    if (refusal_) return Write(std::move(*refusal_));  // Drained: the connection stays usable.
    auto coding = parser_->get().base().find(http::field::content_encoding);
    absl::StatusOr<std::string> body =
        DecodeContent(coding == parser_->get().base().end() ? "" : Text(coding->value()),
                      std::move(body_), options_.max_body_bytes);
    if (!body.ok()) {
      int status = body.status().code() == absl::StatusCode::kResourceExhausted ? 413
                   : body.status().code() == absl::StatusCode::kUnimplemented   ? 415
                                                                                : 400;
      absl::Status why = status == 413 ? TooLarge() : body.status();
      return Write(ErrorResponse(status, why, false));
    }
    HttpRequest request = RequestHeader();
    request.body = std::move(*body);
    state_ = State::kHandling;
    tcp().expires_never();  // The handler may wait (for durability); the write has its own.
    std::weak_ptr<Connection> weak = this->shared_from_this();
    std::shared_ptr<ResponderGate> gate = core_->gate;
    uint64_t number = request_number_;
    (*handler_)(std::move(request), [weak, gate, number](HttpResponse response) {
      absl::MutexLock lock(&gate->mu);
      if (!gate->open) return;
      std::shared_ptr<Connection> self = weak.lock();
      if (self == nullptr) return;
      asio::post(self->stream_.get_executor(),
                 [self, number, response = std::move(response)]() mutable {
                   self->Answer(number, std::move(response));
                 });
    });
  }

  HttpRequest RequestHeader() const {
    HttpRequest request;
    request.method = method_;
    request.path = path_;
    request.query = query_;
    for (const auto& field : parser_->get().base()) {
      request.headers.emplace_back(Text(field.name_string()), Text(field.value()));
    }
    request.peer_address = peer_address_;
    request.peer_port = peer_port_;
    request.client_certificate_cn = client_certificate_cn_;
    return request;
  }

  // A refusal in the rendering of the server's owner (options.error_response), else plain text.
  HttpResponse ErrorResponse(int status, const absl::Status& why, bool close) const {
    if (!options_.error_response) return Refusal(status, why, close);
    HttpResponse response = options_.error_response(RequestHeader(), status, why);
    response.close = response.close || close;
    return response;
  }

  // Answers and closes: where this request ends cannot be trusted.
  void RefuseNow(int status, const absl::Status& why) {
    Write(parser_->is_header_done() ? ErrorResponse(status, why, true)
                                    : Refusal(status, why, true));
  }

  void Write(HttpResponse answer) {
    state_ = State::kWriting;
    // A handler's header with a line break would split the response (response splitting).
    auto breaks_line = [](const std::string& text) {
      return text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
    };
    bool split = breaks_line(answer.content_type);
    for (const auto& [name, value] : answer.headers) {
      split = split || breaks_line(name) || breaks_line(value);
    }
    if (split) {
      answer =
          Refusal(500, absl::InternalError("the handler's response has a malformed header"), true);
    }
    const bool request_keep_alive = parser_->is_header_done() && parser_->get().keep_alive();
    auto& response = response_.emplace();
    response.version(parser_->is_header_done() ? parser_->get().version() : 11);
    response.result(static_cast<unsigned>(answer.status));
    response.set(http::field::server, "sealtraild");
    if (!answer.content_type.empty()) response.set(http::field::content_type, answer.content_type);
    for (auto& [name, value] : answer.headers) response.insert(name, value);
    response.body() = std::move(answer.body);
    keep_alive_ = request_keep_alive && !answer.close && !stopping_;
    response.keep_alive(keep_alive_);
    response.prepare_payload();
    tcp().expires_after(Chrono(options_.write_timeout));
    http::async_write(stream_, response, [self = this->shared_from_this()](error_code ec, size_t) {
      self->response_.reset();
      if (ec) return self->CloseNow();
      if (self->keep_alive_) return self->ReadHeader();
      self->Linger();
    });
  }

  // Closes after a last reply without resetting it away: TLS close_notify, or for plaintext a
  // half-close and the client's remaining bytes read and dropped, both bounded.
  void Linger() {
    state_ = State::kLingering;
    tcp().expires_after(kLingerTime);
    if constexpr (kTls) {
      stream_.async_shutdown([self = this->shared_from_this()](error_code) { self->CloseNow(); });
    } else {
      error_code ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
      DropUntilEof(0);
    }
  }

  void DropUntilEof(size_t dropped) {
    tcp().async_read_some(asio::buffer(chunk_),
                          [self = this->shared_from_this(), dropped](error_code ec, size_t n) {
                            if (ec || dropped + n > kLingerBytes) return self->CloseNow();
                            self->DropUntilEof(dropped + n);
                          });
  }

  void CloseNow() {
    if (state_ == State::kClosed) return;
    state_ = State::kClosed;
    error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
    core_->Remove(id_);
  }

  ServerCore* const core_;
  const HttpServerOptions& options_;
  const uint64_t id_;
  Stream stream_;
  const std::string peer_address_;
  const int peer_port_;
  std::string client_certificate_cn_;

  State state_ = State::kReading;
  bool stopping_ = false;
  bool keep_alive_ = false;
  uint64_t request_number_ = 0;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::buffer_body>> parser_;
  HeaderScanner scanner_;
  std::array<char, kReadChunk> chunk_;
  std::string method_, path_, query_;
  const HttpHandler* handler_ = nullptr;
  std::string body_;
  uint64_t dropped_ = 0;
  std::optional<HttpResponse> refusal_;
  std::optional<http::response<http::string_body>> response_;
};

}  // namespace

bool StartHttpConnection(ServerCore* core, tcp::socket socket, asio::ssl::context* tls) {
  error_code ec;
  tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return false;  // Gone already.
  asio::ip::address address = peer.address();
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
  }
  std::shared_ptr<HttpConnection> connection;
  uint64_t id;
  {
    absl::MutexLock lock(&core->mu);
    if (core->stopping) return false;
    id = core->next_id++;
  }
  std::function<void()> run;
  if (tls != nullptr) {
    auto tls_connection = std::make_shared<Connection<TlsStream>>(
        core, id, TlsStream(PlainStream(std::move(socket)), *tls), address.to_string(),
        peer.port());
    run = [tls_connection] { tls_connection->Run(); };
    connection = tls_connection;
  } else {
    auto plain_connection = std::make_shared<Connection<PlainStream>>(
        core, id, PlainStream(std::move(socket)), address.to_string(), peer.port());
    run = [plain_connection] { plain_connection->Run(); };
    connection = plain_connection;
  }
  {
    absl::MutexLock lock(&core->mu);
    if (core->stopping) return false;
    core->live.emplace(id, std::move(connection));
  }
  run();
  return true;
}

}  // namespace sealtrail

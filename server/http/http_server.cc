#include "server/http/http_server.h"

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <exception>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/ssl/context.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/strand.hpp"
#include "server/http/http_connection.h"
#include "server/service/transport_security.h"

namespace sealtrail {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;
using tcp = asio::ip::tcp;

// A failing accept (out of file descriptors, say) is retried after this long.
constexpr auto kAcceptRetry = std::chrono::milliseconds(100);
// The same trouble is reported at most this often.
constexpr absl::Duration kReportEvery = absl::Seconds(10);

// The answer to a connection over the limit, before it is closed.
constexpr char kOverflowReply[] =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 29\r\n"
    "Retry-After: 1\r\nConnection: close\r\n\r\ntoo many connections; retry\r\n";

// Reports one kind of trouble at most every kReportEvery. Used by the accept handler only, of
// which one runs at a time.
class ThrottledReport {
 public:
  void operator()(const HttpServerOptions& options, const absl::Status& status) {
    absl::Time now = absl::Now();
    if (!options.on_error || now - last_ < kReportEvery) return;
    last_ = now;
    options.on_error(status);
  }

 private:
  absl::Time last_ = absl::InfinitePast();
};

}  // namespace

class HttpServer::Impl {
 public:
  Impl(HttpServerOptions options, HttpRoutes routes)
      : core_(std::move(options), std::move(routes)),
        work_(asio::make_work_guard(io_)),
        acceptor_(asio::make_strand(io_)),
        retry_(acceptor_.get_executor()) {}

  ~Impl() { Stop(); }

  absl::Status Start() {
    const HttpServerOptions& options = core_.options;
    size_t colon = options.listen.rfind(':');
    int port = -1;
    if (colon == std::string::npos || !absl::SimpleAtoi(options.listen.substr(colon + 1), &port) ||
        port < 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat(options.name, " listen address \"", options.listen, "\" is not HOST:PORT"));
    }
    std::string host = ListenHost(options.listen);
    if (options.tls_cert_file.empty()) {
      if (!IsLoopbackHost(host)) {
        return absl::InvalidArgumentError(
            absl::StrCat("listening on ", options.listen, " requires TLS (--tls-cert/--tls-key)"));
      }
    } else {
      absl::Status loaded = LoadTls();
      if (!loaded.ok()) return loaded;
    }
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    auto cannot_listen = [&options](const error_code& ec) {
      return absl::UnavailableError(absl::StrCat("cannot listen on ", options.listen, " for ",
                                                 options.name, ": ", ec.message()));
    };
    error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
    if (ec || endpoints.empty()) return cannot_listen(ec);
    tcp::endpoint endpoint = endpoints.begin()->endpoint();
    // SO_REUSEADDR only (binding over TIME_WAIT after a restart); never SO_REUSEPORT, which would
    // let a second server share the port and split the connections.
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return cannot_listen(ec);
    port_ = acceptor_.local_endpoint(ec).port();
    if (ec) return cannot_listen(ec);
    max_connections_ = static_cast<size_t>(std::max(0, options.max_connections));
    // Each connection is a descriptor: past half the process's limit, the rest of the server
    // (the log, RocksDB, gRPC) would run out before the HTTP server refused anyone.
    if (rlimit files{}; getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
      max_connections_ = std::min<size_t>(max_connections_, files.rlim_cur / 2);
    }
    Accept();
    for (int i = 0; i < std::max(1, options.threads); ++i) {
      threads_.emplace_back([this] { RunLoop(); });
    }
    return absl::OkStatus();
  }

  void Stop() {
    if (stopped_) return;
    stopped_ = true;
    // On the acceptor's strand, which its handlers run on.
    asio::post(acceptor_.get_executor(), [this] {
      error_code ignored;
      acceptor_.close(ignored);
      retry_.cancel();
    });
    std::vector<std::shared_ptr<HttpConnection>> live;
    {
      absl::MutexLock lock(&core_.mu);
      core_.stopping = true;
      for (auto& [id, connection] : core_.live) live.push_back(connection);
    }
    for (auto& connection : live) connection->Shutdown();
    live.clear();
    {
      absl::MutexLock lock(&core_.mu);
      auto drained = [this]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(core_.mu) { return core_.live.empty(); };
      core_.mu.AwaitWithTimeout(absl::Condition(&drained),
                                core_.options.stop_grace + core_.options.write_timeout);
    }
    {
      absl::MutexLock gate(&core_.gate->mu);
      core_.gate->open = false;
    }
    work_.reset();
    io_.stop();
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    std::map<uint64_t, std::shared_ptr<HttpConnection>> left;
    {
      absl::MutexLock lock(&core_.mu);
      left.swap(core_.live);
    }
  }

  int port() const { return port_; }

 private:
  absl::Status LoadTls() {
    const HttpServerOptions& options = core_.options;
    tls_.emplace(asio::ssl::context::tls_server);
    error_code ec;
    tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                          asio::ssl::context::no_tlsv1_1,
                      ec);
    auto failed = [&options](const std::string& what, const error_code& error) {
      return absl::InvalidArgumentError(absl::StrCat(options.name, ": the TLS ", what,
                                                     " could not be loaded: ", error.message()));
    };
    if (!ec) tls_->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) return failed(absl::StrCat("certificate ", options.tls_cert_file), ec);
    tls_->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) return failed(absl::StrCat("key ", options.tls_key_file), ec);
    if (!options.tls_client_ca_file.empty()) {
      tls_->load_verify_file(options.tls_client_ca_file, ec);
      if (ec) return failed(absl::StrCat("client CA ", options.tls_client_ca_file), ec);
      tls_->set_verify_mode(asio::ssl::verify_peer | asio::ssl::verify_fail_if_no_peer_cert, ec);
      if (ec) return failed("client verification", ec);
    }
    return absl::OkStatus();
  }

  void RunLoop() {
    for (;;) {
      try {
        io_.run();
        return;
      } catch (const std::exception& e) {
        // Nothing of ours throws; report what the library might, and carry on serving.
        Report(absl::InternalError(absl::StrCat(core_.options.name, " event loop: ", e.what())));
      }
    }
  }

  void Report(const absl::Status& status) {
    if (core_.options.on_error) core_.options.on_error(status);
  }

  void Accept() {
    acceptor_.async_accept(asio::make_strand(io_), [this](error_code ec, tcp::socket socket) {
      if (!acceptor_.is_open()) return;  // Stopped.
      if (ec) {
        accept_report_(core_.options,
                       absl::UnavailableError(absl::StrCat(
                           core_.options.name, " on ", core_.options.listen,
                           " cannot accept connections: ", ec.message(), "; retrying")));
        retry_.expires_after(kAcceptRetry);
        retry_.async_wait([this](error_code wait) {
          if (!wait) Accept();
        });
        return;
      }
      size_t live;
      {
        absl::MutexLock lock(&core_.mu);
        live = core_.live.size();
      }
      if (live >= max_connections_) {
        Refuse(std::move(socket));
      } else {
        StartHttpConnection(&core_, std::move(socket), tls_ ? &*tls_ : nullptr);
      }
      Accept();
    });
  }

  // Over the limit: a plaintext client is told why (a TLS one cannot be without a handshake).
  void Refuse(tcp::socket socket) {
    error_code ignored;
    if (!tls_) {
      socket.non_blocking(true, ignored);
      socket.write_some(asio::buffer(kOverflowReply, sizeof(kOverflowReply) - 1), ignored);
      socket.shutdown(tcp::socket::shutdown_send, ignored);
    }
    socket.close(ignored);
    overflow_report_(core_.options,
                     absl::ResourceExhaustedError(absl::StrCat(
                         core_.options.name, " on ", core_.options.listen, ": ", max_connections_,
                         " connections open, the limit; refusing more")));
  }

  // Destroyed in reverse: the io_context (and the connections its handlers hold) before the TLS
  // context they use and the core they report to.
  ServerCore core_;
  std::optional<asio::ssl::context> tls_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  // Both on one strand: the accept handler, the retry and Stop's close never run at once.
  tcp::acceptor acceptor_;
  asio::steady_timer retry_;
  std::vector<std::thread> threads_;
  ThrottledReport accept_report_;
  ThrottledReport overflow_report_;
  size_t max_connections_ = 0;
  int port_ = -1;
  bool stopped_ = false;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(HttpServerOptions options,
                                                              HttpRoutes routes) {
  auto impl = std::make_unique<Impl>(std::move(options), std::move(routes));
  absl::Status started = impl->Start();
  if (!started.ok()) return started;
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
int HttpServer::port() const { return impl_->port(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace sealtrail

#include "webhook_testing/webhook_receiver.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "httplib.h"
#include "testing/file_util.h"

namespace sealtrail::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "webhook_receiver: %s failed\n", what);
    std::abort();
  }
}

std::string Base64(const std::string& raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Unbase64(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t padding = 0;
  if (text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace

bool Ed25519Verifies(const std::string& public_key, const std::string& message,
                     const std::string& signature) {
  EVP_PKEY* key = EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, reinterpret_cast<const unsigned char*>(public_key.data()),
      public_key.size());
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  const bool ok =
      key != nullptr && ctx != nullptr &&
      EVP_DigestVerifyInit(ctx, nullptr, nullptr, nullptr, key) == 1 &&
      EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(signature.data()),
                       signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) == 1;
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  return ok;
}

std::string HmacKeyOfSecret(const std::string& secret) {
  Check(secret.rfind("whsec_", 0) == 0, "a whsec_ secret");
  std::optional<std::string> key = Unbase64(secret.substr(6));
  Check(key.has_value(), "decoding the secret");
  return *key;
}

std::string NewWebhookSecret() {
  std::string raw(32, '\0');
  Check(RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), 32) == 1, "RAND_bytes");
  return "whsec_" + Base64(raw);
}

WebhookReceiver::WebhookReceiver(const std::string& dir, const std::string& cert_pem,
                                 const std::string& key_pem, std::string hmac_key,
                                 std::optional<std::string> ed25519_public_key)
    : cert_path_(dir + "/receiver-cert.pem"),
      key_path_(dir + "/receiver-key.pem"),
      hmac_key_(std::move(hmac_key)),
      ed25519_public_key_(std::move(ed25519_public_key)) {
  Check(WriteWholeFile(cert_path_, cert_pem).ok(), "writing the certificate");
  Check(WriteWholeFile(key_path_, key_pem).ok(), "writing the key");
  behaviour_ = [](const ReceivedWebhook&, int) { return 204; };
}

WebhookReceiver::~WebhookReceiver() { Stop(); }

void WebhookReceiver::Start(int port) {
  Check(server_ == nullptr, "starting a running receiver");
  {
    absl::MutexLock lock(&mu_);
    released_ = false;
  }
  server_ = std::make_unique<httplib::SSLServer>(cert_path_.c_str(), key_path_.c_str());
  Check(server_->is_valid(), "SSLServer");
  // Stop waits for kept-alive connections to go idle this long.
  server_->set_keep_alive_timeout(1);
  server_->Post(R"(/.*)", [this](const httplib::Request& request, httplib::Response& response) {
    int status = 500;
    Handle(request.get_header_value("webhook-id"), request.get_header_value("webhook-timestamp"),
           request.get_header_value("webhook-signature"), request.get_header_value("Content-Type"),
           request.body, &status);
    response.status = status;
  });
  if (port == 0) {
    port_ = server_->bind_to_any_port("127.0.0.1");
    Check(port_ > 0, "bind_to_any_port");
  } else {
    // The port was this receiver's before; a moment may pass before the kernel lets it go.
    bool bound = false;
    for (int i = 0; i < 100 && !bound; ++i) {
      bound = server_->bind_to_port("127.0.0.1", port);
      if (!bound) absl::SleepFor(absl::Milliseconds(20));
    }
    Check(bound, "bind_to_port");
    port_ = port;
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  for (int i = 0; i < 500 && !server_->is_running(); ++i) absl::SleepFor(absl::Milliseconds(2));
  Check(server_->is_running(), "listen_after_bind");
}

void WebhookReceiver::Stop() {
  if (server_ == nullptr) return;
  Release();
  server_->stop();
  if (thread_.joinable()) thread_.join();
  server_.reset();
}

std::string WebhookReceiver::Url() const {
  return absl::StrCat("https://127.0.0.1:", port_, "/hooks/sealtrail");
}

void WebhookReceiver::SetBehaviour(Behaviour behaviour) {
  absl::MutexLock lock(&mu_);
  behaviour_ = std::move(behaviour);
}

void WebhookReceiver::Release() {
  absl::MutexLock lock(&mu_);
  released_ = true;
}

void WebhookReceiver::Held(absl::Duration limit) {
  absl::MutexLock lock(&mu_);
  mu_.AwaitWithTimeout(absl::Condition(&released_), limit);
}

void WebhookReceiver::Handle(const std::string& id, const std::string& timestamp,
                             const std::string& signature, const std::string& content_type,
                             const std::string& body, int* status) {
  ReceivedWebhook received;
  received.webhook_id = id;
  received.timestamp = timestamp;
  received.signature = signature;
  received.content_type = content_type;
  received.body = body;
  const std::string signed_content = absl::StrCat(id, ".", timestamp, ".", body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_length = 0;
  Check(HMAC(EVP_sha256(), hmac_key_.data(), static_cast<int>(hmac_key_.size()),
             reinterpret_cast<const unsigned char*>(signed_content.data()), signed_content.size(),
             mac, &mac_length) != nullptr,
        "HMAC");
  const std::string expected =
      "v1," + Base64(std::string(reinterpret_cast<const char*>(mac), mac_length));
  for (const absl::string_view part : absl::StrSplit(signature, ' ', absl::SkipEmpty())) {
    const std::string given(part);
    if (given.size() == expected.size() &&
        CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0) {
      received.v1_valid = true;
    }
    if (given.rfind("v1a,", 0) == 0 && ed25519_public_key_.has_value()) {
      std::optional<std::string> raw = Unbase64(given.substr(4));
      if (raw.has_value() && Ed25519Verifies(*ed25519_public_key_, signed_content, *raw)) {
        received.v1a_valid = true;
      }
    }
  }
  int64_t seconds = 0;
  received.fresh = absl::SimpleAtoi(timestamp, &seconds) &&
                   std::abs(absl::ToUnixSeconds(absl::Now()) - seconds) <= 300;
  Behaviour behaviour;
  int index = 0;
  {
    absl::MutexLock lock(&mu_);
    behaviour = behaviour_;
    index = arrived_++;
  }
  *status = behaviour(received, index);
  received.status = *status;
  absl::MutexLock lock(&mu_);
  received_.push_back(std::move(received));
}

int WebhookReceiver::Arrived() const {
  absl::MutexLock lock(&mu_);
  return arrived_;
}

std::vector<ReceivedWebhook> WebhookReceiver::Received() const {
  absl::MutexLock lock(&mu_);
  return received_;
}

bool WebhookReceiver::WaitFor(const std::function<bool(const std::vector<ReceivedWebhook>&)>& done,
                              absl::Duration timeout) const {
  const absl::Time deadline = absl::Now() + timeout;
  while (true) {
    if (done(Received())) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

std::vector<std::string> WebhookReceiver::AcceptedIds() const {
  std::vector<std::string> ids;
  for (const ReceivedWebhook& received : Received()) {
    if (received.status >= 200 && received.status <= 299 && received.v1_valid) {
      ids.push_back(received.webhook_id);
    }
  }
  return ids;
}

}  // namespace sealtrail::testing

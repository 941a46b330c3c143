// WebhookReceiver: a real HTTPS server on 127.0.0.1 (cpp-httplib's SSLServer) that receives
// webhook POSTs and checks every signature on its own, with OpenSSL calls of its own (HMAC(),
// EVP_EncodeBlock, EVP_DigestVerify), sharing no code with server/webhook: a v1 HMAC-SHA256
// over "id.timestamp.body" under the endpoint's key, compared in constant time, and, when the
// receiver knows a public key, a v1a Ed25519 signature too. The answer to each request (status,
// delay) is the test's to choose.
//
// Thread-safety: every method may be called from any thread; the behaviour runs on the server's
// threads.
#ifndef SEALTRAIL_TESTS_WEBHOOK_TESTING_WEBHOOK_RECEIVER_H_
#define SEALTRAIL_TESTS_WEBHOOK_TESTING_WEBHOOK_RECEIVER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace httplib {
class SSLServer;
}

namespace sealtrail::testing {

struct ReceivedWebhook {
  std::string webhook_id;
  std::string timestamp;
  std::string signature;  // the whole webhook-signature header
  std::string content_type;
  std::string body;
  bool v1_valid = false;   // one v1 signature matched the HMAC key
  bool v1a_valid = false;  // one v1a signature verified under the public key
  bool fresh = false;      // the timestamp is within 5 minutes of the receiver's clock
  int status = 0;          // what the receiver answered
};

class WebhookReceiver {
 public:
  // The answer to the `index`-th request (0-based); may sleep (use Held for long waits).
  using Behaviour = std::function<int(const ReceivedWebhook& request, int index)>;

  // `cert_pem`/`key_pem`: the server's certificate and key; `hmac_key`: the raw v1 key;
  // `ed25519_public_key`: the raw 32-byte v1a key, if v1a is checked. Files are written in
  // `dir`.
  WebhookReceiver(const std::string& dir, const std::string& cert_pem, const std::string& key_pem,
                  std::string hmac_key, std::optional<std::string> ed25519_public_key = {});
  ~WebhookReceiver();

  // Listens on 127.0.0.1:`port` (0: any free port). Aborts the test binary if it cannot.
  void Start(int port = 0);
  // Stops listening (ends Held waits first) and joins the server thread.
  void Stop();
  int port() const { return port_; }
  std::string Url() const;

  void SetBehaviour(Behaviour behaviour);
  // Makes a behaviour's Held() return at once (and every later one).
  void Release();
  // For behaviours: waits until Release, Stop or `limit`.
  void Held(absl::Duration limit);

  // Requests that reached the behaviour (answered or not yet).
  int Arrived() const;
  // Requests answered so far, in the order their answers were chosen.
  std::vector<ReceivedWebhook> Received() const;
  // Waits (at most `timeout`) until `done(Received())`; whether it came true.
  bool WaitFor(const std::function<bool(const std::vector<ReceivedWebhook>&)>& done,
               absl::Duration timeout) const;
  // Ids of the requests answered 2xx with valid signatures, in arrival order (with repeats).
  std::vector<std::string> AcceptedIds() const;

 private:
  void Handle(const std::string& id, const std::string& timestamp, const std::string& signature,
              const std::string& content_type, const std::string& body, int* status);

  std::string cert_path_;
  std::string key_path_;
  const std::string hmac_key_;
  const std::optional<std::string> ed25519_public_key_;
  std::unique_ptr<httplib::SSLServer> server_;
  std::thread thread_;
  int port_ = 0;

  mutable absl::Mutex mu_;
  Behaviour behaviour_ ABSL_GUARDED_BY(mu_);
  std::vector<ReceivedWebhook> received_ ABSL_GUARDED_BY(mu_);
  bool released_ ABSL_GUARDED_BY(mu_) = false;
  int arrived_ ABSL_GUARDED_BY(mu_) = 0;
};

// Whether `signature` is a valid Ed25519 signature of `message` under the raw 32-byte
// `public_key` (OpenSSL's EVP_DigestVerify).
bool Ed25519Verifies(const std::string& public_key, const std::string& message,
                     const std::string& signature);

// The raw HMAC key of a "whsec_" secret, decoded with OpenSSL (EVP_DecodeBlock), for tests.
std::string HmacKeyOfSecret(const std::string& secret);
// A fresh random "whsec_" secret of 32 bytes.
std::string NewWebhookSecret();

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_WEBHOOK_TESTING_WEBHOOK_RECEIVER_H_

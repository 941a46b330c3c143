// Test certificates made with OpenSSL at run time: a CA, and certificates it issues for a TLS
// server (SAN 127.0.0.1, ::1 and localhost) or a client (the CN names its identity). Keys are
// EC P-256. For the TLS tests only; nothing here checks anything.
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_TEST_CERTS_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_TEST_CERTS_H_

#include <memory>
#include <string>

namespace sealtrail::testing {

struct PemPair {
  std::string cert;  // PEM certificate.
  std::string key;   // PEM private key (PKCS#8).
};

class TestCa {
 public:
  // A self-signed CA named `name`. Aborts the test binary on an OpenSSL failure.
  explicit TestCa(const std::string& name);
  ~TestCa();
  TestCa(const TestCa&) = delete;
  TestCa& operator=(const TestCa&) = delete;

  const std::string& cert_pem() const { return self_.cert; }
  // A server certificate for loopback: CN `cn`, SAN IP:127.0.0.1, IP:::1, DNS:localhost.
  PemPair IssueServer(const std::string& cn) const;
  // A client certificate with CN `cn`.
  PemPair IssueClient(const std::string& cn) const;

 private:
  struct Key;
  PemPair Issue(const std::string& cn, bool server) const;
  std::unique_ptr<Key> key_;
  PemPair self_;
  std::string name_;
};

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_TEST_CERTS_H_

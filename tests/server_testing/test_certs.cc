#include "server_testing/test_certs.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstdlib>

namespace sealtrail::testing {
namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test_certs: %s failed\n", what);
    std::abort();
  }
}

EVP_PKEY* NewKey() {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  Check(key != nullptr, "EVP_EC_gen");
  return key;
}

std::string KeyPem(EVP_PKEY* key) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_PrivateKey(bio, key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
        "PEM_write_bio_PrivateKey");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string CertPem(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  Check(PEM_write_bio_X509(bio, cert) == 1, "PEM_write_bio_X509");
  char* data = nullptr;
  long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<size_t>(size));
  BIO_free(bio);
  return pem;
}

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  Check(extension != nullptr, "X509V3_EXT_conf_nid");
  Check(X509_add_ext(cert, extension, -1) == 1, "X509_add_ext");
  X509_EXTENSION_free(extension);
}

// An unsigned certificate for `key` named `cn`, issued by `issuer` (nullptr: self-signed).
X509* NewCert(EVP_PKEY* key, const std::string& cn, X509* issuer, long serial) {
  X509* cert = X509_new();
  Check(cert != nullptr, "X509_new");
  X509_set_version(cert, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert), serial);
  X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
  X509_set_pubkey(cert, key);
  X509_NAME* name = X509_get_subject_name(cert);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(cert, issuer != nullptr ? X509_get_subject_name(issuer) : name);
  return cert;
}

}  // namespace

struct TestCa::Key {
  EVP_PKEY* key = nullptr;
  X509* cert = nullptr;
  ~Key() {
    X509_free(cert);
    EVP_PKEY_free(key);
  }
};

TestCa::TestCa(const std::string& name) : key_(std::make_unique<Key>()), name_(name) {
  key_->key = NewKey();
  key_->cert = NewCert(key_->key, name, nullptr, 1);
  AddExtension(key_->cert, key_->cert, NID_basic_constraints, "critical,CA:TRUE");
  AddExtension(key_->cert, key_->cert, NID_key_usage, "critical,keyCertSign,cRLSign");
  AddExtension(key_->cert, key_->cert, NID_subject_key_identifier, "hash");
  Check(X509_sign(key_->cert, key_->key, EVP_sha256()) > 0, "X509_sign");
  self_ = {CertPem(key_->cert), KeyPem(key_->key)};
}

TestCa::~TestCa() = default;

PemPair TestCa::IssueServer(const std::string& cn) const { return Issue(cn, /*server=*/true); }
PemPair TestCa::IssueClient(const std::string& cn) const { return Issue(cn, /*server=*/false); }

PemPair TestCa::Issue(const std::string& cn, bool server) const {
  static long serial = 100;
  EVP_PKEY* key = NewKey();
  X509* cert = NewCert(key, cn, key_->cert, ++serial);
  AddExtension(cert, key_->cert, NID_basic_constraints, "critical,CA:FALSE");
  AddExtension(cert, key_->cert, NID_ext_key_usage, server ? "serverAuth" : "clientAuth");
  AddExtension(cert, key_->cert, NID_authority_key_identifier, "keyid:always");
  if (server) {
    AddExtension(cert, key_->cert, NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost");
  }
  Check(X509_sign(cert, key_->key, EVP_sha256()) > 0, "X509_sign");
  PemPair pair{CertPem(cert), KeyPem(key)};
  X509_free(cert);
  EVP_PKEY_free(key);
  return pair;
}

}  // namespace sealtrail::testing

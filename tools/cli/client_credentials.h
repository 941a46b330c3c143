// The credentials a client of sealtraild (the `sealtrail` server commands and sealtrail-bench)
// presents: a bearer token sent as `authorization: Bearer <token>` metadata on every call, and
// TLS (server verified against a root CA file, optionally a client certificate for mutual TLS).
// OpenServerChannel (server_channel.h) is what applies them; this file only decides what they
// are, from the flags, the environment and the files they name.
//
// Where the token comes from, first match wins:
//   1. --token TOKEN
//   2. --token-file FILE (trailing whitespace stripped)
//   3. $SEALTRAIL_TOKEN
//   4. DATA/dev-token, only when the server address is a loopback one, where DATA is --data or
//      $SEALTRAIL_DATA (the token a local sealtraild writes on its first start)
// and otherwise there is none (the server then refuses the call with UNAUTHENTICATED).
//
// A token is never printed, logged or put into an error message.
#ifndef SEALTRAIL_TOOLS_CLI_CLIENT_CREDENTIALS_H_
#define SEALTRAIL_TOOLS_CLI_CLIENT_CREDENTIALS_H_

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "sealtrail/env.h"

namespace sealtrail::cli {

inline constexpr char kTokenEnv[] = "SEALTRAIL_TOKEN";
inline constexpr char kDataDirEnv[] = "SEALTRAIL_DATA";
// Longest token file read.
inline constexpr uint64_t kMaxTokenFileBytes = 64 << 10;

// What a client presents. A value type; PEM texts, not file names.
struct ClientCredentials {
  std::string bearer_token{};  // Empty: no authorization metadata.
  std::string tls_root_pem{};  // Empty: plaintext. Else TLS, the server verified against it.
  std::string tls_cert_pem{};  // With tls_key_pem: the client certificate chain (mutual TLS).
  std::string tls_key_pem{};

  bool tls() const { return !tls_root_pem.empty(); }
};

// The credential flags as given; nullopt for a flag not given.
struct CredentialFlags {
  std::optional<std::string> token{};
  std::optional<std::string> token_file{};
  std::optional<std::string> tls_ca_file{};
  std::optional<std::string> tls_cert_file{};
  std::optional<std::string> tls_key_file{};
  std::optional<std::string> data_dir{};
};

// The environment variables that matter here; null when unset. Empty values count as unset.
struct CredentialEnvironment {
  const char* token = nullptr;     // $SEALTRAIL_TOKEN
  const char* data_dir = nullptr;  // $SEALTRAIL_DATA

  // This process's values.
  static CredentialEnvironment FromProcess();
};

// Whether `address` (HOST:PORT, [V6]:PORT, or a gRPC target such as dns:///HOST:PORT,
// ipv4:ADDR:PORT, ipv6:[ADDR]:PORT or unix:PATH) names this machine: localhost, 127.0.0.0/8,
// ::1, or a Unix socket. Names are not resolved, so any other host name is not loopback.
bool IsLoopbackAddress(absl::string_view address);

// The token in `path`: its contents less trailing whitespace. INVALID_ARGUMENT if that is empty
// or holds a character that cannot be sent in a header (anything but printable ASCII without
// spaces); NOT_FOUND if the file does not exist. Writes a warning to `warnings` if the file is
// accessible by its group or others. Messages name the file, never its contents.
absl::StatusOr<std::string> ReadTokenFile(Env* env, const std::string& path,
                                          std::ostream& warnings);

// The credentials `flags` and `environment` describe for a server at `server_address`, the token
// chosen as in the comment at the top, the TLS files read. INVALID_ARGUMENT for a bad token,
// --tls-cert without --tls-key or the reverse, a client certificate without --tls-ca, or a token
// that would go in plaintext to an address that is not loopback; NOT_FOUND for a missing file
// (the dev token of a data directory included). Warnings (a token file others may read, --data
// ignored for a remote server) go to `warnings`.
absl::StatusOr<ClientCredentials> ResolveClientCredentials(Env* env, const CredentialFlags& flags,
                                                           const CredentialEnvironment& environment,
                                                           absl::string_view server_address,
                                                           std::ostream& warnings);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_CLIENT_CREDENTIALS_H_

#include "cli/client_credentials.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdlib>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "cli/files.h"
#include "sealtrail/status_macros.h"
#include "server/auth/dev_credentials.h"

namespace sealtrail::cli {
namespace {

const char* NonEmptyOrNull(const char* value) {
  return value != nullptr && value[0] != '\0' ? value : nullptr;
}

// The host part of a gRPC target, brackets removed: "127.0.0.1" of "dns:///127.0.0.1:7700".
absl::string_view TargetHost(absl::string_view address) {
  for (absl::string_view scheme : {"dns:///", "dns:", "ipv4:", "ipv6:"}) {
    if (absl::StartsWith(address, scheme)) {
      address.remove_prefix(scheme.size());
      break;
    }
  }
  if (absl::StartsWith(address, "[")) {
    const size_t close = address.find(']');
    return close == absl::string_view::npos ? address : address.substr(1, close - 1);
  }
  const size_t colon = address.find(':');
  if (colon != absl::string_view::npos && address.find(':', colon + 1) == absl::string_view::npos) {
    return address.substr(0, colon);  // HOST:PORT; several colons: an IPv6 literal, no port.
  }
  return address;
}

absl::Status CheckToken(absl::string_view token, absl::string_view source) {
  if (token.empty())
    return absl::InvalidArgumentError(absl::StrCat("the token of ", source, " is empty"));
  const bool sendable =
      std::all_of(token.begin(), token.end(), [](char c) { return c > ' ' && c < '\x7f'; });
  if (!sendable) {
    return absl::InvalidArgumentError(
        absl::StrCat("the token of ", source,
                     " holds a space, control or non-ASCII character; it cannot be sent"));
  }
  return absl::OkStatus();
}

// The token the flags, the variables or the data directory give, in that order (the comment in
// client_credentials.h); "" for none.
absl::StatusOr<std::string> ResolveToken(Env* env, const CredentialFlags& flags,
                                         const CredentialEnvironment& environment,
                                         absl::string_view server_address, std::ostream& warnings) {
  if (flags.token.has_value()) {
    RETURN_IF_ERROR(CheckToken(*flags.token, "--token"));
    return *flags.token;
  }
  if (flags.token_file.has_value()) return ReadTokenFile(env, *flags.token_file, warnings);
  if (const char* token = NonEmptyOrNull(environment.token); token != nullptr) {
    RETURN_IF_ERROR(CheckToken(token, absl::StrCat("$", kTokenEnv)));
    return std::string(token);
  }
  std::string data_dir;
  if (flags.data_dir.has_value()) {
    data_dir = *flags.data_dir;
  } else if (const char* dir = NonEmptyOrNull(environment.data_dir); dir != nullptr) {
    data_dir = dir;
  }
  if (data_dir.empty()) return std::string();
  if (!IsLoopbackAddress(server_address)) {
    if (flags.data_dir.has_value()) {
      warnings << "warning: --data " << data_dir << " is ignored: its dev token is only used "
               << "for a server on a loopback address, not " << server_address << "\n";
    }
    return std::string();
  }
  const std::string path = absl::StrCat(data_dir, "/", kDevTokenFile);
  if (!env->FileExists(path)) {
    return absl::NotFoundError(absl::StrCat("no dev token in ", data_dir, " (", path,
                                            "): sealtraild writes it when it first starts with "
                                            "that data directory"));
  }
  return ReadTokenFile(env, path, warnings);
}

}  // namespace

CredentialEnvironment CredentialEnvironment::FromProcess() {
  return CredentialEnvironment{std::getenv(kTokenEnv), std::getenv(kDataDirEnv)};
}

bool IsLoopbackAddress(absl::string_view address) {
  if (absl::StartsWith(address, "unix:") || absl::StartsWith(address, "unix-abstract:")) {
    return true;
  }
  const std::string host(TargetHost(address));
  if (absl::EqualsIgnoreCase(host, "localhost")) return true;
  unsigned char bytes[16];
  if (inet_pton(AF_INET, host.c_str(), bytes) == 1) return bytes[0] == 127;
  if (inet_pton(AF_INET6, host.c_str(), bytes) == 1) {
    static constexpr unsigned char kLoopback6[16] = {0, 0, 0, 0, 0, 0, 0, 0,
                                                     0, 0, 0, 0, 0, 0, 0, 1};
    static constexpr unsigned char kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::equal(bytes, bytes + 16, kLoopback6)) return true;
    return std::equal(bytes, bytes + 12, kMappedPrefix) && bytes[12] == 127;
  }
  return false;
}

absl::StatusOr<std::string> ReadTokenFile(Env* env, const std::string& path,
                                          std::ostream& warnings) {
  ASSIGN_OR_RETURN(std::string contents, ReadWholeFile(env, path, kMaxTokenFileBytes));
  absl::StripTrailingAsciiWhitespace(&contents);
  RETURN_IF_ERROR(CheckToken(contents, absl::StrCat("token file ", path)));
  absl::StatusOr<uint32_t> mode = env->GetFileMode(path);
  if (mode.ok() && (*mode & 077) != 0) {
    warnings << absl::StrFormat(
        "warning: token file %s may be read by its group or others (mode %04o); "
        "chmod 600 %s\n",
        path, *mode, path);
  }
  return contents;
}

absl::StatusOr<ClientCredentials> ResolveClientCredentials(Env* env, const CredentialFlags& flags,
                                                           const CredentialEnvironment& environment,
                                                           absl::string_view server_address,
                                                           std::ostream& warnings) {
  if (flags.tls_cert_file.has_value() != flags.tls_key_file.has_value()) {
    return absl::InvalidArgumentError("--tls-cert and --tls-key go together (mutual TLS)");
  }
  if (flags.tls_cert_file.has_value() && !flags.tls_ca_file.has_value()) {
    return absl::InvalidArgumentError(
        "--tls-cert needs --tls-ca: a client certificate is only sent over TLS");
  }
  ClientCredentials credentials;
  if (flags.tls_ca_file.has_value()) {
    ASSIGN_OR_RETURN(credentials.tls_root_pem,
                     ReadWholeFile(env, *flags.tls_ca_file, kMaxSmallFileBytes));
  }
  if (flags.tls_cert_file.has_value()) {
    ASSIGN_OR_RETURN(credentials.tls_cert_pem,
                     ReadWholeFile(env, *flags.tls_cert_file, kMaxSmallFileBytes));
    ASSIGN_OR_RETURN(credentials.tls_key_pem,
                     ReadWholeFile(env, *flags.tls_key_file, kMaxSmallFileBytes));
  }
  ASSIGN_OR_RETURN(credentials.bearer_token,
                   ResolveToken(env, flags, environment, server_address, warnings));
  if (!credentials.bearer_token.empty() && !credentials.tls() &&
      !IsLoopbackAddress(server_address)) {
    return absl::InvalidArgumentError(
        absl::StrCat("refusing to send a token in plaintext to ", server_address,
                     ", which is not a loopback address: give --tls-ca FILE to use TLS"));
  }
  return credentials;
}

}  // namespace sealtrail::cli

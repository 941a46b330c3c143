#include "cli/credential_flags.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace sealtrail::cli {

namespace {
constexpr char kGroup[] = "Credentials";
}  // namespace

void CredentialFlagSet::AddTo(CLI::App* command, bool with_data_dir) {
  CLI::Option* token =
      command
          ->add_option("--token", token_.value,
                       absl::StrCat("Bearer token (JWT) sent with every call (default: $",
                                    kTokenEnv, ", else the data dir's dev token)"))
          ->type_name("TOKEN")
          ->group(kGroup);
  CLI::Option* token_file =
      command->add_option("--token-file", token_file_.value, "File holding the bearer token")
          ->type_name("FILE")
          ->group(kGroup)
          ->excludes(token);
  token_.options.push_back(token);
  token_file_.options.push_back(token_file);
  tls_ca_.options.push_back(
      command
          ->add_option(
              "--tls-ca", tls_ca_.value,
              "Use TLS, verifying the server against this root CA (PEM); without it, plaintext")
          ->type_name("FILE")
          ->group(kGroup));
  CLI::Option* cert = command
                          ->add_option("--tls-cert", tls_cert_.value,
                                       "Client certificate chain (PEM), for mutual TLS")
                          ->type_name("FILE")
                          ->group(kGroup);
  CLI::Option* key =
      command->add_option("--tls-key", tls_key_.value, "Client private key (PEM), for mutual TLS")
          ->type_name("FILE")
          ->group(kGroup);
  cert->needs(key);
  key->needs(cert);
  tls_cert_.options.push_back(cert);
  tls_key_.options.push_back(key);
  if (with_data_dir) {
    data_dir_.options.push_back(
        command
            ->add_option(
                "--data", data_dir_.value,
                absl::StrCat(
                    "Data directory of a local sealtraild: with no token given and a loopback "
                    "server, use its dev token (default: $",
                    kDataDirEnv, ")"))
            ->type_name("DIR")
            ->group(kGroup));
  }
}

std::optional<std::string> CredentialFlagSet::IfGiven(const Flag& flag) {
  const bool given = std::any_of(flag.options.begin(), flag.options.end(),
                                 [](const CLI::Option* option) { return option->count() > 0; });
  return given ? std::optional<std::string>(flag.value) : std::nullopt;
}

CredentialFlags CredentialFlagSet::Given() const {
  return CredentialFlags{IfGiven(token_),    IfGiven(token_file_), IfGiven(tls_ca_),
                         IfGiven(tls_cert_), IfGiven(tls_key_),    IfGiven(data_dir_)};
}

}  // namespace sealtrail::cli

// The command-line flags of client credentials (client_credentials.h), shared by the `sealtrail`
// server commands and sealtrail-bench so that both spell and explain them the same way.
#ifndef SEALTRAIL_TOOLS_CLI_CREDENTIAL_FLAGS_H_
#define SEALTRAIL_TOOLS_CLI_CREDENTIAL_FLAGS_H_

#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli/client_credentials.h"

namespace sealtrail::cli {

// One set of credential values, bound to the flags of one or more commands (of which one is
// parsed). Not copyable: the flags hold pointers into it.
class CredentialFlagSet {
 public:
  CredentialFlagSet() = default;
  CredentialFlagSet(const CredentialFlagSet&) = delete;
  CredentialFlagSet& operator=(const CredentialFlagSet&) = delete;

  // Adds --token, --token-file, --tls-ca, --tls-cert and --tls-key to `command`, and with
  // `with_data_dir` also --data DIR (whose dev token is used for a loopback server).
  void AddTo(CLI::App* command, bool with_data_dir);

  // What was given on the parsed command line; call after parsing.
  CredentialFlags Given() const;

 private:
  struct Flag {
    std::string value;
    std::vector<const CLI::Option*> options;  // One per command it was added to.
  };
  static std::optional<std::string> IfGiven(const Flag& flag);

  Flag token_;
  Flag token_file_;
  Flag tls_ca_;
  Flag tls_cert_;
  Flag tls_key_;
  Flag data_dir_;
};

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_CREDENTIAL_FLAGS_H_

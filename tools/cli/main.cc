// The `sealtrail` command-line tool. main() only parses flags (global_flags.h moves those given
// before the command) and calls the library functions in append_stream.h, local_commands.h, demo.h,
// keys.h, checkpoint_commands.h, audit_commands.h, witness.h, reindex_command.h,
// dev_token_command.h, server_commands.h, export_command.h and bundle_verifier.h, which have their
// own tests (tests/cli_test.cc, tests/checkpoint_cli_test.cc, tests/reindex_cli_test.cc,
// tests/server_cli_test.cc, tests/bundle_cli_test.cc).
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "cli/audit_commands.h"
#include "cli/bundle_verifier.h"
#include "cli/checkpoint_commands.h"
#include "cli/client_credentials.h"
#include "cli/complete_query.h"
#include "cli/credential_flags.h"
#include "cli/demo.h"
#include "cli/dev_token_command.h"
#include "cli/exit_codes.h"
#include "cli/export_command.h"
#include "cli/flags.h"
#include "cli/global_flags.h"
#include "cli/keys.h"
#include "cli/local_commands.h"
#include "cli/reindex_command.h"
#include "cli/server_channel.h"
#include "cli/server_commands.h"
#include "cli/usage_error.h"
#include "cli/webhook_commands.h"
#include "cli/witness.h"
#include "sealtrail/env.h"
#include "sealtrail/status_macros.h"
#include "server/record/record.h"
#include "server/service/defaults.h"
#include "version/version.h"

namespace {

const CLI::Validator kDecimalUint64 = sealtrail::cli::DecimalUint64();

std::optional<uint64_t> IfGiven(const CLI::Option* option, uint64_t value) {
  return option->count() > 0 ? std::optional<uint64_t>(value) : std::nullopt;
}

// A subcommand's --help footer: examples, then the exit codes.
void SetExamples(CLI::App* command, const std::string& example) {
  command->footer("Examples:\n" + example + "\n\n" + std::string(sealtrail::cli::kExitCodeHelp));
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // Faster line reads from stdin.
  namespace cli = sealtrail::cli;

  CLI::App app("sealtrail: a tamper-evident, append-only audit log.", "sealtrail");
  app.footer("Global flags: " + std::string(cli::kGlobalFlagsHelp) + "\n\n" +
             std::string(cli::kExitCodeHelp));
  app.set_version_flag("--version", sealtrail::VersionLine("sealtrail"));
  app.require_subcommand(1);
  CLI::App* local = app.add_subcommand(
      "local",
      "Work on a data directory directly (no server). append and demo take the "
      "directory's lock while they run; the other commands only read and may run beside a "
      "writer.");
  local->require_subcommand(1);
  SetExamples(local,
              "  printf 'event one\\nevent two\\n' | sealtrail local append --data ./log\n"
              "  sealtrail local verify --data ./log\n"
              "  sealtrail local --help        # every local command");

  std::string dir;
  uint64_t index = 0;
  uint64_t size = 0;
  uint64_t old_size = 0;
  std::function<absl::Status()> run;

  auto add_data = [&dir](CLI::App* command) {
    return command->add_option("--data", dir, "Data directory")->required();
  };

  CLI::App* append = local->add_subcommand(
      "append",
      "Append each line of stdin as one record (without its newline); creates DIR if missing. "
      "All input is read first; an empty line is an error and nothing is appended.");
  add_data(append);
  SetExamples(append,
              "  printf 'event one\\nevent two\\n' | sealtrail local append --data ./log\n"
              "  sealtrail local append --data ./log < events.txt");
  append->callback([&] { run = [&] { return cli::RunAppend(dir, std::cin, std::cout); }; });

  CLI::App* root = local->add_subcommand("root", "Print the tree size and root hash.");
  add_data(root);
  SetExamples(root,
              "  sealtrail local root --data ./log\n"
              "  sealtrail local root --data ./log --size 1000");
  CLI::Option* root_size = root->add_option("--size", size, "Tree size (default: the current size)")
                               ->check(kDecimalUint64);
  root->callback(
      [&] { run = [&] { return cli::RunRoot(dir, IfGiven(root_size, size), std::cout); }; });

  CLI::App* prove_inclusion = local->add_subcommand(
      "prove-inclusion", "Print an RFC 9162 inclusion proof of one record in a tree size.");
  add_data(prove_inclusion);
  SetExamples(prove_inclusion,
              "  sealtrail local prove-inclusion --data ./log --index 41 --size 1000 > proof.json");
  prove_inclusion->add_option("--index", index, "Leaf index")->required()->check(kDecimalUint64);
  CLI::Option* inclusion_size =
      prove_inclusion->add_option("--size", size, "Tree size (default: the current size)")
          ->check(kDecimalUint64);
  prove_inclusion->callback([&] {
    run = [&] {
      return cli::RunProveInclusion(dir, index, IfGiven(inclusion_size, size), std::cout);
    };
  });

  CLI::App* prove_consistency = local->add_subcommand(
      "prove-consistency", "Print an RFC 9162 consistency proof between two tree sizes.");
  add_data(prove_consistency);
  SetExamples(prove_consistency,
              "  sealtrail local prove-consistency --data ./log --old 1000 --new 2000");
  prove_consistency->add_option("--old", old_size, "Old tree size")
      ->required()
      ->check(kDecimalUint64);
  CLI::Option* consistency_new =
      prove_consistency->add_option("--new", size, "New tree size (default: the current size)")
          ->check(kDecimalUint64);
  prove_consistency->callback([&] {
    run = [&] {
      return cli::RunProveConsistency(dir, old_size, IfGiven(consistency_new, size), std::cout);
    };
  });

  CLI::App* get = local->add_subcommand("get", "Print one record (base64) and its leaf hash.");
  add_data(get);
  SetExamples(get,
              "  sealtrail local get --data ./log --index 41\n"
              "  sealtrail local get --data ./log --index 41 | jq -r .data | base64 -d > 41.bin");
  get->add_option("--index", index, "Record index")->required()->check(kDecimalUint64);
  get->callback([&] { run = [&] { return cli::RunGet(dir, index, std::cout); }; });

  CLI::App* verify = local->add_subcommand(
      "verify",
      "Check every file of DIR offline (checksums, hashes, footers, segment chain) without "
      "taking its lock. Exit 0 if intact, 3 with the first problem if not.");
  add_data(verify);
  SetExamples(verify, "  sealtrail local verify --data ./log && echo intact");
  verify->callback([&] { run = [&] { return cli::RunVerify(dir, std::cout); }; });

  CLI::App* demo = local->add_subcommand(
      "demo",
      "Append a few hundred sample contact-center audit events, then prove and verify "
      "inclusion and consistency and check DIR; one JSON line per step.");
  dir = "./data";
  demo->add_option("--data", dir, "Data directory (created if missing)")->capture_default_str();
  SetExamples(demo, "  sealtrail local demo --data /tmp/sealtrail-demo");
  demo->callback([&] {
    run = [&] {
      cli::DemoOptions options;
      options.start_unix_nanos = sealtrail::Env::Default()->NowNanos();
      return cli::RunDemo(dir, options, std::cout);
    };
  });

  sealtrail::Env* const env = sealtrail::Env::Default();
  std::string key_file;
  std::string vkey;
  std::string origin;
  std::string checkpoint_file;
  const char* const kVkeyHelp = "Verifier key (name+keyid+base64), or a file holding it";
  const char* const kOriginHelp = "Expected checkpoint origin (default: the key's name)";

  CLI::App* sign = local->add_subcommand(
      "checkpoint",
      "With --key: sign a checkpoint of the current tree (takes DIR's lock), store it and print "
      "the signed note exactly as stored. With --size: print the stored checkpoint of that size. "
      "The origin line is the key's name unless --origin is given.");
  add_data(sign);
  SetExamples(sign,
              "  sealtrail local checkpoint --data ./log --key log.key > latest.note\n"
              "  sealtrail local checkpoint --data ./log --size 1000");
  CLI::Option* sign_key = sign->add_option("--key", key_file, "Private key file (mode 0600)");
  CLI::Option* sign_size =
      sign->add_option("--size", size, "Print the stored checkpoint of this tree size")
          ->check(kDecimalUint64)
          ->excludes(sign_key);
  sign->add_option("--origin", origin, "Origin line (default: the key's name)")->needs(sign_key);
  sign->callback([&] {
    if (sign_key->count() == 0 && sign_size->count() == 0) {
      throw CLI::RequiredError("--key or --size");
    }
    if (sign_key->count() > 0) {
      run = [&] { return cli::RunSignCheckpoint(env, dir, key_file, origin, std::cout); };
    } else {
      run = [&] { return cli::RunPrintCheckpoint(env, dir, size, std::cout); };
    }
  });

  CLI::App* checkpoints = local->add_subcommand(
      "checkpoints", "List the stored checkpoints, oldest first: size, root and timestamp_ms.");
  add_data(checkpoints);
  SetExamples(checkpoints, "  sealtrail local checkpoints --data ./log | tail -1");
  checkpoints->callback(
      [&] { run = [&] { return cli::RunListCheckpoints(env, dir, std::cout); }; });

  std::string key_name;
  CLI::App* keygen = app.add_subcommand(
      "keygen",
      "Generate an Ed25519 checkpoint signing key: write the private key to a new file (mode "
      "0600, never overwritten) and print the verifier key that auditors pass as --vkey.");
  keygen->add_option("--name", key_name, "Key name, the default checkpoint origin")->required();
  keygen->add_option("--out", key_file, "New private key file")->required();
  SetExamples(keygen, "  sealtrail keygen --name example.com/audit/eu-1 --out log.key > log.vkey");
  keygen->callback(
      [&] { run = [&] { return cli::RunKeygen(env, key_name, key_file, std::cout); }; });

  CLI::App* audit = app.add_subcommand(
      "verify",
      "Check DIR offline with only the verifier key: every segment rehashed, the segment chain, "
      "and every stored checkpoint's signature and root against the data. Takes no lock. "
      "Someone holding the signing key can rewrite history and pass this check; only a witness "
      "catches that.");
  add_data(audit);
  SetExamples(audit,
              "  sealtrail verify --data ./data --vkey log.vkey\n"
              "  sealtrail verify --data ./data --vkey \"$(cat log.vkey)\" --origin "
              "example.com/audit/eu-1");
  audit->add_option("--vkey", vkey, kVkeyHelp)->required();
  audit->add_option("--origin", origin, kOriginHelp);
  audit->callback(
      [&] { run = [&] { return cli::RunAuditDataDir(env, dir, vkey, origin, std::cout); }; });

  // Commands that talk to sealtraild: --server HOST:PORT, else $SEALTRAIL_SERVER, else the
  // default address.
  std::string server_address;
  const std::string server_help = "sealtraild address HOST:PORT (default: $" +
                                  std::string(sealtrail::kServerAddressEnv) + ", else " +
                                  std::string(sealtrail::kDefaultServerAddress) + ")";
  // And the credentials: --token, --token-file, --tls-ca, --tls-cert, --tls-key, and --data DIR
  // for a local server's dev token (client_credentials.h).
  cli::CredentialFlagSet credential_flags;
  auto add_server = [&](CLI::App* command) {
    CLI::Option* server = command->add_option("--server", server_address, server_help);
    credential_flags.AddTo(command, /*with_data_dir=*/true);
    return server;
  };
  auto connection = [&](const CLI::Option* server_option) -> absl::StatusOr<cli::ServerConnection> {
    cli::ServerConnection server{cli::ResolveServerAddress(
        server_option->count() > 0 ? std::optional<std::string>(server_address) : std::nullopt,
        std::getenv(sealtrail::kServerAddressEnv))};
    ASSIGN_OR_RETURN(server.credentials,
                     cli::ResolveClientCredentials(env, credential_flags.Given(),
                                                   cli::CredentialEnvironment::FromProcess(),
                                                   server.address, std::cerr));
    return server;
  };

  std::string state_file;
  std::string proof_file;
  CLI::App* witness = app.add_subcommand(
      "witness",
      "Accept a new checkpoint only if its signature verifies and it is consistent with the "
      "newest one recorded in the state file (the first needs no proof), then record it. Give "
      "the checkpoint and proof as files, --data DIR to take the newest stored checkpoint "
      "and build the proof from DIR, or --server HOST:PORT to fetch the latest checkpoint and "
      "the proof from sealtraild.");
  SetExamples(witness,
              "  sealtrail witness --server 127.0.0.1:7700 --state witness.note --vkey log.vkey\n"
              "  sealtrail witness --data ./data --state witness.note --vkey log.vkey");
  witness->add_option("--state", state_file, "Witness state file (the newest accepted note)")
      ->required();
  witness->add_option("--vkey", vkey, kVkeyHelp)->required();
  witness->add_option("--origin", origin, kOriginHelp);
  CLI::Option* witness_checkpoint = witness->add_option("--checkpoint", checkpoint_file,
                                                        "Signed checkpoint note file, - for stdin");
  CLI::Option* witness_proof =
      witness
          ->add_option("--proof", proof_file,
                       "Consistency proof from the recorded size (local prove-consistency JSON)")
          ->needs(witness_checkpoint);
  CLI::Option* witness_data =
      witness->add_option("--data", dir, "Data directory to take the checkpoint and proof from")
          ->excludes(witness_checkpoint)
          ->excludes(witness_proof);
  CLI::Option* witness_server =
      witness
          ->add_option("--server", server_address,
                       "sealtraild address HOST:PORT to take the checkpoint and proof from")
          ->excludes(witness_checkpoint)
          ->excludes(witness_proof)
          ->excludes(witness_data);
  credential_flags.AddTo(witness, /*with_data_dir=*/false);
  witness->callback([&] {
    if (witness_checkpoint->count() == 0 && witness_data->count() == 0 &&
        witness_server->count() == 0) {
      throw CLI::RequiredError("--checkpoint, --data or --server");
    }
    run = [&]() -> absl::Status {
      const cli::WitnessArgs args{state_file, vkey, origin};
      if (witness_server->count() > 0) {
        ASSIGN_OR_RETURN(cli::ServerConnection server, connection(witness_server));
        return cli::RunWitness(env, args, cli::CandidateFromServer(std::move(server)), std::cout);
      }
      if (witness_data->count() > 0) {
        return cli::RunWitness(env, args, cli::CandidateFromDataDir(env, dir), std::cout);
      }
      std::optional<std::string> proof;
      if (witness_proof->count() > 0) proof = proof_file;
      return cli::RunWitness(
          env, args, cli::CandidateFromFiles(env, checkpoint_file, proof, std::cin), std::cout);
    };
  });

  cli::VerifyProofArgs proof_args;
  std::string record_file;
  CLI::App* verify_proof = app.add_subcommand(
      "verify-proof",
      "Verify an inclusion proof (the JSON local prove-inclusion prints) offline against a "
      "signed checkpoint, and with --data that the record's bytes hash to the proven leaf.");
  verify_proof->add_option("--vkey", proof_args.vkey, kVkeyHelp)->required();
  verify_proof
      ->add_option("--checkpoint", proof_args.checkpoint_file,
                   "Signed checkpoint note file, - for stdin")
      ->required();
  verify_proof->add_option("--inclusion", proof_args.inclusion_file, "Inclusion proof JSON file")
      ->required();
  CLI::Option* proof_record =
      verify_proof->add_option("--data", record_file, "File holding the record's exact bytes");
  verify_proof->add_option("--origin", proof_args.expected_origin, kOriginHelp);
  SetExamples(
      verify_proof,
      "  sealtrail local prove-inclusion --data ./log --index 41 --size 1000 > proof.json\n"
      "  sealtrail local checkpoint --data ./log --size 1000 > cp.note\n"
      "  sealtrail verify-proof --vkey log.vkey --checkpoint cp.note --inclusion proof.json");
  verify_proof->callback([&] {
    if (proof_record->count() > 0) proof_args.record_file = record_file;
    run = [&] { return cli::RunVerifyProof(env, proof_args, std::cin, std::cout); };
  });

  cli::ReindexArgs reindex_args;
  CLI::App* reindex = app.add_subcommand(
      "reindex",
      "Rebuild sealtraild's query index from the log in DIR, which is only read: delete the "
      "index and index every record again. Stop sealtraild first; while it runs, the index is "
      "in use and nothing is changed (exit 4).");
  reindex->add_option("--data", reindex_args.data_dir, "Data directory")->required();
  reindex->add_option("--index-dir", reindex_args.index_dir,
                      "Index directory (default: DIR/index)");
  SetExamples(reindex,
              "  sealtrail reindex --data ./data\n"
              "  sealtrail reindex --data ./data --index-dir /fast-disk/sealtrail-index");
  reindex->callback([&] { run = [&] { return cli::RunReindex(reindex_args, std::cout); }; });

  cli::DevTokenArgs dev_token_args;
  CLI::App* dev_token = app.add_subcommand(
      "dev-token",
      "Mint a JWT with the dev signing key of a local sealtraild's data directory (which "
      "sealtraild creates on its first start; no other key is used) and print it. By default a "
      "caller token with --role and --tenant; with --actor an end user's actor token for "
      "`append --actor-token`, holding only --user-role and --user-tenant. Only a server started "
      "with that data directory's dev key accepts these tokens.");
  CLI::Option* dev_token_data = dev_token->add_option(
      "--data", dev_token_args.data_dir,
      absl::StrCat("Data directory of the local sealtraild (default: $", cli::kDataDirEnv, ")"));
  dev_token->add_option("--sub", dev_token_args.subject, "Subject (sub): the user or service")
      ->required();
  dev_token->add_option("--role", dev_token_args.roles,
                        "Role, repeatable: appender, auditor, platform-auditor or admin");
  dev_token->add_option("--tenant", dev_token_args.tenants, "Tenant, repeatable; * for every one");
  dev_token->add_option("--ttl", dev_token_args.ttl, "Lifetime, e.g. 30m, 1h or 7d")
      ->capture_default_str();
  CLI::Option* dev_token_actor =
      dev_token->add_flag("--actor", dev_token_args.actor, "Mint an end user's actor token");
  dev_token->add_option("--user-role", dev_token_args.user_role, "Actor token: the user's role")
      ->needs(dev_token_actor);
  dev_token
      ->add_option("--user-tenant", dev_token_args.user_tenant, "Actor token: the user's tenant")
      ->needs(dev_token_actor);
  SetExamples(dev_token,
              "  sealtrail dev-token --data ./data --sub billing-svc --role appender "
              "--tenant acme > appender.jwt\n"
              "  sealtrail dev-token --data ./data --sub alice --role auditor --tenant acme "
              "--ttl 30m\n"
              "  sealtrail dev-token --data ./data --actor --sub agent-4711 "
              "--user-role supervisor --user-tenant acme");
  dev_token->callback([&] {
    if (dev_token_data->count() == 0) {
      const char* data = std::getenv(cli::kDataDirEnv);
      if (data == nullptr || data[0] == '\0') throw CLI::RequiredError("--data");
      dev_token_args.data_dir = data;
    }
    run = [&] { return cli::RunDevToken(env, dev_token_args, std::cout); };
  });

  cli::RecordFlags record;
  int32_t status_code = 0;
  CLI::App* server_append = app.add_subcommand(
      "append",
      absl::StrCat(
          "Append audit records to sealtraild. Without record flags, each line of stdin is "
          "one record in protobuf's JSON mapping, or {\"record\":RECORD,\"actor_token\":JWT}, "
          "streamed as it comes: sent in batches of up to ",
          cli::kAppendRequestRecords, " records, a partial batch ",
          absl::FormatDuration(cli::kAppendFlushDelay),
          " after its first line if no more come, with at most ", cli::kAppendWindowRequests,
          " batches unacknowledged (then stdin is not read until the server answers). A bad "
          "line stops the run there: the lines before it are appended and printed, nothing "
          "from "
          "it on is sent, and the error names it (exit 2). With record flags, appends the one "
          "record they describe. Prints {\"seq\":I,\"leaf_hash\":\"...\",\"tree_size\":N} per "
          "record, in input order, once it is durable; exit 0 only if every line was "
          "acknowledged."));
  CLI::Option* append_server = add_server(server_append);
  const std::vector<CLI::Option*> record_options = {
      server_append->add_option("--tenant", record.tenant, "context.tenant_id"),
      server_append->add_option("--actor", record.actor, "actor.user_id"),
      server_append->add_option("--service", record.service,
                                "actor.service (alone: a service acting for itself)"),
      server_append->add_option("--action", record.action, "action.name, e.g. call.barge"),
      server_append->add_option("--route", record.route, "action.route"),
      server_append->add_option("--method", record.method, "action.method"),
      server_append->add_option("--resource-type", record.resource_type, "action.resource_type"),
      server_append->add_option("--resource-id", record.resource_id, "action.resource_id"),
      server_append->add_option("--outcome", record.outcome, "SUCCESS, FAILURE or DENIED"),
      server_append->add_option("--reason", record.reason, "outcome.reason"),
      server_append->add_option("--status-code", status_code, "outcome.status_code"),
      server_append->add_option("--trace-id", record.trace_id, "Trace id, 32 hex digits"),
      server_append->add_option("--span-id", record.span_id, "Span id, 16 hex digits"),
      server_append->add_option("--source-ip", record.source_ip, "context.source_ip"),
  };
  const CLI::Option* append_status_code = server_append->get_option("--status-code");
  std::string actor_token;
  const CLI::Option* append_actor_token =
      server_append
          ->add_option("--actor-token", actor_token,
                       "The end user's JWT, which the server verifies and takes the actor from "
                       "(with record flags; in JSON lines: {\"record\":{...},\"actor_token\":"
                       "\"...\"})")
          ->type_name("TOKEN");
  SetExamples(server_append,
              "  sealtrail append --tenant acme --actor agent-4711 --action call.barge \\\n"
              "      --route /v2/calls/barge --method POST --outcome SUCCESS\n"
              "  echo '{\"context\":{\"tenantId\":\"acme\"},\"actor\":{\"userId\":\"a-1\"},"
              "\"action\":{\"name\":\"auth.login\"},\"outcome\":{\"result\":\"SUCCESS\"}}' "
              "| sealtrail append\n"
              "  tail -f app-audit.jsonl | sealtrail append --server audit.internal:7700 \\\n"
              "      --tls-ca ca.pem --token-file svc.jwt\n"
              "  sealtrail append --tenant acme --action call.barge --outcome SUCCESS \\\n"
              "      --actor-token \"$(sealtrail dev-token --data ./data --actor --sub agent-4711 "
              "--user-tenant acme)\"");
  server_append->callback([&] {
    const bool from_flags = std::any_of(record_options.begin(), record_options.end(),
                                        [](const CLI::Option* option) { return option->count(); });
    if (!from_flags && append_actor_token->count() > 0) {
      throw CLI::ValidationError(
          "--actor-token", "goes with record flags; JSON lines carry their own \"actor_token\"");
    }
    run = [&, from_flags]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(append_server));
      cli::ServerClient client(std::move(server));
      if (!from_flags) return cli::RunServerAppendFromFd(client, STDIN_FILENO, std::cout);
      if (append_status_code->count() > 0) record.status_code = status_code;
      return cli::RunServerAppendRecord(client, record, std::cout, actor_token);
    };
  });

  // The tenant, filters and time range `query` and `export` share; returns --from and --to.
  auto add_query_filters = [](CLI::App* command, cli::QueryArgs& args) {
    command->add_option("--tenant", args.tenant, "Tenant")->required();
    command->add_option("--actor", args.actor, "Only this actor (user id, or service)");
    command->add_option("--action", args.action, "Only this action name");
    command->add_option("--outcome", args.outcome, "Only SUCCESS, FAILURE or DENIED");
    command->add_option("--trace-id", args.trace_id, "Only this trace id (32 hex digits)");
    return std::make_pair(
        command->add_option("--from", args.from,
                            "Committed at or after TIME: RFC 3339 (2026-11-23T10:00:00Z), a date "
                            "(2026-11-23: midnight UTC), now, a duration before now (90s, 30m, "
                            "1h, 7d), or nanoseconds since 1970"),
        command->add_option("--to", args.to,
                            "Committed before TIME (the same forms); must be after --from"));
  };
  cli::QueryArgs query_args;
  CLI::App* query = app.add_subcommand(
      "query",
      "Print a tenant's audit records from sealtraild, newest first, each verified (its bytes "
      "against its leaf hash, and with --with-proofs its inclusion proof) before it is printed.");
  CLI::Option* query_server = add_server(query);
  add_query_filters(query, query_args);
  query->get_option("--tenant")
      ->required(false)
      ->excludes(query->add_flag("--all-tenants", query_args.all_tenants,
                                 "Every tenant at once, instead of --tenant (needs a "
                                 "platform-auditor token, or an auditor's for tenant *)"));
  query->add_option("--limit", query_args.limit, "Most records to print")
      ->check(kDecimalUint64)
      ->capture_default_str();
  query->add_flag("--oldest-first", query_args.oldest_first, "Oldest first");
  query->add_option("--from-seq", query_args.from_seq, "Sequence number I or later")
      ->check(kDecimalUint64);
  query->add_option("--to-seq", query_args.to_seq, "Sequence numbers below J (exclusive)")
      ->check(kDecimalUint64);
  query->add_flag("--with-proofs", query_args.with_proofs,
                  "Fetch and verify an inclusion proof of each record in the latest checkpoint "
                  "(records it does not cover yet are left out)");
  bool verify_complete = false;
  cli::CheckpointCheck complete_check;
  CLI::Option* verify_complete_flag = query->add_flag(
      "--verify-complete", verify_complete,
      "Prove the answer complete (docs/completeness.md): every record of the query's key in "
      "the range, none added, checked against the signed checkpoint (needs --vkey); exit 3 "
      "naming what is missing otherwise. Prints the whole answer (no --limit)");
  query->add_option("--vkey", complete_check.vkey, kVkeyHelp)->needs(verify_complete_flag);
  query->add_option("--origin", complete_check.origin, kOriginHelp)->needs(verify_complete_flag);
  query->get_option("--limit")->excludes(verify_complete_flag);
  query
      ->add_option("--format", query_args.format,
                   "table or csv (RFC 4180, CRLF), for people: values escaped, formulas "
                   "defused (docs/cli.md); or json, exact, one object per line")
      ->capture_default_str();
  CLI::Option* follow = query->add_flag(
      "-f,--follow", query_args.follow,
      "Like tail -f: print the newest matches oldest first, then poll every 500 ms and print "
      "new ones until interrupted");
  query
      ->add_option("--follow-for", query_args.follow_for, "Stop following after DURATION, e.g. 30s")
      ->needs(follow);
  SetExamples(query,
              "  sealtrail query --tenant acme --action call.barge --from 2026-11-23T10:00:00Z "
              "--limit 20\n"
              "  sealtrail query --tenant acme --format json --with-proofs | jq .record.actor\n"
              "  sealtrail query --tenant acme --outcome DENIED -f\n"
              "  sealtrail query --all-tenants --outcome DENIED --from 2026-11-23T09:00:00Z\n"
              "  sealtrail query --data ./data --tenant acme      # a local server's dev token\n"
              "  sealtrail query --server audit.example.com:7700 --tls-ca ca.pem \\\n"
              "      --token-file auditor.jwt --tenant acme");
  query->callback([&] {
    run = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(query_server));
      cli::ServerClient client(std::move(server));
      if (verify_complete) {
        return cli::RunCompleteQuery(env, client, query_args, complete_check, std::cout, std::cerr);
      }
      return cli::RunQuery(client, query_args, std::cout);
    };
  });

  cli::QueryArgs alerts_args;
  bool integrity_alerts = false;
  CLI::App* alerts = app.add_subcommand(
      "alerts",
      "Print the alerts the detection rules raised for a tenant (alert.raised records, "
      "docs/detection.md), newest first, each verified like query's records; with --integrity "
      "the integrity auditor's integrity.violation alerts instead (tenant _platform).");
  CLI::Option* alerts_server = add_server(alerts);
  CLI::Option* alerts_tenant =
      alerts->add_option("--tenant", alerts_args.tenant, "Tenant whose alerts to print");
  alerts
      ->add_flag("--integrity", integrity_alerts,
                 "The integrity auditor's alerts (tenant _platform) instead")
      ->excludes(alerts_tenant);
  alerts->add_option("--from", alerts_args.from, "Raised at or after TIME (as query's --from)");
  alerts->add_option("--to", alerts_args.to, "Raised before TIME");
  alerts->add_option("--limit", alerts_args.limit, "Most alerts to print")
      ->check(kDecimalUint64)
      ->capture_default_str();
  alerts->add_flag("--with-proofs", alerts_args.with_proofs,
                   "Fetch and verify an inclusion proof of each alert record");
  alerts->add_option("--format", alerts_args.format, "table, csv or json (as query's)")
      ->capture_default_str();
  CLI::Option* alerts_follow = alerts->add_flag(
      "-f,--follow", alerts_args.follow,
      "Like tail -f: print the newest alerts oldest first, then poll every 500 ms for new ones");
  alerts->add_option("--follow-for", alerts_args.follow_for, "Stop following after DURATION")
      ->needs(alerts_follow);
  SetExamples(alerts,
              "  sealtrail alerts --tenant acme\n"
              "  sealtrail alerts --tenant acme -f\n"
              "  sealtrail alerts --integrity --format json\n"
              "  sealtrail alerts --data ./data --tenant acme      # a local server's dev token");
  alerts->callback([&] {
    // A usage error (exit 1), reported by the parser like a missing required flag.
    if (alerts_args.tenant.empty() && !integrity_alerts) {
      throw CLI::RequiredError("--tenant or --integrity");
    }
    run = [&]() -> absl::Status {
      if (integrity_alerts) alerts_args.tenant = sealtrail::kPlatformTenant;
      alerts_args.action =
          integrity_alerts ? sealtrail::kIntegrityViolationAction : sealtrail::kAlertAction;
      alerts_args.alert_columns = true;
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(alerts_server));
      cli::ServerClient client(std::move(server));
      return cli::RunQuery(client, alerts_args, std::cout);
    };
  });

  std::string webhook_endpoint;
  std::string webhooks_format = "table";
  std::optional<uint64_t> webhook_seq;
  bool webhook_all_dead = false;
  CLI::App* webhooks = app.add_subcommand(
      "webhooks",
      "The server's webhook deliveries of alerts (docs/detection.md); needs an admin "
      "token.");
  webhooks->require_subcommand(1);
  CLI::App* webhooks_list = webhooks->add_subcommand(
      "list", "Print each endpoint's counters, the deliveries not yet made and the dead letters.");
  CLI::Option* webhooks_list_server = add_server(webhooks_list);
  webhooks_list->add_option("--endpoint", webhook_endpoint, "Only this endpoint's");
  webhooks_list->add_option("--format", webhooks_format, "table or json")->capture_default_str();
  webhooks_list->callback([&] {
    run = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(webhooks_list_server));
      cli::ServerClient client(std::move(server));
      return cli::RunWebhooksList(client, webhook_endpoint, webhooks_format, std::cout);
    };
  });
  CLI::App* webhooks_retry = webhooks->add_subcommand(
      "retry", "Deliver dead letters again (the same webhook-id): one by --seq, or --all-dead.");
  CLI::Option* webhooks_retry_server = add_server(webhooks_retry);
  webhooks_retry->add_option("--endpoint", webhook_endpoint, "The endpoint's id")->required();
  CLI::Option* retry_seq =
      webhooks_retry->add_option("--seq", webhook_seq, "The dead letter's alert sequence number")
          ->check(kDecimalUint64);
  CLI::Option* retry_all =
      webhooks_retry->add_flag("--all-dead", webhook_all_dead, "Every dead letter of the endpoint");
  retry_seq->excludes(retry_all);
  SetExamples(webhooks_retry,
              "  sealtrail webhooks list\n"
              "  sealtrail webhooks retry --endpoint oncall --seq 1042\n"
              "  sealtrail webhooks retry --endpoint oncall --all-dead");
  webhooks_retry->callback([&] {
    if (!webhook_seq.has_value() && !webhook_all_dead) {
      throw CLI::RequiredError("--seq or --all-dead");
    }
    run = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(webhooks_retry_server));
      cli::ServerClient client(std::move(server));
      return cli::RunWebhooksRetry(client, webhook_endpoint, webhook_seq, std::cout);
    };
  });

  cli::InclusionTarget target;
  cli::CheckpointCheck check;
  uint64_t seq = 0;
  uint64_t new_size = 0;
  CLI::App* prove = app.add_subcommand(
      "prove",
      "Fetch an inclusion proof (--seq or --leaf-hash) or a consistency proof (--old) from "
      "sealtraild, verify it and print it as local prove-inclusion / prove-consistency do. "
      "With --vkey, the proof must also lead to the root of the signed checkpoint of its tree "
      "size (--size, --new, or the latest), whose signature is verified.");
  CLI::Option* prove_server = add_server(prove);
  CLI::Option* prove_seq =
      prove->add_option("--seq", seq, "Sequence number of the record")->check(kDecimalUint64);
  CLI::Option* prove_leaf =
      prove->add_option("--leaf-hash", target.leaf_hash, "Leaf hash, base64 or hex")
          ->excludes(prove_seq);
  CLI::Option* prove_size =
      prove
          ->add_option("--size", size,
                       "Tree size (default: the latest checkpoint's; with --vkey, a size "
                       "the server signed a checkpoint of)")
          ->check(kDecimalUint64);
  CLI::Option* prove_old = prove->add_option("--old", old_size, "Old tree size")
                               ->check(kDecimalUint64)
                               ->excludes(prove_seq)
                               ->excludes(prove_leaf)
                               ->excludes(prove_size);
  CLI::Option* prove_new =
      prove->add_option("--new", new_size, "New tree size (default: the latest checkpoint's)")
          ->check(kDecimalUint64)
          ->needs(prove_old);
  prove->add_option("--vkey", check.vkey, kVkeyHelp);
  prove->add_option("--origin", check.origin, kOriginHelp);
  std::string prove_format = "json";
  prove
      ->add_option("--format", prove_format,
                   "Output of an inclusion proof: json (as local prove-inclusion), or "
                   "tlog-proof (c2sp.org/tlog-proof@v1: index, path, signed checkpoint)")
      ->check(CLI::IsMember({"json", "tlog-proof"}))
      ->excludes(prove_old);
  SetExamples(prove,
              "  sealtrail prove --seq 41 --vkey log.vkey\n"
              "  sealtrail prove --leaf-hash LEAF_HASH_FROM_APPEND --size 1000\n"
              "  sealtrail prove --old 1000 --new 2000 --vkey log.vkey\n"
              "  sealtrail prove --seq 41 --format tlog-proof --vkey log.vkey > 41.tlog-proof");
  prove->callback([&] {
    if (prove_seq->count() == 0 && prove_leaf->count() == 0 && prove_old->count() == 0) {
      throw CLI::RequiredError("--seq, --leaf-hash or --old");
    }
    run = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(prove_server));
      cli::ServerClient client(std::move(server));
      if (prove_old->count() > 0) {
        return cli::RunServerProveConsistency(env, client, old_size, IfGiven(prove_new, new_size),
                                              check, std::cout);
      }
      target.seq = IfGiven(prove_seq, seq);
      target.tree_size = IfGiven(prove_size, size);
      return cli::RunServerProveInclusion(
          env, client, target, check, std::cout,
          prove_format == "tlog-proof" ? cli::ProofFormat::kTlogProof : cli::ProofFormat::kJson);
    };
  });

  CLI::App* server_checkpoint = app.add_subcommand(
      "checkpoint",
      "Print sealtraild's latest signed checkpoint (or the one of --size) exactly as stored: a "
      "C2SP signed note, nothing added.");
  CLI::Option* checkpoint_server = add_server(server_checkpoint);
  CLI::Option* checkpoint_size =
      server_checkpoint->add_option("--size", size, "Tree size of a stored checkpoint")
          ->check(kDecimalUint64);
  SetExamples(server_checkpoint,
              "  sealtrail checkpoint --server 127.0.0.1:7700 > latest.note\n"
              "  sealtrail prove --seq 41 > proof.json\n"
              "  sealtrail checkpoint --size \"$(jq .tree_size proof.json)\" |\n"
              "      sealtrail verify-proof --vkey log.vkey --checkpoint - --inclusion proof.json");
  server_checkpoint->callback([&] {
    run = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(checkpoint_server));
      cli::ServerClient client(std::move(server));
      return cli::RunServerCheckpoint(client, IfGiven(checkpoint_size, size), std::cout);
    };
  });

  cli::ExportArgs export_args;
  CLI::App* export_command = app.add_subcommand(
      "export",
      "Write one tenant's records committed in [--from, --to) from sealtraild to a new bundle "
      "directory: the signed checkpoint, and per record its exact stored bytes and its C2SP "
      "tlog-proof against that checkpoint, plus manifest.json and records.jsonl (for people, not "
      "authoritative). Every record and proof is verified before it is written; the bundle is "
      "written to DIR.partial and renamed to DIR only when complete. Check it offline with "
      "verify-bundle.");
  CLI::Option* export_server = add_server(export_command);
  export_command->add_option("--out", export_args.bundle_dir, "New (or empty) bundle directory")
      ->required();
  const auto [export_from, export_to] = add_query_filters(export_command, export_args.query);
  export_from->required();
  export_to->required();
  export_command->add_option("--vkey", export_args.check.vkey,
                             std::string(kVkeyHelp) + ": verify the checkpoint before exporting");
  export_command->add_option("--origin", export_args.check.origin, kOriginHelp);
  SetExamples(export_command,
              "  sealtrail export --tenant acme --from 2026-11-01T00:00:00Z "
              "--to 2026-12-01T00:00:00Z \\\n"
              "      --vkey log.vkey --out acme-2026-11\n"
              "  sealtrail export --data ./data --tenant acme --actor agent-4711 \\\n"
              "      --from 2026-11-23T10:00:00Z --to 2026-11-23T11:00:00Z --out incident-4711\n"
              "  sealtrail verify-bundle --bundle acme-2026-11 --vkey log.vkey");
  export_command->callback([&] {
    run = [&]() -> absl::Status {
      ASSIGN_OR_RETURN(cli::ServerConnection server, connection(export_server));
      cli::ServerClient client(std::move(server));
      return cli::RunExport(env, client, export_args, std::cout);
    };
  });

  std::string bundle_dir;
  CLI::App* verify_bundle = app.add_subcommand(
      "verify-bundle",
      "Check a bundle written by export fully offline (no server, no data directory) with the "
      "log's verifier key, which must come from you, not from the bundle: the checkpoint's "
      "signature, every record's tlog-proof against it and the record's bytes, tenant and time "
      "range, the manifest, and that no file is missing or extra. Shows that each record is in "
      "the signed log; it cannot show that none was left out (see docs/cli.md). Exit 0 if it "
      "verifies, 3 with every problem found, each naming its file, if not.");
  verify_bundle->add_option("--bundle", bundle_dir, "Bundle directory")->required();
  verify_bundle->add_option("--vkey", vkey, kVkeyHelp)->required();
  verify_bundle->add_option("--origin", origin, kOriginHelp);
  SetExamples(
      verify_bundle,
      "  sealtrail verify-bundle --bundle acme-2026-11 --vkey log.vkey\n"
      "  sealtrail verify-bundle --bundle /mnt/usb/acme-2026-11 \\\n"
      "      --vkey 'example.com/audit/eu-1+3f2a9c1b+AbC...' --origin example.com/audit/eu-1");
  verify_bundle->callback([&] {
    run = [&] { return cli::RunVerifyBundle(env, bundle_dir, vkey, origin, std::cout); };
  });

  // Global flags before the command are moved after it (global_flags.h), then parsed as usual.
  absl::StatusOr<std::vector<std::string>> args =
      cli::HoistGlobalFlags(app, std::vector<std::string>(argv + 1, argv + argc));
  if (!args.ok()) {
    std::cerr << "sealtrail: " << args.status().message()
              << "\nRun with --help for more information.\n";
    return cli::kExitUsage;
  }
  std::vector<char*> hoisted_argv = {argv[0]};
  for (std::string& arg : *args) hoisted_argv.push_back(arg.data());
  try {
    app.parse(static_cast<int>(hoisted_argv.size()), hoisted_argv.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);    // --help
    std::cerr << cli::UsageErrorText(e, "sealtrail");  // Never a stray token.
    return cli::kExitUsage;
  }
  if (!run) return cli::kExitUsage;  // Unreachable: a subcommand is required.
  return cli::ReportStatus(run(), std::cerr);
}

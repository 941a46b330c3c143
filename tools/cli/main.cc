// The `sealtrail` command-line tool. main() only parses flags and calls the library functions in
// local_commands.h, demo.h, keys.h, checkpoint_commands.h, audit_commands.h, witness.h and
// reindex_command.h, which have their own tests (tests/cli_test.cc, tests/checkpoint_cli_test.cc,
// tests/reindex_cli_test.cc).
#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "cli/audit_commands.h"
#include "cli/checkpoint_commands.h"
#include "cli/demo.h"
#include "cli/exit_codes.h"
#include "cli/flags.h"
#include "cli/keys.h"
#include "cli/local_commands.h"
#include "cli/reindex_command.h"
#include "cli/witness.h"
#include "sealtrail/env.h"

namespace {

using sealtrail::cli::CheckDecimalUint64;

const CLI::Validator kDecimalUint64(CheckDecimalUint64, /*validator_desc=*/"", "decimal");

std::optional<uint64_t> IfGiven(const CLI::Option* option, uint64_t value) {
  return option->count() > 0 ? std::optional<uint64_t>(value) : std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);  // Faster line reads from stdin.
  namespace cli = sealtrail::cli;

  CLI::App app("sealtrail: a tamper-evident, append-only audit log.", "sealtrail");
  app.footer(std::string(cli::kExitCodeHelp));
  app.require_subcommand(1);
  CLI::App* local = app.add_subcommand(
      "local",
      "Work on a data directory directly (no server). append and demo take the "
      "directory's lock while they run; the other commands only read and may run beside a "
      "writer.");
  local->require_subcommand(1);

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
  append->callback([&] { run = [&] { return cli::RunAppend(dir, std::cin, std::cout); }; });

  CLI::App* root = local->add_subcommand("root", "Print the tree size and root hash.");
  add_data(root);
  CLI::Option* root_size = root->add_option("--size", size, "Tree size (default: the current size)")
                               ->check(kDecimalUint64);
  root->callback(
      [&] { run = [&] { return cli::RunRoot(dir, IfGiven(root_size, size), std::cout); }; });

  CLI::App* prove_inclusion = local->add_subcommand(
      "prove-inclusion", "Print an RFC 9162 inclusion proof of one record in a tree size.");
  add_data(prove_inclusion);
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
  get->add_option("--index", index, "Record index")->required()->check(kDecimalUint64);
  get->callback([&] { run = [&] { return cli::RunGet(dir, index, std::cout); }; });

  CLI::App* verify = local->add_subcommand(
      "verify",
      "Check every file of DIR offline (checksums, hashes, footers, segment chain) without "
      "taking its lock. Exit 0 if intact, 3 with the first problem if not.");
  add_data(verify);
  verify->callback([&] { run = [&] { return cli::RunVerify(dir, std::cout); }; });

  CLI::App* demo = local->add_subcommand(
      "demo",
      "Append a few hundred sample contact-center audit events, then prove and verify "
      "inclusion and consistency and check DIR; one JSON line per step.");
  dir = "./data";
  demo->add_option("--data", dir, "Data directory (created if missing)")->capture_default_str();
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
  checkpoints->callback(
      [&] { run = [&] { return cli::RunListCheckpoints(env, dir, std::cout); }; });

  std::string key_name;
  CLI::App* keygen = app.add_subcommand(
      "keygen",
      "Generate an Ed25519 checkpoint signing key: write the private key to a new file (mode "
      "0600, never overwritten) and print the verifier key that auditors pass as --vkey.");
  keygen->add_option("--name", key_name, "Key name, the default checkpoint origin")->required();
  keygen->add_option("--out", key_file, "New private key file")->required();
  keygen->callback(
      [&] { run = [&] { return cli::RunKeygen(env, key_name, key_file, std::cout); }; });

  CLI::App* audit = app.add_subcommand(
      "verify",
      "Check DIR offline with only the verifier key: every segment rehashed, the segment chain, "
      "and every stored checkpoint's signature and root against the data. Takes no lock. "
      "Someone holding the signing key can rewrite history and pass this check; only a witness "
      "catches that.");
  add_data(audit);
  audit->add_option("--vkey", vkey, kVkeyHelp)->required();
  audit->add_option("--origin", origin, kOriginHelp);
  audit->callback(
      [&] { run = [&] { return cli::RunAuditDataDir(env, dir, vkey, origin, std::cout); }; });

  std::string state_file;
  std::string proof_file;
  CLI::App* witness = app.add_subcommand(
      "witness",
      "Accept a new checkpoint only if its signature verifies and it is consistent with the "
      "newest one recorded in the state file (the first needs no proof), then record it. Give "
      "the checkpoint and proof as files, or --data DIR to take the newest stored checkpoint "
      "and build the proof from DIR.");
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
  witness->callback([&] {
    if (witness_checkpoint->count() == 0 && witness_data->count() == 0) {
      throw CLI::RequiredError("--checkpoint or --data");
    }
    run = [&] {
      const cli::WitnessArgs args{state_file, vkey, origin};
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
  reindex->callback([&] { run = [&] { return cli::RunReindex(reindex_args, std::cout); }; });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);  // --help
    std::cerr << "sealtrail: " << e.what() << "\nRun with --help for more information.\n";
    return cli::kExitUsage;
  }
  if (!run) return cli::kExitUsage;  // Unreachable: a subcommand is required.
  return cli::ReportStatus(run(), std::cerr);
}

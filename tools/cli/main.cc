// The `sealtrail` command-line tool. main() only parses flags and calls the library functions in
// local_commands.h and demo.h, which have their own tests (tests/cli_test.cc).
#include <cstdint>
#include <functional>
#include <iostream>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "cli/demo.h"
#include "cli/exit_codes.h"
#include "cli/flags.h"
#include "cli/local_commands.h"
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

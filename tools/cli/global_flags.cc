#include "cli/global_flags.h"

#include <algorithm>
#include <cstddef>
#include <iterator>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace sealtrail::cli {
namespace {

// The flag's name in "--flag" or "--flag=value".
std::string_view FlagName(std::string_view arg) { return arg.substr(0, arg.find('=')); }

bool IsGlobalFlag(std::string_view name) {
  return std::find(kGlobalFlags.begin(), kGlobalFlags.end(), name) != kGlobalFlags.end();
}

const CLI::App* Subcommand(const CLI::App& parent, const std::string& name) {
  // get_subcommands takes a filter and so is const-friendly; get_subcommand(name) throws.
  for (const CLI::App* command : parent.get_subcommands({})) {
    if (command->check_name(name)) return command;
  }
  return nullptr;
}

}  // namespace

absl::StatusOr<std::vector<std::string>> HoistGlobalFlags(const CLI::App& app,
                                                          std::vector<std::string> args) {
  // First the command's words: subcommand names with global flags between them, up to the
  // first other word. Only flags before the last subcommand name move.
  struct Flag {
    size_t at;     // Index in args.
    size_t words;  // 1 for --flag=value, 2 for --flag value.
    std::string_view name;
  };
  std::vector<Flag> before;
  std::vector<std::string> path;  // The subcommand names.
  size_t insert_at = 0;           // Just after the last one.
  const CLI::App* command = &app;
  for (size_t i = 0; i < args.size();) {
    const std::string& arg = args[i];
    if (absl::StartsWith(arg, "-")) {
      const std::string_view name = FlagName(arg);
      if (arg == "--" || !IsGlobalFlag(name)) break;
      const size_t words = name.size() < arg.size() ? 1 : 2;
      if (i + words > args.size()) break;  // The parser reports the missing value.
      before.push_back(Flag{i, words, *std::find(kGlobalFlags.begin(), kGlobalFlags.end(), name)});
      i += words;
      continue;
    }
    const CLI::App* sub = Subcommand(*command, arg);
    if (sub == nullptr) break;
    command = sub;
    path.push_back(arg);
    insert_at = ++i;
  }
  while (!before.empty() && before.back().at >= insert_at) before.pop_back();  // The leaf's own.
  if (before.empty()) return args;

  const auto end = std::find(args.begin() + static_cast<ptrdiff_t>(insert_at), args.end(), "--");
  for (const Flag& flag : before) {
    const bool again = std::any_of(
        args.begin() + static_cast<ptrdiff_t>(insert_at), end, [&flag](const std::string& arg) {
          return absl::StartsWith(arg, "-") && FlagName(arg) == flag.name;
        });
    if (again) {
      return absl::InvalidArgumentError(
          absl::StrCat(absl::string_view(flag.name.data(), flag.name.size()),
                       " is given both before and after the command '", absl::StrJoin(path, " "),
                       "'; give it once"));
    }
  }
  std::vector<std::string> moved;
  std::vector<std::string> rest;
  size_t next = 0;
  for (size_t i = 0; i < insert_at; ++i) {
    if (next < before.size() && i == before[next].at) {
      for (size_t w = 0; w < before[next].words; ++w) moved.push_back(std::move(args[i + w]));
      i += before[next].words - 1;
      ++next;
    } else {
      rest.push_back(std::move(args[i]));
    }
  }
  rest.insert(rest.end(), std::make_move_iterator(moved.begin()),
              std::make_move_iterator(moved.end()));
  rest.insert(rest.end(), std::make_move_iterator(args.begin() + static_cast<ptrdiff_t>(insert_at)),
              std::make_move_iterator(args.end()));
  return rest;
}

}  // namespace sealtrail::cli

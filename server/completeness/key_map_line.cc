#include "server/completeness/key_map_line.h"

#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sealtrail {

std::string KeyMapHead::ExtensionLine() const {
  return absl::StrCat(kKeyMapExtension, " ", from, " ", HashToBase64(root));
}

absl::StatusOr<std::optional<KeyMapHead>> ParseKeyMapExtension(std::string_view line,
                                                               uint64_t tree_size) {
  std::vector<absl::string_view> words =
      absl::StrSplit(absl::string_view(line.data(), line.size()), ' ');
  if (words.empty() || words[0] != kKeyMapExtension) return std::nullopt;
  KeyMapHead head;
  head.size = tree_size;
  if (words.size() != 3 || !absl::SimpleAtoi(words[1], &head.from) ||
      words[1] != absl::StrCat(head.from)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint line \"", kKeyMapExtension,
        " ...\" is malformed: expected \"sealtrail-keymap <start size> <base64 root>\""));
  }
  if (head.from > tree_size) {
    return absl::InvalidArgumentError(absl::StrCat(
        "checkpoint's key map starts at size ", head.from, ", beyond its tree size ", tree_size));
  }
  absl::StatusOr<Hash> root = HashFromBase64(std::string_view(words[2].data(), words[2].size()));
  if (!root.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("checkpoint's key map root: ", root.status().message()));
  }
  head.root = *root;
  return head;
}

absl::StatusOr<KeyMapHead> KeyMapHeadOf(const Checkpoint& checkpoint) {
  std::optional<KeyMapHead> found;
  for (const std::string& line : checkpoint.extensions) {
    absl::StatusOr<std::optional<KeyMapHead>> head = ParseKeyMapExtension(line, checkpoint.size);
    if (!head.ok()) return head.status();
    if (!head->has_value()) continue;
    if (found.has_value()) {
      return absl::InvalidArgumentError(absl::StrCat("checkpoint of size ", checkpoint.size,
                                                     " has more than one ", kKeyMapExtension,
                                                     " line"));
    }
    found = **head;
  }
  if (!found.has_value()) {
    return absl::FailedPreconditionError(
        absl::StrCat("checkpoint of size ", checkpoint.size, " has no ", kKeyMapExtension,
                     " line: it was signed before the log had completeness commitments"));
  }
  return *found;
}

}  // namespace sealtrail

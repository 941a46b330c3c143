// The checkpoint extension line that signs the key map root (docs/completeness.md):
//   sealtrail-keymap <X> <base64 root>
// X is the tree size at which the log's completeness commitments begin; the root is the key
// map's (docs/format/keymap.md) at the checkpoint's tree size. Checkpoints without the line
// were signed before the log had commitments and stay valid; they prove no completeness.
#ifndef SEALTRAIL_SERVER_COMPLETENESS_KEY_MAP_LINE_H_
#define SEALTRAIL_SERVER_COMPLETENESS_KEY_MAP_LINE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "sealtrail/checkpoint.h"
#include "sealtrail/hash.h"

namespace sealtrail {

inline constexpr char kKeyMapExtension[] = "sealtrail-keymap";

// A key map root and what it covers.
struct KeyMapHead {
  uint64_t size = 0;  // The tree size the map describes.
  uint64_t from = 0;  // Where commitments begin (X).
  Hash root{};
  std::string ExtensionLine() const;
};

// Parses an extension line made by ExtensionLine, for a checkpoint of `tree_size`. nullopt if
// `line` is not a key map line at all; INVALID_ARGUMENT if it is one but malformed.
[[nodiscard]] absl::StatusOr<std::optional<KeyMapHead>> ParseKeyMapExtension(std::string_view line,
                                                                             uint64_t tree_size);

// The checkpoint's key map line. FAILED_PRECONDITION if it has none; INVALID_ARGUMENT if it has
// a malformed one or more than one.
[[nodiscard]] absl::StatusOr<KeyMapHead> KeyMapHeadOf(const Checkpoint& checkpoint);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_COMPLETENESS_KEY_MAP_LINE_H_

// C2SP tlog-checkpoint bodies (c2sp.org/tlog-checkpoint): strict formatting and parsing.
#include "sealtrail/checkpoint.h"

#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace sealtrail {
namespace {

absl::string_view Absl(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// A decimal without sign or leading zeros ("0" itself is fine), fitting in T.
template <typename T>
bool ParseCanonicalDecimal(absl::string_view text, T* out) {
  if (text.empty() || text.size() > 20 || (text.size() > 1 && text[0] == '0') ||
      text.find_first_not_of("0123456789") != absl::string_view::npos) {
    return false;
  }
  return absl::SimpleAtoi(text, out);
}

}  // namespace

std::string FormatCheckpointBody(const Checkpoint& checkpoint) {
  std::string body = absl::StrCat(checkpoint.origin, "\n", checkpoint.size, "\n",
                                  HashToBase64(checkpoint.root), "\n");
  if (checkpoint.timestamp_ms.has_value()) {
    absl::StrAppend(&body, kTimestampExtension, " ", *checkpoint.timestamp_ms, "\n");
  }
  for (const std::string& line : checkpoint.extensions) absl::StrAppend(&body, line, "\n");
  return body;
}

absl::StatusOr<Checkpoint> ParseCheckpointBody(std::string_view text) {
  auto bad = [](absl::string_view what) {
    return absl::InvalidArgumentError(absl::StrCat("malformed checkpoint: ", what));
  };
  if (text.empty() || text.back() != '\n') return bad("the text does not end with a newline");
  std::vector<absl::string_view> lines =
      absl::StrSplit(Absl(text.substr(0, text.size() - 1)), '\n');
  if (lines.size() < 3) return bad("fewer than three lines (origin, size, root hash)");
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) return bad(absl::StrCat("line ", i + 1, " is empty"));
  }
  Checkpoint checkpoint;
  checkpoint.origin = std::string(lines[0]);
  if (checkpoint.origin.find_first_of(" +") != std::string::npos) {
    return bad(absl::StrCat("origin \"", checkpoint.origin, "\" holds a space or '+'"));
  }
  if (!ParseCanonicalDecimal(lines[1], &checkpoint.size)) {
    return bad(
        absl::StrCat("tree size \"", lines[1], "\" is not a decimal number without leading zeros"));
  }
  absl::StatusOr<Hash> root = HashFromBase64(std::string_view(lines[2].data(), lines[2].size()));
  if (!root.ok()) {
    return bad(absl::StrCat("root hash \"", lines[2], "\": ", root.status().message()));
  }
  checkpoint.root = *root;
  const std::string timestamp_prefix = absl::StrCat(kTimestampExtension, " ");
  for (size_t i = 3; i < lines.size(); ++i) {
    // A line whose first word is the timestamp keyword must be a well-formed timestamp.
    if (lines[i] != kTimestampExtension && !absl::StartsWith(lines[i], timestamp_prefix)) {
      checkpoint.extensions.emplace_back(lines[i]);
      continue;
    }
    int64_t timestamp = 0;
    if (checkpoint.timestamp_ms.has_value()) return bad("more than one timestamp line");
    if (lines[i].size() <= timestamp_prefix.size() ||
        !ParseCanonicalDecimal(lines[i].substr(timestamp_prefix.size()), &timestamp)) {
      return bad(absl::StrCat("timestamp line \"", lines[i],
                              "\" does not hold a decimal number of milliseconds"));
    }
    checkpoint.timestamp_ms = timestamp;
  }
  return checkpoint;
}

absl::StatusOr<Checkpoint> VerifyCheckpoint(std::string_view signed_note,
                                            const NoteVerifierKey& key,
                                            std::string_view expected_origin) {
  absl::StatusOr<std::string> text = OpenSignedNote(signed_note, key);
  if (!text.ok()) return text.status();
  absl::StatusOr<Checkpoint> checkpoint = ParseCheckpointBody(*text);
  if (!checkpoint.ok()) return checkpoint.status();
  const std::string_view origin = expected_origin.empty() ? key.name : expected_origin;
  if (checkpoint->origin != origin) {
    return absl::UnauthenticatedError(absl::StrCat("checkpoint origin \"", checkpoint->origin,
                                                   "\" is not the expected \"", Absl(origin),
                                                   "\""));
  }
  return checkpoint;
}

}  // namespace sealtrail

#include "sealtrail/tlog_proof.h"

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "sealtrail/merkle_proof.h"
#include "sealtrail/status_macros.h"

namespace sealtrail {
namespace {

absl::Status LineError(size_t line, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("tlog-proof line ", line, ": ", what));
}

// The next line of `text` (without its newline), or nullopt when no newline is left.
std::optional<std::string_view> NextLine(std::string_view* text) {
  size_t end = text->find('\n');
  if (end == std::string_view::npos) return std::nullopt;
  std::string_view line = text->substr(0, end);
  text->remove_prefix(end + 1);
  return line;
}

absl::StatusOr<uint64_t> ParseIndex(std::string_view digits, size_t line) {
  uint64_t index = 0;
  bool decimal = !digits.empty() && digits.find_first_not_of("0123456789") == std::string::npos;
  if (!decimal || (digits.size() > 1 && digits[0] == '0') ||
      !absl::SimpleAtoi(absl::string_view(digits.data(), digits.size()), &index)) {
    return LineError(line, "the index must be a decimal number without leading zeros");
  }
  return index;
}

}  // namespace

std::string FormatTlogProof(const TlogProof& proof) {
  std::string text = absl::StrCat(kTlogProofHeader, "\n");
  if (proof.extra.has_value())
    absl::StrAppend(&text, "extra ", absl::Base64Escape(*proof.extra), "\n");
  absl::StrAppend(&text, "index ", proof.index, "\n");
  for (const Hash& node : proof.path) absl::StrAppend(&text, HashToBase64(node), "\n");
  absl::StrAppend(&text, "\n", proof.checkpoint_note);
  return text;
}

absl::StatusOr<TlogProof> ParseTlogProof(std::string_view text) {
  TlogProof proof;
  size_t line_number = 1;
  std::optional<std::string_view> line = NextLine(&text);
  if (!line.has_value() || *line != kTlogProofHeader) {
    return LineError(line_number, absl::StrCat("expected \"", kTlogProofHeader, "\""));
  }
  line = NextLine(&text);
  ++line_number;
  if (line.has_value() && line->starts_with("extra ")) {
    std::string extra;
    std::string_view encoded = line->substr(6);
    if (!absl::Base64Unescape(absl::string_view(encoded.data(), encoded.size()), &extra)) {
      return LineError(line_number, "extra data is not base64");
    }
    proof.extra = std::move(extra);
    line = NextLine(&text);
    ++line_number;
  }
  if (!line.has_value() || !line->starts_with("index ")) {
    return LineError(line_number, "expected \"index N\"");
  }
  ASSIGN_OR_RETURN(proof.index, ParseIndex(line->substr(6), line_number));
  while (true) {
    line = NextLine(&text);
    ++line_number;
    if (!line.has_value()) return LineError(line_number, "missing the empty line and checkpoint");
    if (line->empty()) break;
    absl::StatusOr<Hash> node = HashFromBase64(*line);
    if (!node.ok()) return LineError(line_number, "a proof line must be the base64 of 32 bytes");
    proof.path.push_back(*node);
  }
  if (text.empty()) return LineError(line_number + 1, "missing the checkpoint");
  proof.checkpoint_note = std::string(text);
  return proof;
}

absl::StatusOr<Checkpoint> VerifyTlogProof(const TlogProof& proof, const Hash& leaf_hash,
                                           const NoteVerifierKey& key,
                                           std::string_view expected_origin) {
  ASSIGN_OR_RETURN(Checkpoint checkpoint,
                   VerifyCheckpoint(proof.checkpoint_note, key, expected_origin));
  RETURN_IF_ERROR(
      VerifyInclusion(leaf_hash, proof.index, checkpoint.size, proof.path, checkpoint.root));
  return checkpoint;
}

}  // namespace sealtrail

// Commit order of a Record: the lines are appended with one write, fdatasync'ed, and only then
// applied to the in-memory state, so the state never runs ahead of what a restart would replay.
#include "server/webhook/delivery_journal.h"

#include <utility>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "sealtrail/hash.h"
#include "sealtrail/read_file.h"
#include "sealtrail/status_macros.h"
#include "server/service/small_files.h"

namespace sealtrail {
namespace {

constexpr std::string_view kFormatName = "sealtrail-webhook-journal";
constexpr size_t kChecksumHexDigits = 8;

std::string Checksum(std::string_view json) {
  const Hash hash = Sha256(json);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(hash.data()), kChecksumHexDigits / 2));
}

std::string Line(std::string_view json) {
  return absl::StrCat(Checksum(json), " ", absl::string_view(json.data(), json.size()), "\n");
}

std::string HeaderJson(const std::string& endpoint_id) {
  nlohmann::ordered_json header;
  header["format"] = std::string(kFormatName);
  header["version"] = kDeliveryJournalVersion;
  header["endpoint"] = endpoint_id;
  return header.dump();
}

std::string Lines(const std::string& endpoint_id, absl::Span<const DeliveryEvent> events) {
  std::string text = endpoint_id.empty() ? "" : Line(HeaderJson(endpoint_id));
  for (const DeliveryEvent& event : events) text += Line(EncodeDeliveryEvent(event));
  return text;
}

// The JSON of a line "<checksum> <json>" (without its newline), or why it is not one.
absl::StatusOr<std::string_view> LineJson(std::string_view line) {
  if (line.size() < kChecksumHexDigits + 2 || line[kChecksumHexDigits] != ' ') {
    return absl::InvalidArgumentError("not \"<checksum> <json>\"");
  }
  const std::string_view json = line.substr(kChecksumHexDigits + 1);
  if (line.substr(0, kChecksumHexDigits) != Checksum(json)) {
    return absl::InvalidArgumentError("checksum mismatch");
  }
  return json;
}

absl::Status CheckHeader(std::string_view json, const std::string& endpoint_id,
                         const std::string& path) {
  const nlohmann::json header =
      nlohmann::json::parse(json.begin(), json.end(), nullptr, /*allow_exceptions=*/false);
  const auto text = [&](const char* name) -> std::string {
    if (!header.is_object() || !header.contains(name) || !header[name].is_string()) return "";
    return header[name].get<std::string>();
  };
  if (text("format") != kFormatName) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a webhook delivery journal (its first line is no header)"));
  }
  if (!header.contains("version") || !header["version"].is_number_integer() ||
      header["version"].get<int64_t>() != kDeliveryJournalVersion) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": journal format version ",
                     header.contains("version") ? header["version"].dump() : "?",
                     " is not the supported version ", kDeliveryJournalVersion));
  }
  if (text("endpoint") != endpoint_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        path, ": the journal of endpoint \"", text("endpoint"), "\", not \"", endpoint_id, "\""));
  }
  return absl::OkStatus();
}

}  // namespace

std::string DeliveryJournal::PathFor(const std::string& dir, const std::string& endpoint_id) {
  return absl::StrCat(dir, "/", endpoint_id, ".journal");
}

DeliveryJournal::DeliveryJournal(const DeliveryJournalOptions& options, std::string dir,
                                 std::string endpoint_id, DeliveryState state,
                                 std::unique_ptr<WritableFile> file, uint64_t bytes)
    : options_(options),
      dir_(std::move(dir)),
      endpoint_id_(std::move(endpoint_id)),
      path_(PathFor(dir_, endpoint_id_)),
      state_(std::move(state)),
      file_(std::move(file)),
      bytes_(bytes),
      compacted_bytes_(bytes) {}

absl::StatusOr<std::unique_ptr<DeliveryJournal>> DeliveryJournal::Open(
    const DeliveryJournalOptions& options, const std::string& dir, const std::string& endpoint_id,
    uint64_t start_cursor) {
  Env* env = options.env;
  const std::string path = PathFor(dir, endpoint_id);
  if (!env->FileExists(path)) {
    // Atomic: the file exists only with its whole header.
    RETURN_IF_ERROR(
        WriteFileAtomically(env, dir, path, Lines(endpoint_id, {CursorEvent(start_cursor)})));
    options.events->Info("webhook_journal_created",
                         {{"endpoint", endpoint_id}, {"path", path}, {"cursor", start_cursor}});
  }
  ASSIGN_OR_RETURN(const std::string text, ReadFileToString(env, path, kMaxDeliveryJournalBytes));
  DeliveryState state;
  uint64_t offset = 0;
  uint64_t line_number = 0;
  while (offset < text.size()) {
    ++line_number;
    const size_t newline = text.find('\n', offset);
    const bool complete = newline != std::string::npos;
    const size_t end = complete ? newline : text.size();
    const std::string_view line(text.data() + offset, end - offset);
    const bool last = !complete || newline + 1 == text.size();

    absl::Status problem;
    std::optional<DeliveryEvent> event;
    if (!complete) {
      problem = absl::InvalidArgumentError("cut short (no newline)");
    } else if (absl::StatusOr<std::string_view> json = LineJson(line); !json.ok()) {
      problem = json.status();
    } else if (line_number == 1) {
      RETURN_IF_ERROR(CheckHeader(*json, endpoint_id, path));
    } else if (absl::StatusOr<DeliveryEvent> decoded = DecodeDeliveryEvent(*json); !decoded.ok()) {
      problem = decoded.status();
    } else {
      event = *std::move(decoded);
    }
    if (!problem.ok() && last && line_number > 1) {
      // A crash while appending: the line was never acknowledged, so nothing is lost by
      // dropping it.
      RETURN_IF_ERROR(env->TruncateFile(path, offset));
      options.events->Warning("webhook_journal_torn_tail",
                              {{"endpoint", endpoint_id},
                               {"path", path},
                               {"offset", offset},
                               {"bytes", text.size() - offset},
                               {"reason", std::string(problem.message())}});
      break;
    }
    if (!problem.ok()) {
      return absl::DataLossError(
          absl::StrCat(path, ": line ", line_number, " (byte ", offset, "): ", problem.message()));
    }
    if (event.has_value()) {
      if (absl::Status fits = CheckDeliveryEvents({*event}, state); !fits.ok()) {
        return absl::DataLossError(
            absl::StrCat(path, ": line ", line_number, " (byte ", offset, "): ", fits.message()));
      }
      ApplyDeliveryEvent(*event, &state);
    }
    offset = end + 1;
  }
  if (line_number == 0) {
    return absl::DataLossError(absl::StrCat(path, ": empty (no header line)"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file, env->NewAppendableFile(path));
  const uint64_t bytes = std::min<uint64_t>(offset, text.size());
  return std::unique_ptr<DeliveryJournal>(
      new DeliveryJournal(options, dir, endpoint_id, std::move(state), std::move(file), bytes));
}

absl::Status DeliveryJournal::Record(absl::Span<const DeliveryEvent> events) {
  absl::MutexLock lock(&mu_);
  RETURN_IF_ERROR(stopped_);
  RETURN_IF_ERROR(CheckDeliveryEvents(events, state_));
  const std::string text = Lines("", events);
  absl::Status written = file_->Append(text);
  if (written.ok()) written = file_->Sync();
  if (!written.ok()) {
    stopped_ = absl::Status(written.code(),
                            absl::StrCat(path_, ": journal write failed: ", written.message()));
    return stopped_;
  }
  bytes_ += text.size();
  for (const DeliveryEvent& event : events) ApplyDeliveryEvent(event, &state_);
  if (bytes_ > options_.compact_after_bytes && bytes_ > 4 * compacted_bytes_) {
    if (absl::Status compacted = Compact(); !compacted.ok()) {
      stopped_ =
          absl::Status(compacted.code(),
                       absl::StrCat(path_, ": journal compaction failed: ", compacted.message()));
      return stopped_;
    }
  }
  return absl::OkStatus();
}

absl::Status DeliveryJournal::Compact() {
  const std::string text = Lines(endpoint_id_, SnapshotDeliveryEvents(state_));
  RETURN_IF_ERROR(file_->Close());
  file_.reset();
  RETURN_IF_ERROR(WriteFileAtomically(options_.env, dir_, path_, text));
  ASSIGN_OR_RETURN(file_, options_.env->NewAppendableFile(path_));
  bytes_ = compacted_bytes_ = text.size();
  return absl::OkStatus();
}

DeliveryState DeliveryJournal::State() const {
  absl::MutexLock lock(&mu_);
  return state_;
}

uint64_t DeliveryJournal::Cursor() const {
  absl::MutexLock lock(&mu_);
  return state_.cursor;
}

size_t DeliveryJournal::DeadLetterCount() const {
  absl::MutexLock lock(&mu_);
  return state_.dead_letters.size();
}

std::optional<DeliveryAttempts> DeliveryJournal::AttemptsOf(uint64_t seq) const {
  absl::MutexLock lock(&mu_);
  const auto it = state_.attempts.find(seq);
  if (it == state_.attempts.end()) return std::nullopt;
  return it->second;
}

std::optional<DeadLetter> DeliveryJournal::FirstRetry() const {
  absl::MutexLock lock(&mu_);
  if (state_.retries.empty()) return std::nullopt;
  return state_.retries.begin()->second;
}

absl::Status DeliveryJournal::status() const {
  absl::MutexLock lock(&mu_);
  return stopped_;
}

}  // namespace sealtrail

#include "cli/exit_codes.h"

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "cli/display_text.h"

namespace sealtrail::cli {
namespace {

constexpr absl::string_view kFromServerPayload = "type.sealtrail.dev/cli.FromServer";

}  // namespace

ExitCode ExitCodeForStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kAlreadyExists:
      return kExitInvalidInput;
    case absl::StatusCode::kDataLoss:
      return kExitDataLoss;
    case absl::StatusCode::kUnauthenticated:
      return IsFromServer(status) ? kExitPermission : kExitDataLoss;
    case absl::StatusCode::kPermissionDenied:
      return kExitPermission;
    default:
      return kExitInternal;
  }
}

absl::Status MarkFromServer(absl::Status status) {
  if (!status.ok()) status.SetPayload(kFromServerPayload, absl::Cord());
  return status;
}

bool IsFromServer(const absl::Status& status) {
  return status.GetPayload(kFromServerPayload).has_value();
}

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  absl::Status with_context(status.code(), absl::StrCat(context, ": ", status.message()));
  // Payloads stay with the status.
  status.ForEachPayload([&with_context](absl::string_view url, const absl::Cord& payload) {
    with_context.SetPayload(url, payload);
  });
  return with_context;
}

int ReportStatus(const absl::Status& status, std::ostream& err) {
  // Messages quote record fields, file contents and what a server said: escaped for the terminal.
  if (status.ok()) return kExitOk;
  const absl::string_view message = status.message();
  err << "sealtrail: " << DisplayMessage(std::string_view(message.data(), message.size())) << "\n"
      << std::flush;
  return ExitCodeForStatus(status);
}

}  // namespace sealtrail::cli

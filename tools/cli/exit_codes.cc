#include "cli/exit_codes.h"

#include "absl/strings/str_cat.h"

namespace sealtrail::cli {

ExitCode ExitCodeForStatus(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return kExitOk;
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kInvalidArgument:
      return kExitInvalidInput;
    case absl::StatusCode::kDataLoss:
      return kExitDataLoss;
    default:
      return kExitInternal;
  }
}

absl::Status WithContext(const absl::Status& status, absl::string_view context) {
  return absl::Status(status.code(), absl::StrCat(context, ": ", status.message()));
}

int ReportStatus(const absl::Status& status, std::ostream& err) {
  if (!status.ok()) err << "sealtrail: " << status.message() << "\n" << std::flush;
  return ExitCodeForStatus(status);
}

}  // namespace sealtrail::cli

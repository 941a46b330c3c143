#include "version/version.h"

#include "version_info.h"

namespace sealtrail {

std::string_view Version() { return SEALTRAIL_VERSION_STRING; }

std::string_view GitCommit() { return SEALTRAIL_GIT_COMMIT_STRING; }

std::string VersionLine(std::string_view program) {
  std::string line(program);
  line += " ";
  line += Version();
  line += " (commit ";
  line += GitCommit();
  line += ")";
  return line;
}

}  // namespace sealtrail

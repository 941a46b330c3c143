// What `--version` prints, for every sealtrail binary (sealtrail, sealtraild, sealtrail-bench):
// the one place the version and the source's git commit come from. The version is the CMake
// project's; the commit is `git rev-parse --short HEAD` when the build was configured, or
// "unknown" when the source was not a git checkout.
#ifndef SEALTRAIL_VERSION_VERSION_H_
#define SEALTRAIL_VERSION_VERSION_H_

#include <string>
#include <string_view>

namespace sealtrail {

// "0.1.0".
std::string_view Version();

// "a1b2c3d", or "unknown".
std::string_view GitCommit();

// The line `program --version` prints: "<program> 0.1.0 (commit a1b2c3d)".
std::string VersionLine(std::string_view program);

}  // namespace sealtrail

#endif  // SEALTRAIL_VERSION_VERSION_H_

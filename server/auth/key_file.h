// Reading the small key files server/auth loads (a JWKS, a PEM public key, the dev private key)
// through Env. Internal to server/auth.
#ifndef SEALTRAIL_SERVER_AUTH_KEY_FILE_H_
#define SEALTRAIL_SERVER_AUTH_KEY_FILE_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "sealtrail/env.h"

namespace sealtrail {

// Largest key file read: far more than any JWKS a verifier needs.
inline constexpr uint64_t kMaxKeyFileBytes = 1 << 20;

// The whole of `path`. NOT_FOUND if it is missing; FAILED_PRECONDITION if it is larger than
// kMaxKeyFileBytes.
absl::StatusOr<std::string> ReadKeyFile(Env* env, const std::string& path);

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_KEY_FILE_H_

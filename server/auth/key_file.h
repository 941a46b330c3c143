// The size cap of the key files server/auth loads (a JWKS, a PEM public key, the dev private
// key), read with ReadFileToString (sealtrail/read_file.h). Internal to server/auth.
#ifndef SEALTRAIL_SERVER_AUTH_KEY_FILE_H_
#define SEALTRAIL_SERVER_AUTH_KEY_FILE_H_

#include <cstdint>

namespace sealtrail {

// Largest key file read: far more than any JWKS a verifier needs.
inline constexpr uint64_t kMaxKeyFileBytes = 1 << 20;

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_AUTH_KEY_FILE_H_

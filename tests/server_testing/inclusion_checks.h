// Checks of what the server returns, shared by the server's integration tests: an inclusion proof
// of a record's bytes, verified with both independent verifiers (the engine's and the reference
// implementation of tests/testing/reference_merkle.h).
#ifndef SEALTRAIL_TESTS_SERVER_TESTING_INCLUSION_CHECKS_H_
#define SEALTRAIL_TESTS_SERVER_TESTING_INCLUSION_CHECKS_H_

#include <string>
#include <vector>

#include "google/protobuf/repeated_ptr_field.h"
#include "sealtrail/hash.h"
#include "sealtrail/v1/audit_service.pb.h"

namespace sealtrail::testing {

// 32 bytes as a Hash (a test failure if the size is wrong).
Hash ToHash(const std::string& bytes);
std::vector<Hash> ToHashes(const google::protobuf::RepeatedPtrField<std::string>& path);

// Checks an inclusion proof of `data` (a record's stored bytes) with both verifiers.
void ExpectInclusionVerifies(const std::string& data, const v1::InclusionProof& proof);

}  // namespace sealtrail::testing

#endif  // SEALTRAIL_TESTS_SERVER_TESTING_INCLUSION_CHECKS_H_

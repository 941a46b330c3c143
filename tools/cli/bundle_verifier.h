// `sealtrail verify-bundle`: checks an export bundle (bundle_format.h) fully offline, with only
// the verifier key the auditor supplies (never a key from the bundle). No network, no data
// directory.
//
// It checks: the checkpoint's signature and origin; that manifest.json parses and agrees with the
// checkpoint (tree size, root, origin) and with the records (count, first and last seq); that
// records/ holds exactly a .pb and a .tlog-proof per seq and nothing else, and the top directory
// nothing but the bundle's files; for every seq, that the .tlog-proof parses, carries the
// bundle's checkpoint byte for byte, has the file's seq as its index and verifies
// (VerifyTlogProof) for the RFC 9162 leaf hash of the .pb's bytes, and that the .pb is a
// sealtrail.v1.AuditRecord of the manifest's tenant, committed in [from, to), matching its
// filters; and that records.jsonl, if present, has one line per record, in seq order, that is
// the same JSON value as what the .pb gives (RecordsJsonlLine), compared canonically: members of
// an object in any order, no key twice.
//
// And, for a version-2 bundle, that it is complete (docs/completeness.md): completeness.pb's
// proof, against the bundle's checkpoint, shows that records/ (with the chain records the
// filters leave out, which completeness.pb carries and which must not match the filters) holds
// every record of the filter's key committed in [from, to), none added; a record removed, even
// with the manifest edited to match, is named as a gap. A version-1 bundle has no proof: it
// verifies, and the output says "complete":false.
//
// Memory: the records' bytes (for the completeness check), plus one small entry per file name.
#ifndef SEALTRAIL_TOOLS_CLI_BUNDLE_VERIFIER_H_
#define SEALTRAIL_TOOLS_CLI_BUNDLE_VERIFIER_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "cli/bundle_format.h"
#include "sealtrail/env.h"
#include "sealtrail/note.h"

namespace sealtrail::cli {

// Most bytes of one record file verify-bundle reads.
inline constexpr uint64_t kMaxBundleRecordBytes = 16u << 20;
// Most bytes of completeness.pb verify-bundle reads (it may carry many filtered-out records).
inline constexpr uint64_t kMaxBundleCompletenessBytes = uint64_t{1} << 30;
// Most problems one verify-bundle error message lists; the rest are counted.
inline constexpr size_t kMaxReportedBundleProblems = 20;

// Every check above on the bundle in `dir`, with `key` and `expected_origin` (empty: the key's
// name). Returns the verified manifest. NOT_FOUND if `dir` is not a directory. Otherwise every
// problem found is reported, each naming its file relative to `dir` ("records/7.pb: ..."):
// UNAUTHENTICATED when the checkpoint's signature or origin does not verify (nothing else is then
// checked), else DATA_LOSS listing up to kMaxReportedBundleProblems of them.
absl::StatusOr<BundleManifest> VerifyBundle(Env* env, const std::string& dir,
                                            const NoteVerifierKey& key,
                                            const std::string& expected_origin);

// `verify-bundle`: loads the VKEY (text or file), runs VerifyBundle and prints
// {"ok":true,"records":N,"complete":true|false (version 2 or
// 1),"tenant":T,"from":TIME,"to":TIME,"tree_size":S,"root":"...", "origin":O}, or
// {"ok":false,"error":"..."} and returns the error.
absl::Status RunVerifyBundle(Env* env, const std::string& dir, const std::string& vkey,
                             const std::string& expected_origin, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_BUNDLE_VERIFIER_H_

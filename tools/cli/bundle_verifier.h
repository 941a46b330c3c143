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
// What it cannot show: that no record of the tenant in the range was left out. The exporter is
// trusted for completeness (docs/cli.md#export-bundles).
//
// Memory: one record at a time, plus one small entry per file name in records/.
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
// {"ok":true,"records":N,"tenant":T,"from":TIME,"to":TIME,"tree_size":S,"root":"...",
// "origin":O}, or {"ok":false,"error":"..."} and returns the error.
absl::Status RunVerifyBundle(Env* env, const std::string& dir, const std::string& vkey,
                             const std::string& expected_origin, std::ostream& out);

}  // namespace sealtrail::cli

#endif  // SEALTRAIL_TOOLS_CLI_BUNDLE_VERIFIER_H_

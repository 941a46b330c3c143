// CompletenessProver: builds the CompletenessProof of a query's answer (docs/completeness.md;
// the client's side is server/completeness/completeness_verifier.h).
//
// A proof is made in two steps, because an answer is streamed page by page:
//   Pin    before the first page: the newest checkpoint whose tree size the key map is at (a
//          new one is signed when the log grew), and the key map proof of the query's key at
//          that size, taken then, since the map keeps no history. Every page is read below the
//          pinned size.
//   Finish after the last page: the chain neighbours just outside the answer (read from the
//          records' own links and the index), and one multi-leaf inclusion path for the answer
//          and the neighbours together.
// Cost: O(k) record reads and one path of O(k log(n/k)) hashes for an answer of k records, plus
// one key map proof; never a scan.
//
// Thread-safety: all methods may be called concurrently.
#ifndef SEALTRAIL_SERVER_SERVICE_COMPLETENESS_PROVER_H_
#define SEALTRAIL_SERVER_SERVICE_COMPLETENESS_PROVER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/types/span.h"
#include "sealtrail/log.h"
#include "sealtrail/v1/audit_service.pb.h"
#include "server/completeness/chain_key.h"
#include "server/index/audit_index.h"
#include "server/keymap/key_map_format.h"
#include "server/service/key_heads.h"
#include "server/service/proof_source.h"

namespace sealtrail {

// What Pin fixes for one answer.
struct PinnedProof {
  v1::Checkpoint checkpoint;
  std::string map_proof;  // Serialized key map proof of the key at checkpoint.tree_size.
  std::optional<keymap::KeyHead> map_head;  // What it proves.
};

class CompletenessProver {
 public:
  // None owned; all must outlive this.
  CompletenessProver(const Log* log, const AuditIndex* index, KeyHeads* key_heads,
                     ProofSource* proofs)
      : log_(log), index_(index), key_heads_(key_heads), proofs_(proofs) {}

  [[nodiscard]] absl::StatusOr<PinnedProof> Pin(const ChainKey& key);

  // The proof for `answer` (sequence numbers, any order, all below the pinned size) of `key` in
  // the request's time range.
  [[nodiscard]] absl::StatusOr<v1::CompletenessProof> Finish(const v1::QueryRequest& request,
                                                             const ChainKey& key,
                                                             const PinnedProof& pinned,
                                                             std::vector<uint64_t> answer) const;

 private:
  const Log* log_;
  const AuditIndex* index_;
  KeyHeads* key_heads_;
  ProofSource* proofs_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_SERVER_SERVICE_COMPLETENESS_PROVER_H_

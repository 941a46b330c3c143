// LeafHasher: a background thread that hashes a chunk of records into the open tree while the
// appending thread frames and writes the same chunk, so hashing and the write system call
// overlap instead of adding up (see docs/benchmarks.md for the measurements behind this).
//
// Thread-safety: Start and Wait are called by one thread at a time (the Log's writer, under its
// write lock), strictly alternating. The tree is touched only between Start and Wait.
#ifndef SEALTRAIL_ENGINE_LEAF_HASHER_H_
#define SEALTRAIL_ENGINE_LEAF_HASHER_H_

#include <string_view>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/types/span.h"
#include "open_tree.h"

namespace sealtrail {

// Hashes `records` as leaves and adds them to `tree` in order.
void AddRecordsToTree(absl::Span<const std::string_view> records, OpenTree* tree);

class LeafHasher {
 public:
  LeafHasher();
  ~LeafHasher();
  LeafHasher(const LeafHasher&) = delete;
  LeafHasher& operator=(const LeafHasher&) = delete;

  // Starts AddRecordsToTree(records, tree) on the background thread. `records` and `tree` must
  // stay valid, and the tree untouched by the caller, until Wait returns.
  void Start(absl::Span<const std::string_view> records, OpenTree* tree);
  // Blocks until the job from the last Start is done.
  void Wait();

 private:
  void Run();

  absl::Mutex mu_;
  absl::Span<const std::string_view> records_ ABSL_GUARDED_BY(mu_);
  OpenTree* tree_ ABSL_GUARDED_BY(mu_) = nullptr;
  bool has_job_ ABSL_GUARDED_BY(mu_) = false;
  bool shutdown_ ABSL_GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_LEAF_HASHER_H_

// LeafHasher: a background thread that hashes a chunk of records into the open tree while the
// appending thread frames and writes the same chunk, so hashing and the write system call
// overlap instead of adding up (docs/benchmarks.md has the measurements behind this).
//
// The handoff spins briefly before sleeping: on the VMs this runs on, a futex sleep and wake
// costs tens of microseconds, as much as hashing a whole batch of 256 records.
//
// Thread-safety: Start and Wait are called by one thread at a time (the Log's writer, under its
// write lock), strictly alternating. The tree is touched only between Start and Wait.
#ifndef SEALTRAIL_ENGINE_LEAF_HASHER_H_
#define SEALTRAIL_ENGINE_LEAF_HASHER_H_

#include <atomic>
#include <cstdint>
#include <string_view>
#include <thread>

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

  // The job, written by Start before it publishes job_seq_ (release) and read by the worker
  // after it observes it (acquire).
  absl::Span<const std::string_view> records_;
  OpenTree* tree_ = nullptr;
  std::atomic<uint32_t> job_seq_{0};   // Number of jobs started.
  std::atomic<uint32_t> done_seq_{0};  // Number of jobs finished.
  std::atomic<bool> shutdown_{false};
  std::thread thread_;
};

}  // namespace sealtrail

#endif  // SEALTRAIL_ENGINE_LEAF_HASHER_H_

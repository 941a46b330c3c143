#include "leaf_hasher.h"

namespace sealtrail {

void AddRecordsToTree(absl::Span<const std::string_view> records, OpenTree* tree) {
  for (std::string_view record : records) tree->AddLeaf(HashLeaf(record));
}

LeafHasher::LeafHasher() : thread_([this] { Run(); }) {}

LeafHasher::~LeafHasher() {
  {
    absl::MutexLock lock(&mu_);
    shutdown_ = true;
  }
  thread_.join();
}

void LeafHasher::Start(absl::Span<const std::string_view> records, OpenTree* tree) {
  absl::MutexLock lock(&mu_);
  records_ = records;
  tree_ = tree;
  has_job_ = true;
}

void LeafHasher::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](bool* has_job) { return !*has_job; }, &has_job_));
}

void LeafHasher::Run() {
  absl::MutexLock lock(&mu_);
  while (true) {
    mu_.Await(absl::Condition(
        +[](LeafHasher* self)
             ABSL_NO_THREAD_SAFETY_ANALYSIS { return self->has_job_ || self->shutdown_; },
        this));
    if (!has_job_) return;  // Shut down with no job pending.
    absl::Span<const std::string_view> records = records_;
    OpenTree* tree = tree_;
    mu_.Unlock();
    AddRecordsToTree(records, tree);
    mu_.Lock();
    has_job_ = false;
  }
}

}  // namespace sealtrail

#include "leaf_hasher.h"

#include <chrono>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace sealtrail {
namespace {

// How long each side spins before it sleeps on the futex.
constexpr std::chrono::microseconds kSpinFor(200);

void CpuRelax() {
#if defined(__x86_64__)
  _mm_pause();
#endif
}

// Waits until `value` differs from `old`: spins for up to kSpinFor, then sleeps.
uint32_t WaitForChange(const std::atomic<uint32_t>& value, uint32_t old) {
  const auto deadline = std::chrono::steady_clock::now() + kSpinFor;
  for (int i = 0;; ++i) {
    const uint32_t now = value.load(std::memory_order_acquire);
    if (now != old) return now;
    if ((i & 255) == 255 && std::chrono::steady_clock::now() > deadline) break;
    CpuRelax();
  }
  uint32_t now;
  while ((now = value.load(std::memory_order_acquire)) == old) value.wait(old);
  return now;
}

}  // namespace

void AddRecordsToTree(absl::Span<const std::string_view> records, OpenTree* tree) {
  for (std::string_view record : records) tree->AddLeaf(HashLeaf(record));
}

LeafHasher::LeafHasher() : thread_([this] { Run(); }) {}

LeafHasher::~LeafHasher() {
  shutdown_.store(true, std::memory_order_release);
  job_seq_.fetch_add(1, std::memory_order_release);
  job_seq_.notify_one();
  thread_.join();
}

void LeafHasher::Start(absl::Span<const std::string_view> records, OpenTree* tree) {
  records_ = records;
  tree_ = tree;
  job_seq_.fetch_add(1, std::memory_order_release);
  job_seq_.notify_one();
}

void LeafHasher::Wait() {
  const uint32_t target = job_seq_.load(std::memory_order_relaxed);
  uint32_t done = done_seq_.load(std::memory_order_acquire);
  while (done != target) done = WaitForChange(done_seq_, done);
}

void LeafHasher::Run() {
  uint32_t seen = 0;
  while (true) {
    seen = WaitForChange(job_seq_, seen);
    if (shutdown_.load(std::memory_order_acquire)) return;
    AddRecordsToTree(records_, tree_);
    done_seq_.store(seen, std::memory_order_release);
    done_seq_.notify_one();
  }
}

}  // namespace sealtrail

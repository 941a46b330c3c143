#include "testing/reference_merkle.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

namespace sealtrail::testing {
namespace {

// Fetched once: an implicit fetch per digest would dominate the cost of the naive recursion.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (fetched == nullptr) std::abort();
    return fetched;
  }();
  return md;
}

RefHash Digest(std::initializer_list<std::string_view> parts) {
  // One context per thread, reset by every EVP_DigestInit_ex; never freed (test binaries only).
  thread_local EVP_MD_CTX* const ctx = EVP_MD_CTX_new();
  if (ctx == nullptr || EVP_DigestInit_ex(ctx, Sha256Md(), nullptr) != 1) std::abort();
  for (std::string_view part : parts) {
    if (EVP_DigestUpdate(ctx, part.data(), part.size()) != 1) std::abort();
  }
  RefHash out;
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != out.size()) std::abort();
  return out;
}

std::string_view View(const RefHash& hash) {
  return {reinterpret_cast<const char*>(hash.data()), hash.size()};
}

// "the largest power of two smaller than n" (RFC 9162 §2.1.1). REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k < n - k) k *= 2;  // k * 2 < n, without overflow
  return k;
}

// SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1. `d` is D[n] as leaf hashes.
std::vector<RefHash> SubProof(uint64_t m, absl::Span<const RefHash> d, bool b) {
  const uint64_t n = d.size();
  if (m == n) {
    // "SUBPROOF(m, D[m], true) = {}" and "SUBPROOF(m, D[m], false) = {MTH(D[m])}".
    if (b) return {};
    return {RefMthOfLeafHashes(d)};
  }
  const uint64_t k = SplitPoint(n);
  std::vector<RefHash> proof;
  if (m <= k) {
    // SUBPROOF(m, D[0:k], b) : MTH(D[k:n])
    proof = SubProof(m, d.subspan(0, k), b);
    proof.push_back(RefMthOfLeafHashes(d.subspan(k)));
  } else {
    // SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k])
    proof = SubProof(m - k, d.subspan(k), false);
    proof.push_back(RefMthOfLeafHashes(d.subspan(0, k)));
  }
  return proof;
}

// "right-shift both fn and sn equally until either LSB(fn) is set or fn is 0".
void ShiftUntilLsbSetOrZero(uint64_t& fn, uint64_t& sn) {
  while ((fn & 1) == 0 && fn != 0) {
    fn >>= 1;
    sn >>= 1;
  }
}

bool IsExactPowerOfTwo(uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

}  // namespace

RefHash RefSha256(std::string_view data) { return Digest({data}); }

RefHash RefLeafHash(std::string_view data) {
  static constexpr char kLeafPrefix = 0x00;
  return Digest({std::string_view(&kLeafPrefix, 1), data});
}

RefHash RefNodeHash(const RefHash& left, const RefHash& right) {
  static constexpr char kNodePrefix = 0x01;
  return Digest({std::string_view(&kNodePrefix, 1), View(left), View(right)});
}

std::string RefToHex(const RefHash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : hash) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

RefHash RefFromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    std::abort();
  };
  RefHash out;
  if (hex.size() != 2 * out.size()) std::abort();
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(nibble(hex[2 * i]) << 4 | nibble(hex[2 * i + 1]));
  }
  return out;
}

RefHash RefMth(absl::Span<const std::string> leaves) {
  // "The hash of an empty list is the hash of an empty string".
  if (leaves.empty()) return RefSha256("");
  // "The hash of a list with one entry (also known as a leaf hash)".
  if (leaves.size() == 1) return RefLeafHash(leaves[0]);
  const uint64_t k = SplitPoint(leaves.size());
  return RefNodeHash(RefMth(leaves.subspan(0, k)), RefMth(leaves.subspan(k)));
}

RefHash RefMthOfLeafHashes(absl::Span<const RefHash> leaf_hashes) {
  if (leaf_hashes.empty()) return RefSha256("");
  if (leaf_hashes.size() == 1) return leaf_hashes[0];
  const uint64_t k = SplitPoint(leaf_hashes.size());
  return RefNodeHash(RefMthOfLeafHashes(leaf_hashes.subspan(0, k)),
                     RefMthOfLeafHashes(leaf_hashes.subspan(k)));
}

std::vector<RefHash> RefPath(uint64_t m, absl::Span<const RefHash> leaf_hashes) {
  const uint64_t n = leaf_hashes.size();
  if (m >= n) std::abort();
  // "The path for the single leaf in a tree with a one-element input list D[1] = {d(0)} is empty".
  if (n == 1) return {};
  const uint64_t k = SplitPoint(n);
  std::vector<RefHash> path;
  if (m < k) {
    // PATH(m, D[0:k]) : MTH(D[k:n])
    path = RefPath(m, leaf_hashes.subspan(0, k));
    path.push_back(RefMthOfLeafHashes(leaf_hashes.subspan(k)));
  } else {
    // PATH(m - k, D[k:n]) : MTH(D[0:k])
    path = RefPath(m - k, leaf_hashes.subspan(k));
    path.push_back(RefMthOfLeafHashes(leaf_hashes.subspan(0, k)));
  }
  return path;
}

std::vector<RefHash> RefProof(uint64_t m, absl::Span<const RefHash> leaf_hashes) {
  if (m == 0 || m > leaf_hashes.size()) std::abort();
  return SubProof(m, leaf_hashes, true);
}

std::vector<RefHash> RefMultiPath(absl::Span<const uint64_t> leaf_indices,
                                  absl::Span<const RefHash> leaf_hashes) {
  if (leaf_indices.empty()) std::abort();
  for (size_t i = 0; i < leaf_indices.size(); ++i) {
    if (leaf_indices[i] >= leaf_hashes.size()) std::abort();
    if (i > 0 && leaf_indices[i] <= leaf_indices[i - 1]) std::abort();
  }
  // Naive on purpose: every call scans all of leaf_indices, and MTH recomputes each subtree.
  std::vector<RefHash> path;
  auto proof = [&](auto& self, uint64_t lo, uint64_t hi) -> void {
    const bool has_leaf = std::any_of(leaf_indices.begin(), leaf_indices.end(),
                                      [&](uint64_t i) { return lo <= i && i < hi; });
    if (!has_leaf) {
      path.push_back(RefMthOfLeafHashes(leaf_hashes.subspan(lo, hi - lo)));
    } else if (hi - lo > 1) {
      const uint64_t k = SplitPoint(hi - lo);
      self(self, lo, lo + k);
      self(self, lo + k, hi);
    }
  };
  proof(proof, 0, leaf_hashes.size());
  return path;
}

bool RefVerifyInclusion(const RefHash& leaf_hash, uint64_t leaf_index, uint64_t tree_size,
                        absl::Span<const RefHash> path, const RefHash& root) {
  // 1. "If leaf_index is greater than or equal to tree_size, then fail the proof verification."
  if (leaf_index >= tree_size) return false;
  // 2. "Set fn to leaf_index and sn to tree_size - 1."
  uint64_t fn = leaf_index;
  uint64_t sn = tree_size - 1;
  // 3. "Set r to hash."
  RefHash r = leaf_hash;
  // 4. "For each value p in the inclusion_path array:"
  for (const RefHash& p : path) {
    // "If sn is 0, then stop the iteration and fail the proof verification."
    if (sn == 0) return false;
    // "If LSB(fn) is set, or if fn is equal to sn, then:"
    if ((fn & 1) == 1 || fn == sn) {
      // "Set r to HASH(0x01 || p || r)."
      r = RefNodeHash(p, r);
      // "If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn)
      // is set or fn is 0."
      if ((fn & 1) == 0) ShiftUntilLsbSetOrZero(fn, sn);
    } else {
      // "Set r to HASH(0x01 || r || p)."
      r = RefNodeHash(r, p);
    }
    // "Finally, right-shift both fn and sn one time."
    fn >>= 1;
    sn >>= 1;
  }
  // 5. "If sn is equal to 0 and r and the root_hash are equal, then the log has proven the
  // inclusion of hash. Otherwise, fail the proof verification."
  return sn == 0 && r == root;
}

bool RefVerifyConsistency(uint64_t first, uint64_t second, const RefHash& first_hash,
                          const RefHash& second_hash, absl::Span<const RefHash> path) {
  // Edge cases outside the RFC's 0 < first < second (see the header).
  if (first > second) return false;
  if (first == 0) return path.empty();
  if (first == second) return path.empty() && first_hash == second_hash;

  // 1. "If consistency_path is an empty array, stop and fail the proof verification."
  if (path.empty()) return false;
  // 2. "If first is an exact power of 2, then prepend first_hash to the consistency_path array."
  // (Done by indexing rather than copying: element(0) is first_hash when it was prepended.)
  const bool prepended = IsExactPowerOfTwo(first);
  const size_t count = path.size() + (prepended ? 1 : 0);
  auto element = [&](size_t i) -> const RefHash& {
    if (prepended) return i == 0 ? first_hash : path[i - 1];
    return path[i];
  };
  // 3. "Set fn to first - 1 and sn to second - 1."
  uint64_t fn = first - 1;
  uint64_t sn = second - 1;
  // 4. "If LSB(fn) is set, then right-shift both fn and sn equally until LSB(fn) is not set."
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  // 5. "Set both fr and sr to the first value in the consistency_path array."
  RefHash fr = element(0);
  RefHash sr = element(0);
  // 6. "For each subsequent value c in the consistency_path array:"
  for (size_t i = 1; i < count; ++i) {
    const RefHash& c = element(i);
    // "If sn is 0, then stop the iteration and fail the proof verification."
    if (sn == 0) return false;
    // "If LSB(fn) is set, or if fn is equal to sn, then:"
    if ((fn & 1) == 1 || fn == sn) {
      // "Set fr to HASH(0x01 || c || fr)." "Set sr to HASH(0x01 || c || sr)."
      fr = RefNodeHash(c, fr);
      sr = RefNodeHash(c, sr);
      // "If LSB(fn) is not set, then right-shift both fn and sn equally until either LSB(fn)
      // is set or fn is 0."
      if ((fn & 1) == 0) ShiftUntilLsbSetOrZero(fn, sn);
    } else {
      // "Set sr to HASH(0x01 || sr || c)."
      sr = RefNodeHash(sr, c);
    }
    // "Finally, right-shift both fn and sn one time."
    fn >>= 1;
    sn >>= 1;
  }
  // 7. "verify that the fr calculated is equal to the first_hash supplied, that the sr
  // calculated is equal to the second_hash supplied, and that sn is 0."
  return fr == first_hash && sr == second_hash && sn == 0;
}

}  // namespace sealtrail::testing

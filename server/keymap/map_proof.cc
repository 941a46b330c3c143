// docs/format/keymap.md, "Encoding" and "Verification", written from the page's own steps. This
// file must not depend on anything but the hashes (key_map_format.h): it is what a client
// carries to check a map proof.
#include "server/keymap/map_proof.h"

#include <algorithm>
#include <cstring>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "server/keymap/big_endian.h"

namespace sealtrail::keymap {

namespace {

constexpr uint8_t kTerminalEmpty = 0;
constexpr uint8_t kTerminalEntry = 1;
constexpr size_t kHeaderBytes = 1 + 1 + 2;
constexpr size_t kEntryBytes = kHashSize + 8 + 8;

size_t BitmapBytes(size_t depth) { return (depth + 7) / 8; }

bool BitmapBit(const uint8_t* bitmap, size_t i) { return (bitmap[i / 8] >> (7 - i % 8)) & 1; }

// What every proof must be, parsed or built in memory.
absl::Status CheckShape(const MapProof& proof) {
  if (proof.depth > kPathBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("map proof: depth ", proof.depth, " is above ", kPathBits));
  }
  if (proof.siblings.size() != proof.depth) {
    return absl::InvalidArgumentError(absl::StrCat("map proof: depth ", proof.depth, " but ",
                                                   proof.siblings.size(), " siblings"));
  }
  if (proof.terminal.has_value() && proof.terminal->value.count == 0) {
    return absl::InvalidArgumentError("map proof: the terminal entry's count is 0");
  }
  return absl::OkStatus();
}

// Reads from a byte string front to back; every read names the field it wanted if the bytes
// run out.
class Reader {
 public:
  explicit Reader(std::string_view bytes)
      : data_(reinterpret_cast<const uint8_t*>(bytes.data())), size_(bytes.size()) {}

  absl::StatusOr<const uint8_t*> Take(size_t n, absl::string_view what) {
    if (size_ - offset_ < n) {
      return absl::InvalidArgumentError(absl::StrCat("map proof: truncated in ", what, " (needs ",
                                                     n, " bytes at offset ", offset_, ", has ",
                                                     size_ - offset_, ")"));
    }
    const uint8_t* p = data_ + offset_;
    offset_ += n;
    return p;
  }
  absl::StatusOr<Hash> TakeHash(absl::string_view what) {
    absl::StatusOr<const uint8_t*> p = Take(kHashSize, what);
    if (!p.ok()) return p.status();
    Hash hash;
    std::memcpy(hash.data(), *p, kHashSize);
    return hash;
  }
  size_t remaining() const { return size_ - offset_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t offset_ = 0;
};

}  // namespace

std::string SerializeMapProof(const MapProof& proof) {
  const size_t depth = std::min<size_t>(proof.depth, proof.siblings.size());
  std::string out(kHeaderBytes + BitmapBytes(proof.depth), '\0');
  uint8_t* bytes = reinterpret_cast<uint8_t*>(out.data());
  bytes[0] = kMapProofVersion;
  bytes[1] = proof.terminal.has_value() ? kTerminalEntry : kTerminalEmpty;
  EncodeBigEndian(proof.depth, 2, bytes + 2);
  for (size_t i = 0; i < depth; ++i) {
    if (proof.siblings[i] == kEmptyHash) continue;
    bytes[kHeaderBytes + i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  for (size_t i = 0; i < depth; ++i) {
    if (proof.siblings[i] != kEmptyHash) out.append(AsStringView(proof.siblings[i]));
  }
  if (proof.terminal.has_value()) {
    uint8_t entry[kEntryBytes];
    std::memcpy(entry, proof.terminal->path.data(), kHashSize);
    EncodeBigEndian(proof.terminal->value.head, 8, entry + kHashSize);
    EncodeBigEndian(proof.terminal->value.count, 8, entry + kHashSize + 8);
    out.append(reinterpret_cast<const char*>(entry), sizeof(entry));
  }
  return out;
}

absl::StatusOr<MapProof> ParseMapProof(std::string_view bytes) {
  Reader reader(bytes);
  absl::StatusOr<const uint8_t*> header = reader.Take(kHeaderBytes, "the header");
  if (!header.ok()) return header.status();
  const uint8_t version = (*header)[0];
  const uint8_t terminal = (*header)[1];
  if (version != kMapProofVersion) {
    return absl::InvalidArgumentError(absl::StrCat("map proof: unknown version ", version,
                                                   " (this build reads ", kMapProofVersion, ")"));
  }
  if (terminal != kTerminalEmpty && terminal != kTerminalEntry) {
    return absl::InvalidArgumentError(
        absl::StrCat("map proof: terminal byte ", terminal, " is neither 0 (empty) nor 1 (entry)"));
  }
  MapProof proof;
  proof.depth = static_cast<uint16_t>(DecodeBigEndian(*header + 2, 2));
  if (proof.depth > kPathBits) {
    return absl::InvalidArgumentError(
        absl::StrCat("map proof: depth ", proof.depth, " is above ", kPathBits));
  }
  absl::StatusOr<const uint8_t*> bitmap = reader.Take(BitmapBytes(proof.depth), "the bitmap");
  if (!bitmap.ok()) return bitmap.status();
  for (size_t i = proof.depth; i < 8 * BitmapBytes(proof.depth); ++i) {
    if (BitmapBit(*bitmap, i)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "map proof: padding bit ", i, " of the bitmap is set (depth ", proof.depth, ")"));
    }
  }
  proof.siblings.reserve(proof.depth);
  for (size_t i = 0; i < proof.depth; ++i) {
    if (!BitmapBit(*bitmap, i)) {
      proof.siblings.push_back(kEmptyHash);
      continue;
    }
    absl::StatusOr<Hash> sibling = reader.TakeHash(absl::StrCat("sibling ", i));
    if (!sibling.ok()) return sibling.status();
    if (*sibling == kEmptyHash) {
      return absl::InvalidArgumentError(absl::StrCat(
          "map proof: sibling ", i, " is given explicitly as the empty hash (32 zero bytes)"));
    }
    proof.siblings.push_back(*sibling);
  }
  if (terminal == kTerminalEntry) {
    absl::StatusOr<const uint8_t*> entry = reader.Take(kEntryBytes, "the terminal entry");
    if (!entry.ok()) return entry.status();
    MapEntry& e = proof.terminal.emplace();
    std::memcpy(e.path.data(), *entry, kHashSize);
    e.value.head = DecodeBigEndian(*entry + kHashSize, 8);
    e.value.count = DecodeBigEndian(*entry + kHashSize + 8, 8);
  }
  if (reader.remaining() != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("map proof: ", reader.remaining(), " trailing bytes after the proof"));
  }
  if (absl::Status shape = CheckShape(proof); !shape.ok()) return shape;
  return proof;
}

absl::StatusOr<std::optional<KeyHead>> VerifyMapProof(const MapProof& proof, const Hash& path,
                                                      const Hash& root) {
  if (absl::Status shape = CheckShape(proof); !shape.ok()) return shape;
  Hash h = kEmptyHash;
  if (proof.terminal.has_value()) {
    if (CommonPrefixBits(proof.terminal->path, path) < proof.depth) {
      return absl::InvalidArgumentError(absl::StrCat(
          "map proof: the terminal entry does not share the first ", proof.depth,
          " bits of the path (it shares ", CommonPrefixBits(proof.terminal->path, path), ")"));
    }
    h = LeafHash(proof.terminal->path, proof.terminal->value);
  }
  for (int i = proof.depth - 1; i >= 0; --i) {
    h = PathBit(path, i) == 0 ? NodeHash(h, proof.siblings[i]) : NodeHash(proof.siblings[i], h);
  }
  if (h != root) {
    return absl::DataLossError(absl::StrCat("map root mismatch: the proof leads to ",
                                            HashToBase64(h), ", expected ", HashToBase64(root)));
  }
  if (proof.terminal.has_value() && proof.terminal->path == path) {
    return std::optional<KeyHead>(proof.terminal->value);
  }
  return std::optional<KeyHead>();
}

}  // namespace sealtrail::keymap

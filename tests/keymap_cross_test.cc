// The C++ key map against the independent Python implementation of docs/format/keymap.md
// (tests/keymap_py/keymap.py, driven by keymap_cross.py), in both directions:
//  * C++ writes maps (their keys, entries and roots) and proofs with its verifier's verdicts,
//    valid ones and mutated ones; python3 recomputes every key path and root from the entries,
//    checks each verdict with its own verifier, and that its own proof for each path is the same
//    bytes;
//  * python3 writes its roots and its own proofs for other paths, valid and mutated, with its
//    verdicts; the C++ verifier must reach the same ones.
// The file format is keymap_cross.py's top comment.
#include <unistd.h>

#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "server/keymap/key_map.h"
#include "server/keymap/key_map_format.h"
#include "server/keymap/map_proof.h"
#include "testing/file_util.h"
#include "testing/keymap_paths.h"
#include "testing/run_process.h"
#include "testing/scratch_dir.h"
#include "testing/status_matchers.h"

namespace sealtrail::keymap {
namespace {

using ::sealtrail::testing::FlipPathBit;
using ::sealtrail::testing::Hex;
using ::sealtrail::testing::RandomPath;

std::optional<Hash> HashFromHex(absl::string_view hex) {
  if (hex.size() != 2 * kHashSize) return std::nullopt;
  const std::string bytes = absl::HexStringToBytes(hex);
  Hash hash;
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return hash;
}

// What a verifier says of a proof, in the file's words: "member:HEAD:COUNT", "absent",
// "malformed" (INVALID_ARGUMENT) or "mismatch" (DATA_LOSS).
std::string Verdict(std::string_view bytes, const Hash& path, const Hash& root) {
  absl::StatusOr<MapProof> proof = ParseMapProof(bytes);
  if (!proof.ok()) return "malformed";
  absl::StatusOr<std::optional<KeyHead>> answer = VerifyMapProof(*proof, path, root);
  if (answer.status().code() == absl::StatusCode::kInvalidArgument) return "malformed";
  if (answer.status().code() == absl::StatusCode::kDataLoss) return "mismatch";
  if (!answer.ok()) return absl::StrCat("unexpected ", answer.status().ToString());
  if (!answer->has_value()) return "absent";
  return absl::StrCat("member:", (*answer)->head, ":", (*answer)->count);
}

// One map of the exchange: its entries, and the keys some of them came from.
struct CrossMap {
  std::string name;
  KeyMap map;
  std::vector<std::string> key_lines;  // "key KIND TENANT VALUE PATH", hex
  std::vector<Hash> paths;
};

void Add(CrossMap& m, const Hash& path, std::mt19937_64& rng) {
  ASSERT_OK(m.map.Set(path, {rng() % (uint64_t{1} << 40), 1 + rng() % 5000}));
  m.paths.push_back(path);
}

void AddKey(CrossMap& m, KeyKind kind, const std::string& tenant, const std::string& value,
            std::mt19937_64& rng) {
  const Hash path = KeyPath(kind, tenant, value);
  m.key_lines.push_back(absl::StrCat("key ", static_cast<int>(kind), " ", Hex(tenant), " ",
                                     Hex(value), " ", Hex(path)));
  Add(m, path, rng);
}

std::vector<CrossMap> MakeMaps() {
  std::mt19937_64 rng(20261124);
  std::vector<CrossMap> maps(4);
  maps[0].name = "empty";
  maps[1].name = "one";
  Add(maps[1], RandomPath(rng), rng);
  // Keys as the server would make them: tenants, actors (some not ASCII), actions, trace ids.
  maps[2].name = "keys";
  for (int t = 0; t < 4; ++t) {
    const std::string tenant = absl::StrCat("tenant-", t);
    AddKey(maps[2], KeyKind::kTenant, tenant, "", rng);
    for (int a = 0; a < 40; ++a) {
      AddKey(maps[2], KeyKind::kActor, tenant,
             a % 7 == 0 ? absl::StrCat("agënt-ø-", a) : absl::StrCat("agent-", a), rng);
    }
    for (const char* action : {"call.barge", "call.listen", "recording.export", "login"}) {
      AddKey(maps[2], KeyKind::kAction, tenant, action, rng);
    }
    for (int i = 0; i < 60; ++i) {
      std::string trace(16, '\0');
      for (char& c : trace) c = static_cast<char>(rng());
      AddKey(maps[2], KeyKind::kTrace, tenant, trace, rng);
    }
  }
  // Paths that share long prefixes: long chains of one-sided nodes, and D up to 256.
  maps[3].name = "clustered";
  const Hash base = RandomPath(rng);
  Add(maps[3], base, rng);
  for (int i = 0; i < 150; ++i) {
    const Hash path = testing::PathSharing(maps[3].paths[rng() % maps[3].paths.size()],
                                           static_cast<int>(rng() % 256), rng);
    if (!maps[3].map.Get(path).has_value()) Add(maps[3], path, rng);
  }
  return maps;
}

// A copy of `bytes` damaged one of a few ways.
std::string Mutate(std::string bytes, std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      bytes[rng() % bytes.size()] ^= static_cast<char>(1 << (rng() % 8));
      break;
    case 1:
      bytes.resize(rng() % bytes.size());
      break;
    case 2:
      bytes.push_back(static_cast<char>(rng()));
      break;
    default:
      if (bytes.size() > 8) bytes[bytes.size() - 1 - rng() % 8] ^= 0x01;  // head or count
      break;
  }
  return bytes;
}

std::string ProofLine(std::string_view bytes, const Hash& path, const Hash& root) {
  return absl::StrCat("proof ", Hex(path), " ", Hex(bytes), " ", Verdict(bytes, path, root));
}

std::string WriteExchange(std::vector<CrossMap>& maps) {
  std::mt19937_64 rng(7);
  std::string out;
  for (CrossMap& m : maps) {
    const Hash root = m.map.Root();
    absl::StrAppend(&out, "map ", m.name, "\n");
    for (const std::string& line : m.key_lines) absl::StrAppend(&out, line, "\n");
    for (const Hash& path : m.paths) {
      const KeyHead value = *m.map.Get(path);
      absl::StrAppend(&out, "entry ", Hex(path), " ", value.head, " ", value.count, "\n");
    }
    absl::StrAppend(&out, "root ", Hex(root), "\n");
    std::vector<Hash> asked;
    for (size_t i = 0; i < m.paths.size() && i < 120; ++i) asked.push_back(m.paths[i]);
    for (int i = 0; i < 80; ++i) asked.push_back(RandomPath(rng));
    for (int i = 0; !m.paths.empty() && i < 80; ++i) {
      Hash near = m.paths[rng() % m.paths.size()];
      FlipPathBit(near, static_cast<int>(rng() % 256));
      asked.push_back(near);
    }
    for (size_t i = 0; i < asked.size(); ++i) {
      const std::string bytes = SerializeMapProof(m.map.Prove(asked[i]));
      absl::StrAppend(&out, ProofLine(bytes, asked[i], root), "\n");
      if (i % 3 == 0) absl::StrAppend(&out, ProofLine(Mutate(bytes, rng), asked[i], root), "\n");
    }
    absl::StrAppend(&out, "end\n");
  }
  return out;
}

TEST(KeyMapCrossTest, PythonAndCppAgreeOnKeysRootsAndProofsBothWays) {
  const std::string python = SEALTRAIL_PYTHON3;
  ASSERT_TRUE(!python.empty() && access(python.c_str(), X_OK) == 0)
      << "python3 not found when configuring (scripts/install-deps.sh installs it)";
  std::vector<CrossMap> maps = MakeMaps();
  testing::ScratchDir scratch("keymap_cross");
  const std::string to_python = scratch.Sub("cpp.txt");
  const std::string from_python = scratch.Sub("python.txt");
  ASSERT_OK(testing::WriteWholeFile(to_python, WriteExchange(maps)));

  const testing::ProcessResult run = testing::RunProcess(
      // -B: no __pycache__ written into the source tree.
      python,
      {"-B", std::string(SEALTRAIL_KEYMAP_PY_DIR) + "/keymap_cross.py", to_python, from_python}, "",
      scratch);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_THAT(run.out, ::testing::HasSubstr("keymap_cross: ok"));

  ASSERT_OK_AND_ASSIGN(const std::string answer, testing::ReadWholeFile(from_python));
  std::map<std::string, CrossMap*> by_name;
  for (CrossMap& m : maps) by_name[m.name] = &m;
  CrossMap* current = nullptr;
  std::map<std::string, int> proofs_checked;
  std::map<std::string, int> verdicts_seen;
  int roots_checked = 0;
  for (const absl::string_view line : absl::StrSplit(answer, '\n', absl::SkipEmpty())) {
    const std::vector<absl::string_view> f = absl::StrSplit(line, ' ');
    if (f[0] == "map") {
      ASSERT_EQ(f.size(), 2u) << line;
      ASSERT_TRUE(by_name.count(std::string(f[1]))) << line;
      current = by_name[std::string(f[1])];
    } else if (f[0] == "root") {
      ASSERT_NE(current, nullptr) << line;
      ASSERT_EQ(f.size(), 2u) << line;
      EXPECT_EQ(f[1], Hex(current->map.Root())) << current->name;
      ++roots_checked;
    } else if (f[0] == "proof") {
      ASSERT_NE(current, nullptr) << line;
      ASSERT_EQ(f.size(), 4u) << line;
      const std::optional<Hash> path = HashFromHex(f[1]);
      ASSERT_TRUE(path.has_value()) << line;
      const std::string bytes = absl::HexStringToBytes(f[2]);
      EXPECT_EQ(Verdict(bytes, *path, current->map.Root()), f[3]) << current->name << ": " << line;
      ++proofs_checked[current->name];
      ++verdicts_seen[std::string(f[3].substr(0, f[3].find(':')))];
    } else {
      ASSERT_EQ(f[0], "end") << line;
    }
  }
  EXPECT_EQ(roots_checked, 4);
  for (const CrossMap& m : maps) EXPECT_GE(proofs_checked[m.name], 50) << m.name;
  // Python's proofs reached every verdict.
  for (const char* verdict : {"member", "absent", "malformed", "mismatch"}) {
    EXPECT_GE(verdicts_seen[verdict], 5) << verdict;
  }
}

}  // namespace
}  // namespace sealtrail::keymap

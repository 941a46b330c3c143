"""Checks the C++ key map's output with keymap.py and answers with proofs of its own.

Usage: python3 keymap_cross.py IN OUT   (run by tests/keymap_cross_test.cc)

Both files are text, one item a line, hex for bytes, maps one after another:

    map NAME
    key KIND TENANT VALUE PATH     (IN only: a key and the path C++ made of it)
    entry PATH HEAD COUNT          (IN only)
    root ROOT
    proof PATH PROOF VERDICT       VERDICT: member:HEAD:COUNT, absent, malformed or mismatch
    end

For IN it recomputes every key path and every root, checks each proof's verdict with its own
verifier and, for each valid proof, that its own proof for that path is the same bytes. Into
OUT it writes, for each map, its root and its own proofs (members, neighbours of members,
random paths; some of them damaged) with its verdicts, for the C++ verifier to check. Exits 1
naming the first disagreement.
"""

import random
import sys

import keymap


def fail(message):
    print("keymap_cross: " + message, file=sys.stderr)
    sys.exit(1)


def verdict(proof, path, root):
    try:
        answer = keymap.verify(proof, path, root)
    except keymap.MalformedProof:
        return "malformed"
    except keymap.RootMismatch:
        return "mismatch"
    if answer is None:
        return "absent"
    return "member:%d:%d" % answer


def read_maps(text):
    maps = []
    for line in text.splitlines():
        f = line.split(" ")
        if f[0] == "map":
            current = {"name": f[1], "keys": [], "entries": {}, "root": None, "proofs": []}
            maps.append(current)
        elif f[0] == "key":
            current["keys"].append((int(f[1]), bytes.fromhex(f[2]), bytes.fromhex(f[3]),
                                    bytes.fromhex(f[4])))
        elif f[0] == "entry":
            current["entries"][bytes.fromhex(f[1])] = (int(f[2]), int(f[3]))
        elif f[0] == "root":
            current["root"] = bytes.fromhex(f[1])
        elif f[0] == "proof":
            current["proofs"].append((bytes.fromhex(f[1]), bytes.fromhex(f[2]), f[3]))
        elif f[0] != "end":
            fail("unknown line: " + line)
    return maps


def mutate(proof, rng):
    data = bytearray(proof)
    how = rng.randrange(4)
    if how == 0:
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif how == 1:
        del data[rng.randrange(len(data)):]
    elif how == 2:
        data.append(rng.randrange(256))
    elif len(data) > 8:
        data[len(data) - 1 - rng.randrange(8)] ^= 1
    return bytes(data)


def flip(path, i):
    data = bytearray(path)
    data[i // 8] ^= 0x80 >> (i % 8)
    return bytes(data)


def check(m):
    name = m["name"]
    for kind, tenant, value, path in m["keys"]:
        if keymap.key_path(kind, tenant, value) != path:
            fail("%s: key path of kind %d tenant %r value %r differs" % (name, kind, tenant, value))
    entries = m["entries"]
    tree = keymap.Map(entries)
    root = tree.root()
    if root != m["root"]:
        fail("%s: root %s, C++ says %s" % (name, root.hex(), m["root"].hex()))
    for path, proof, cpp_verdict in m["proofs"]:
        mine = verdict(proof, path, root)
        if mine != cpp_verdict:
            fail("%s: proof %s for %s: python says %s, C++ %s" %
                 (name, proof.hex(), path.hex(), mine, cpp_verdict))
        expected = "member:%d:%d" % entries[path] if path in entries else "absent"
        if mine not in (expected, "malformed", "mismatch"):
            fail("%s: proof for %s verifies as %s, the entries say %s" %
                 (name, path.hex(), mine, expected))
        if mine == expected and keymap.encode(tree.prove(path)) != proof:
            fail("%s: python's proof for %s differs from C++'s" % (name, path.hex()))
    return root


def answer(m, root, rng):
    entries = m["entries"]
    members = sorted(entries)
    asked = members[:60]
    asked += [bytes(rng.randrange(256) for _ in range(32)) for _ in range(40)]
    if members:
        asked += [flip(rng.choice(members), rng.randrange(256)) for _ in range(60)]
    tree = keymap.Map(entries)
    lines = ["map " + m["name"], "root " + root.hex()]
    for i, path in enumerate(asked):
        proof = keymap.encode(tree.prove(path))
        lines.append("proof %s %s %s" % (path.hex(), proof.hex(), verdict(proof, path, root)))
        if i % 2 == 0:
            bad = mutate(proof, rng)
            lines.append("proof %s %s %s" % (path.hex(), bad.hex(), verdict(bad, path, root)))
    lines.append("end")
    return lines


def main():
    if len(sys.argv) != 3:
        fail("usage: keymap_cross.py IN OUT")
    with open(sys.argv[1]) as f:
        maps = read_maps(f.read())
    rng = random.Random(20261124)
    out = []
    checked = 0
    for m in maps:
        root = check(m)
        checked += len(m["proofs"])
        out += answer(m, root, rng)
    with open(sys.argv[2], "w") as f:
        f.write("\n".join(out) + "\n")
    print("keymap_cross: ok: %d maps, %d C++ proofs checked" % (len(maps), checked))


if __name__ == "__main__":
    main()

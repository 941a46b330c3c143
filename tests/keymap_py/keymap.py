"""The key map of docs/format/keymap.md, version 1, written from that page alone.

A second implementation of the format, kept apart from the C++ one (server/keymap/) on purpose:
it builds subtree hashes straight from the definition (recursion over sorted entries) and shares
no structure with the C++ crit-bit tree. keymap_cross_test checks each against the other.

Only the standard library (hashlib). Entries are a dict {path (32 bytes): (head, count)}; Map
holds them for many proofs.
"""

import hashlib

KIND_TENANT = 1
KIND_ACTOR = 2
KIND_ACTION = 3
KIND_TRACE = 4

PATH_BITS = 256
EMPTY = bytes(32)
VERSION = 1


class MalformedProof(ValueError):
    """The proof breaks an encoding or shape rule (the C++ verifier's INVALID_ARGUMENT)."""


class RootMismatch(ValueError):
    """The proof is well formed but leads to another root (the C++ verifier's DATA_LOSS)."""


def _be(value, size):
    return value.to_bytes(size, "big")


def key_bytes(kind, tenant, value):
    return bytes([kind]) + _be(len(tenant), 4) + tenant + _be(len(value), 4) + value


def key_path(kind, tenant, value):
    return hashlib.sha256(b"\x10" + key_bytes(kind, tenant, value)).digest()


def leaf_hash(path, head, count):
    return hashlib.sha256(b"\x11" + path + _be(head, 8) + _be(count, 8)).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x12" + left + right).digest()


def bit(path, i):
    return (path[i // 8] >> (7 - i % 8)) & 1


class Map:
    """The entries in path order, with the subtree hashes of the definition.

    Entries under a prefix of `depth` bits are a run [lo, hi) of the sorted list, those with a 0
    at bit `depth` first; subtree hashes are remembered by (lo, hi, depth), so proofs for many
    paths share the work."""

    def __init__(self, entries):
        self.items = sorted((path, head, count) for path, (head, count) in entries.items())
        self._memo = {}

    def _split(self, lo, hi, depth):
        """The first index in [lo, hi) whose path has a 1 at bit `depth`."""
        while lo < hi:
            mid = (lo + hi) // 2
            if bit(self.items[mid][0], depth) == 0:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def subtree(self, lo, hi, depth):
        if hi == lo:
            return EMPTY
        if hi - lo == 1:
            return leaf_hash(*self.items[lo])
        key = (lo, hi, depth)
        if key not in self._memo:
            mid = self._split(lo, hi, depth)
            self._memo[key] = node_hash(self.subtree(lo, mid, depth + 1),
                                        self.subtree(mid, hi, depth + 1))
        return self._memo[key]

    def root(self):
        return self.subtree(0, len(self.items), 0)

    def prove(self, path):
        """The proof for `path`: walk down along it to the first empty or single-entry
        subtree."""
        lo, hi = 0, len(self.items)
        siblings = []
        depth = 0
        while hi - lo >= 2:
            mid = self._split(lo, hi, depth)
            if bit(path, depth) == 0:
                siblings.append(self.subtree(mid, hi, depth + 1))
                hi = mid
            else:
                siblings.append(self.subtree(lo, mid, depth + 1))
                lo = mid
            depth += 1
        return Proof(depth, siblings, self.items[lo] if hi > lo else None)


class Proof:
    def __init__(self, depth, siblings, terminal):
        self.depth = depth
        self.siblings = siblings  # `depth` hashes, EMPTY allowed
        self.terminal = terminal  # None, or (path, head, count)


def root(entries):
    return Map(entries).root()


def prove(entries, path):
    return Map(entries).prove(path)


def encode(proof):
    out = bytearray([VERSION, 1 if proof.terminal else 0])
    out += _be(proof.depth, 2)
    bitmap = bytearray((proof.depth + 7) // 8)
    for i, sibling in enumerate(proof.siblings):
        if sibling != EMPTY:
            bitmap[i // 8] |= 0x80 >> (i % 8)
    out += bitmap
    for sibling in proof.siblings:
        if sibling != EMPTY:
            out += sibling
    if proof.terminal:
        path, head, count = proof.terminal
        out += path + _be(head, 8) + _be(count, 8)
    return bytes(out)


def decode(data):
    pos = 0

    def take(n, what):
        nonlocal pos
        if len(data) - pos < n:
            raise MalformedProof("truncated in " + what)
        chunk = data[pos:pos + n]
        pos += n
        return chunk

    header = take(4, "the header")
    if header[0] != VERSION:
        raise MalformedProof("unknown version %d" % header[0])
    if header[1] not in (0, 1):
        raise MalformedProof("terminal byte %d" % header[1])
    depth = int.from_bytes(header[2:4], "big")
    if depth > PATH_BITS:
        raise MalformedProof("depth %d above 256" % depth)
    bitmap = take((depth + 7) // 8, "the bitmap")
    for i in range(depth, 8 * len(bitmap)):
        if bit(bitmap, i):
            raise MalformedProof("padding bit %d set" % i)
    siblings = []
    for i in range(depth):
        if not bit(bitmap, i):
            siblings.append(EMPTY)
            continue
        sibling = take(32, "sibling %d" % i)
        if sibling == EMPTY:
            raise MalformedProof("sibling %d given explicitly as zero" % i)
        siblings.append(sibling)
    terminal = None
    if header[1] == 1:
        entry = take(48, "the terminal entry")
        terminal = (entry[:32], int.from_bytes(entry[32:40], "big"),
                    int.from_bytes(entry[40:48], "big"))
        if terminal[2] == 0:
            raise MalformedProof("count 0")
    if pos != len(data):
        raise MalformedProof("%d trailing bytes" % (len(data) - pos))
    return Proof(depth, siblings, terminal)


def verify(data, path, expected_root):
    """(head, count) if the proof shows `path` in the map with root `expected_root`, None if it
    shows `path` absent; raises MalformedProof or RootMismatch otherwise."""
    proof = decode(data)
    h = EMPTY
    if proof.terminal:
        terminal_path = proof.terminal[0]
        if any(bit(terminal_path, i) != bit(path, i) for i in range(proof.depth)):
            raise MalformedProof("terminal entry outside the path's prefix")
        h = leaf_hash(*proof.terminal)
    for i in range(proof.depth - 1, -1, -1):
        if bit(path, i) == 0:
            h = node_hash(h, proof.siblings[i])
        else:
            h = node_hash(proof.siblings[i], h)
    if h != expected_root:
        raise RootMismatch("map root mismatch")
    if proof.terminal and proof.terminal[0] == path:
        return proof.terminal[1], proof.terminal[2]
    return None

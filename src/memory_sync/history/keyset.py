"""The de-duplication keys met so far: an exact set whose memory stops growing with the history.

The newest keys (up to `KEYS_IN_MEMORY`, about 38 MB) are a Python set, the fastest test there
is. When it is full, its keys are sorted into a run in a temporary file (8 bytes a key) and the
set starts empty again; a Bloom filter in memory (1 to 2 bytes a spilled key) answers "not
seen" for almost every key without touching the file, and the few it cannot rule out (2 to 5 %,
and the true copies, which are rare) are looked up in the runs (at most `MAX_RUNS`, merged
beyond): one 2 KB read per run, found through every 256th key of the run, kept in memory.
A history of up to 1.25 GB never spills; a larger one keeps fewer keys in memory
(`keys_budget`), as its own figures take more.
"""

from __future__ import annotations

import heapq
import itertools
import os
from array import array
from bisect import bisect_right
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from memory_sync.private import spill_file

KEYS_IN_MEMORY = 600_000  # a set of 600 k keys takes about 40 MB (16 MB table, 48 B a key)
FEWER_PER_GB = 200_000  # a larger history keeps fewer: its figures need about 6 MB a GB more
LEAST_IN_MEMORY = 100_000
FENCE = 256  # keys per block of a run: one block is read to settle a Bloom hit
MAX_RUNS = 4  # more runs are merged into one, so a Bloom hit costs at most a few reads
_MAX_BLOOM = 1 << 24  # bytes; indexed by the CRC-32 half of a key (the Adler half is not uniform)


def keys_budget(history_bytes: int) -> int:
    """How many keys a read of `history_bytes` keeps in memory: `KEYS_IN_MEMORY` up to 1.25 GB
    (such a history never spills), fewer beyond, so that keys and the figures of a larger
    history (days, sessions, file marks) together take about the same memory."""
    beyond = max(0.0, history_bytes / 2**30 - 1.25)
    return max(LEAST_IN_MEMORY, KEYS_IN_MEMORY - int(beyond * FEWER_PER_GB))


class KeySet:
    """An exact set of 64-bit keys: `recent` in memory, older keys in sorted runs on disk."""

    def __init__(self, *, budget: int = KEYS_IN_MEMORY, folder: Path | None = None) -> None:
        self.recent: set[int] = set()  # the one object: callers may hold it and test it inline
        self.budget = budget
        self.folder = folder  # where the runs' temporary file goes (None: the system's)
        self.spilled = 0  # keys in the runs
        self._file: IO[bytes] | None = None
        self._size = 0  # bytes written to the file
        self._runs: list[tuple[int, int, array[int]]] = []  # (offset, keys, every FENCE-th key)
        self._bloom = bytearray()
        self._mask = 0

    def __len__(self) -> int:
        return len(self.recent) + self.spilled

    def __contains__(self, key: int) -> bool:
        return key in self.recent or (self.spilled > 0 and self.in_runs(key))

    def add(self, key: int) -> None:
        """Add `key` (not yet in the set); spills the set to a run when it is full."""
        self.recent.add(key)
        if len(self.recent) > self.budget:
            self.spill()

    def trim(self) -> None:
        """Spill when the set grew past the budget (for callers that add to `recent` inline)."""
        if len(self.recent) > self.budget:
            self.spill()

    def in_runs(self, key: int) -> bool:
        """Whether `key` is in a spilled run (the Bloom filter first, then one block per run)."""
        crc = key >> 32
        found = self._bloom[crc & self._mask]
        bits = (1 << ((crc >> 24) & 7)) | (1 << ((crc >> 27) & 7))
        if found & bits != bits:
            return False
        assert self._file is not None
        fd = self._file.fileno()
        for offset, count, fences in self._runs:
            if key < fences[0]:
                continue
            start = (bisect_right(fences, key) - 1) * FENCE
            block = array("Q")
            block.frombytes(os.pread(fd, min(FENCE, count - start) * 8, offset + start * 8))
            if key in block:
                return True
        return False

    def spill(self) -> None:
        """Move the in-memory keys into a new sorted run on disk."""
        if not self.recent:
            return
        ordered = sorted(self.recent)
        self.recent.clear()  # before the array is made: the set is the largest thing here
        keys = array("Q", ordered)
        del ordered
        if self._file is None:
            self._file = spill_file(self.folder)
        self._file.seek(self._size)
        self._file.write(keys.tobytes())
        self._file.flush()
        self._runs.append((self._size, len(keys), keys[::FENCE]))
        self._size += len(keys) * 8
        self.spilled += len(keys)
        if len(self._runs) > MAX_RUNS:
            self._merge()
        if len(self._bloom) < self.spilled and len(self._bloom) < _MAX_BLOOM:
            self._grow_bloom()
        else:
            self._mark(keys)

    def _blocks(self, offset: int, count: int, step: int = 1 << 16) -> Iterator[array[int]]:
        """The keys of one run, in blocks of `step`."""
        assert self._file is not None
        for start in range(0, count, step):
            block = array("Q")
            block.frombytes(
                os.pread(self._file.fileno(), min(step, count - start) * 8, offset + start * 8)
            )
            yield block

    def _merge(self) -> None:
        """Merge every run into one, written after them (the file only grows; it is gone
        when the read ends)."""
        assert self._file is not None
        runs = [itertools.chain.from_iterable(self._blocks(o, n)) for o, n, _ in self._runs]
        offset, count, fences = self._size, 0, array("Q")
        out = array("Q")
        self._file.seek(offset)
        for key in heapq.merge(*runs):
            if not count % FENCE:
                fences.append(key)
            out.append(key)
            count += 1
            if len(out) >= 1 << 16:
                self._file.write(out.tobytes())
                out = array("Q")
        self._file.write(out.tobytes())
        self._file.flush()
        self._runs = [(offset, count, fences)]
        self._size += count * 8

    def _grow_bloom(self) -> None:
        """A filter of one byte for each spilled key (twice that, to leave room), filled again
        from every run."""
        size = 1 << 16
        while size < 2 * self.spilled and size < _MAX_BLOOM:
            size <<= 1
        self._bloom = bytearray(size)
        self._mask = size - 1
        for offset, count, _ in self._runs:
            for block in self._blocks(offset, count):
                self._mark(block)

    def _mark(self, keys: array[int]) -> None:
        bloom, mask = self._bloom, self._mask
        for key in keys:
            crc = key >> 32
            bloom[crc & mask] |= (1 << ((crc >> 24) & 7)) | (1 << ((crc >> 27) & 7))

    def close(self) -> None:
        """Let go of every key: the set, the filter and the runs' temporary file (unlinked
        already; this frees its space now)."""
        self.recent.clear()
        self._bloom = bytearray()
        self._runs = []
        self.spilled = 0
        if self._file is not None:
            self._file.close()
            self._file = None

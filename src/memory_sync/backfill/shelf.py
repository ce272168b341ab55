"""The chosen days' collectors (digest builders, day texts) in memory that stops growing.

A `--all` run wants every day, and a day can change until the whole history is read (sessions
come in file order, not in time order). The first `RESIDENT_DAYS` days met (`TEXT_RESIDENT_DAYS`
with --summarize) get a collector in memory; the events of every later day are set aside, in
reading order, in a temporary file of their own group of days, and replayed into that day's
collector, one group at a time, when the days are built. Replaying the same events in the same
order gives the same collector, so the files written are the same as with everything in memory.
A parallel read sets aside what the workers packed (`parallel.pack_notes`), so that costs one
write; days kept in memory are built while the workers read, which keeps `--all` fast.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Generic, TypeVar

from memory_sync.private import spill_file

RESIDENT_DAYS = 250  # collectors held during the read: a digest builder is 50-250 KB
TEXT_RESIDENT_DAYS = 100  # with --summarize, each also holds up to 100 k characters of text
GROUP_DAYS = 100  # days set aside per file, built together after the read

C = TypeVar("C")


class DayShelf(Generic[C]):
    """Per-day collectors fed in reading order: `add` an item to a day, `finished` hands each
    wanted day's collector over once, built from every item of the day."""

    def __init__(
        self,
        make: Callable[[str], C],
        apply: Callable[[C, Any], None],
        *,
        resident: int = RESIDENT_DAYS,
        group: int = GROUP_DAYS,
        folder: Path | None = None,
    ) -> None:
        self.make = make
        self.apply = apply
        self.resident = resident
        self.group = group
        self.folder = folder
        self.collectors: dict[str, C] = {}
        self.aside: dict[str, int] = {}  # day -> its group (the file its items are in)
        self._files: list[IO[bytes]] = []

    def add(self, day: str, item: Any) -> None:
        """Add `item` to `day`'s collector (made when new), or set it aside."""
        collector = self.collectors.get(day)
        if collector is None:
            group = self.aside.get(day)
            if group is None:
                if len(self.collectors) < self.resident:
                    collector = self.collectors[day] = self.make(day)
                    self.apply(collector, item)
                    return
                group = self.aside[day] = len(self.aside) // self.group
                if group == len(self._files):
                    self._files.append(spill_file(self.folder))
            self._files[group].write(pickle.dumps((day, item), pickle.HIGHEST_PROTOCOL))
            return
        self.apply(collector, item)

    def finished(self, days: Iterable[str]) -> Iterator[tuple[str, C]]:
        """The collectors of `days` (each at most once; a day without items gets an empty
        one): those in memory first, in the order given, then one group of set-aside days at a
        time. Each is let go of here; the shelf cannot be used afterwards."""
        wanted = list(dict.fromkeys(days))
        later: dict[int, list[str]] = {}
        for day in wanted:
            collector = self.collectors.pop(day, None)
            if collector is not None:
                yield day, collector
            elif day in self.aside:
                later.setdefault(self.aside[day], []).append(day)
            else:
                yield day, self.make(day)
        self.collectors.clear()
        for group in sorted(later):
            built = self._replay(group, set(later[group]))
            for day in later[group]:
                yield day, built.pop(day)
        self.close()

    def _replay(self, group: int, days: set[str]) -> dict[str, C]:
        """The collectors of `days` of one group, from their items in reading order."""
        built = {day: self.make(day) for day in days}
        handle = self._files[group]
        handle.flush()
        handle.seek(0)
        while True:
            try:  # a new unpickler each time: every item was pickled on its own
                day, item = pickle.load(handle)
            except EOFError:
                break
            if day in built:
                self.apply(built[day], item)
        handle.close()
        return built

    def close(self) -> None:
        """Free the temporary files."""
        for handle in self._files:
            handle.close()
        self._files = []

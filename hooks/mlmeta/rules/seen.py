"""What rules remember from earlier rows, in bounded memory: `Seen`, a dict that spills to disk.

Rules that compare rows (one `repo_id` per row, one hash per model, base models that name a
row) remember every key of a manifest. A dict holds a key in ~200 bytes, so a million-row
manifest would hold hundreds of MB for the whole run. `Seen` keeps the first SPILL keys in a
dict (every real catalog fits: OpenMed's has ~2,000 rows); past that, keys go to a private
temporary SQLite database (`sqlite3.connect("")`: on disk, a bounded page cache, deleted when the
run ends), written in sorted batches. A Bloom filter in memory (1 MiB per table) answers "never
seen" for most new keys without touching the disk. Answers stay exact.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

if TYPE_CHECKING:
    import sqlite3

V = TypeVar("V")

SPILL = 10_000  # keys held in a plain dict before the table moves to disk
BATCH = 4_096  # new keys held in memory between two writes to disk
BLOOM_BITS = 1 << 23  # 1 MiB: about 2% false positives at a million keys (4 probes), more beyond
CACHE_KIB = 2048  # SQLite page cache, shared by every spilled table of the run

_MASK = BLOOM_BITS - 1
_MISSING: Any = object()
_database: sqlite3.Connection | None = None
_tables = 0


def _connection() -> sqlite3.Connection:
    global _database
    if _database is None:
        import sqlite3

        _database = sqlite3.connect("", isolation_level=None)  # "": private, on disk, removed on close
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "temp_store=FILE", f"cache_size=-{CACHE_KIB}"):
            _database.execute(f"PRAGMA {pragma}")
    return _database


class Seen(Generic[V]):
    """A `dict[str, V]` for values JSON can hold (numbers, strings, None, tuples of them)."""

    __slots__ = ("_bloom", "_count", "_memory", "_spill", "_table")

    def __init__(self, spill: int = SPILL) -> None:
        self._memory: dict[str, V] = {}  # every key; once spilled, the keys not yet written
        self._spill = spill
        self._table: str | None = None  # the table's name once spilled
        self._bloom = bytearray()
        self._count = 0  # rows written to the table (an update counts too: it only numbers new keys)

    def __len__(self) -> int:
        if self._table is None:
            return len(self._memory)
        self._write()
        count: int = _connection().execute(f"SELECT count(*) FROM {self._table}").fetchone()[0]
        return count

    def __contains__(self, key: object) -> bool:
        if self._table is None:
            return key in self._memory
        return self._find(key) is not _MISSING

    def __getitem__(self, key: str) -> V:
        found = self._memory.get(key, _MISSING) if self._table is None else self._find(key)
        if found is _MISSING:
            raise KeyError(key)
        return cast(V, found)

    def get(self, key: str, default: V | None = None) -> V | None:
        found = self._memory.get(key, _MISSING) if self._table is None else self._find(key)
        return default if found is _MISSING else cast(V, found)

    def __setitem__(self, key: str, value: V) -> None:
        if self._table is not None:
            self._mark(key)
        self._memory[key] = value  # a key already on disk is updated in place when written
        self._grow()

    def setdefault(self, key: str, value: V) -> V:
        """The value stored for `key`, storing `value` first when there is none (as dict.setdefault)."""
        if self._table is None:
            found = self._memory.setdefault(key, value)
            self._grow()
            return found
        found = self._find(key)
        if found is not _MISSING:
            return cast(V, found)
        self._mark(key)
        self._memory[key] = value
        self._grow()
        return value

    def add(self, key: str) -> None:
        """Set-like use: remember the key (its value is None)."""
        self.setdefault(key, cast(V, None))

    def __iter__(self) -> Iterator[str]:
        """The keys, in the order they were first stored."""
        if self._table is None:
            yield from list(self._memory)
        else:
            self._write()
            yield from (key for (key,) in _connection().execute(f"SELECT k FROM {self._table} ORDER BY n"))

    def __del__(self) -> None:
        if self._table is not None and _database is not None:
            with contextlib.suppress(Exception):  # at interpreter exit the database may be gone already
                _database.execute(f"DROP TABLE {self._table}")

    # -- on disk ------------------------------------------------------------------------------
    def _find(self, key: object) -> Any:
        found = self._memory.get(key, _MISSING)  # type: ignore[call-overload]
        if found is not _MISSING or not self._maybe(key):
            return found
        row = _connection().execute(f"SELECT v FROM {self._table} WHERE k = ?", (key,)).fetchone()
        return _MISSING if row is None else _load(row[0])

    def _maybe(self, key: object) -> bool:
        """False: the key was never written (the Bloom filter's answer); True: perhaps it was."""
        bits, h = self._bloom, hash(key)  # a str caches its hash: each probe is arithmetic
        a, b = h & _MASK, (h >> 32) | 1
        c, d = (a + b) & _MASK, (a + 2 * b) & _MASK
        e = (a + 3 * b) & _MASK
        return bool(
            bits[a >> 3] >> (a & 7) & bits[c >> 3] >> (c & 7) & bits[d >> 3] >> (d & 7) & bits[e >> 3] >> (e & 7) & 1
        )

    def _mark(self, key: str) -> None:
        bits, h = self._bloom, hash(key)
        a, b = h & _MASK, (h >> 32) | 1
        for at in (a, (a + b) & _MASK, (a + 2 * b) & _MASK, (a + 3 * b) & _MASK):
            bits[at >> 3] |= 1 << (at & 7)

    def _grow(self) -> None:
        if self._table is None:
            if len(self._memory) > self._spill:
                self._move_to_disk()
        elif len(self._memory) >= BATCH:
            self._write()

    def _move_to_disk(self) -> None:
        global _tables
        _tables += 1
        self._table = f"seen_{_tables}"
        # n: the order keys were first stored; rows kept in key order, so sorted batches write page by page
        _connection().execute(f"CREATE TABLE {self._table} (k TEXT PRIMARY KEY, v, n INTEGER) WITHOUT ROWID")
        self._bloom = bytearray(BLOOM_BITS // 8)
        for key in self._memory:
            self._mark(key)
        self._write()

    def _write(self) -> None:
        if not self._memory:
            return
        database = _connection()
        order = {key: self._count + position for position, key in enumerate(self._memory)}
        rows = [(key, _dump(self._memory[key]), order[key]) for key in sorted(self._memory)]
        database.execute("BEGIN")
        database.executemany(
            f"INSERT INTO {self._table} VALUES (?, ?, ?) ON CONFLICT (k) DO UPDATE SET v = excluded.v", rows
        )
        database.execute("COMMIT")
        self._count += len(rows)
        self._memory = {}


def _dump(value: Any) -> Any:
    """What SQLite stores: an int or None as itself (line numbers, set members), anything else as JSON."""
    # json, not orjson: orjson.dumps grew the process by ~40 MB of allocator arenas here
    return value if value is None or type(value) is int else json.dumps(value)


def _load(stored: Any) -> Any:
    if stored is None or type(stored) is int:
        return stored
    value = json.loads(stored)
    return tuple(value) if isinstance(value, list) else value

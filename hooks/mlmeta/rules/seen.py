"""What rules remember from earlier rows, in bounded memory: `Seen`, a dict that spills to disk.

Rules that compare rows (one `repo_id` per row, one hash per model, base models that name a
row) remember every key of a manifest. A dict holds a key in ~200 bytes, so a million-row
manifest would hold hundreds of MB for the whole run. `Seen` keeps the first SPILL keys in a
dict (every real catalog fits, OpenMed's ~2,000 rows as well as a 100k-row one: a key in the
dict costs ~0.2 µs, one on disk ~5 µs, about 30 % of a 100k-row check at the old bound of
10,000 keys); past that, keys go to a private temporary SQLite database
(`sqlite3.connect("")`: on disk, a bounded page cache, deleted when the run ends), written in
sorted batches. A Bloom filter in memory (1 MiB per table) answers "never seen" for most new
keys without touching the disk. Answers stay exact.
"""

from __future__ import annotations

import contextlib
import marshal
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from mlmeta import rules

if TYPE_CHECKING:
    import sqlite3

V = TypeVar("V")

BATCH = 4_096  # new keys held in memory between two writes to disk
BLOOM_BITS = 1 << 23  # 1 MiB: about 3% false positives at a million keys (3 probes), more beyond
PER_STATEMENT = 512  # keys per INSERT: a payload under glibc's mmap threshold (larger ones grew RSS ~6 MB)
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


def spilled(table: dict[str, V]) -> Seen[V]:
    """A rule's table, kept as a plain dict while it holds at most SPILL keys, moved to disk.

    Rules that store a key for every manifest row keep a dict and call this when it grows past
    SPILL (`type(table) is dict and len(table) > SPILL`, inline): a `Seen` from the start would
    cost a method call for each row, ~2 % of a 100k-row check.
    """
    seen: Seen[V] = Seen(0)
    seen._memory = table
    seen._grow()
    return seen


class Seen(Generic[V]):
    """A `dict[str, V]` for values JSON holds (numbers, strings, None, tuples and lists of them)."""

    __slots__ = ("_batches", "_bloom", "_memory", "_spill", "_table")

    def __init__(self, spill: int | None = None) -> None:
        self._memory: dict[str, V] = {}  # every key; once spilled, the keys not yet written
        self._spill = rules.SPILL if spill is None else spill  # (read now: a test may lower it)
        self._table: str | None = None  # the table's name once spilled
        self._bloom = bytearray()
        self._batches = 0  # batches written: a key's order number is (its batch << 32) + its place in it

    def __len__(self) -> int:
        if self._table is None:
            return len(self._memory)
        self._write()
        count: int = _connection().execute(f"SELECT count(*) FROM {self._table}").fetchone()[0]
        return count

    def __contains__(self, key: object) -> bool:
        return self._get(key, mark=False) is not _MISSING

    def __getitem__(self, key: str) -> V:
        found = self._get(key, mark=False)
        if found is _MISSING:
            raise KeyError(key)
        return cast(V, found)

    def get(self, key: str, default: V | None = None) -> V | None:
        found = self._get(key, mark=False)
        return default if found is _MISSING else cast(V, found)

    def __setitem__(self, key: str, value: V) -> None:
        if self._table is not None:
            self._get(key, mark=True)
        self._memory[key] = value  # a key already on disk is updated in place when written
        if len(self._memory) > self._spill:
            self._grow()

    def setdefault(self, key: str, value: V) -> V:
        """The value stored for `key`, storing `value` first when there is none (as dict.setdefault).

        Called for every row of a manifest, so the common answers take no call: a key in memory,
        and a new key while the table is in memory.
        """
        memory = self._memory
        if self._table is None:
            found = memory.setdefault(key, value)
            if len(memory) > self._spill:
                self._grow()
            return found
        found = self._get(key, mark=True)
        if found is not _MISSING:
            return cast(V, found)
        memory[key] = value
        if len(memory) > self._spill:
            self._grow()
        return value

    def merge(self, items: dict[str, V]) -> set[str]:
        """`setdefault` for every item: the keys stored already, whose values stay (`--jobs`: a part's table).

        While the table is in memory, one set operation on the two dicts instead of a call per key.
        """
        if self._table is not None:
            return {key for key, value in items.items() if self.setdefault(key, value) != value}
        memory = self._memory
        known = memory.keys() & items.keys()
        kept = {key: memory[key] for key in known}
        memory.update(items)
        memory.update(kept)  # an existing key keeps its place and, now, its first value
        if len(memory) > self._spill:
            self._grow()
        return known

    def add(self, key: str) -> None:
        """Set-like use: remember the key (its value is None)."""
        self.setdefault(key, cast(V, None))

    def __iter__(self) -> Iterator[str]:
        """The keys, in the order they were first stored."""
        if self._table is None:
            yield from list(self._memory)
        else:
            self._write()
            for (key,) in _connection().execute(f"SELECT k FROM {self._table} ORDER BY n"):
                yield key.decode("utf-8", "surrogatepass") if type(key) is bytes else key

    def __del__(self) -> None:
        if self._table is not None and _database is not None:
            with contextlib.suppress(Exception):  # at interpreter exit the database may be gone already
                _database.execute(f"DROP TABLE {self._table}")

    # -- on disk ------------------------------------------------------------------------------
    def _get(self, key: object, mark: bool) -> Any:
        """The stored value or _MISSING. `mark`: the key is about to be stored (its Bloom bits are set now)."""
        found = self._memory.get(key, _MISSING)  # type: ignore[call-overload]
        if found is not _MISSING or self._table is None or not isinstance(key, str) or not self._maybe(key, mark):
            return found  # (a key that is no string was never stored)
        row = _connection().execute(f"SELECT v FROM {self._table} WHERE k = ?", (_column(key),)).fetchone()
        return _MISSING if row is None else _load(row[0])

    def _maybe(self, key: object, mark: bool) -> bool:
        """False: the key was never written (the Bloom filter's answer); True: perhaps it was."""
        bits, h = self._bloom, hash(key)  # a str caches its hash: each probe is arithmetic
        a, b = h & _MASK, (h >> 32) | 1
        c, d = (a + b) & _MASK, (a + 2 * b) & _MASK
        x, y, z = a >> 3, c >> 3, d >> 3
        p, q, r = 1 << (a & 7), 1 << (c & 7), 1 << (d & 7)
        maybe = bool(bits[x] & p and bits[y] & q and bits[z] & r)
        if mark:
            bits[x] |= p
            bits[y] |= q
            bits[z] |= r
        return maybe

    def _grow(self) -> None:
        import sqlite3

        try:
            if self._table is None:
                self._move_to_disk()
            else:
                self._write()
        except sqlite3.Error as error:  # a full or unwritable temporary folder: the run stops with a message
            raise OSError(f"cannot keep the rows seen in a temporary file (is $TMPDIR full?): {error}") from error

    def _move_to_disk(self) -> None:
        global _tables
        _tables += 1
        self._table = f"seen_{_tables}"
        # n: the order keys were first stored; rows kept in key order, so sorted batches write page by page
        _connection().execute(f"CREATE TABLE {self._table} (k TEXT PRIMARY KEY, v, n INTEGER) WITHOUT ROWID")
        self._bloom = bytearray(BLOOM_BITS // 8)
        for key in self._memory:
            self._maybe(key, mark=True)
        self._spill = BATCH  # from now on `_memory` holds only the keys not yet written
        self._write()

    def _write(self) -> None:
        if not self._memory:
            return
        database, table, first = _connection(), self._table, self._batches << 40
        items: list[tuple[str, Any]] = list(self._memory.items())
        database.execute("BEGIN")
        try:
            payloads = _payloads(items)
            if payloads is None:  # row by row, each key and value bound as it is
                rows = [(_column(k), marshal.dumps(v), first + n) for n, (k, v) in enumerate(items)]
                rows.sort(key=_by_key)
                database.executemany(f"INSERT INTO {table} VALUES (?, ?, ?) {_UPSERT}", rows)
            for number, payload in enumerate(payloads or ()):  # unpacked by SQLite's JSON functions: no binding a row
                database.execute(f"INSERT INTO {table} {_FROM_JSON} {_UPSERT}", (first + (number << 32), payload))
        except BaseException:
            database.execute("ROLLBACK")
            raise
        database.execute("COMMIT")
        self._batches += 1
        self._memory = {}


# json_each's id numbers a payload's members in order (with gaps; a byte offset from SQLite 3.45):
# a key's order number is (its batch << 40) + (its payload << 32) + that id
_FROM_JSON = "SELECT key, value, ? + id FROM json_each(?) WHERE true ORDER BY key"
_UPSERT = "ON CONFLICT (k) DO UPDATE SET v = excluded.v"


def _payloads(items: list[tuple[str, Any]]) -> list[bytes] | None:
    """The batch as JSON objects of PER_STATEMENT keys, each value its own JSON text; None: bind row by row.

    A value goes in as text, so it comes back exactly as orjson wrote it (a float to the last
    digit, true as true). None when JSON cannot carry the batch exactly: an int past 64 bits or a
    lone surrogate (orjson refuses them), or a key holding NUL (json_each cuts a key there).
    """
    import orjson  # here: a model file's check loads this module but never writes a table

    step = PER_STATEMENT
    try:
        payloads = [
            orjson.dumps({key: orjson.dumps(value).decode() for key, value in items[at : at + step]})
            for at in range(0, len(items), step)
        ]
    except orjson.JSONEncodeError:
        return None
    return None if any(b"\\u0000" in payload for payload in payloads) else payloads


def _column(key: str) -> str | bytes:
    """SQLite keeps text as UTF-8: a key with a lone surrogate (JSON lets `"\\ud800"` in) is kept as its bytes."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return key.encode("utf-8", "surrogatepass")
    return key


def _by_key(row: tuple[Any, ...]) -> tuple[bool, Any]:
    return type(row[0]) is bytes, row[0]  # text keys and byte keys do not compare: each among its own


def _load(stored: Any) -> Any:
    """A value as stored: JSON text (arrays come back as tuples, as they went in), or marshal's bytes."""
    if type(stored) is bytes:
        return marshal.loads(stored)
    import orjson

    value = orjson.loads(stored)
    return tuple(value) if type(value) is list else value

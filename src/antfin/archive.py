"""Records an aggregate keeps but no longer works on: final, looked up one at a time.

A fund's settled orders, a platform's answered requests, a Huabei account's
paid bills: an aggregate must still find them (a retried request replays its
first answer; a query names an old order), but its daily work never walks
them. An :class:`Archive` keeps such records apart from the aggregate's live
state, so that what an operation loads and writes does not grow with history:

- on a bare ledger it is a plain mapping in memory, serialized with its
  aggregate like any other field;
- in the books (:mod:`antfin.books`), each record is stored as its own row
  and read only when asked for by key; the aggregate's own document carries
  none of them.

Records are final: one may be added once and never changed or removed, so an
archived record read twice reads the same.

>>> orders = Archive[str, int]()
>>> orders["o-1"] = 100
>>> orders["o-1"], orders.get("o-2"), "o-1" in orders
(100, None, True)
>>> orders["o-1"] = 200
Traceback (most recent call last):
...
antfin.errors.InvariantViolationError: archived record 'o-1' is final: it cannot be replaced

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from typing import Generic, Protocol, TypeVar, overload

from antfin.errors import InvariantViolationError

__all__ = ["Archive", "ArchiveSource", "NumberedLog"]

K = TypeVar("K")
V = TypeVar("V")
V_co = TypeVar("V_co", covariant=True)

_MISSING = object()


class ArchiveSource(Protocol[K, V_co]):
    """Where an archive's earlier records are read from (the books' store), one at a time.

    >>> class Nothing:
    ...     def find(self, key: str) -> int | None: return None
    ...     def keys(self) -> Iterator[str]: return iter(())
    >>> archive = Archive[str, int]()
    >>> archive.attach(Nothing())
    >>> archive.get("k") is None
    True

    .. versionadded:: 0.2.0
    """

    def find(self, key: K) -> V_co | None:
        """The stored record under ``key``, or ``None``."""
        ...  # pragma: no cover

    def keys(self) -> Iterator[K]:
        """Every stored key (a scan: for history queries and full checks, not daily work)."""
        ...  # pragma: no cover


class Archive(MutableMapping[K, V], Generic[K, V]):
    """An aggregate's final records: added once, read by key, never walked by daily work.

    >>> archive = Archive[str, str]({"a": "first"})
    >>> archive["b"] = "second"
    >>> sorted(archive.items()), len(archive)
    ([('a', 'first'), ('b', 'second')], 2)
    >>> del archive["a"]
    Traceback (most recent call last):
    ...
    antfin.errors.InvariantViolationError: archived record 'a' is final: it cannot be removed

    Attached to a source (:meth:`attach`), lookups that miss in memory read
    the source; iterating reads every stored key (a scan). The records added
    since attaching are :meth:`added`, for the books to write.

    .. versionadded:: 0.2.0
    """

    __slots__ = ("_added", "_items", "_source")

    def __init__(self, items: Mapping[K, V] | None = None) -> None:
        self._items: dict[K, V] = {} if items is None else dict(items)
        self._source: ArchiveSource[K, V] | None = None
        self._added: list[K] = []

    # -- the mapping ------------------------------------------------------------------

    def __getitem__(self, key: K) -> V:
        found = self._items.get(key, _MISSING)
        if found is _MISSING:
            source = self._source
            stored = None if source is None else source.find(key)
            if stored is None:
                raise KeyError(key)
            self._items[key] = stored
            return stored
        return found  # type: ignore[return-value]

    def __contains__(self, key: object) -> bool:
        try:
            self[key]  # type: ignore[index]
        except (KeyError, TypeError):
            return False
        return True

    def __setitem__(self, key: K, value: V) -> None:
        if key in self:
            if self[key] == value:
                return
            raise InvariantViolationError(f"archived record {key!r} is final: it cannot be replaced")
        self._items[key] = value
        self._added.append(key)

    def __delitem__(self, key: K) -> None:
        raise InvariantViolationError(f"archived record {key!r} is final: it cannot be removed")

    def __iter__(self) -> Iterator[K]:
        if self._source is None:
            return iter(list(self._items))
        keys = dict.fromkeys(self._source.keys())
        keys.update(dict.fromkeys(self._added))
        return iter(list(keys))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        where = "stored" if self._source is not None else "in memory"
        return f"Archive({len(self._items)} in memory, {where})"

    # -- the books' side ------------------------------------------------------------------

    def attach(self, source: ArchiveSource[K, V]) -> None:
        """Read earlier records from ``source`` from now on (the books do this on loading).

        >>> class Stored:
        ...     def find(self, key: str) -> int | None: return {"old": 1}.get(key)
        ...     def keys(self) -> Iterator[str]: return iter(["old"])
        >>> archive = Archive[str, int]()
        >>> archive.attach(Stored())
        >>> archive["old"], archive.is_attached, archive.in_memory()
        (1, True, {})

        .. versionadded:: 0.2.0
        """
        self._source = source
        # What was in memory before (a new aggregate's records) is stored with the rest.
        self._added = list(self._items)

    @property
    def is_attached(self) -> bool:
        """``True`` once the archive reads earlier records from a source.

        >>> Archive[str, int]().is_attached
        False

        .. versionadded:: 0.2.0
        """
        return self._source is not None

    def added(self) -> tuple[tuple[K, V], ...]:
        """The records added since this archive was made or attached, in the order they came.

        >>> archive = Archive[str, int]({"old": 1})
        >>> archive["new"] = 2
        >>> archive.added()
        (('new', 2),)

        .. versionadded:: 0.2.0
        """
        return tuple((key, self._items[key]) for key in self._added)

    def in_memory(self) -> dict[K, V]:
        """What serializing the archive with its aggregate writes.

        All its records while it is not attached; none once attached, since the
        books store them one row each.

        >>> Archive[str, int]({"a": 1}).in_memory()
        {'a': 1}

        .. versionadded:: 0.2.0
        """
        return {} if self._source is not None else dict(self._items)


class NumberedLog(Sequence[V]):
    """An event log, oldest first: a read-only sequence over records numbered from 0 in an archive.

    Record ``n`` is the archive's record under key ``n``. Reading one by index
    reads one record; iterating reads them all (a history query, never daily
    work). Records kept live by a document written before its log was archived
    come first (``live``), and the archive's numbers continue after them. A log
    is taken with the count of its moment: records are final, so it reads the
    same later.

    >>> log = NumberedLog(Archive[int, str]({1: "paid"}), 1, live=("opened",))
    >>> len(log), log[-1], list(log), log == ("opened", "paid")
    (2, 'paid', ['opened', 'paid'], True)

    .. versionadded:: 0.2.0
    """

    __slots__ = ("_archived", "_count", "_live")

    def __init__(self, archived: Archive[int, V], count: int, live: Sequence[V] = ()) -> None:
        self._archived = archived
        self._count = count
        self._live = tuple(live)

    def __len__(self) -> int:
        return len(self._live) + self._count

    @overload
    def __getitem__(self, index: int) -> V: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[V]: ...
    def __getitem__(self, index: int | slice) -> V | Sequence[V]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(len(self))))
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError(f"event index {index} out of range ({size} events)")
        if position < len(self._live):
            return self._live[position]
        return self._archived[position]

    def __iter__(self) -> Iterator[V]:
        for position in range(len(self)):
            yield self[position]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"{type(self).__name__}({len(self)} events)"

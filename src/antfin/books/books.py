"""The books: the one entry point of a program on antfin.

``Books.open("shop.db")`` opens (or creates) an SQLite file, ``Books.memory()``
keeps everything in memory for tests and notebooks. ``books.transaction()``
is one unit of work: ledger entries and every product's state change commit
together or not at all. ``books.check()`` re-derives and checks everything.

>>> import os, tempfile
>>> from antfin import Books, CNY
>>> from antfin.calendar import shanghai
>>> from antfin.payments import AccountType, GoodsType
>>> path = os.path.join(tempfile.mkdtemp(), "shop.db")
>>> with Books.open(path) as books, books.transaction() as tx:
...     tea = tx.accounts.open("tea-shop", opened_at=shanghai(2024, 3, 1), account_type=AccountType.MERCHANT)
...     ann = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
...     ann.link_card("C1", at=shanghai(2024, 3, 1))
...     _ = ann.top_up("top-up-1", card="C1", amount=CNY("100.00"), at=shanghai(2024, 3, 1))
...     trade = tx.escrow.create("TEA-001", buyer=ann, seller=tea, amount=CNY("38.00"),
...                              goods=GoodsType.PHYSICAL_EXPRESS, at=shanghai(2024, 3, 1, 9))
...     _ = trade.pay(at=shanghai(2024, 3, 1, 9, 5))
>>> with Books.open(path) as books, books.transaction() as tx:   # a later run of the program
...     trade = tx.escrow.get("TEA-001")
...     trade.ship(at=shanghai(2024, 3, 2, 10))
...     release = trade.confirm(at=shanghai(2024, 3, 4, 18))
...     trade.status.name, tx.ledger.balance("wallet:tea-shop")
('TRADE_SUCCESS', Money('37.77', 'CNY'))

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

import attrs

from antfin.books.kinds import KINDS
from antfin.books.transaction import Transaction
from antfin.errors import InvalidTransitionError, InvariantViolationError, StoreError
from antfin.ledger import Ledger, SQLiteStore
from antfin.ledger.memory import MemoryStore
from antfin.ledger.store import DocumentStore

__all__ = ["Books", "BooksCheck"]


class _ReadOnlyEnd(Exception):  # noqa: N818 - a signal, not an error
    """Raised at the end of a read to roll its unit of work back."""


@attrs.frozen
class BooksCheck:
    """What :meth:`Books.check` looked at, once every check passed.

    >>> Books.memory().check().aggregates
    0

    Attributes:
        accounts: ledger accounts.
        entries: journal entries.
        counts: aggregates checked, per kind (``("escrow", 12)`` …).

    .. versionadded:: 0.2.0
    """

    accounts: int
    entries: int
    counts: tuple[tuple[str, int], ...]

    @property
    def aggregates(self) -> int:
        """Every aggregate checked, all kinds together."""
        return sum(count for _, count in self.counts)


class Books:
    """A ledger and every product's state, stored together; open one with :meth:`open` or :meth:`memory`.

    >>> books = Books.memory()
    >>> with books.transaction() as tx:
    ...     tx.funds.open().fund_id
    'yuebao'

    One transaction at a time per ``Books`` object (a second ``transaction()``
    inside the first is refused: use the open one). Several processes may open
    the same SQLite file: each transaction takes the database's write lock and
    first catches up with what the others committed.

    .. versionadded:: 0.2.0
    """

    def __init__(self, ledger: Ledger, *, target: str) -> None:
        store = ledger.store
        if not isinstance(store, DocumentStore):
            raise TypeError(f"the books need a store that keeps documents, not {type(store).__name__}")
        self._ledger = ledger
        self._documents: DocumentStore = store
        self._target = target
        self._lock = threading.RLock()
        self._current: Transaction | None = None
        self._closed = False

    @classmethod
    def open(cls, target: str | os.PathLike[str], *, timeout: float = 30.0, schema: str | None = None) -> Books:
        """Open the books in an SQLite file (created if missing) or a PostgreSQL database.

        A ``postgresql://`` (or ``postgres://``) URL opens a
        :class:`~antfin.ledger.postgres.PostgresStore` (install the ``postgres``
        extra); see the guide "Running on PostgreSQL".

        >>> import os, tempfile
        >>> Books.open(os.path.join(tempfile.mkdtemp(), "new.db")).check().entries
        0

        Args:
            target: the file's path, or a PostgreSQL URL.
            timeout: seconds to wait for another process's write lock (a duration, hence a float).
            schema: for PostgreSQL, the schema to keep the books in (created if missing; by
                default the connection's current schema). Refused for an SQLite file.

        Raises:
            antfin.errors.SchemaError: the file is not antfin's or of an unknown version (nothing is written).
            antfin.errors.StoreError: it cannot be opened or created (or the server cannot be reached).
            ValueError: ``schema`` given for an SQLite file.
        """
        if not isinstance(target, (str, os.PathLike)):
            raise TypeError(f"target must be a path, not {type(target).__name__}")
        text = os.fspath(target)
        if not isinstance(text, str):
            raise TypeError("target must be a text path")
        if text.startswith(("postgresql://", "postgres://")):
            from antfin.ledger.postgres import PostgresStore, _redact  # psycopg only when asked for

            store = PostgresStore(text, schema=schema, timeout=timeout)
            return cls(Ledger(store), target=_redact(text) if schema is None else f"{_redact(text)} [{store.schema}]")
        if schema is not None:
            raise ValueError("schema= is for PostgreSQL books; an SQLite file has no schemas")
        return cls(Ledger(SQLiteStore(text, timeout=timeout)), target=text)

    @classmethod
    def memory(cls) -> Books:
        """Books kept in this process's memory (tests, notebooks): gone when the program ends.

        >>> Books.memory().target
        ':memory:'
        """
        return cls(Ledger(MemoryStore()), target=":memory:")

    @property
    def target(self) -> str:
        """Where the books are kept (a path, or ``":memory:"``)."""
        return self._target

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """One unit of work: everything done through it commits together when the block ends.

        An exception inside the block rolls back all of it (ledger and
        products) and propagates. Objects taken from the transaction refuse
        use once it has ended.

        >>> from antfin.calendar import shanghai
        >>> books = Books.memory()
        >>> try:
        ...     with books.transaction() as tx:
        ...         _ = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
        ...         raise RuntimeError("the program failed")
        ... except RuntimeError:
        ...     pass
        >>> with books.transaction() as tx:
        ...     "ann" in tx.accounts, tx.ledger.has_account("wallet:ann")
        (False, False)

        Raises:
            antfin.errors.InvalidTransitionError: a transaction is already open on these books.
            antfin.errors.StoreError: the books are closed, or the database failed (nothing was written).
        """
        with self._lock:
            if self._closed:
                raise StoreError(f"the books {self._target!r} are closed")
            if self._current is not None:
                raise InvalidTransitionError("a transaction is already open on these books: use it")
            tx = Transaction(self._ledger, self._documents)
            self._current = tx
            try:
                with self._ledger.atomic():
                    yield tx
                    tx._flush()
            finally:
                tx._end()
                self._current = None

    @contextmanager
    def read(self) -> Iterator[Transaction]:
        """A transaction that never writes: whatever happens inside it is rolled back at the end.

        >>> books = Books.memory()
        >>> with books.read() as tx:
        ...     _ = tx.funds.open()
        >>> with books.read() as tx:
        ...     tx.funds.ids()
        ()
        """
        try:
            with self.transaction() as tx:
                yield tx
                raise _ReadOnlyEnd
        except _ReadOnlyEnd:
            pass

    def check(self, progress: Callable[[str, int, int], None] | None = None) -> BooksCheck:
        """Re-derive and check everything: the ledger, and every stored aggregate against it.

        Loads every aggregate (each passes the checks it passes when loaded
        for business, and its kind's audit: the fund's units against every
        position) and checks the ledger's invariants and trial balance.
        Writes nothing. One aggregate is held in memory at a time.

        >>> Books.memory().check().counts[0]
        ('account', 0)

        Args:
            progress: called as ``progress(kind, done, total)`` while the aggregates of a kind are checked.

        Raises:
            antfin.errors.InvariantViolationError: naming the first rule that does not hold.
            antfin.errors.SerializationError: a stored aggregate is malformed.
        """
        counts: list[tuple[str, int]] = []
        with self.read() as tx:
            ledger = tx.ledger
            ledger.check_invariants()
            if not ledger.trial_balance().is_balanced:
                raise InvariantViolationError("the ledger's debits and credits differ")
            for name in KINDS:
                repository = tx._repository(name)
                ids = repository.ids()
                for done, key in enumerate(ids, 1):
                    KINDS[name].audit(repository.get(key), ledger)
                    tx._drop(name, key)  # checked: one aggregate at a time in memory, not the whole kind
                    if progress is not None and (done % 500 == 0 or done == len(ids)):
                        progress(name, done, len(ids))
                counts.append((name, len(ids)))
                tx._forget(name)
            accounts, entries, _ = ledger.counts()  # counted by the store: the history is not read again
            result = BooksCheck(accounts, entries, tuple(counts))
        return result

    def close(self) -> None:
        """Close the books (their database connection); they may not be used afterwards.

        >>> Books.memory().close()
        """
        with self._lock:
            if not self._closed:
                self._closed = True
                self._ledger.close()

    def __enter__(self) -> Books:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

"""The double-entry :class:`Ledger`: every movement of money in antfin is booked here.

>>> from antfin import CNY
>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger()
>>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
>>> _ = ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.open_account("wallet:bob", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("top-up:1", debit="asset:bank", credit="wallet:alice",
...                     amount=CNY("100.00"), at=shanghai(2024, 3, 1, 9))
>>> hold = ledger.hold("order:7", debit="wallet:alice", credit="wallet:bob",
...                    amount=CNY("30.00"), at=shanghai(2024, 3, 1, 10))
>>> ledger.available("wallet:alice")
Money('70.00', 'CNY')
>>> _ = ledger.post_hold("order:7:post", "order:7", at=shanghai(2024, 3, 2), amount=CNY("25.00"))
>>> ledger.balance("wallet:alice"), ledger.balance("wallet:bob")
(Money('75.00', 'CNY'), Money('25.00', 'CNY'))

Rules it enforces on every call, not only in tests: entries balance per
currency; non-negative accounts never go below zero, pending holds included;
each hold is resolved exactly once; a refused call changes nothing; a key
repeated with the same parameters returns the first result.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import ClassVar

import attrs

from antfin.errors import (
    BatchError,
    IdempotencyConflictError,
    InvalidTransitionError,
    InvariantViolationError,
)
from antfin.ledger.batch import LedgerOperation
from antfin.ledger.holds import _LedgerHolds
from antfin.ledger.model import (
    AccountKind,
    Hold,
    JournalEntry,
    LedgerAccount,
)
from antfin.ledger.store import (
    Document,
    DocumentStore,
    LedgerStore,
)
from antfin.ledger.transactions import (
    _CR,
    _CR_PENDING,
    _DR,
    _DR_PENDING,
    _check_metadata,
    _locked,
    _Transaction,
    _undo_account_change,
    _undo_new_account,
)
from antfin.money import CNY, Currency, Money
from antfin.validators import check_text

__all__ = ["Ledger", "TrialBalance", "TrialBalanceRow"]


@attrs.frozen
class TrialBalanceRow:
    """One account's line in a :class:`TrialBalance`.

    >>> TrialBalanceRow("asset:bank", AccountKind.ASSET, CNY("5"), CNY("0"), CNY("5")).balance
    Money('5.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    account: str
    kind: AccountKind
    debits: Money
    credits: Money
    balance: Money


@attrs.frozen
class TrialBalance:
    """Debit and credit totals of every account, and whether they agree per currency.

    >>> from antfin.ledger import Ledger
    >>> Ledger().trial_balance().is_balanced
    True

    .. versionadded:: 0.1.0
    """

    rows: tuple[TrialBalanceRow, ...]

    @property
    def totals(self) -> dict[str, tuple[Money, Money]]:
        """Total debits and credits per currency code.

        >>> row = TrialBalanceRow("asset:bank", AccountKind.ASSET, CNY("5"), CNY("1"), CNY("4"))
        >>> TrialBalance((row,)).totals["CNY"]
        (Money('5.00', 'CNY'), Money('1.00', 'CNY'))

        .. versionadded:: 0.1.0
        """
        sums: dict[str, tuple[Money, Money]] = {}
        for row in self.rows:
            code = row.debits.currency.code
            debits, credits = sums.get(code, (row.debits.currency.zero(), row.debits.currency.zero()))
            sums[code] = (debits + row.debits, credits + row.credits)
        return sums

    @property
    def is_balanced(self) -> bool:
        """``True`` when debits equal credits in every currency.

        >>> row = TrialBalanceRow("asset:bank", AccountKind.ASSET, CNY("5"), CNY("1"), CNY("4"))
        >>> TrialBalance((row,)).is_balanced
        False

        .. versionadded:: 0.1.0
        """
        return all(debits == credits for debits, credits in self.totals.values())


class Ledger(_LedgerHolds):
    """A double-entry ledger with two-phase holds, idempotent keys and atomic batches.

    >>> from antfin.ledger import Ledger, SQLiteStore
    >>> Ledger().entries()
    ()

    Args:
        store: where committed changes go; an in-memory :class:`~antfin.ledger.memory.MemoryStore`
            by default, or a :class:`~antfin.ledger.sqlite.SQLiteStore` for durability. A store that
            already holds data is loaded, so reopening gives back the same ledger.

    Sharing: a ``Ledger`` may be used from several threads; every operation and
    query holds the ledger's re-entrant lock, and an :meth:`atomic` block holds
    it until the block ends, so other threads never see half a batch. Several
    ledgers (threads or processes) may also open the same SQLite file, each with
    its own :class:`~antfin.ledger.sqlite.SQLiteStore`: every write first takes the
    database's write lock and, if others committed since, drops its cached
    accounts, so nothing is lost and no key is applied twice (on PostgreSQL a
    write locks only the account rows it uses, read fresh in every
    transaction). A :class:`~antfin.ledger.memory.MemoryStore`
    belongs to one ledger. The ledger is a cache over its store: opening it
    reads nothing per entry or key; an account (with its running totals) is
    read when first used, entries, keys and holds when asked for. Balances
    answer from the cached totals: call :meth:`refresh` to see what other
    ledgers committed since this one's last write.

    .. versionadded:: 0.1.0
    """

    #: Entities keep a reference to their ledger: :mod:`antfin.serialization` does not write
    #: fields of this type and attaches the ledger it is given to them on loading.
    __antfin_load_context__: ClassVar[bool] = True

    def __init__(self, store: LedgerStore | None = None) -> None:
        super().__init__(store)
        # Opening reads no entry, key or hold: accounts are read (and checked) when first used,
        # and a shared store is synced at the start of the first transaction.
        if not self._shared:
            self._entry_base = self._store.entry_count()

    def refresh(self) -> None:
        """Drop cached balances if other ledgers committed to a shared store since (a no-op otherwise).

        Writes do this on their own; call it before balance queries that must
        see other processes' latest commits (entries, history and holds are
        always read from the store).

        >>> Ledger().refresh()

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if self._shared and self._tx is None:
                self._abort(self._begin())

    # -- atomic blocks and batches ---------------------------------------------------

    @contextmanager
    def atomic(self) -> Iterator[Ledger]:
        """Group operations so they all commit or none do (nestable, like savepoints).

        The block holds the ledger's lock (and, on a shared store, the
        database's write lock) until it ends: keep it short.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> try:
        ...     with ledger.atomic():
        ...         _ = ledger.transfer("t1", debit="asset:bank", credit="wallet:a",
        ...                             amount=CNY("5.00"), at=shanghai(2024, 1, 1))
        ...         _ = ledger.transfer("t2", debit="wallet:a", credit="asset:bank",
        ...                             amount=CNY("9.00"), at=shanghai(2024, 1, 1))
        ... except Exception as error:
        ...     print(type(error).__name__)
        InsufficientFundsError
        >>> ledger.balance("wallet:a"), ledger.entries()
        (Money('0.00', 'CNY'), ())

        Yields:
            this ledger.

        .. versionadded:: 0.1.0
        """
        with self._lock:
            tx = self._tx
            if tx is None:
                tx = self._begin()
                try:
                    yield self
                except BaseException:
                    self._abort(tx)
                    raise
                self._finish(tx)
                return
            mark = (len(tx.undo), len(tx.entries), len(tx.keys), len(tx.holds), len(tx.accounts), len(tx.documents))
            try:
                yield self
            except BaseException:
                self._rollback(tx, mark[0])
                del tx.entries[mark[1] :]
                del tx.keys[mark[2] :]
                del tx.holds[mark[3] :]
                del tx.accounts[mark[4] :]
                del tx.documents[mark[5] :]
                raise

    def apply_batch(self, operations: Iterable[LedgerOperation]) -> tuple[JournalEntry | Hold | LedgerAccount, ...]:
        """Apply operations in order, all or none; the error names the first that failed.

        >>> from antfin.ledger import AccountKind, TransferOp
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> at = shanghai(2024, 1, 1)
        >>> ledger.apply_batch([
        ...     TransferOp("b:1", debit="asset:bank", credit="wallet:a", amount=CNY("5.00"), at=at),
        ...     TransferOp("b:2", debit="wallet:a", credit="asset:bank", amount=CNY("9.00"), at=at),
        ... ])
        Traceback (most recent call last):
        ...
        antfin.errors.BatchError: batch operation 1 (TransferOp 'b:2') failed with InsufficientFundsError: ...
        >>> ledger.balance("wallet:a"), ledger.entries()
        (Money('0.00', 'CNY'), ())

        Args:
            operations: :class:`~antfin.ledger.batch.LedgerOperation` values such as
                :class:`~antfin.ledger.batch.TransferOp`, :class:`~antfin.ledger.batch.EntryOp`,
                :class:`~antfin.ledger.batch.HoldOp`, :class:`~antfin.ledger.batch.PostHoldOp`,
                :class:`~antfin.ledger.batch.VoidHoldOp`, :class:`~antfin.ledger.batch.ReverseOp`,
                :class:`~antfin.ledger.batch.OpenAccountOp`.

        Returns:
            each operation's result, in order (replayed keys give their first result).

        Raises:
            antfin.errors.BatchError: an operation failed; ``index`` and ``operation``
                name it and the original error is its ``__cause__``. Nothing was applied.

        .. versionadded:: 0.1.0
        """
        ops = tuple(operations)
        results: list[JournalEntry | Hold | LedgerAccount] = []
        with self.atomic():
            for index, op in enumerate(ops):
                try:
                    if not isinstance(op, LedgerOperation):
                        raise TypeError(f"batch operations must be LedgerOperation values, not {type(op).__name__}")
                    results.append(op.apply(self))
                except Exception as error:
                    raise BatchError(
                        f"batch operation {index} ({op.describe() if isinstance(op, LedgerOperation) else repr(op)}) "
                        f"failed with {type(error).__name__}: {error}",
                        index=index,
                        operation=op,
                    ) from error
        return tuple(results)

    def write_documents(self, documents: Iterable[Document]) -> None:
        """Write ``documents`` with the current atomic block's commit (all or none with its entries).

        The books (:mod:`antfin.books`) store every product's state this way, so
        that a trade's new status and the money it moved commit together. The
        ledger does not read the documents; a lost race on a document's
        version fails the whole commit.

        >>> from antfin.ledger.memory import MemoryStore
        >>> from antfin.ledger.store import Document
        >>> store = MemoryStore()
        >>> ledger = Ledger(store)
        >>> with ledger.atomic():
        ...     ledger.write_documents([Document("note", "n1", 1, "OPEN", None, "{}")])
        >>> store.document("note", "n1").status
        'OPEN'

        Raises:
            antfin.errors.InvariantViolationError: outside an :meth:`atomic` block, or on a
                store that keeps no documents.

        .. versionadded:: 0.2.0
        """
        with self._lock:
            tx = self._tx
            if tx is None:
                raise InvariantViolationError("write_documents needs an atomic block: documents commit with entries")
            if not isinstance(self._store, DocumentStore):
                raise InvariantViolationError(f"{type(self._store).__name__} keeps no documents")
            tx.documents.extend(documents)

    # -- accounts -----------------------------------------------------------------

    def open_account(
        self,
        account_id: str,
        kind: AccountKind | str,
        *,
        currency: Currency | str = CNY,
        non_negative: bool = False,
        owner: str | None = None,
        purpose: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> LedgerAccount:
        """Open an account; opening it again with the same terms returns it.

        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True).id
        'wallet:alice'
        >>> ledger.open_account("wallet:alice", AccountKind.ASSET)
        Traceback (most recent call last):
        ...
        antfin.errors.IdempotencyConflictError: account 'wallet:alice' is already open with other terms

        Raises:
            antfin.errors.IdempotencyConflictError: the id exists with other terms.
            antfin.errors.InvalidAmountError: an empty id or unknown kind.

        .. versionadded:: 0.1.0
        """
        if not isinstance(non_negative, bool):
            raise TypeError(f"non_negative must be a bool, not {type(non_negative).__name__}")
        if (
            kind.__class__ is AccountKind
            and currency.__class__ is Currency
            and (metadata is None or isinstance(metadata, Mapping))
        ):
            # Opening again what is open (products do it each time they are loaded, revenue accounts on every
            # fee): no new account to build. Equal terms include equal metadata, which the cached account has
            # already passed the checks below with.
            with self._lock:
                existing = self._accounts.get(account_id) if account_id.__class__ is str else None  # cached only
            if existing is not None and existing.has_terms(
                kind, currency, non_negative=non_negative, owner=owner, purpose=purpose, metadata=metadata or {}
            ):
                return existing
        account = LedgerAccount(
            account_id,
            kind,
            currency,
            non_negative=non_negative,
            owner=owner,
            purpose=purpose,
            metadata=metadata,
        )
        check_text(account.id, "account_id")
        check_text(account.purpose, "purpose")
        if account.owner is not None:
            check_text(account.owner, "owner")
        _check_metadata(account.metadata)
        return self._run(self._open_account, account)

    def _open_account(self, tx: _Transaction, account: LedgerAccount) -> LedgerAccount:
        existing = self._account_or_none(account.id)
        if existing is not None:
            if existing.same_terms(account):
                return existing
            raise IdempotencyConflictError(f"account {account.id!r} is already open with other terms")
        self._add_account(account, [0, 0, 0, 0])
        tx.new_accounts.append(account.id)
        tx.undo.append((_undo_new_account, account.id))
        tx.accounts.append(account)
        return account

    def close_account(self, account_id: str) -> LedgerAccount:
        """Close an account with a zero balance and nothing pending; it takes no new postings.

        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:old", AccountKind.LIABILITY)
        >>> ledger.close_account("wallet:old").closed
        True

        Raises:
            antfin.errors.InvalidTransitionError: a non-zero balance or pending holds.

        .. versionadded:: 0.1.0
        """
        return self._run(self._close_account, account_id)

    def _close_account(self, tx: _Transaction, account_id: str) -> LedgerAccount:
        account = self.account(account_id)
        if account.closed:
            return account
        totals = self._totals[account_id]
        if totals[_DR] != totals[_CR] or totals[_DR_PENDING] or totals[_CR_PENDING]:
            raise InvalidTransitionError(
                f"cannot close {account_id!r}: balance {self.balance(account_id)} and "
                f"pending {self.pending(account_id)} must both be zero"
            )
        closed = attrs.evolve(account, closed=True)
        self._accounts[account_id] = closed
        tx.undo.append((_undo_account_change, account))
        tx.accounts.append(closed)
        return closed

    # -- lifecycle ------------------------------------------------------------------

    @property
    def store(self) -> LedgerStore:
        """The store this ledger commits to.

        >>> type(Ledger().store).__name__
        'MemoryStore'

        .. versionadded:: 0.1.0
        """
        return self._store

    def close(self) -> None:
        """Close the store (an SQLite file, say); the ledger may not be used afterwards.

        >>> Ledger().close()

        .. versionadded:: 0.1.0
        """
        self._store.close()

    # -- trial balance ---------------------------------------------------------------

    @_locked
    def trial_balance(self) -> TrialBalance:
        """Debits, credits and balance of every account.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("equity:capital", AccountKind.EQUITY)
        >>> _ = ledger.transfer("c", debit="asset:bank", credit="equity:capital", amount=CNY("1000.00"),
        ...                     at=shanghai(2024, 1, 1))
        >>> tb = ledger.trial_balance()
        >>> tb.is_balanced, tb.totals["CNY"]
        (True, (Money('1000.00', 'CNY'), Money('1000.00', 'CNY')))

        .. versionadded:: 0.1.0
        """
        rows = []
        for account, totals in self._account_rows():
            cur = account.currency
            rows.append(
                TrialBalanceRow(
                    account.id,
                    account.kind,
                    Money._from_minor(totals[_DR], cur),
                    Money._from_minor(totals[_CR], cur),
                    Money._from_minor((totals[_DR] - totals[_CR]) * account.kind.sign, cur),
                )
            )
        return TrialBalance(tuple(rows))

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

import functools
import heapq
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Concatenate, Final, NoReturn, ParamSpec, TypeVar, cast

import attrs

from antfin.calendar import EARLIEST_DATE, LATEST_DATE, ensure_aware
from antfin.errors import (
    BatchError,
    CurrencyMismatchError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
    UnbalancedEntryError,
)
from antfin.idempotency import fingerprint as _fingerprint
from antfin.idempotency import same_request
from antfin.ledger.batch import LedgerOperation
from antfin.ledger.model import (
    _EMPTY_METADATA,
    AccountKind,
    Hold,
    HoldStatus,
    JournalEntry,
    LedgerAccount,
    Posting,
    _check_positive,
    _make_entry,
    _make_posting,
    frozen_metadata,
)
from antfin.ledger.store import (
    KeyRecord,
    LedgerStore,
    MemoryStore,
    SharedLedgerStore,
    StoreState,
    _make_change_set,
    _make_key_record,
)
from antfin.money import CNY, Currency, Money

__all__ = ["Ledger", "TrialBalance", "TrialBalanceRow"]

# Indexes into an account's running totals.
_DR: Final = 0  # debits posted
_CR: Final = 1  # credits posted
_DR_PENDING: Final = 2  # debits reserved by pending holds
_CR_PENDING: Final = 3  # credits reserved by pending holds


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


_Undo = tuple[Callable[["Ledger", Any], None], Any]


class _Transaction:
    """Undo log and pending writes of one outermost atomic block."""

    __slots__ = ("accounts", "entries", "holds", "keys", "undo")

    def __init__(self) -> None:
        self.undo: list[_Undo] = []
        # Accounts and holds are logged in change order (an id may appear more than once; the
        # last state wins on commit), so a nested block rolls back by truncating, not by copying.
        self.accounts: list[LedgerAccount] = []
        self.entries: list[JournalEntry] = []
        self.holds: list[Hold] = []
        self.keys: list[KeyRecord] = []


# Undo actions: plain functions of (ledger, argument), logged as cheap tuples.


_new = object.__new__
_set = object.__setattr__


def _undo_entry(ledger: Ledger, _: object) -> None:
    entry = ledger._entries.pop()
    del ledger._entry_index[entry.id]
    for posting in entry.postings:
        ledger._lines[posting.account].pop()
        minor = posting.amount.minor_units
        totals = ledger._totals[posting.account]
        if minor > 0:
            totals[_DR] -= minor
        else:
            totals[_CR] += minor
    if entry.reverses is not None:
        ledger._reversed.pop(entry.reverses, None)


def _undo_entry_and_key(ledger: Ledger, key: str) -> None:
    _undo_entry(ledger, None)
    _undo_key(ledger, key)


def _undo_key(ledger: Ledger, key: str) -> None:
    del ledger._keys[key]
    del ledger._key_refs[key]
    ledger._key_holds.pop(key, None)


def _undo_new_hold(ledger: Ledger, hold_id: str) -> None:
    del ledger._holds[hold_id]
    ledger._hold_seq -= 1


def _undo_hold_change(ledger: Ledger, previous: Hold) -> None:
    ledger._holds[previous.id] = previous


def _undo_new_account(ledger: Ledger, account_id: str) -> None:
    del ledger._accounts[account_id]
    del ledger._totals[account_id]
    del ledger._lines[account_id]
    del ledger._signs[account_id]


def _undo_account_change(ledger: Ledger, previous: LedgerAccount) -> None:
    ledger._accounts[previous.id] = previous


def _undo_reserve(ledger: Ledger, change: tuple[Hold, int]) -> None:
    hold, minor = change
    ledger._totals[hold.debit][_DR_PENDING] -= minor
    ledger._totals[hold.credit][_CR_PENDING] -= minor


def _undo_expiry_pops(ledger: Ledger, popped: list[tuple[datetime, int, str]]) -> None:
    for item in popped:
        heapq.heappush(ledger._expiries, item)


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _locked(method: Callable[Concatenate[Ledger, _P], _R]) -> Callable[Concatenate[Ledger, _P], _R]:
    """Run a query under the ledger's lock, so it never sees half an atomic block."""

    @functools.wraps(method)
    def locked(self: Ledger, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked


#: The largest amount (in minor units) one posting or hold may carry: every store keeps
#: amounts as 64-bit integers (SQLite's INTEGER), so the ledger refuses more for all of them.
_MAX_MINOR: Final = 2**63 - 1
_FIRST_YEAR: Final = EARLIEST_DATE.year
_LAST_YEAR: Final = LATEST_DATE.year


def _check_text(value: str, field: str) -> str:
    """Refuse text no store can encode (lone surrogates), the same way for every store."""
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise InvalidAmountError(
                f"{field} must be valid Unicode text (no lone surrogates), got {value!r}"
            ) from None
    return value


def _check_key(key: object) -> str:
    if not isinstance(key, str) or not key.strip():
        raise InvalidAmountError(f"key must be a non-empty string, got {key!r}")
    return _check_text(key, "key")


def _check_memo(memo: object) -> str:
    if not isinstance(memo, str):
        raise TypeError(f"memo must be a str, not {type(memo).__name__}")
    return _check_text(memo, "memo")


def _check_metadata(metadata: Mapping[str, str] | None) -> Mapping[str, str]:
    meta = frozen_metadata(metadata)
    for name, value in meta.items():
        _check_text(name, "metadata key")
        _check_text(value, f"metadata[{name!r}]")
    return meta


def _check_extras(
    at: datetime, memo: str, metadata: Mapping[str, str] | None
) -> tuple[datetime, str, Mapping[str, str]]:
    """An entry's instant, memo and metadata, checked (quickly for the common well-formed case)."""
    if at.__class__ is not datetime or at.utcoffset() is None or not _FIRST_YEAR <= at.year <= _LAST_YEAR:
        at = ensure_aware(at)
    if memo.__class__ is not str or not memo.isascii():
        memo = _check_memo(memo)
    return at, memo, (_EMPTY_METADATA if metadata is None else _check_metadata(metadata))


def _check_ref(value: object, what: str) -> str:
    """An entry or hold id given to look one up: anything but a string names nothing."""
    if not isinstance(value, str):
        raise NotFoundError(f"no {what} {value!r} in the ledger")
    return value


def _check_bound(money: Money, field: str = "amount") -> Money:
    if abs(money._minor) > _MAX_MINOR:
        raise InvalidAmountError(f"{field} must be below 2**63 minor units (what a store can keep), got {money}")
    return money


_T = TypeVar("_T")


class Ledger:
    """A double-entry ledger with two-phase holds, idempotent keys and atomic batches.

    >>> from antfin.ledger import Ledger, SQLiteStore
    >>> Ledger().entries()
    ()

    Args:
        store: where committed changes go; an in-memory :class:`~antfin.ledger.store.MemoryStore`
            by default, or a :class:`~antfin.ledger.sqlite.SQLiteStore` for durability. A store that
            already holds data is loaded, so reopening gives back the same ledger.

    Sharing: a ``Ledger`` may be used from several threads; every operation and
    query holds the ledger's re-entrant lock, and an :meth:`atomic` block holds
    it until the block ends, so other threads never see half a batch. Several
    ledgers (threads or processes) may also open the same SQLite file, each with
    its own :class:`~antfin.ledger.sqlite.SQLiteStore`: every write first takes the
    database's write lock and catches up with what the others committed, so
    nothing is lost and no key is applied twice. A :class:`~antfin.ledger.store.MemoryStore`
    belongs to one ledger. Queries answer from this ledger's memory: call
    :meth:`refresh` to see what other ledgers committed since its last write.

    .. versionadded:: 0.1.0
    """

    def __init__(self, store: LedgerStore | None = None) -> None:
        self._store: LedgerStore = MemoryStore() if store is None else store
        self._shared = isinstance(self._store, SharedLedgerStore)
        self._lock = threading.RLock()
        self._accounts: dict[str, LedgerAccount] = {}
        self._signs: dict[str, int] = {}
        self._totals: dict[str, list[int]] = {}
        self._entries: list[JournalEntry] = []
        self._entry_index: dict[str, int] = {}
        # Per account, the index of every entry posting to it (once per posting), in order.
        # (Arrays, not lists: they hold no Python objects, so the garbage collector skips them.)
        self._lines: dict[str, array[int]] = {}
        self._holds: dict[str, Hold] = {}
        self._expiries: list[tuple[datetime, int, str]] = []
        # Idempotency keys, kept as plain strings (the garbage collector skips such dicts):
        # key -> fingerprint, key -> entry or hold id, and key -> hold for keys whose result is a hold.
        self._keys: dict[str, str] = {}
        self._key_refs: dict[str, str] = {}
        self._key_holds: dict[str, Hold | None] = {}
        self._reversed: dict[str, str] = {}
        self._hold_seq = 0
        self._version = 0
        self._tx: _Transaction | None = None
        self._load()

    # -- loading ------------------------------------------------------------------

    def _load(self) -> None:
        state = self._store.load()
        self._catch_up(state)
        self._version = state.version
        self._tx = None
        self.check_invariants()

    def _add_account(self, account: LedgerAccount) -> None:
        self._accounts[account.id] = account
        self._signs[account.id] = account.kind.sign
        self._totals[account.id] = [0, 0, 0, 0]
        self._lines[account.id] = array("q")

    def _catch_up(self, state: StoreState) -> None:
        """Apply what the store committed (at load, or by another ledger since our last sync)."""
        for account in state.accounts:
            if account.id in self._accounts:
                self._accounts[account.id] = account
            else:
                self._add_account(account)
        for entry in state.entries:
            if entry.id not in self._entry_index:
                self._apply_entry(entry)
        for hold in state.holds:
            previous = self._holds.get(hold.id)
            if previous is None:
                self._hold_seq += 1
            elif previous.status is HoldStatus.PENDING:
                self._totals[previous.debit][_DR_PENDING] -= previous.amount.minor_units
                self._totals[previous.credit][_CR_PENDING] -= previous.amount.minor_units
            self._holds[hold.id] = hold
            if hold.status is HoldStatus.PENDING:
                self._totals[hold.debit][_DR_PENDING] += hold.amount.minor_units
                self._totals[hold.credit][_CR_PENDING] += hold.amount.minor_units
                if hold.expires_at is not None:
                    heapq.heappush(self._expiries, (hold.expires_at, self._hold_seq, hold.id))
        for record in state.keys:
            self._store_key(record)

    def refresh(self) -> None:
        """Catch up with what other ledgers committed to a shared store (a no-op otherwise).

        Writes catch up on their own; call this before queries that must see
        other processes' latest commits.

        >>> Ledger().refresh()

        .. versionadded:: 0.1.0
        """
        with self._lock:
            if self._shared and self._tx is None:
                self._abort(self._begin())

    # -- transactions -------------------------------------------------------------

    def _begin(self) -> _Transaction:
        """Open the outermost transaction; on a shared store, lock it and catch up first."""
        tx = _Transaction()
        if self._shared:
            store = cast(SharedLedgerStore, self._store)
            version = store.begin()
            if version != self._version:
                try:
                    self._catch_up(store.load_since(self._version))
                except BaseException:
                    store.rollback()
                    raise
                self._version = version
        self._tx = tx
        return tx

    def _finish(self, tx: _Transaction) -> None:
        """Commit the outermost transaction to the store, or undo it if the store refuses."""
        self._tx = None
        if tx.entries or tx.keys or tx.holds or tx.accounts:
            changes = _make_change_set(
                tuple({account.id: account for account in tx.accounts}.values()),
                tuple(tx.entries),
                tuple({hold.id: hold for hold in tx.holds}.values()),
                tuple(tx.keys),
            )
            try:
                self._store.commit(changes)
            except BaseException:
                self._rollback(tx, 0)
                raise
            self._version += 1
        elif self._shared:
            cast(SharedLedgerStore, self._store).rollback()

    def _abort(self, tx: _Transaction) -> None:
        self._tx = None
        self._rollback(tx, 0)
        if self._shared:
            cast(SharedLedgerStore, self._store).rollback()

    def _run(self, body: Callable[..., _T], *args: Any) -> _T:
        """Run one operation: inside the current atomic block, or as its own transaction.

        Every operation validates everything before it changes anything, so a
        refused operation needs no undo even inside a block.
        """
        with self._lock:
            tx = self._tx
            if tx is not None:
                return body(tx, *args)
            tx = self._begin()
            try:
                result = body(tx, *args)
            except BaseException:
                self._abort(tx)
                raise
            self._finish(tx)
            return result

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
            mark = (len(tx.undo), len(tx.entries), len(tx.keys), len(tx.holds), len(tx.accounts))
            try:
                yield self
            except BaseException:
                self._rollback(tx, mark[0])
                del tx.entries[mark[1] :]
                del tx.keys[mark[2] :]
                del tx.holds[mark[3] :]
                del tx.accounts[mark[4] :]
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

    def _rollback(self, tx: _Transaction, mark: int) -> None:
        undo = tx.undo
        while len(undo) > mark:
            action, argument = undo.pop()
            action(self, argument)

    def _write(self) -> _Transaction:
        if self._tx is None:
            raise InvariantViolationError("ledger mutation outside a transaction")  # pragma: no cover
        return self._tx

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
        account = LedgerAccount(
            account_id,
            kind,
            currency,
            non_negative=non_negative,
            owner=owner,
            purpose=purpose,
            metadata=metadata,
        )
        _check_text(account.id, "account_id")
        _check_text(account.purpose, "purpose")
        if account.owner is not None:
            _check_text(account.owner, "owner")
        _check_metadata(account.metadata)
        return self._run(self._open_account, account)

    def _open_account(self, tx: _Transaction, account: LedgerAccount) -> LedgerAccount:
        existing = self._accounts.get(account.id)
        if existing is not None:
            if existing.same_terms(account):
                return existing
            raise IdempotencyConflictError(f"account {account.id!r} is already open with other terms")
        self._add_account(account)
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

    @_locked
    def account(self, account_id: str) -> LedgerAccount:
        """The account with this id.

        >>> Ledger().account("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no account 'nope' in the ledger

        Raises:
            antfin.errors.NotFoundError: for an unknown id.

        .. versionadded:: 0.1.0
        """
        try:
            return self._accounts[account_id]
        except (KeyError, TypeError):
            raise NotFoundError(f"no account {account_id!r} in the ledger") from None

    @_locked
    def has_account(self, account_id: str) -> bool:
        """Whether an account with this id exists.

        >>> Ledger().has_account("wallet:alice")
        False

        .. versionadded:: 0.1.0
        """
        return account_id in self._accounts

    @_locked
    def accounts(self) -> tuple[LedgerAccount, ...]:
        """Every account, in opening order.

        >>> Ledger().accounts()
        ()

        .. versionadded:: 0.1.0
        """
        return tuple(self._accounts.values())

    # -- idempotency ----------------------------------------------------------------

    def _replay(self, key: str, fingerprint: str) -> KeyRecord | None:
        used = self._keys.get(key)
        if used is None:
            return None
        same_request(key, used, fingerprint)
        hold = self._key_holds.get(key)
        kind = "entry" if key not in self._key_holds else "hold"
        return KeyRecord(key, used, kind, self._key_refs[key], hold)

    def _store_key(self, record: KeyRecord) -> None:
        self._keys[record.key] = record.fingerprint
        self._key_refs[record.key] = record.ref
        if record.kind != "entry":
            self._key_holds[record.key] = record.hold

    def _remember(self, tx: _Transaction, record: KeyRecord) -> None:
        self._store_key(record)
        tx.keys.append(record)
        tx.undo.append((_undo_key, record.key))

    def _entry_result(self, record: KeyRecord) -> JournalEntry:
        return self._entries[self._entry_index[record.ref]]

    def _hold_result(self, record: KeyRecord) -> Hold:
        if record.hold is None:
            raise InvariantViolationError(f"key {record.key!r} recorded a hold result without the hold")
        return record.hold

    # -- entries ------------------------------------------------------------------

    def transfer(
        self,
        key: str,
        *,
        debit: str,
        credit: str,
        amount: Money,
        at: datetime,
        memo: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> JournalEntry:
        """Move ``amount`` from ``debit`` to ``credit`` in one two-posting entry.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> first = ledger.transfer("k", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"),
        ...                         at=shanghai(2024, 1, 1))
        >>> again = ledger.transfer("k", debit="asset:bank", credit="wallet:a", amount=CNY("1.00"),
        ...                         at=shanghai(2024, 1, 2))
        >>> again is first, ledger.balance("wallet:a")
        (True, Money('1.00', 'CNY'))

        The fingerprint compared on a repeated key is the operation, its
        accounts and its amount; the instant, memo and metadata are not, so a
        retry made later is recognised as the same request.

        Raises:
            antfin.errors.InsufficientFundsError: a non-negative account would go below zero.
            antfin.errors.NotFoundError: an unknown account.
            antfin.errors.CurrencyMismatchError: an account in another currency.
            antfin.errors.IdempotencyConflictError: the key was used with other parameters.
            antfin.errors.InvalidAmountError: a non-positive amount or an empty key.

        .. versionadded:: 0.1.0
        """
        with self._lock:
            tx = self._tx
            if tx is not None:  # inside an atomic block (which holds the lock)
                return self._transfer(tx, key, debit, credit, amount, at, memo, metadata)
            if self._shared:
                return self._run(self._transfer, key, debit, credit, amount, at, memo, metadata)
            # Fast path for the commonest call: one transfer, not in a block, private store.
            entry, fingerprint = self._prepare_transfer(key, debit, credit, amount, at, memo, metadata)
            if fingerprint is None:
                return entry
            key = entry.key
            self._apply_transfer(entry)
            self._keys[key] = fingerprint
            self._key_refs[key] = entry.id
            store = self._store
            try:
                if store.__class__ is MemoryStore:
                    store._append(entry, fingerprint)
                else:
                    record = _make_key_record(key, fingerprint, "entry", entry.id, None)
                    store.commit(_make_change_set((), (entry,), (), (record,)))
            except BaseException:
                _undo_entry(self, None)
                _undo_key(self, key)
                raise
            self._version += 1
            return entry

    def _transfer(
        self,
        tx: _Transaction,
        key: str,
        debit: str,
        credit: str,
        amount: Money,
        at: datetime,
        memo: str,
        metadata: Mapping[str, str] | None,
    ) -> JournalEntry:
        entry, fingerprint = self._prepare_transfer(key, debit, credit, amount, at, memo, metadata)
        if fingerprint is None:
            return entry
        self._apply_transfer(entry)
        key = entry.key
        self._keys[key] = fingerprint
        self._key_refs[key] = entry.id
        tx.entries.append(entry)
        tx.keys.append(_make_key_record(key, fingerprint, "entry", entry.id, None))
        tx.undo.append((_undo_entry_and_key, key))
        return entry

    def _prepare_transfer(
        self,
        key: str,
        debit: str,
        credit: str,
        amount: Money,
        at: datetime,
        memo: str,
        metadata: Mapping[str, str] | None,
    ) -> tuple[JournalEntry, str | None]:
        """Validate a transfer; return its entry and key fingerprint (no fingerprint: a replay of ``key``)."""
        # The hot path of the library: the same checks as _validate, specialised
        # to two postings, and values built without re-running their converters.
        if key.__class__ is not str or not key or key[0].isspace() or key[-1].isspace() or not key.isascii():
            key = _check_key(key)
        money = amount if amount.__class__ is Money and 0 < amount._minor <= _MAX_MINOR else _check_positive(amount)
        _check_bound(money)
        minor = money._minor
        currency = money._currency
        if not (isinstance(debit, str) and isinstance(credit, str)):
            raise NotFoundError(f"no account {debit if not isinstance(debit, str) else credit!r} in the ledger")
        at, memo, meta = _check_extras(at, memo, metadata)  # every argument, even for a replay
        fingerprint = _fingerprint("transfer", debit, credit, money)
        used = self._keys.get(key)
        if used is not None:
            if used != fingerprint:
                self._replay(key, fingerprint)
            return self._entries[self._entry_index[self._key_refs[key]]], None
        accounts = self._accounts
        source = accounts.get(debit) if isinstance(debit, str) else None
        if source is None or source.currency is not currency or source.closed:
            self._check_side(debit, source, money)
        target = accounts.get(credit) if isinstance(credit, str) else None
        if target is None or target.currency is not currency or target.closed:
            self._check_side(credit, target, -money)
        if debit == credit:
            raise InvalidAmountError(f"transfer {key!r} must move money between two different accounts, got {debit!r}")
        if source.non_negative and self._signs[debit] < 0:  # type: ignore[union-attr]
            totals = self._totals[debit]
            available = totals[_CR] - totals[_DR] - totals[_DR_PENDING]
            if available < minor:
                self._refuse(debit, available, minor, key)
        if target.non_negative and self._signs[credit] > 0:  # type: ignore[union-attr]
            totals = self._totals[credit]
            available = totals[_DR] - totals[_CR] - totals[_CR_PENDING]
            if available < minor:
                self._refuse(credit, available, minor, key)
        entry_id = f"E{len(self._entries) + 1}"
        first = _new(Posting)
        _set(first, "account", debit)
        _set(first, "amount", money)
        second = _new(Posting)
        _set(second, "account", credit)
        _set(second, "amount", Money._from_minor(-minor, currency))
        entry = _new(JournalEntry)
        _set(entry, "id", entry_id)
        _set(entry, "key", key)
        _set(entry, "at", at)
        _set(entry, "postings", (first, second))
        _set(entry, "memo", memo)
        _set(entry, "metadata", meta)
        _set(entry, "reverses", None)
        _set(entry, "hold_id", None)
        return entry, fingerprint

    def _check_side(self, account_id: str, account: LedgerAccount | None, posting: Money) -> None:
        """Raise for an unknown, closed or other-currency account (the slow path of a transfer)."""
        if account is None:
            raise NotFoundError(f"no account {account_id!r} in the ledger")
        currency = posting.currency
        if account.currency != currency:
            raise CurrencyMismatchError(
                f"account {account.id!r} holds {account.currency.code}, not {currency.code} ({posting})"
            )
        if account.closed:
            raise InvalidTransitionError(f"account {account.id!r} is closed and takes no postings")

    def _apply_transfer(self, entry: JournalEntry) -> None:
        """:meth:`_apply_entry` for a two-posting transfer entry."""
        index = len(self._entries)
        self._entries.append(entry)
        self._entry_index[entry.id] = index
        first, second = entry.postings
        minor = first.amount._minor
        self._totals[first.account][_DR] += minor
        self._totals[second.account][_CR] += minor
        self._lines[first.account].append(index)
        self._lines[second.account].append(index)

    def _refuse(self, account_id: str, available: int, needed: int, key: str) -> NoReturn:
        currency = self._accounts[account_id].currency
        raise InsufficientFundsError(
            f"{account_id!r} may not go negative: available {Money._from_minor(available, currency)}, "
            f"needs {Money._from_minor(needed, currency)} (entry {key!r})"
        )

    def post_entry(
        self,
        key: str,
        postings: Sequence[Posting],
        *,
        at: datetime,
        memo: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> JournalEntry:
        """Post a balanced entry of two or more postings.

        >>> from antfin.ledger import AccountKind, Posting
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> for name in ("asset:bank", "wallet:m"):
        ...     _ = ledger.open_account(name, AccountKind.ASSET if name.startswith("asset") else AccountKind.LIABILITY)
        >>> _ = ledger.open_account("revenue:fee", AccountKind.REVENUE)
        >>> entry = ledger.post_entry("sale-1", [
        ...     Posting.debit("asset:bank", CNY("100.00")),
        ...     Posting.credit("wallet:m", CNY("99.40")),
        ...     Posting.credit("revenue:fee", CNY("0.60")),
        ... ], at=shanghai(2024, 1, 1))
        >>> ledger.balance("revenue:fee")
        Money('0.60', 'CNY')
        >>> ledger.post_entry("bad", [Posting.debit("asset:bank", CNY("1.00")),
        ...                           Posting.credit("wallet:m", CNY("0.99"))], at=shanghai(2024, 1, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.UnbalancedEntryError: entry 'bad' does not balance: debits - credits = 0.01 CNY

        Raises:
            antfin.errors.UnbalancedEntryError: debits and credits differ in a currency.
            antfin.errors.InvalidAmountError: fewer than two postings or a zero posting.

        .. versionadded:: 0.1.0
        """
        return self._run(self._post_entry, key, postings, at, memo, metadata)

    def _post_entry(
        self,
        tx: _Transaction,
        key: str,
        postings: Sequence[Posting],
        at: datetime,
        memo: str,
        metadata: Mapping[str, str] | None,
    ) -> JournalEntry:
        key = _check_key(key)
        if isinstance(postings, (str, bytes)) or not isinstance(postings, Iterable):
            raise TypeError(f"postings must be a sequence of Posting values, not {type(postings).__name__}")
        lines = tuple(postings)
        for posting in lines:
            if not isinstance(posting, Posting):
                raise TypeError(f"postings must be Posting values, not {type(posting).__name__}")
        fingerprint = _fingerprint("entry", [(posting.account, posting.amount) for posting in lines])
        record = self._replay(key, fingerprint)
        if record is not None:
            return self._entry_result(record)
        if len(lines) < 2:
            raise InvalidAmountError(f"entry {key!r} needs at least two postings, got {len(lines)}")
        return self._post(tx, key, fingerprint, lines, ensure_aware(at), _check_memo(memo), _check_metadata(metadata))

    def _post(
        self,
        tx: _Transaction,
        key: str,
        fingerprint: str,
        postings: tuple[Posting, ...],
        at: datetime,
        memo: str,
        metadata: Mapping[str, str],
        *,
        reverses: str | None = None,
        hold: Hold | None = None,
    ) -> JournalEntry:
        self._validate(key, postings, hold)
        entry = _make_entry(
            f"E{len(self._entries) + 1}",
            key,
            at,
            postings,
            memo,
            metadata,
            reverses,
            None if hold is None else hold.id,
        )
        resolved = None
        if hold is not None:
            resolved = attrs.evolve(
                hold,
                status=HoldStatus.POSTED,
                posted_amount=postings[0].amount,
                resolved_at=at,
                entry_id=entry.id,
            )
        self._apply_entry(entry)
        tx.entries.append(entry)
        tx.undo.append((_undo_entry, None))
        if hold is not None and resolved is not None:
            self._resolve_hold(tx, hold, resolved)
        self._remember(tx, _make_key_record(key, fingerprint, "entry", entry.id, None))
        return entry

    def _validate(self, key: str, postings: tuple[Posting, ...], hold: Hold | None) -> dict[str, int]:
        """Check an entry against the accounts; return the net delta (debit - credit) per account."""
        sums: dict[str, int] = {}
        deltas: dict[str, int] = {}
        for posting in postings:
            account = self._accounts.get(posting.account) if isinstance(posting.account, str) else None
            if account is None:
                raise NotFoundError(f"no account {posting.account!r} in the ledger")
            minor = _check_bound(posting.amount, f"posting on {posting.account!r}").minor_units
            if minor == 0:
                raise InvalidAmountError(f"entry {key!r} has a zero posting on {posting.account!r}")
            code = posting.amount.currency.code
            if account.currency.code != code:
                raise CurrencyMismatchError(
                    f"account {account.id!r} holds {account.currency.code}, not {code} ({posting.amount})"
                )
            if account.closed:
                raise InvalidTransitionError(f"account {account.id!r} is closed and takes no postings")
            sums[code] = sums.get(code, 0) + minor
            deltas[posting.account] = deltas.get(posting.account, 0) + minor
        if len(deltas) < 2:
            raise InvalidAmountError(f"entry {key!r} must move money between two different accounts")
        for code, total in sums.items():
            if total != 0:
                shown = Money.from_minor_units(total, code)
                raise UnbalancedEntryError(f"entry {key!r} does not balance: debits - credits = {shown}")
        for account_id, delta in deltas.items():
            account = self._accounts[account_id]
            if not account.non_negative:
                continue
            totals = self._totals[account_id]
            sign = account.kind.sign
            current = (totals[_DR] - totals[_CR]) * sign
            change = delta * sign
            if account.kind.debit_normal:
                reserved = totals[_CR_PENDING] - (hold.amount.minor_units if hold and hold.credit == account_id else 0)
            else:
                reserved = totals[_DR_PENDING] - (hold.amount.minor_units if hold and hold.debit == account_id else 0)
            if current + change - reserved < 0:
                available = Money.from_minor_units(current - reserved, account.currency)
                needed = Money.from_minor_units(-change, account.currency)
                raise InsufficientFundsError(
                    f"{account_id!r} may not go negative: available {available}, needs {needed} (entry {key!r})"
                )
        return deltas

    def _apply_entry(self, entry: JournalEntry) -> None:
        index = len(self._entries)
        self._entries.append(entry)
        self._entry_index[entry.id] = index
        for posting in entry.postings:
            minor = posting.amount.minor_units
            totals = self._totals[posting.account]
            if minor > 0:
                totals[_DR] += minor
            else:
                totals[_CR] -= minor
            self._lines[posting.account].append(index)
        if entry.reverses is not None:
            self._reversed[entry.reverses] = entry.id

    def reverse(self, key: str, entry_id: str, *, at: datetime, memo: str = "") -> JournalEntry:
        """Append an entry that undoes ``entry_id`` (entries are never edited or deleted).

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> wrong = ledger.transfer("t", debit="asset:bank", credit="wallet:a", amount=CNY("9.00"),
        ...                         at=shanghai(2024, 1, 1))
        >>> fix = ledger.reverse("t:reverse", wrong.id, at=shanghai(2024, 1, 2), memo="typo")
        >>> fix.reverses == wrong.id, ledger.balance("wallet:a"), len(ledger.entries())
        (True, Money('0.00', 'CNY'), 2)

        Raises:
            antfin.errors.NotFoundError: no such entry.
            antfin.errors.InvalidTransitionError: the entry was already reversed.
            antfin.errors.InsufficientFundsError: the money has been spent since.

        .. versionadded:: 0.1.0
        """
        return self._run(self._reverse, key, entry_id, at, memo)

    def _reverse(self, tx: _Transaction, key: str, entry_id: str, at: datetime, memo: str) -> JournalEntry:
        key = _check_key(key)
        fingerprint = _fingerprint("reverse", _check_ref(entry_id, "journal entry"))
        record = self._replay(key, fingerprint)
        if record is not None:
            return self._entry_result(record)
        index = self._entry_index.get(entry_id) if isinstance(entry_id, str) else None
        if index is None:
            raise NotFoundError(f"no journal entry {entry_id!r}")
        if entry_id in self._reversed:
            raise InvalidTransitionError(f"entry {entry_id!r} was already reversed by {self._reversed[entry_id]!r}")
        original = self._entries[index]
        postings = tuple(_make_posting(posting.account, -posting.amount) for posting in original.postings)
        memo = _check_memo(memo)
        return self._post(
            tx,
            key,
            fingerprint,
            postings,
            ensure_aware(at),
            memo or f"reversal of {entry_id}",
            _EMPTY_METADATA,
            reverses=entry_id,
        )

    # -- holds --------------------------------------------------------------------

    def hold(
        self,
        key: str,
        *,
        debit: str,
        credit: str,
        amount: Money,
        at: datetime,
        expires_at: datetime | None = None,
        memo: str = "",
        metadata: Mapping[str, str] | None = None,
    ) -> Hold:
        """Reserve ``amount`` to move from ``debit`` to ``credit`` later; the hold's id is ``key``.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> _ = ledger.open_account("wallet:b", AccountKind.LIABILITY, non_negative=True)
        >>> _ = ledger.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("10.00"),
        ...                     at=shanghai(2024, 1, 1))
        >>> ledger.hold("h", debit="wallet:a", credit="wallet:b", amount=CNY("11.00"), at=shanghai(2024, 1, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.InsufficientFundsError: 'wallet:a' may not go negative: available 10.00 CNY, ...

        Raises:
            antfin.errors.InsufficientFundsError: the hold would over-reserve a non-negative account.
            antfin.errors.InvalidTimeError: a naive instant, or an expiry not after ``at``.

        .. versionadded:: 0.1.0
        """
        return self._run(self._hold, key, debit, credit, amount, at, expires_at, memo, metadata)

    def _hold(
        self,
        tx: _Transaction,
        key: str,
        debit: str,
        credit: str,
        amount: Money,
        at: datetime,
        expires_at: datetime | None,
        memo: str,
        metadata: Mapping[str, str] | None,
    ) -> Hold:
        key = _check_key(key)
        money = _check_bound(_check_positive(amount))
        at = ensure_aware(at)
        memo = _check_memo(memo)
        meta = _check_metadata(metadata)
        if expires_at is not None:
            expires_at = ensure_aware(expires_at, "expires_at")
            if expires_at <= at:
                raise InvalidTimeError(f"expires_at {expires_at.isoformat()} must be after at {at.isoformat()}")
        fingerprint = _fingerprint("hold", debit, credit, money, expires_at)
        record = self._replay(key, fingerprint)
        if record is not None:
            return self._hold_result(record)
        if key in self._holds:
            raise IdempotencyConflictError(f"a hold with id {key!r} already exists")
        for account_id, side in ((debit, _DR_PENDING), (credit, _CR_PENDING)):
            account = self._accounts.get(account_id) if isinstance(account_id, str) else None
            if account is None:
                raise NotFoundError(f"no account {account_id!r} in the ledger")
            if account.currency != money.currency:
                raise CurrencyMismatchError(
                    f"account {account_id!r} holds {account.currency.code}, not {money.currency.code}"
                )
            if account.closed:
                raise InvalidTransitionError(f"account {account_id!r} is closed and takes no holds")
            decreasing = (side == _DR_PENDING) != account.kind.debit_normal
            if account.non_negative and decreasing:
                available = self.available(account_id)
                if available < money:
                    raise InsufficientFundsError(
                        f"{account_id!r} may not go negative: available {available}, hold needs {money} (hold {key!r})"
                    )
        if debit == credit:
            raise InvalidAmountError(f"hold {key!r} must move money between two different accounts")
        new = Hold(key, debit, credit, money, at, expires_at, memo=memo, metadata=meta)
        self._hold_seq += 1
        self._holds[key] = new
        tx.undo.append((_undo_new_hold, key))
        tx.holds.append(new)
        self._reserve(tx, new, +1)
        if expires_at is not None:
            # A stale heap item after a rollback is harmless: expire_holds skips non-pending ids.
            heapq.heappush(self._expiries, (expires_at, self._hold_seq, key))
        self._remember(tx, _make_key_record(key, fingerprint, "hold", key, new))
        return new

    def _reserve(self, tx: _Transaction, hold: Hold, direction: int) -> None:
        minor = hold.amount.minor_units * direction
        self._totals[hold.debit][_DR_PENDING] += minor
        self._totals[hold.credit][_CR_PENDING] += minor
        tx.undo.append((_undo_reserve, (hold, minor)))

    def _resolve_hold(self, tx: _Transaction, hold: Hold, resolved: Hold) -> None:
        self._reserve(tx, hold, -1)
        self._holds[hold.id] = resolved
        tx.undo.append((_undo_hold_change, hold))
        tx.holds.append(resolved)

    @_locked
    def get_hold(self, hold_id: str) -> Hold:
        """The hold with this id, at its current state.

        >>> Ledger().get_hold("missing")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no hold 'missing' in the ledger

        Raises:
            antfin.errors.NotFoundError: for an unknown id.

        .. versionadded:: 0.1.0
        """
        try:
            return self._holds[hold_id]
        except (KeyError, TypeError):
            raise NotFoundError(f"no hold {hold_id!r} in the ledger") from None

    @_locked
    def holds(self, status: HoldStatus | None = None) -> tuple[Hold, ...]:
        """Every hold, in creation order, optionally only those with ``status``.

        >>> Ledger().holds(HoldStatus.PENDING)
        ()

        .. versionadded:: 0.1.0
        """
        return tuple(hold for hold in self._holds.values() if status is None or hold.status is status)

    def _pending_hold(self, hold_id: str, at: datetime, action: str) -> Hold:
        hold = self.get_hold(hold_id)
        if at < hold.created_at:
            raise InvalidTimeError(
                f"cannot {action} hold {hold_id!r} at {at.isoformat()}: it was created at {hold.created_at.isoformat()}"
            )
        if hold.status is not HoldStatus.PENDING:
            raise InvalidTransitionError(f"cannot {action} hold {hold_id!r}: it is already {hold.status.value}")
        if hold.expires_at is not None and at >= hold.expires_at:
            raise InvalidTransitionError(
                f"cannot {action} hold {hold_id!r} at {at.isoformat()}: it expired at {hold.expires_at.isoformat()}"
            )
        return hold

    def post_hold(self, key: str, hold_id: str, *, at: datetime, amount: Money | None = None) -> JournalEntry:
        """Post a pending hold in full, or in part with the rest released.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> _ = ledger.open_account("wallet:b", AccountKind.LIABILITY, non_negative=True)
        >>> _ = ledger.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("10.00"),
        ...                     at=shanghai(2024, 1, 1))
        >>> _ = ledger.hold("h", debit="wallet:a", credit="wallet:b", amount=CNY("8.00"), at=shanghai(2024, 1, 1))
        >>> _ = ledger.post_hold("h:post", "h", at=shanghai(2024, 1, 2), amount=CNY("6.00"))
        >>> ledger.get_hold("h").status, ledger.available("wallet:a")
        (<HoldStatus.POSTED: 'posted'>, Money('4.00', 'CNY'))
        >>> ledger.post_hold("h:again", "h", at=shanghai(2024, 1, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: cannot post hold 'h': it is already posted

        Raises:
            antfin.errors.InvalidTransitionError: the hold is resolved or expired.
            antfin.errors.InvalidAmountError: more than held, or not positive.

        .. versionadded:: 0.1.0
        """
        return self._run(self._post_hold, key, hold_id, at, amount)

    def _post_hold(self, tx: _Transaction, key: str, hold_id: str, at: datetime, amount: Money | None) -> JournalEntry:
        key = _check_key(key)
        posted = None if amount is None else _check_positive(amount)
        fingerprint = _fingerprint("post", _check_ref(hold_id, "hold"), posted)
        record = self._replay(key, fingerprint)
        if record is not None:
            return self._entry_result(record)
        at = ensure_aware(at)
        hold = self._pending_hold(hold_id, at, "post")
        if posted is None:
            posted = hold.amount
        if posted.currency != hold.amount.currency:
            raise CurrencyMismatchError(
                f"hold {hold_id!r} is in {hold.amount.currency.code}, not {posted.currency.code}"
            )
        if posted > hold.amount:
            raise InvalidAmountError(f"cannot post {posted} on hold {hold_id!r}: only {hold.amount} is held")
        postings = (_make_posting(hold.debit, posted), _make_posting(hold.credit, -posted))
        return self._post(tx, key, fingerprint, postings, at, hold.memo, hold.metadata, hold=hold)

    def void_hold(self, key: str, hold_id: str, *, at: datetime) -> Hold:
        """Release a pending hold without moving any money.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
        >>> _ = ledger.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("10.00"),
        ...                     at=shanghai(2024, 1, 1))
        >>> _ = ledger.hold("h", debit="wallet:a", credit="asset:bank", amount=CNY("10.00"), at=shanghai(2024, 1, 1))
        >>> ledger.void_hold("h:void", "h", at=shanghai(2024, 1, 2)).status
        <HoldStatus.VOIDED: 'voided'>
        >>> ledger.available("wallet:a")
        Money('10.00', 'CNY')

        Raises:
            antfin.errors.InvalidTransitionError: the hold is resolved or expired.

        .. versionadded:: 0.1.0
        """
        return self._run(self._void_hold, key, hold_id, at)

    def _void_hold(self, tx: _Transaction, key: str, hold_id: str, at: datetime) -> Hold:
        key = _check_key(key)
        fingerprint = _fingerprint("void", _check_ref(hold_id, "hold"))
        record = self._replay(key, fingerprint)
        if record is not None:
            return self._hold_result(record)
        at = ensure_aware(at)
        hold = self._pending_hold(hold_id, at, "void")
        voided = attrs.evolve(hold, status=HoldStatus.VOIDED, resolved_at=at)
        self._resolve_hold(tx, hold, voided)
        self._remember(tx, _make_key_record(key, fingerprint, "hold", hold_id, voided))
        return voided

    def expire_holds(self, at: datetime) -> tuple[Hold, ...]:
        """Expire every pending hold whose expiry is at or before ``at``, oldest first.

        Deterministic: nothing reads the clock, and calling it again for the
        same instant expires nothing more.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> _ = ledger.hold("h", debit="wallet:a", credit="asset:bank", amount=CNY("1.00"),
        ...                 at=shanghai(2024, 1, 1), expires_at=shanghai(2024, 1, 2))
        >>> ledger.expire_holds(shanghai(2024, 1, 1, 23, 59, 59))
        ()
        >>> [hold.status.value for hold in ledger.expire_holds(shanghai(2024, 1, 2))]
        ['expired']

        .. versionadded:: 0.1.0
        """
        return self._run(self._expire_holds, ensure_aware(at))

    def _expire_holds(self, tx: _Transaction, at: datetime) -> tuple[Hold, ...]:
        expired: list[Hold] = []
        popped: list[tuple[datetime, int, str]] = []
        while self._expiries and self._expiries[0][0] <= at:
            item = heapq.heappop(self._expiries)
            hold = self._holds.get(item[2])
            if hold is None or hold.status is not HoldStatus.PENDING or hold.expires_at != item[0]:
                continue
            popped.append(item)
            lapsed = attrs.evolve(hold, status=HoldStatus.EXPIRED, resolved_at=hold.expires_at)
            self._resolve_hold(tx, hold, lapsed)
            expired.append(lapsed)
        if popped:
            tx.undo.append((_undo_expiry_pops, popped))
        return tuple(expired)

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

    # -- queries --------------------------------------------------------------------

    @_locked
    def balance(self, account_id: str, at: datetime | None = None) -> Money:
        """Posted balance in the account's normal direction, now or as of ``at``.

        >>> from antfin.ledger import AccountKind
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> _ = ledger.transfer("t", debit="asset:bank", credit="wallet:a", amount=CNY("3.00"),
        ...                     at=shanghai(2024, 1, 2))
        >>> ledger.balance("wallet:a"), ledger.balance("wallet:a", at=shanghai(2024, 1, 1))
        (Money('3.00', 'CNY'), Money('0.00', 'CNY'))

        .. versionadded:: 0.1.0
        """
        account = self.account(account_id)
        if at is None:
            totals = self._totals[account_id]
            net = totals[_DR] - totals[_CR]
        else:
            at = ensure_aware(at)
            net = 0
            entries = self._entries
            last = -1
            for index in self._lines[account_id]:
                if index != last:
                    last = index
                    entry = entries[index]
                    if entry.at <= at:
                        net += sum(p.amount.minor_units for p in entry.postings if p.account == account_id)
        return Money._from_minor(net * account.kind.sign, account.currency)

    @_locked
    def pending(self, account_id: str) -> Money:
        """The amount pending holds would take out of the account (positive).

        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.pending("wallet:a")
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        account = self.account(account_id)
        totals = self._totals[account_id]
        reserved = totals[_CR_PENDING] if account.kind.debit_normal else totals[_DR_PENDING]
        return Money._from_minor(reserved, account.currency)

    @_locked
    def incoming(self, account_id: str) -> Money:
        """The amount pending holds would bring into the account (positive).

        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.incoming("wallet:a")
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        account = self.account(account_id)
        totals = self._totals[account_id]
        reserved = totals[_DR_PENDING] if account.kind.debit_normal else totals[_CR_PENDING]
        return Money._from_minor(reserved, account.currency)

    @_locked
    def available(self, account_id: str) -> Money:
        """Posted balance minus what pending holds would take out.

        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.available("wallet:a")
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        return self.balance(account_id) - self.pending(account_id)

    @_locked
    def entries(self) -> tuple[JournalEntry, ...]:
        """Every journal entry, in posting order.

        >>> Ledger().entries()
        ()

        .. versionadded:: 0.1.0
        """
        return tuple(self._entries)

    @_locked
    def entry(self, entry_id: str) -> JournalEntry:
        """The journal entry with this id.

        >>> Ledger().entry("E1")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no journal entry 'E1'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.

        .. versionadded:: 0.1.0
        """
        index = self._entry_index.get(entry_id)
        if index is None:
            raise NotFoundError(f"no journal entry {entry_id!r}")
        return self._entries[index]

    @_locked
    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries that touch an account, in posting order.

        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.history("wallet:a")
        ()

        .. versionadded:: 0.1.0
        """
        self.account(account_id)
        seen: list[int] = []
        for index in self._lines[account_id]:
            if not seen or seen[-1] != index:
                seen.append(index)
        return tuple(self._entries[index] for index in seen)

    @_locked
    def key_used(self, key: str) -> bool:
        """Whether an idempotency key has been used.

        >>> Ledger().key_used("anything")
        False

        .. versionadded:: 0.1.0
        """
        return key in self._keys

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
        for account in self._accounts.values():
            totals = self._totals[account.id]
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

    @_locked
    def check_invariants(self) -> None:
        """Recompute everything from the entries and holds and raise if any rule is broken.

        Checked: each entry balances per currency; the running totals match the
        postings; total debits equal total credits per currency; no
        non-negative account is below zero net of pending holds; pending totals
        match the pending holds; every resolved hold has its resolution
        recorded exactly once.

        >>> Ledger().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.1.0
        """
        recomputed: dict[str, list[int]] = {account_id: [0, 0, 0, 0] for account_id in self._accounts}
        per_currency: dict[str, int] = {}
        posted_holds: dict[str, str] = {}
        for entry in self._entries:
            entry_sum: dict[str, int] = {}
            for posting in entry.postings:
                minor = posting.amount.minor_units
                code = posting.amount.currency.code
                entry_sum[code] = entry_sum.get(code, 0) + minor
                per_currency[code] = per_currency.get(code, 0) + minor
                totals = recomputed.get(posting.account)
                if totals is None:
                    raise InvariantViolationError(f"entry {entry.id} posts to unknown account {posting.account!r}")
                if minor > 0:
                    totals[_DR] += minor
                else:
                    totals[_CR] -= minor
            if any(entry_sum.values()):
                raise InvariantViolationError(f"entry {entry.id} does not balance: {entry_sum}")
            if entry.hold_id is not None:
                if entry.hold_id in posted_holds:
                    raise InvariantViolationError(f"hold {entry.hold_id!r} was posted twice")
                posted_holds[entry.hold_id] = entry.id
        if any(per_currency.values()):
            raise InvariantViolationError(f"debits and credits differ: {per_currency}")
        for hold in self._holds.values():
            if hold.status is HoldStatus.PENDING:
                recomputed[hold.debit][_DR_PENDING] += hold.amount.minor_units
                recomputed[hold.credit][_CR_PENDING] += hold.amount.minor_units
            elif hold.resolved_at is None:
                raise InvariantViolationError(f"hold {hold.id!r} is {hold.status.value} without a resolution time")
            if (hold.status is HoldStatus.POSTED) != (hold.id in posted_holds):
                raise InvariantViolationError(f"hold {hold.id!r} is {hold.status.value} but its posting disagrees")
        for account_id, account in self._accounts.items():
            totals = self._totals[account_id]
            if totals != recomputed[account_id]:
                raise InvariantViolationError(
                    f"running totals of {account_id!r} {totals} differ from its postings {recomputed[account_id]}"
                )
            if account.non_negative and self.available(account_id).is_negative():
                raise InvariantViolationError(
                    f"non-negative account {account_id!r} is at {self.available(account_id)} net of holds"
                )

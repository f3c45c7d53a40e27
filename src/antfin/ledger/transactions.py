"""The ledger's state and its transaction machinery: undo log, commits, idempotency records.

:class:`~antfin.ledger.ledger.Ledger` is built on ``_LedgerCore``, which
holds the in-memory state (accounts, running totals, entries, holds, keys),
runs every operation inside one transaction (its own, or the current atomic
block's), commits it to the store, and undoes it if the store refuses.
The shared argument checks of every operation live here too.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import functools
import heapq
import threading
from array import array
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Concatenate, Final, ParamSpec, TypeVar, cast

from antfin.calendar import EARLIEST_DATE, LATEST_DATE, ensure_aware
from antfin.errors import InvalidAmountError, InvariantViolationError, NotFoundError
from antfin.idempotency import same_request
from antfin.ledger.model import _EMPTY_METADATA, Hold, HoldStatus, JournalEntry, LedgerAccount, frozen_metadata
from antfin.ledger.store import (
    Document,
    KeyRecord,
    LedgerStore,
    MemoryStore,
    SharedLedgerStore,
    StoreState,
    _make_change_set,
)
from antfin.money import Money

# Indexes into an account's running totals.
_DR: Final = 0  # debits posted
_CR: Final = 1  # credits posted
_DR_PENDING: Final = 2  # debits reserved by pending holds
_CR_PENDING: Final = 3  # credits reserved by pending holds


_Undo = tuple[Callable[["_LedgerCore", Any], None], Any]


class _Transaction:
    """Undo log and pending writes of one outermost atomic block."""

    __slots__ = ("accounts", "documents", "entries", "holds", "keys", "undo")

    def __init__(self) -> None:
        self.undo: list[_Undo] = []
        # Accounts and holds are logged in change order (an id may appear more than once; the
        # last state wins on commit), so a nested block rolls back by truncating, not by copying.
        self.accounts: list[LedgerAccount] = []
        self.entries: list[JournalEntry] = []
        self.holds: list[Hold] = []
        self.keys: list[KeyRecord] = []
        self.documents: list[Document] = []


# Undo actions: plain functions of (ledger, argument), logged as cheap tuples.


_new = object.__new__
_set = object.__setattr__


def _undo_entry(ledger: _LedgerCore, _: object) -> None:
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


def _undo_entry_and_key(ledger: _LedgerCore, key: str) -> None:
    _undo_entry(ledger, None)
    _undo_key(ledger, key)


def _undo_key(ledger: _LedgerCore, key: str) -> None:
    del ledger._keys[key]
    del ledger._key_refs[key]
    ledger._key_holds.pop(key, None)


def _undo_new_hold(ledger: _LedgerCore, hold_id: str) -> None:
    del ledger._holds[hold_id]
    ledger._hold_seq -= 1


def _undo_hold_change(ledger: _LedgerCore, previous: Hold) -> None:
    ledger._holds[previous.id] = previous


def _undo_new_account(ledger: _LedgerCore, account_id: str) -> None:
    del ledger._accounts[account_id]
    del ledger._totals[account_id]
    del ledger._lines[account_id]
    del ledger._signs[account_id]


def _undo_account_change(ledger: _LedgerCore, previous: LedgerAccount) -> None:
    ledger._accounts[previous.id] = previous


def _undo_reserve(ledger: _LedgerCore, change: tuple[Hold, int]) -> None:
    hold, minor = change
    ledger._totals[hold.debit][_DR_PENDING] -= minor
    ledger._totals[hold.credit][_CR_PENDING] -= minor


def _undo_expiry_pops(ledger: _LedgerCore, popped: list[tuple[datetime, int, str]]) -> None:
    for item in popped:
        heapq.heappush(ledger._expiries, item)


_P = ParamSpec("_P")
_R = TypeVar("_R")
_L = TypeVar("_L", bound="_LedgerCore")


def _locked(method: Callable[Concatenate[_L, _P], _R]) -> Callable[Concatenate[_L, _P], _R]:
    """Run a query under the ledger's lock, so it never sees half an atomic block."""

    @functools.wraps(method)
    def locked(self: _L, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
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


class _LedgerCore:
    """The ledger's state, its transactions (undo log, commit, rollback) and its idempotency records."""

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
        if tx.entries or tx.keys or tx.holds or tx.accounts or tx.documents:
            changes = _make_change_set(
                tuple({account.id: account for account in tx.accounts}.values()),
                tuple(tx.entries),
                tuple({hold.id: hold for hold in tx.holds}.values()),
                tuple(tx.keys),
                tuple(tx.documents),
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

    def _rollback(self, tx: _Transaction, mark: int) -> None:
        undo = tx.undo
        while len(undo) > mark:
            action, argument = undo.pop()
            action(self, argument)

    def _write(self) -> _Transaction:
        if self._tx is None:
            raise InvariantViolationError("ledger mutation outside a transaction")  # pragma: no cover
        return self._tx

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

"""The ledger's state and its transaction machinery: undo log, commits, idempotency records.

:class:`~antfin.ledger.ledger.Ledger` is built on ``_LedgerCore``, which
caches the accounts it used (with their running totals; entries, keys and
holds stay in the store), runs every operation inside one transaction (its own, or the current atomic
block's), commits it to the store, and undoes it if the store refuses.
The shared argument checks of every operation live here too.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Concatenate, Final, ParamSpec, TypeVar, cast

from antfin.calendar import EARLIEST_DATE, LATEST_DATE, ensure_aware
from antfin.errors import ConcurrencyError, InvalidAmountError, InvariantViolationError, NotFoundError, SchemaError
from antfin.idempotency import same_request
from antfin.ledger.memory import MemoryStore
from antfin.ledger.model import _EMPTY_METADATA, Hold, JournalEntry, LedgerAccount, frozen_metadata
from antfin.ledger.store import (
    Document,
    KeyRecord,
    LedgerStore,
    SharedLedgerStore,
    _entry_index,
    _make_change_set,
)
from antfin.money import Money
from antfin.validators import check_str, check_text

# Indexes into an account's running totals.
_DR: Final = 0  # debits posted
_CR: Final = 1  # credits posted
_DR_PENDING: Final = 2  # debits reserved by pending holds
_CR_PENDING: Final = 3  # credits reserved by pending holds


_Undo = tuple[Callable[["_LedgerCore", "_Transaction", Any], None], Any]


class _Transaction:
    """Undo log, pending writes and read overlays of one outermost atomic block.

    What the block wrote but has not committed is visible through the overlays
    (``key_index``, ``hold_index``, ``reversed``, ``entries``); the ledger reads
    everything else from its store.
    """

    __slots__ = (
        "accounts",
        "documents",
        "entries",
        "hold_index",
        "holds",
        "key_index",
        "keys",
        "new_accounts",
        "new_holds",
        "no_keys",
        "numbers",
        "reversed",
        "touched",
        "undo",
    )

    def __init__(self) -> None:
        self.undo: list[_Undo] = []
        # Accounts and holds are logged in change order (an id may appear more than once; the
        # last state wins on commit), so a nested block rolls back by truncating, not by copying.
        self.accounts: list[LedgerAccount] = []
        self.entries: list[JournalEntry] = []
        self.holds: list[Hold] = []
        self.keys: list[KeyRecord] = []
        self.documents: list[Document] = []
        self.key_index: dict[str, KeyRecord] = {}
        self.hold_index: dict[str, Hold] = {}
        self.reversed: dict[str, str] = {}
        self.new_accounts: list[str] = []
        self.new_holds: list[str] = []
        # On a row-locking store: keys read as unused in this transaction, entry numbers taken ahead.
        self.no_keys: set[str] = set()
        self.numbers: list[int] = []
        # Accounts whose running totals this block changed (an ordered set), written on commit.
        self.touched: dict[str, None] = {}


# Undo actions: plain functions of (ledger, transaction, argument), logged as cheap tuples.
# They undo the cache and the overlays; the pending-write lists are truncated by the caller.


_new = object.__new__
_set = object.__setattr__


def _undo_entry(ledger: _LedgerCore, tx: _Transaction, entry: JournalEntry) -> None:
    for posting in entry.postings:
        minor = posting.amount.minor_units
        totals = ledger._totals[posting.account]
        if minor > 0:
            totals[_DR] -= minor
        else:
            totals[_CR] += minor
    if entry.reverses is not None:
        tx.reversed.pop(entry.reverses, None)


def _undo_key(ledger: _LedgerCore, tx: _Transaction, key: str) -> None:
    del tx.key_index[key]


def _undo_entry_and_key(ledger: _LedgerCore, tx: _Transaction, entry: JournalEntry) -> None:
    _undo_entry(ledger, tx, entry)
    del tx.key_index[entry.key]


def _undo_new_hold(ledger: _LedgerCore, tx: _Transaction, hold_id: str) -> None:
    del tx.hold_index[hold_id]
    tx.new_holds.pop()


def _undo_hold_change(ledger: _LedgerCore, tx: _Transaction, change: tuple[Hold, Hold | None]) -> None:
    hold, overlaid = change
    if overlaid is None:
        del tx.hold_index[hold.id]
    else:
        tx.hold_index[hold.id] = overlaid


def _undo_new_account(ledger: _LedgerCore, tx: _Transaction, account_id: str) -> None:
    del ledger._accounts[account_id]
    del ledger._totals[account_id]
    del ledger._signs[account_id]
    tx.new_accounts.pop()


def _undo_account_change(ledger: _LedgerCore, tx: _Transaction, previous: LedgerAccount) -> None:
    ledger._accounts[previous.id] = previous


def _undo_reserve(ledger: _LedgerCore, tx: _Transaction, change: tuple[Hold, int]) -> None:
    hold, minor = change
    ledger._totals[hold.debit][_DR_PENDING] -= minor
    ledger._totals[hold.credit][_CR_PENDING] -= minor


_P = ParamSpec("_P")
_R = TypeVar("_R")
_L = TypeVar("_L", bound="_LedgerCore")


def _check_stored_hold(hold_id: str, hold: Hold) -> None:
    """Refuse a stored hold row whose record describes another hold (a forged or damaged row)."""
    if hold.id != hold_id:
        raise InvariantViolationError(f"the stored hold {hold_id!r} describes hold {hold.id!r}")


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
#: How many times a single call that lost a race on a row-locking store is run again.
_RETRIES: Final = 5
_LAST_YEAR: Final = LATEST_DATE.year


def _check_key(key: object) -> str:
    # The ledger's own contract: a key that is not a str is refused as a value, not a type.
    if not isinstance(key, str) or not key.strip():
        raise InvalidAmountError(f"key must be a non-empty string, got {key!r}")
    return check_text(key, "key")


def _check_memo(memo: object) -> str:
    return check_str(memo, "memo")


def _check_metadata(metadata: Mapping[str, str] | None) -> Mapping[str, str]:
    meta = frozen_metadata(metadata)
    for name, value in meta.items():
        check_text(name, "metadata key")
        check_text(value, f"metadata[{name!r}]")
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
    """The ledger's caches, its transactions (undo log, commit, rollback) and its idempotency records.

    State lives in the store. The ledger caches the accounts it has used (each
    with its running totals) and, inside a transaction, overlays what the
    transaction wrote and has not committed yet.
    """

    def __init__(self, store: LedgerStore | None = None) -> None:
        self._store: LedgerStore = MemoryStore() if store is None else store
        self._shared = isinstance(self._store, SharedLedgerStore)
        self._memory = self._store.__class__ is MemoryStore
        # A store that locks the rows a write reads (PostgreSQL): caches are dropped at every
        # transaction, entries are numbered by the store, and single calls that lose a race are retried.
        self._locks_rows = bool(getattr(self._store, "locks_rows", False))
        self._lock = threading.RLock()
        # The account cache: definitions, running totals and signs of the accounts used so far.
        self._accounts: dict[str, LedgerAccount] = {}
        self._signs: dict[str, int] = {}
        self._totals: dict[str, list[int]] = {}
        # Committed entries as of the last sync: the next entry is E{_entry_base + 1}.
        self._entry_base = 0
        self._version = -1  # the store version the caches reflect (-1: not synced yet)
        self._tx: _Transaction | None = None

    # -- the account cache ----------------------------------------------------------

    def _add_account(self, account: LedgerAccount, totals: list[int]) -> None:
        self._accounts[account.id] = account
        self._signs[account.id] = account.kind.sign
        self._totals[account.id] = totals

    def _account_or_none(self, account_id: object) -> LedgerAccount | None:
        """The account (from the cache, or loaded into it from the store), or ``None``."""
        if account_id.__class__ is not str and not isinstance(account_id, str):
            return None
        account = self._accounts.get(account_id)
        if account is not None:
            return account
        row = self._store.account(account_id)
        if row is None:
            return None
        account, totals = row
        _check_loaded_account(account, totals)
        self._add_account(account, list(totals))
        return account

    def _account_totals(self, account_id: str) -> list[int]:
        """The running totals of an account that must exist (a hold's side, say)."""
        totals = self._totals.get(account_id)
        if totals is None:
            if self._account_or_none(account_id) is None:
                raise InvariantViolationError(f"account {account_id!r} is referenced but not in the store")
            totals = self._totals[account_id]
        return totals

    def _drop_caches(self) -> None:
        self._accounts.clear()
        self._signs.clear()
        self._totals.clear()

    # -- transactions -------------------------------------------------------------

    def _begin(self) -> _Transaction:
        """Open the outermost transaction; on a shared store, start its write and drop stale caches."""
        tx = _Transaction()
        if self._shared:
            store = cast(SharedLedgerStore, self._store)
            version = store.begin()
            if self._locks_rows:
                self._drop_caches()
            elif version != self._version:
                try:
                    self._drop_caches()
                    self._entry_base = store.entry_count()
                except BaseException:
                    store.rollback()
                    raise
                self._version = version
        self._tx = tx
        return tx

    def _finish(self, tx: _Transaction) -> None:
        """Commit the outermost transaction to the store, or undo it if the store refuses."""
        if tx.entries or tx.keys or tx.holds or tx.accounts or tx.documents or tx.touched:
            totals = self._totals
            changes = _make_change_set(
                tuple({account.id: account for account in tx.accounts}.values()),
                tuple(tx.entries),
                tuple({hold.id: hold for hold in tx.holds}.values()),
                tuple(tx.keys),
                tuple(tx.documents),
                tuple((account_id, *totals[account_id]) for account_id in tx.touched),  # type: ignore[misc]
            )
            try:
                self._store.commit(changes)
            except BaseException:
                self._tx = None
                self._rollback(tx, 0)
                self._version = -1  # resync (drop the caches) at the next transaction
                raise
            self._tx = None
            self._entry_base += len(tx.entries)
            self._version += 1
        else:
            self._tx = None
            if self._shared:
                cast(SharedLedgerStore, self._store).rollback()

    def _abort(self, tx: _Transaction) -> None:
        self._tx = None
        self._rollback(tx, 0)
        if self._shared:
            cast(SharedLedgerStore, self._store).rollback()

    def _run(self, body: Callable[..., _T], *args: Any) -> _T:
        """Run one operation: inside the current atomic block, or as its own transaction.

        Every operation validates everything before it changes anything, so a
        refused operation needs no undo even inside a block. On a store that
        locks rows, a single call that lost a race (a key or row another
        transaction took first, a deadlock) is run again, a bounded number of
        times: it then sees the winner's result.
        """
        with self._lock:
            tx = self._tx
            if tx is not None:
                return body(tx, *args)
            attempt = 0
            while True:
                tx = self._begin()
                try:
                    result = body(tx, *args)
                except ConcurrencyError:
                    self._abort(tx)
                    if not self._locks_rows or attempt >= _RETRIES:
                        raise
                    attempt += 1
                    continue
                except BaseException:
                    self._abort(tx)
                    raise
                try:
                    self._finish(tx)
                except ConcurrencyError:
                    if not self._locks_rows or attempt >= _RETRIES:
                        raise
                    attempt += 1
                    continue
                return result

    def _rollback(self, tx: _Transaction, mark: int) -> None:
        undo = tx.undo
        while len(undo) > mark:
            action, argument = undo.pop()
            action(self, tx, argument)

    def _write(self) -> _Transaction:
        if self._tx is None:
            raise InvariantViolationError("ledger mutation outside a transaction")  # pragma: no cover
        return self._tx

    def _next_entry_id(self, tx: _Transaction | None) -> str:
        if self._locks_rows:
            if tx is not None and tx.numbers:
                return f"E{tx.numbers.pop()}"
            return f"E{self._store.next_entry_number()}"  # type: ignore[attr-defined]
        return f"E{self._entry_base + (0 if tx is None else len(tx.entries)) + 1}"

    # -- reads through the overlays ---------------------------------------------------

    def _key_record(self, key: str) -> KeyRecord | None:
        tx = self._tx
        if tx is not None:
            record = tx.key_index.get(key)
            if record is not None:
                return record
            if key in tx.no_keys:
                return None
        return self._store.key(key)

    def _lock_rows(self, tx: _Transaction, key: str | None, account_ids: Iterable[object], numbers: int) -> None:
        """On a row-locking store, read in one round trip what an operation needs: its key, its accounts
        (locked in id order, so that writers never deadlock on them) and entry numbers."""
        ids = {a for a in account_ids if a.__class__ is str and a not in self._accounts}
        wanted = [key] if key is not None and key not in tx.key_index and key not in tx.no_keys else []
        texts = [*wanted, *ids]
        if not all(text.isascii() and "\x00" not in text for text in texts):
            return  # odd text: the one-at-a-time reads handle (and refuse) it
        record, rows, taken = self._store.prefetch(  # type: ignore[attr-defined]
            wanted[0] if wanted else None, sorted(ids), numbers
        )
        if wanted:
            if record is None:
                tx.no_keys.add(key)  # type: ignore[arg-type]
            else:
                tx.key_index[record.key] = record
        for account, totals in rows:
            if account.id not in self._accounts:
                _check_loaded_account(account, totals)
                self._add_account(account, list(totals))
        tx.numbers.extend(reversed(taken))

    def _find_entry(self, entry_id: object) -> JournalEntry | None:
        if not isinstance(entry_id, str):
            return None
        tx = self._tx
        if tx is not None and tx.entries:
            if self._locks_rows:  # numbered by the store: not contiguous
                for entry in tx.entries:
                    if entry.id == entry_id:
                        return entry
            else:
                index = _entry_index(entry_id) - self._entry_base
                if 0 <= index < len(tx.entries) and tx.entries[index].id == entry_id:
                    return tx.entries[index]
        return self._store.entry(entry_id)

    def _find_hold(self, hold_id: object) -> Hold | None:
        if not isinstance(hold_id, str):
            return None
        tx = self._tx
        if tx is not None:
            hold = tx.hold_index.get(hold_id)
            if hold is not None:
                return hold
        stored = self._store.hold(hold_id)
        if stored is not None:
            _check_stored_hold(hold_id, stored)
        return stored

    def _reversal_of(self, entry_id: str) -> str | None:
        tx = self._tx
        if tx is not None:
            found = tx.reversed.get(entry_id)
            if found is not None:
                return found
        return self._store.reversal_of(entry_id)

    # -- idempotency ----------------------------------------------------------------

    def _replay(self, key: str, fingerprint: str) -> KeyRecord | None:
        record = self._key_record(key)
        if record is None:
            return None
        same_request(key, record.fingerprint, fingerprint)
        return record

    def _remember(self, tx: _Transaction, record: KeyRecord) -> None:
        tx.key_index[record.key] = record
        tx.keys.append(record)
        tx.undo.append((_undo_key, record.key))

    def _entry_result(self, record: KeyRecord) -> JournalEntry:
        entry = self._find_entry(record.ref)
        if entry is None:
            raise InvariantViolationError(f"key {record.key!r} names entry {record.ref!r}, which is not in the store")
        return entry

    def _hold_result(self, record: KeyRecord) -> Hold:
        if record.hold is None:
            raise InvariantViolationError(f"key {record.key!r} recorded a hold result without the hold")
        return record.hold

    def _apply_entry(self, tx: _Transaction, entry: JournalEntry) -> None:
        touched = tx.touched
        for posting in entry.postings:
            minor = posting.amount.minor_units
            totals = self._account_totals(posting.account)
            if minor > 0:
                totals[_DR] += minor
            else:
                totals[_CR] -= minor
            touched[posting.account] = None
        tx.entries.append(entry)
        if entry.reverses is not None:
            tx.reversed[entry.reverses] = entry.id

    def _reserve(self, tx: _Transaction, hold: Hold, direction: int) -> None:
        minor = hold.amount.minor_units * direction
        self._account_totals(hold.debit)[_DR_PENDING] += minor
        self._account_totals(hold.credit)[_CR_PENDING] += minor
        tx.touched[hold.debit] = None
        tx.touched[hold.credit] = None
        tx.undo.append((_undo_reserve, (hold, minor)))

    def _resolve_hold(self, tx: _Transaction, hold: Hold, resolved: Hold) -> None:
        if self._locks_rows:
            self._lock_rows(tx, None, (hold.debit, hold.credit), 0)
        self._reserve(tx, hold, -1)
        tx.undo.append((_undo_hold_change, (hold, tx.hold_index.get(hold.id))))
        tx.hold_index[hold.id] = resolved
        tx.holds.append(resolved)


def _check_loaded_account(account: object, totals: object) -> None:
    """Refuse an account row that cannot be true: stored state is untrusted until checked."""
    if not isinstance(account, LedgerAccount):
        raise SchemaError(f"the store returned {type(account).__name__} for an account")
    if (
        not isinstance(totals, tuple)
        or len(totals) != 4
        or any(value.__class__ is not int or not 0 <= value <= _MAX_MINOR * 2**20 for value in totals)
    ):
        raise SchemaError(f"account {account.id!r} has malformed running totals in the store: {totals!r}")
    if account.non_negative:
        if account.kind.debit_normal:
            available = totals[_DR] - totals[_CR] - totals[_CR_PENDING]
        else:
            available = totals[_CR] - totals[_DR] - totals[_DR_PENDING]
        if available < 0:
            raise InvariantViolationError(
                f"non-negative account {account.id!r} is stored below zero net of holds "
                f"({available} minor units): the store's totals were altered"
            )

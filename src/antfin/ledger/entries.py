"""The ledger's entries: transfers, balanced multi-posting entries and reversals.

Each operation checks its key, accounts, currencies, signs and the
non-negative balances (pending holds included) before anything changes, then
appends the entry and logs its undo.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import NoReturn

import attrs

from antfin.calendar import ensure_aware
from antfin.errors import (
    CurrencyMismatchError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    NotFoundError,
    UnbalancedEntryError,
)
from antfin.idempotency import fingerprint as _fingerprint
from antfin.ledger.model import (
    _EMPTY_METADATA,
    Hold,
    HoldStatus,
    JournalEntry,
    LedgerAccount,
    Posting,
    _check_positive,
    _make_entry,
    _make_posting,
)
from antfin.ledger.queries import _LedgerQueries
from antfin.ledger.store import _make_change_set, _make_key_record
from antfin.ledger.transactions import (
    _CR,
    _CR_PENDING,
    _DR,
    _DR_PENDING,
    _MAX_MINOR,
    _check_bound,
    _check_extras,
    _check_key,
    _check_memo,
    _check_metadata,
    _check_ref,
    _new,
    _set,
    _Transaction,
    _undo_entry,
    _undo_entry_and_key,
)
from antfin.money import Money


class _LedgerEntries(_LedgerQueries):
    """Transfers, entries and reversals of :class:`~antfin.ledger.ledger.Ledger`."""

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

        >>> from antfin.ledger import Ledger
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
            entry, fingerprint = self._prepare_transfer(None, key, debit, credit, amount, at, memo, metadata)
            if fingerprint is None:
                return entry
            first, second = entry.postings
            minor = first.amount._minor
            debits = self._totals[first.account]
            credits = self._totals[second.account]
            debits[_DR] += minor
            credits[_CR] += minor
            store = self._store
            try:
                if self._memory:
                    store._append(entry, fingerprint)  # type: ignore[attr-defined]
                else:
                    record = _make_key_record(entry.key, fingerprint, "entry", entry.id, None)
                    totals = ((first.account, *debits), (second.account, *credits))
                    store.commit(_make_change_set((), (entry,), (), (record,), (), totals))  # type: ignore[arg-type]
            except BaseException:
                debits[_DR] -= minor
                credits[_CR] -= minor
                raise
            self._entry_base += 1
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
        if self._locks_rows and key.__class__ is str:
            self._lock_rows(tx, key, (debit, credit), 1)
        entry, fingerprint = self._prepare_transfer(tx, key, debit, credit, amount, at, memo, metadata)
        if fingerprint is None:
            return entry
        first, second = entry.postings
        minor = first.amount._minor
        self._totals[first.account][_DR] += minor
        self._totals[second.account][_CR] += minor
        touched = tx.touched
        touched[first.account] = None
        touched[second.account] = None
        tx.entries.append(entry)
        record = _make_key_record(entry.key, fingerprint, "entry", entry.id, None)
        tx.key_index[entry.key] = record
        tx.keys.append(record)
        tx.undo.append((_undo_entry_and_key, entry))
        return entry

    def _prepare_transfer(
        self,
        tx: _Transaction | None,
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
        record = self._replay(key, fingerprint)
        if record is not None:
            return self._entry_result(record), None
        accounts = self._accounts
        source = accounts.get(debit) or self._account_or_none(debit)
        if source is None or source.currency is not currency or source.closed:
            self._check_side(debit, source, money)
        target = accounts.get(credit) or self._account_or_none(credit)
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
        entry_id = self._next_entry_id(tx)
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

        >>> from antfin.ledger import Ledger
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
        if self._locks_rows:
            self._lock_rows(tx, None, [posting.account for posting in postings], 0)
        self._validate(key, postings, hold)
        entry = _make_entry(
            self._next_entry_id(tx),
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
        self._apply_entry(tx, entry)
        tx.undo.append((_undo_entry, entry))
        if hold is not None and resolved is not None:
            self._resolve_hold(tx, hold, resolved)
        self._remember(tx, _make_key_record(key, fingerprint, "entry", entry.id, None))
        return entry

    def _validate(self, key: str, postings: tuple[Posting, ...], hold: Hold | None) -> dict[str, int]:
        """Check an entry against the accounts; return the net delta (debit - credit) per account."""
        sums: dict[str, int] = {}
        deltas: dict[str, int] = {}
        for posting in postings:
            account = self._account_or_none(posting.account)
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

    def reverse(self, key: str, entry_id: str, *, at: datetime, memo: str = "") -> JournalEntry:
        """Append an entry that undoes ``entry_id`` (entries are never edited or deleted).

        >>> from antfin.ledger import Ledger
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
        original = self._find_entry(entry_id)
        if original is None:
            raise NotFoundError(f"no journal entry {entry_id!r}")
        reversal = self._reversal_of(entry_id)
        if reversal is not None:
            raise InvalidTransitionError(f"entry {entry_id!r} was already reversed by {reversal!r}")
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

"""The ledger's two-phase holds: reserve, then post (in full or part), void, or expire, exactly once.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

import attrs

from antfin.calendar import ensure_aware
from antfin.errors import (
    CurrencyMismatchError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    NotFoundError,
)
from antfin.idempotency import fingerprint as _fingerprint
from antfin.ledger.entries import _LedgerEntries
from antfin.ledger.model import Hold, HoldStatus, JournalEntry, _check_positive, _make_posting
from antfin.ledger.store import _make_key_record
from antfin.ledger.transactions import (
    _CR_PENDING,
    _DR_PENDING,
    _check_bound,
    _check_key,
    _check_memo,
    _check_metadata,
    _check_ref,
    _check_stored_hold,
    _locked,
    _Transaction,
    _undo_new_hold,
)
from antfin.money import Money


class _LedgerHolds(_LedgerEntries):
    """Holds of :class:`~antfin.ledger.ledger.Ledger`: reservations resolved exactly once."""

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

        >>> from antfin.ledger import Ledger
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
        if self._locks_rows:
            self._lock_rows(tx, None, (debit, credit), 0)
        if self._find_hold(key) is not None:
            raise IdempotencyConflictError(f"a hold with id {key!r} already exists")
        for account_id, side in ((debit, _DR_PENDING), (credit, _CR_PENDING)):
            account = self._account_or_none(account_id)
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
        tx.hold_index[key] = new
        tx.new_holds.append(key)
        tx.undo.append((_undo_new_hold, key))
        tx.holds.append(new)
        self._reserve(tx, new, +1)
        self._remember(tx, _make_key_record(key, fingerprint, "hold", key, new))
        return new

    @_locked
    def get_hold(self, hold_id: str) -> Hold:
        """The hold with this id, at its current state.

        >>> from antfin.ledger import Ledger
        >>> Ledger().get_hold("missing")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no hold 'missing' in the ledger

        Raises:
            antfin.errors.NotFoundError: for an unknown id.

        .. versionadded:: 0.1.0
        """
        hold = self._find_hold(hold_id)
        if hold is None:
            raise NotFoundError(f"no hold {hold_id!r} in the ledger")
        return hold

    @_locked
    def get_holds(self, hold_ids: Iterable[str]) -> tuple[Hold, ...]:
        """The holds with these ids, at their current state, in the order asked.

        What :meth:`get_hold` gives for each, with one read of the store for
        all those this block has not touched, not one read each (on
        PostgreSQL, one round trip instead of one a hold).

        >>> from antfin.ledger import AccountKind, Ledger
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> for key in ("h1", "h2"):
        ...     _ = ledger.hold(key, debit="asset:bank", credit="wallet:a", amount=CNY("5.00"), at=shanghai(2024, 1, 1))
        >>> [hold.id for hold in ledger.get_holds(["h2", "h1"])]
        ['h2', 'h1']
        >>> ledger.get_holds(["h1", "missing"])
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no hold 'missing' in the ledger

        Raises:
            antfin.errors.NotFoundError: for the first unknown id.
            antfin.errors.InvariantViolationError: a stored hold whose record names another id.

        .. versionadded:: 0.2.0
        """
        wanted = list(hold_ids)
        tx = self._tx
        touched = {} if tx is None else tx.hold_index
        unread = [hold_id for hold_id in wanted if isinstance(hold_id, str) and hold_id not in touched]
        stored = self._store.holds_by_id(unread) if unread else {}
        found: list[Hold] = []
        for hold_id in wanted:
            hold = None
            if isinstance(hold_id, str):
                hold = touched.get(hold_id) or stored.get(hold_id)
            if hold is None:
                raise NotFoundError(f"no hold {hold_id!r} in the ledger")
            _check_stored_hold(hold_id, hold)
            found.append(hold)
        return tuple(found)

    @_locked
    def holds(self, status: HoldStatus | None = None) -> tuple[Hold, ...]:
        """Every hold, in creation order, optionally only those with ``status``.

        >>> from antfin.ledger import Ledger
        >>> Ledger().holds(HoldStatus.PENDING)
        ()

        .. versionadded:: 0.1.0
        """
        return tuple(hold for hold in self._merged_holds() if status is None or hold.status is status)

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

        >>> from antfin.ledger import Ledger
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

        >>> from antfin.ledger import Ledger
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

        >>> from antfin.ledger import Ledger
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
        # The store's index of pending expiries, then what this block changed or created.
        overlay = tx.hold_index
        due: list[tuple[datetime, int, int, Hold]] = []
        for index, hold in enumerate(self._store.holds_due(at)):
            due.append((hold.expires_at, 0, index, overlay.get(hold.id, hold)))  # type: ignore[arg-type]
        for index, hold_id in enumerate(tx.new_holds):
            hold = overlay[hold_id]
            if hold.expires_at is not None and hold.expires_at <= at:
                due.append((hold.expires_at, 1, index, hold))
        due.sort(key=lambda item: item[:3])
        expired: list[Hold] = []
        for _, _, _, candidate in due:
            # On a row-locking store, read it again, locked: another process may have resolved it.
            hold = candidate if not self._locks_rows else self._find_hold(candidate.id) or candidate
            if hold.status is not HoldStatus.PENDING:
                continue
            lapsed = attrs.evolve(hold, status=HoldStatus.EXPIRED, resolved_at=hold.expires_at)
            self._resolve_hold(tx, hold, lapsed)
            expired.append(lapsed)
        return tuple(expired)

"""The ledger's queries (balances, entries, history, keys) and its invariant check.

Balances answer from the ledger's account cache (each account's running
totals, read from the store on first use); entries, history, keys and holds
are read from the store, with what the current atomic block wrote on top.
:meth:`~antfin.ledger.ledger.Ledger.check_invariants` recomputes everything
from the stored entries and holds.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

from antfin.calendar import ensure_aware
from antfin.errors import InvalidAmountError, InvariantViolationError, NotFoundError
from antfin.ledger.model import Hold, HoldStatus, JournalEntry, LedgerAccount
from antfin.ledger.transactions import (
    _CR,
    _CR_PENDING,
    _DR,
    _DR_PENDING,
    _check_loaded_account,
    _LedgerCore,
    _locked,
)
from antfin.money import Money

#: How many times a full check reads a store that other processes moved meanwhile.
_CHECK_ATTEMPTS = 5

#: Above this many accounts under a prefix not in the cache yet, ``accounts(prefix)`` reads their rows together.
_READ_TOGETHER = 64


class _LedgerQueries(_LedgerCore):
    """Queries and the invariant check of :class:`~antfin.ledger.ledger.Ledger`."""

    @_locked
    def account(self, account_id: str) -> LedgerAccount:
        """The account with this id.

        >>> from antfin.ledger import Ledger
        >>> Ledger().account("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no account 'nope' in the ledger

        Raises:
            antfin.errors.NotFoundError: for an unknown id.

        .. versionadded:: 0.1.0
        """
        account = self._account_or_none(account_id)
        if account is None:
            raise NotFoundError(f"no account {account_id!r} in the ledger")
        return account

    @_locked
    def has_account(self, account_id: str) -> bool:
        """Whether an account with this id exists.

        >>> from antfin.ledger import Ledger
        >>> Ledger().has_account("wallet:alice")
        False

        .. versionadded:: 0.1.0
        """
        return self._account_or_none(account_id) is not None

    @_locked
    def accounts(self, prefix: str = "") -> tuple[LedgerAccount, ...]:
        """Every account, or every account whose id starts with ``prefix``, in opening order.

        With a prefix, the store finds the ids from its index of ids (the cost is
        the accounts found, not all of them) and the accounts come from the
        ledger's cache, read on first use (in one read of the rows under the
        prefix when many are not cached yet, and checked as they are read);
        accounts opened in the current atomic block are included.

        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> for name in ("wallet:b", "asset:bank", "wallet:a"):
        ...     _ = ledger.open_account(name, AccountKind.LIABILITY)
        >>> [account.id for account in ledger.accounts("wallet:")]
        ['wallet:b', 'wallet:a']

        .. versionadded:: 0.1.0
        .. versionchanged:: 0.2.0
           The ``prefix`` argument.
        """
        if not isinstance(prefix, str):
            raise TypeError(f"prefix must be a str, not {type(prefix).__name__}")
        if not prefix:
            return tuple(account for account, _ in self._account_rows())
        ids = list(self._store.account_ids(prefix))
        tx = self._tx
        if tx is not None and tx.new_accounts:
            ids.extend(account_id for account_id in tx.new_accounts if account_id.startswith(prefix))
        cached = self._accounts
        if sum(1 for account_id in ids if account_id not in cached) > _READ_TOGETHER:
            # Many not read yet (a new process, or a store that drops the cache at every transaction):
            # one read of the rows under the prefix, not one read each.
            for row, totals in self._store.accounts(prefix):
                if row.id not in cached:
                    _check_loaded_account(row, totals)
                    self._add_account(row, list(totals))
        found: list[LedgerAccount] = []
        for account_id in ids:
            account = self._account_or_none(account_id)
            if account is None:  # the store listed it a moment ago: another process cannot delete an account
                raise InvariantViolationError(f"account {account_id!r} is listed but not in the store")
            found.append(account)
        return tuple(found)

    def _merged_holds(self) -> tuple[Hold, ...]:
        """Every hold: the store's, with this block's changes and new holds on top."""
        return tuple(self._walk_holds())

    def _walk_holds(self, batch: int = 10_000) -> Iterator[Hold]:
        """Every hold, the store's with this block's changes and new holds on top, read a batch at a time."""
        with self._lock:
            tx = self._tx
            overlay = dict(tx.hold_index) if tx is not None and tx.hold_index else {}
            new = [overlay[hold_id] for hold_id in tx.new_holds] if tx is not None and overlay else []
        for holds in self._store.hold_batches(batch):
            for hold in holds:
                yield overlay.get(hold.id, hold)
        yield from new

    def _account_rows(self) -> list[tuple[LedgerAccount, tuple[int, ...]]]:
        """Every account with its running totals: the store's, with this block's changes on top."""
        rows: list[tuple[LedgerAccount, tuple[int, ...]]] = list(self._store.accounts())
        tx = self._tx
        if tx is not None and (tx.accounts or tx.touched):
            changed = {account.id for account in tx.accounts}.union(tx.touched)
            rows = [
                (self._accounts[account.id], tuple(self._totals[account.id]))
                if account.id in changed
                else (account, totals)
                for account, totals in rows
            ]
            rows.extend((self._accounts[i], tuple(self._totals[i])) for i in tx.new_accounts)
        return rows

    @_locked
    def balance(self, account_id: str, at: datetime | None = None) -> Money:
        """Posted balance in the account's normal direction, now or as of ``at``.

        >>> from antfin.ledger import Ledger
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
            net = self._store.balance_at(account_id, at)
            tx = self._tx
            if tx is not None:
                for entry in tx.entries:
                    if entry.at <= at:
                        net += sum(p.amount.minor_units for p in entry.postings if p.account == account_id)
        return Money._from_minor(net * account.kind.sign, account.currency)

    @_locked
    def balances(self, account_ids: Iterable[str]) -> dict[str, Money]:
        """The posted balances now of those of ``account_ids`` that exist, in one call (a product checking many).

        >>> from antfin.ledger import Ledger
        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.balances(["wallet:a", "wallet:nobody"])
        {'wallet:a': Money('0.00', 'CNY')}

        .. versionadded:: 0.2.0
        """
        found: dict[str, Money] = {}
        totals_of, signs = self._totals, self._signs
        for account_id in account_ids:
            account = self._account_or_none(account_id)
            if account is not None:
                totals = totals_of[account.id]
                found[account.id] = Money._from_minor((totals[_DR] - totals[_CR]) * signs[account.id], account.currency)
        return found

    @_locked
    def balances_at(self, account_ids: Iterable[str], instants: Sequence[datetime]) -> tuple[Money, ...]:
        """The summed posted balance of ``account_ids`` (each in its normal direction) at each of ``instants``.

        Worked back from the running totals through what was booked after the
        earliest instant (the stores read it from an index of entries by
        instant), so a month of daily balances costs that month's entries, not a
        scan of the accounts' history per day.

        >>> from antfin import CNY
        >>> from antfin.ledger import AccountKind, Ledger
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> for name in ("wallet:a", "wallet:b"):
        ...     _ = ledger.open_account(name, AccountKind.LIABILITY)
        >>> _ = ledger.transfer("t1", debit="asset:bank", credit="wallet:a", amount=CNY("3"), at=shanghai(2024, 1, 2))
        >>> _ = ledger.transfer("t2", debit="asset:bank", credit="wallet:b", amount=CNY("4"), at=shanghai(2024, 1, 3))
        >>> days = [shanghai(2024, 1, 1), shanghai(2024, 1, 2, 12), shanghai(2024, 1, 4)]
        >>> ledger.balances_at(["wallet:a", "wallet:b"], days)
        (Money('0.00', 'CNY'), Money('3.00', 'CNY'), Money('7.00', 'CNY'))

        Raises:
            antfin.errors.NotFoundError: an unknown account.
            antfin.errors.InvalidAmountError: no accounts, or accounts in different currencies.

        .. versionadded:: 0.2.0
        """
        ids = list(dict.fromkeys(account_ids))
        accounts = [self.account(account_id) for account_id in ids]
        if not accounts:
            raise InvalidAmountError("balances_at needs at least one account")
        currency = accounts[0].currency
        if any(account.currency != currency for account in accounts):
            raise InvalidAmountError(f"accounts {ids} are not all in {currency.code}")
        whens = [ensure_aware(at) for at in instants]
        if not whens:
            return ()
        signs = {account.id: account.kind.sign for account in accounts}
        now = 0
        for account_id, sign in signs.items():
            totals = self._totals[account_id]
            now += sign * (totals[_DR] - totals[_CR])
        earliest = min(whens)
        moves = [(at, signs[account] * minor) for account, at, minor in self._store.movements(signs, earliest)]
        tx = self._tx
        if tx is not None:  # what this block booked is in the running totals but not yet in the store
            moves.extend(
                (entry.at, signs[p.account] * p.amount.minor_units)
                for entry in tx.entries
                if entry.at > earliest
                for p in entry.postings
                if p.account in signs
            )
        moves.sort(key=lambda move: move[0])
        times = [at for at, _ in moves]
        later = [0] * (len(moves) + 1)  # later[i]: the sum of moves[i:]
        for index in range(len(moves) - 1, -1, -1):
            later[index] = later[index + 1] + moves[index][1]
        return tuple(Money._from_minor(now - later[bisect_right(times, at)], currency) for at in whens)

    @_locked
    def pending(self, account_id: str) -> Money:
        """The amount pending holds would take out of the account (positive).

        >>> from antfin.ledger import Ledger
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

        >>> from antfin.ledger import Ledger
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

        >>> from antfin.ledger import Ledger
        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.available("wallet:a")
        Money('0.00', 'CNY')

        .. versionadded:: 0.1.0
        """
        return self.balance(account_id) - self.pending(account_id)

    @_locked
    def counts(self) -> tuple[int, int, int]:
        """How many accounts, journal entries and holds the ledger has (counted by the store).

        >>> from antfin.ledger import Ledger
        >>> Ledger().counts()
        (0, 0, 0)

        .. versionadded:: 0.2.0
        """
        accounts, entries, holds = self._store.counts()
        tx = self._tx
        if tx is not None:
            return accounts + len(tx.new_accounts), entries + len(tx.entries), holds + len(tx.new_holds)
        return accounts, entries, holds

    @_locked
    def uncommitted(self) -> tuple[int, int, int]:
        """How many accounts, entries and holds the current atomic block wrote and has not committed yet.

        Asks nothing of the store: the cheap way to tell whether some code wrote to
        the ledger (loading must not).

        >>> from antfin.ledger import AccountKind, Ledger
        >>> ledger = Ledger()
        >>> with ledger.atomic():
        ...     _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        ...     ledger.uncommitted()
        (1, 0, 0)
        >>> ledger.uncommitted()
        (0, 0, 0)

        .. versionadded:: 0.2.0
        """
        tx = self._tx
        if tx is None:
            return 0, 0, 0
        return len(tx.new_accounts), len(tx.entries), len(tx.new_holds)

    @_locked
    def entries(self) -> tuple[JournalEntry, ...]:
        """Every journal entry, in posting order.

        >>> from antfin.ledger import Ledger
        >>> Ledger().entries()
        ()

        .. versionadded:: 0.1.0
        """
        tx = self._tx
        stored = self._store.entries()
        return stored if tx is None or not tx.entries else stored + tuple(tx.entries)

    def iter_entries(self, batch: int = 10_000) -> Iterator[JournalEntry]:
        """Every journal entry, in posting order, read ``batch`` at a time: a walk through a long history
        holds one batch in memory, where :meth:`entries` returns them all at once.

        The entries are those committed when the walk starts, then the ones this
        transaction has booked so far.

        >>> from antfin import CNY
        >>> from antfin.ledger import AccountKind, Ledger
        >>> from antfin.calendar import shanghai
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("asset:bank", AccountKind.ASSET)
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> for n in range(3):
        ...     _ = ledger.transfer(f"t{n}", debit="asset:bank", credit="wallet:a", amount=CNY("1"),
        ...                         at=shanghai(2024, 1, 2))
        >>> [entry.id for entry in ledger.iter_entries(batch=2)]
        ['E1', 'E2', 'E3']

        Raises:
            antfin.errors.InvalidAmountError: a batch that is not a positive int.

        .. versionadded:: 0.2.0
        """
        if batch.__class__ is not int or batch < 1:
            raise InvalidAmountError(f"batch must be a positive int, got {batch!r}")
        return self._walk_entries(batch)

    def _walk_entries(self, batch: int) -> Iterator[JournalEntry]:
        with self._lock:
            tx = self._tx
            booked = () if tx is None else tuple(tx.entries)
        for entries in self._store.entry_batches(batch):
            yield from entries
        yield from booked

    @_locked
    def entry(self, entry_id: str) -> JournalEntry:
        """The journal entry with this id.

        >>> from antfin.ledger import Ledger
        >>> Ledger().entry("E1")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no journal entry 'E1'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.

        .. versionadded:: 0.1.0
        """
        entry = self._find_entry(entry_id)
        if entry is None:
            raise NotFoundError(f"no journal entry {entry_id!r}")
        return entry

    @_locked
    def history(self, account_id: str) -> tuple[JournalEntry, ...]:
        """The entries that touch an account, in posting order.

        >>> from antfin.ledger import Ledger
        >>> from antfin.ledger import AccountKind
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:a", AccountKind.LIABILITY)
        >>> ledger.history("wallet:a")
        ()

        .. versionadded:: 0.1.0
        """
        self.account(account_id)
        stored = self._store.history(account_id)
        tx = self._tx
        if tx is None or not tx.entries:
            return stored
        return stored + tuple(e for e in tx.entries if any(p.account == account_id for p in e.postings))

    @_locked
    def key_used(self, key: str) -> bool:
        """Whether an idempotency key has been used.

        >>> from antfin.ledger import Ledger
        >>> Ledger().key_used("anything")
        False

        .. versionadded:: 0.1.0
        """
        return isinstance(key, str) and self._key_record(key) is not None

    @_locked
    def check_invariants(self) -> None:
        """Recompute everything from the entries and holds and raise if any rule is broken.

        Checked: each entry balances per currency; the running totals match the
        postings; total debits equal total credits per currency; no
        non-negative account is below zero net of pending holds; pending totals
        match the pending holds; every resolved hold has its resolution
        recorded exactly once; the store's own look-up structures agree with its
        rows (on SQLite, each account's chain of postings).

        >>> from antfin.ledger import Ledger
        >>> Ledger().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        On a store other processes write to, the check reads accounts, entries
        and holds one after the other: when a commit lands in between and the
        figures disagree, it reads them again (a few times) before it calls
        them broken.

        .. versionadded:: 0.1.0
        """
        for _ in range(_CHECK_ATTEMPTS - 1):
            moved_from = self._store.counts() if self._shared else None
            try:
                self._check_once()
            except InvariantViolationError:
                if moved_from is None or self._store.counts() == moved_from:
                    raise
                continue  # another process committed while this check read: read again
            return
        self._check_once()

    def _check_once(self) -> None:
        rows = self._account_rows()
        recomputed: dict[str, list[int]] = {account.id: [0, 0, 0, 0] for account, _ in rows}
        per_currency: dict[str, int] = {}
        posted_holds: dict[str, str] = {}
        for entry in self.iter_entries():  # a batch at a time: the history is not held in memory
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
        for hold in self._walk_holds():  # a batch at a time, as the entries
            if hold.status is HoldStatus.PENDING:
                recomputed[hold.debit][_DR_PENDING] += hold.amount.minor_units
                recomputed[hold.credit][_CR_PENDING] += hold.amount.minor_units
            elif hold.resolved_at is None:
                raise InvariantViolationError(f"hold {hold.id!r} is {hold.status.value} without a resolution time")
            if (hold.status is HoldStatus.POSTED) != (hold.id in posted_holds):
                raise InvariantViolationError(f"hold {hold.id!r} is {hold.status.value} but its posting disagrees")
        # The stored totals, and (when they are current: a private store, or inside a
        # transaction on a shared one) the cached totals too.
        cached = self._totals if (not self._shared or self._tx is not None) else {}
        for account, stored in rows:
            account_id = account.id
            for totals in (list(stored), cached.get(account_id)):
                if totals is not None and totals != recomputed[account_id]:
                    raise InvariantViolationError(
                        f"running totals of {account_id!r} {totals} differ from its postings {recomputed[account_id]}"
                    )
            totals = recomputed[account_id]
            if account.kind.debit_normal:
                available = totals[_DR] - totals[_CR] - totals[_CR_PENDING]
            else:
                available = totals[_CR] - totals[_DR] - totals[_DR_PENDING]
            if account.non_negative and available < 0:
                shown = Money._from_minor(available, account.currency)
                raise InvariantViolationError(f"non-negative account {account_id!r} is at {shown} net of holds")
        for account_id in cached:
            if account_id not in recomputed:
                raise InvariantViolationError(f"account {account_id!r} is cached but not in the store")
        self._store.check_indexes()

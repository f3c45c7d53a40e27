"""Random ledger operations against a small reference model (dicts of ints), on both stores.

The machine opens accounts, transfers, places holds, posts them in full or in
part, voids and expires them, reverses entries, applies atomic batches (some
failing), replays keys with the same and with other parameters, and reopens
the ledger from its store. After every step the ledger must agree with the
model and :meth:`~antfin.ledger.Ledger.check_invariants` must pass.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from antfin.calendar import shanghai
from antfin.errors import (
    BatchError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    NotFoundError,
)
from antfin.ledger import AccountKind, HoldStatus, Ledger, SQLiteStore, TransferOp
from antfin.money import Money

# name -> (kind, non_negative); the same name always opens with the same terms.
ACCOUNTS: dict[str, tuple[AccountKind, bool]] = {
    "asset:bank": (AccountKind.ASSET, False),
    "asset:reserve": (AccountKind.ASSET, True),
    "wallet:0": (AccountKind.LIABILITY, True),
    "wallet:1": (AccountKind.LIABILITY, True),
    "wallet:2": (AccountKind.LIABILITY, True),
    "revenue:fee": (AccountKind.REVENUE, False),
}
NAMES = sorted(ACCOUNTS)
START = shanghai(2024, 3, 1, 9)
names = st.sampled_from(NAMES)
amounts = st.integers(min_value=1, max_value=6_000)


@dataclass
class ModelHold:
    debit: str
    credit: str
    amount: int
    expires_at: datetime | None
    seq: int
    status: HoldStatus = HoldStatus.PENDING


@dataclass
class ModelEntry:
    id: str
    lines: list[tuple[str, int]]  # (account, signed minor: + debit, - credit)
    reversed: bool = False


@dataclass
class Model:
    """The reference: balances in normal direction as ints, holds, entries, keys."""

    balances: dict[str, int] = field(default_factory=dict)
    holds: dict[str, ModelHold] = field(default_factory=dict)
    entries: list[ModelEntry] = field(default_factory=list)
    keys: dict[str, str] = field(default_factory=dict)  # key -> result id (entry or hold)

    def sign(self, account: str) -> int:
        return ACCOUNTS[account][0].sign

    def reserved(self, account: str, skip: str | None = None) -> int:
        """What pending holds would take out of ``account`` (except hold ``skip``)."""
        total = 0
        for hold_id, hold in self.holds.items():
            if hold.status is not HoldStatus.PENDING or hold_id == skip:
                continue
            if hold.debit == account and self.sign(account) < 0:
                total += hold.amount
            if hold.credit == account and self.sign(account) > 0:
                total += hold.amount
        return total

    def check_lines(self, lines: list[tuple[str, int]], skip_hold: str | None = None) -> type[Exception] | None:
        for account, _ in lines:
            if account not in self.balances:
                return NotFoundError
        net: dict[str, int] = {}
        for account, minor in lines:
            net[account] = net.get(account, 0) + minor
        for account, minor in net.items():
            if not ACCOUNTS[account][1]:
                continue
            after = self.balances[account] + minor * self.sign(account)
            if after - self.reserved(account, skip_hold) < 0:
                return InsufficientFundsError
        return None

    def apply_lines(self, entry_id: str, lines: list[tuple[str, int]]) -> None:
        for account, minor in lines:
            self.balances[account] += minor * self.sign(account)
        self.entries.append(ModelEntry(entry_id, lines))

    def next_entry_id(self) -> str:
        return f"E{len(self.entries) + 1}"

    def transfer(self, key: str, debit: str, credit: str, minor: int) -> type[Exception] | None:
        lines = [(debit, minor), (credit, -minor)]
        error = self.check_lines(lines)
        if debit == credit and error is not NotFoundError:  # a self-transfer is refused before any funds check
            error = InvalidAmountError
        if error is None:
            self.keys[key] = self.next_entry_id()
            self.apply_lines(self.next_entry_id(), lines)
        return error

    def copy(self) -> Model:
        return Model(
            dict(self.balances),
            {k: ModelHold(**vars(h)) for k, h in self.holds.items()},
            [ModelEntry(e.id, list(e.lines), e.reversed) for e in self.entries],
            dict(self.keys),
        )


class LedgerMachine(RuleBasedStateMachine):
    """Random operations on a memory-store ledger, checked against :class:`Model`."""

    use_sqlite = False

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="antfin-ledger-"))
        self.path = self.tmp / "ledger.db"
        self.ledger = Ledger(SQLiteStore(self.path)) if self.use_sqlite else Ledger()
        self.model = Model()
        self.now = START
        self.counter = 0
        self.hold_seq = 0

    def teardown(self) -> None:
        self.ledger.close()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _key(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def _open(self, name: str) -> None:
        kind, non_negative = ACCOUNTS[name]
        self.ledger.open_account(name, kind, non_negative=non_negative)
        self.model.balances.setdefault(name, 0)

    @initialize()
    def start(self) -> None:
        self._open("asset:bank")
        self._open("wallet:0")
        key = self._key("fund")
        self.ledger.transfer(key, debit="asset:bank", credit="wallet:0", amount=Money.from_minor_units(20_000),
                             at=self.now)  # fmt: skip
        assert self.model.transfer(key, "asset:bank", "wallet:0", 20_000) is None

    # -- rules --------------------------------------------------------------------

    @rule(name=names, conflict=st.booleans())
    def open_account(self, name: str, conflict: bool) -> None:
        kind, non_negative = ACCOUNTS[name]
        if conflict and name in self.model.balances:
            with pytest.raises(IdempotencyConflictError):
                self.ledger.open_account(name, kind, non_negative=not non_negative)
        else:
            self._open(name)

    @rule(debit=names, credit=names, minor=amounts)
    def transfer(self, debit: str, credit: str, minor: int) -> None:
        key = self._key("t")
        expected = Model.transfer(self.model.copy(), key, debit, credit, minor)
        if expected is None:
            entry = self.ledger.transfer(key, debit=debit, credit=credit, amount=Money.from_minor_units(minor),
                                         at=self.now)  # fmt: skip
            self.model.transfer(key, debit, credit, minor)
            assert entry.id == self.model.keys[key]
        else:
            with pytest.raises(expected):
                self.ledger.transfer(key, debit=debit, credit=credit, amount=Money.from_minor_units(minor),
                                     at=self.now)  # fmt: skip

    @rule(source=st.sampled_from([n for n in NAMES if ACCOUNTS[n][1]]), other=names, delta=st.integers(-1, 1),
          as_hold=st.booleans())  # fmt: skip
    def to_the_fen(self, source: str, other: str, delta: int, as_hold: bool) -> None:
        """Move exactly the available amount of a non-negative account, a fen less or a fen more."""
        if source not in self.model.balances or other not in self.model.balances or source == other:
            return
        available = self.model.balances[source] - self.model.reserved(source)
        minor = available + delta
        if minor <= 0:
            return
        outward = self.model.sign(source) < 0  # a debit takes money out of a liability wallet
        debit, credit = (source, other) if outward else (other, source)
        if as_hold:
            self.hold(debit, credit, minor, None)
        else:
            self.transfer(debit, credit, minor)

    @precondition(lambda self: any(key.startswith("t") for key in self.model.keys))
    @rule(data=st.data(), change=st.booleans())
    def replay_transfer(self, data: st.DataObject, change: bool) -> None:
        key = data.draw(st.sampled_from(sorted(k for k in self.model.keys if k.startswith("t"))))
        entry = self.ledger.entry(self.model.keys[key])
        debit, credit = entry.postings[0].account, entry.postings[1].account
        amount = entry.postings[0].amount
        if change:
            with pytest.raises(IdempotencyConflictError):
                self.ledger.transfer(key, debit=debit, credit=credit, amount=amount + Money.from_minor_units(1),
                                     at=self.now)  # fmt: skip
        else:
            again = self.ledger.transfer(key, debit=debit, credit=credit, amount=amount, at=self.now + timedelta(1))
            assert again == entry

    @rule(debit=names, credit=names, minor=amounts, ttl=st.none() | st.integers(min_value=1, max_value=4))
    def hold(self, debit: str, credit: str, minor: int, ttl: int | None) -> None:
        key = self._key("h")
        expires = None if ttl is None else self.now + timedelta(hours=ttl)
        model = self.model
        expected: type[Exception] | None = None
        for account, debit_side in ((debit, True), (credit, False)):  # the ledger checks them in this order
            if expected is not None:
                break
            if account not in model.balances:
                expected = NotFoundError
                break
            out = model.sign(account) < 0 if debit_side else model.sign(account) > 0
            if ACCOUNTS[account][1] and out and model.balances[account] - model.reserved(account) < minor:
                expected = InsufficientFundsError
        if expected is None and debit == credit:
            expected = InvalidAmountError
        amount = Money.from_minor_units(minor)
        if expected is not None:
            with pytest.raises(expected):
                self.ledger.hold(key, debit=debit, credit=credit, amount=amount, at=self.now, expires_at=expires)
            return
        hold = self.ledger.hold(key, debit=debit, credit=credit, amount=amount, at=self.now, expires_at=expires)
        assert hold.id == key
        self.hold_seq += 1
        model.holds[key] = ModelHold(debit, credit, minor, expires, self.hold_seq)
        model.keys[key] = key
        again = self.ledger.hold(key, debit=debit, credit=credit, amount=amount, at=self.now, expires_at=expires)
        assert again == hold

    def _resolvable(self, hold_id: str) -> type[Exception] | None:
        hold = self.model.holds[hold_id]
        if hold.status is not HoldStatus.PENDING:
            return InvalidTransitionError
        if hold.expires_at is not None and self.now >= hold.expires_at:
            return InvalidTransitionError
        return None

    @precondition(lambda self: bool(self.model.holds))
    @rule(data=st.data(), part=st.none() | st.integers(min_value=1, max_value=7_000))
    def post_hold(self, data: st.DataObject, part: int | None) -> None:
        hold_id = data.draw(st.sampled_from(sorted(self.model.holds)))
        hold = self.model.holds[hold_id]
        key = self._key("p")
        minor = hold.amount if part is None else part
        expected = self._resolvable(hold_id)
        if expected is None and minor > hold.amount:
            expected = InvalidAmountError
        lines = [(hold.debit, minor), (hold.credit, -minor)]
        if expected is None:
            expected = self.model.check_lines(lines, skip_hold=hold_id)
        amount = None if part is None else Money.from_minor_units(part)
        if expected is not None:
            with pytest.raises(expected):
                self.ledger.post_hold(key, hold_id, at=self.now, amount=amount)
            return
        entry = self.ledger.post_hold(key, hold_id, at=self.now, amount=amount)
        assert entry.id == self.model.next_entry_id()
        hold.status = HoldStatus.POSTED
        self.model.keys[key] = entry.id
        self.model.apply_lines(entry.id, lines)

    @precondition(lambda self: bool(self.model.holds))
    @rule(data=st.data())
    def void_hold(self, data: st.DataObject) -> None:
        hold_id = data.draw(st.sampled_from(sorted(self.model.holds)))
        key = self._key("v")
        expected = self._resolvable(hold_id)
        if expected is not None:
            with pytest.raises(expected):
                self.ledger.void_hold(key, hold_id, at=self.now)
            return
        assert self.ledger.void_hold(key, hold_id, at=self.now).status is HoldStatus.VOIDED
        self.model.holds[hold_id].status = HoldStatus.VOIDED
        self.model.keys[key] = hold_id

    @rule(minutes=st.integers(min_value=0, max_value=150))
    def tick_and_expire(self, minutes: int) -> None:
        self.now += timedelta(minutes=minutes)
        due = sorted(
            (
                (hold.expires_at, hold.seq, hold_id)
                for hold_id, hold in self.model.holds.items()
                if hold.status is HoldStatus.PENDING and hold.expires_at is not None and hold.expires_at <= self.now
            ),
        )
        expired = self.ledger.expire_holds(self.now)
        assert [hold.id for hold in expired] == [hold_id for _, _, hold_id in due]
        for _, _, hold_id in due:
            self.model.holds[hold_id].status = HoldStatus.EXPIRED

    @precondition(lambda self: bool(self.model.entries))
    @rule(data=st.data())
    def reverse(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(min_value=0, max_value=len(self.model.entries) - 1))
        original = self.model.entries[index]
        key = self._key("r")
        lines = [(account, -minor) for account, minor in original.lines]
        expected = InvalidTransitionError if original.reversed else self.model.check_lines(lines)
        if expected is not None:
            with pytest.raises(expected):
                self.ledger.reverse(key, original.id, at=self.now)
            return
        entry = self.ledger.reverse(key, original.id, at=self.now)
        assert entry.reverses == original.id
        original.reversed = True
        self.model.keys[key] = entry.id
        self.model.apply_lines(entry.id, lines)

    @rule(moves=st.lists(st.tuples(names, names, amounts), min_size=1, max_size=4))
    def batch(self, moves: list[tuple[str, str, int]]) -> None:
        trial = self.model.copy()
        ops = []
        failed: int | None = None
        for index, (debit, credit, minor) in enumerate(moves):
            key = self._key("b")
            ops.append(TransferOp(key, debit=debit, credit=credit, amount=Money.from_minor_units(minor), at=self.now))
            if failed is None and trial.transfer(key, debit, credit, minor) is not None:
                failed = index
        if failed is None:
            results = self.ledger.apply_batch(ops)
            assert [result.id for result in results] == [trial.keys[op.key] for op in ops]
            self.model = trial
        else:
            with pytest.raises(BatchError) as raised:
                self.ledger.apply_batch(ops)
            assert raised.value.index == failed
            assert raised.value.operation is ops[failed]

    @rule()
    def reopen(self) -> None:
        before = (self.ledger.accounts(), self.ledger.entries(), self.ledger.holds(), self.ledger.trial_balance())
        store = self.ledger.store
        if self.use_sqlite:
            self.ledger.close()
            store = SQLiteStore(self.path)
        self.ledger = Ledger(store)
        after = (self.ledger.accounts(), self.ledger.entries(), self.ledger.holds(), self.ledger.trial_balance())
        assert after == before

    # -- invariants ---------------------------------------------------------------

    @invariant()
    def agrees_with_the_model(self) -> None:
        ledger, model = self.ledger, self.model
        assert len(ledger.entries()) == len(model.entries)
        for account, balance in model.balances.items():
            assert ledger.balance(account).minor_units == balance, account
            assert ledger.available(account).minor_units == balance - model.reserved(account), account
        for hold_id, hold in model.holds.items():
            assert ledger.get_hold(hold_id).status is hold.status, hold_id
        for key in model.keys:
            assert ledger.key_used(key), key

    @invariant()
    def invariants_hold(self) -> None:
        self.ledger.check_invariants()


class SQLiteLedgerMachine(LedgerMachine):
    """The same machine on an SQLite file, reopened from disk by the ``reopen`` rule."""

    use_sqlite = True


TestMemoryLedger = LedgerMachine.TestCase
TestMemoryLedger.settings = settings(max_examples=60, stateful_step_count=30, deadline=None)
TestSQLiteLedger = SQLiteLedgerMachine.TestCase
TestSQLiteLedger.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)

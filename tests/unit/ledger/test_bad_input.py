"""Every refused ledger call raises its typed error and leaves the ledger and its store unchanged."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from antfin.calendar import shanghai
from antfin.errors import (
    AntfinError,
    BatchError,
    CurrencyMismatchError,
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    NotFoundError,
    UnbalancedEntryError,
)
from antfin.ledger import AccountKind, Ledger, Posting, TransferOp
from antfin.money import CNY, Money

AT = shanghai(2024, 1, 2, 10)
LATER = shanghai(2024, 1, 3, 10)
Call = Callable[[Ledger], object]


def _transfer(**overrides: Any) -> Call:
    params: dict[str, Any] = {
        "debit": "wallet:alice",
        "credit": "wallet:bob",
        "amount": CNY("1.00"),
        "at": AT,
    }
    params.update(overrides)
    key = params.pop("key", "t:new")
    return lambda book: book.transfer(key, **params)


def _hold(**overrides: Any) -> Call:
    params: dict[str, Any] = {"debit": "wallet:alice", "credit": "wallet:merchant", "amount": CNY("10.00"), "at": AT}
    params.update(overrides)
    key = params.pop("key", "h:new")
    return lambda book: book.hold(key, **params)


def _entry(*postings: Posting, key: str = "e:new", at: datetime = AT) -> Call:
    return lambda book: book.post_entry(key, list(postings), at=at)


# (name, call, expected error type, words the message must contain)
CASES: list[tuple[str, Call, type[Exception], tuple[str, ...]]] = [
    (
        "unbalanced entry",
        _entry(Posting.debit("wallet:alice", CNY("5.00")), Posting.credit("wallet:bob", CNY("4.99"))),
        UnbalancedEntryError,
        ("does not balance", "0.01"),
    ),
    ("entry with one posting", _entry(Posting.debit("wallet:alice", CNY("5.00"))), InvalidAmountError, ("two",)),
    (
        "entry with a zero posting",
        _entry(Posting("wallet:alice", CNY("0")), Posting("wallet:bob", CNY("0"))),
        InvalidAmountError,
        ("zero",),
    ),
    ("entry of non-postings", lambda b: b.post_entry("e:x", ["nope", "nope"], at=AT), TypeError, ("Posting",)),  # type: ignore[list-item]
    ("entry not a sequence", lambda b: b.post_entry("e:x", 5, at=AT), TypeError, ("postings",)),  # type: ignore[arg-type]
    ("unknown debit account", _transfer(debit="wallet:nobody"), NotFoundError, ("wallet:nobody",)),
    ("unknown credit account", _transfer(credit="wallet:nobody"), NotFoundError, ("wallet:nobody",)),
    ("non-string account id", _transfer(credit=["wallet:bob"]), NotFoundError, ("wallet:bob",)),
    (
        "unknown account in an entry",
        _entry(Posting.debit("wallet:alice", CNY("1")), Posting.credit("nobody", CNY("1"))),
        NotFoundError,
        ("nobody",),
    ),
    ("unknown hold account", _hold(credit="wallet:nobody"), NotFoundError, ("wallet:nobody",)),
    (
        "currency mismatch",
        _transfer(amount=Money("1.00", "USD")),
        CurrencyMismatchError,
        ("wallet:alice", "CNY", "USD"),
    ),
    (
        "currency mismatch in an entry",
        _entry(Posting.debit("asset:usd", CNY("1")), Posting.credit("wallet:bob", CNY("1"))),
        CurrencyMismatchError,
        ("asset:usd",),
    ),
    ("currency mismatch in a hold", _hold(amount=Money("1", "USD")), CurrencyMismatchError, ("USD",)),
    ("overdraft", _transfer(amount=CNY("100.01")), InsufficientFundsError, ("wallet:alice", "100.00", "100.01")),
    (
        "overdraft in an entry",
        _entry(Posting.debit("wallet:bob", CNY("50.01")), Posting.credit("wallet:alice", CNY("50.01"))),
        InsufficientFundsError,
        ("wallet:bob",),
    ),
    ("over-reserving hold", _hold(amount=CNY("100.01")), InsufficientFundsError, ("available 100.00",)),
    ("zero amount", _transfer(amount=CNY("0")), InvalidAmountError, ("positive",)),
    ("negative amount", _transfer(amount=CNY("-1")), InvalidAmountError, ("positive",)),
    ("negative hold", _hold(amount=CNY("-1")), InvalidAmountError, ("positive",)),
    ("float amount", _transfer(amount=1.5), TypeError, ("Money",)),
    ("Decimal amount", _transfer(amount=Decimal("1.5")), TypeError, ("Money",)),
    ("naive instant", _transfer(at=datetime(2024, 1, 2, 10)), InvalidTimeError, ("naive",)),
    ("instant as text", _transfer(at="2024-01-02"), TypeError, ("datetime",)),
    ("naive hold", _hold(at=datetime(2024, 1, 2)), InvalidTimeError, ("naive",)),
    ("naive expiry", _hold(expires_at=datetime(2024, 1, 3)), InvalidTimeError, ("expires_at",)),
    ("expiry not after creation", _hold(expires_at=AT), InvalidTimeError, ("expires_at", "after")),
    ("hold to itself", _hold(credit="wallet:alice"), InvalidAmountError, ("different",)),
    ("empty key", _transfer(key=""), InvalidAmountError, ("key",)),
    ("blank key", _transfer(key="   "), InvalidAmountError, ("key",)),
    ("non-string key", _transfer(key=7), InvalidAmountError, ("key",)),
    ("memo not text", _transfer(memo=None), TypeError, ("memo",)),
    ("metadata not text", _transfer(metadata={"n": 1}), TypeError, ("metadata",)),
    ("metadata not a mapping", _transfer(metadata=[("a", "b")]), TypeError, ("metadata",)),
    (
        "reused transfer key, new amount",
        _transfer(key="fund:alice", debit="asset:bank", credit="wallet:alice", amount=CNY("100.01")),
        IdempotencyConflictError,
        ("fund:alice",),
    ),
    ("reused key for a hold", _hold(key="fund:alice"), IdempotencyConflictError, ("fund:alice",)),
    (
        "reused key for an entry",
        _entry(Posting.debit("asset:bank", CNY("1")), Posting.credit("wallet:bob", CNY("1")), key="fund:bob"),
        IdempotencyConflictError,
        ("fund:bob",),
    ),
    ("reverse an unknown entry", lambda b: b.reverse("r:x", "E999", at=AT), NotFoundError, ("E999",)),
    ("post an unknown hold", lambda b: b.post_hold("p:x", "h:none", at=AT), NotFoundError, ("h:none",)),
    ("void an unknown hold", lambda b: b.void_hold("v:x", "h:none", at=AT), NotFoundError, ("h:none",)),
    ("expire with a naive instant", lambda b: b.expire_holds(datetime(2024, 1, 5)), InvalidTimeError, ("naive",)),
    ("balance of an unknown account", lambda b: b.balance("wallet:nobody"), NotFoundError, ("wallet:nobody",)),
    (
        "reopen an account with other terms",
        lambda b: b.open_account("wallet:alice", AccountKind.LIABILITY),
        IdempotencyConflictError,
        ("wallet:alice",),
    ),
    ("account of an unknown kind", lambda b: b.open_account("x", "cash"), InvalidAmountError, ("kind",)),
    ("account with an empty id", lambda b: b.open_account(" ", AccountKind.ASSET), InvalidAmountError, ("id",)),
    (
        "non-bool non_negative flag",
        lambda b: b.open_account("x", AccountKind.ASSET, non_negative="no"),  # type: ignore[arg-type]
        TypeError,
        ("non_negative",),
    ),
    ("owner not text", lambda b: b.open_account("x", AccountKind.ASSET, owner=7), TypeError, ("owner",)),  # type: ignore[arg-type]
    ("purpose not text", lambda b: b.open_account("x", AccountKind.ASSET, purpose=None), TypeError, ("purpose",)),  # type: ignore[arg-type]
    (
        "unknown currency",
        lambda b: b.open_account("x", AccountKind.ASSET, currency="XYZ"),
        InvalidAmountError,
        ("XYZ",),
    ),
    ("close an account with money", lambda b: b.close_account("wallet:alice"), InvalidTransitionError, ("close",)),
]


@pytest.mark.parametrize(("name", "call", "error", "words"), CASES, ids=[case[0] for case in CASES])
def test_refused_call_changes_nothing(
    ledger: Ledger,
    snapshot: Callable[[Ledger], object],
    name: str,
    call: Call,
    error: type[Exception],
    words: tuple[str, ...],
) -> None:
    before = snapshot(ledger)
    with pytest.raises(error) as raised:
        call(ledger)
    assert before == snapshot(ledger), name
    for word in words:
        assert word in str(raised.value), (word, str(raised.value))
    ledger.check_invariants()


def test_typed_errors_are_antfin_errors() -> None:
    for _, _, error, _ in CASES:
        assert issubclass(error, AntfinError) or error is TypeError


class TestHolds:
    """Resolved, expired and over-posted holds are refused, and nothing changes."""

    @pytest.fixture
    def held(self, ledger: Ledger) -> Ledger:
        ledger.hold("h:1", debit="wallet:alice", credit="wallet:merchant", amount=CNY("30.00"), at=AT, expires_at=LATER)
        return ledger

    def test_post_above_the_held_amount(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(held)
        with pytest.raises(InvalidAmountError, match=r"only 30.00 CNY is held"):
            held.post_hold("h:1:post", "h:1", at=AT, amount=CNY("30.01"))
        assert snapshot(held) == before

    def test_post_in_another_currency(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(held)
        with pytest.raises(CurrencyMismatchError):
            held.post_hold("h:1:post", "h:1", at=AT, amount=Money("1", "USD"))
        assert snapshot(held) == before

    def test_double_post(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        held.post_hold("h:1:post", "h:1", at=AT, amount=CNY("10.00"))
        before = snapshot(held)
        with pytest.raises(InvalidTransitionError, match="already posted"):
            held.post_hold("h:1:post-again", "h:1", at=AT)
        with pytest.raises(InvalidTransitionError, match="already posted"):
            held.void_hold("h:1:void", "h:1", at=AT)
        assert snapshot(held) == before
        assert held.balance("wallet:merchant") == CNY("10.00")
        assert held.available("wallet:alice") == CNY("90.00")

    def test_post_after_void(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        held.void_hold("h:1:void", "h:1", at=AT)
        before = snapshot(held)
        with pytest.raises(InvalidTransitionError, match="voided"):
            held.post_hold("h:1:post", "h:1", at=AT)
        assert snapshot(held) == before

    def test_post_at_or_after_expiry(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(held)
        with pytest.raises(InvalidTransitionError, match="expired"):
            held.post_hold("h:1:post", "h:1", at=LATER)
        with pytest.raises(InvalidTransitionError, match="expired"):
            held.void_hold("h:1:void", "h:1", at=LATER + timedelta(seconds=1))
        assert snapshot(held) == before

    def test_post_an_expired_hold(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        assert [hold.id for hold in held.expire_holds(LATER)] == ["h:1"]
        before = snapshot(held)
        with pytest.raises(InvalidTransitionError, match="already expired"):
            held.post_hold("h:1:post", "h:1", at=AT)
        assert snapshot(held) == before
        assert held.available("wallet:alice") == CNY("100.00")

    def test_transfer_cannot_spend_reserved_money(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(held)
        with pytest.raises(InsufficientFundsError, match=r"available 70.00"):
            held.transfer("t:spend", debit="wallet:alice", credit="wallet:bob", amount=CNY("70.01"), at=AT)
        assert snapshot(held) == before

    def test_reused_post_key_with_other_amount(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        first = held.post_hold("h:1:post", "h:1", at=AT, amount=CNY("5.00"))
        assert held.post_hold("h:1:post", "h:1", at=LATER, amount=CNY("5.00")) == first  # read back from the store
        before = snapshot(held)
        with pytest.raises(IdempotencyConflictError):
            held.post_hold("h:1:post", "h:1", at=AT, amount=CNY("6.00"))
        assert snapshot(held) == before

    def test_reused_hold_key_with_other_amount(self, held: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(held)
        with pytest.raises(IdempotencyConflictError):
            held.hold("h:1", debit="wallet:alice", credit="wallet:merchant", amount=CNY("31.00"), at=AT)
        assert snapshot(held) == before


class TestReversals:
    def test_reverse_twice(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        entry = ledger.transfer("t:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("5.00"), at=AT)
        ledger.reverse("t:1:rev", entry.id, at=AT)
        before = snapshot(ledger)
        with pytest.raises(InvalidTransitionError, match="already reversed"):
            ledger.reverse("t:1:rev2", entry.id, at=AT)
        assert snapshot(ledger) == before

    def test_reverse_spent_money(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        entry = ledger.transfer("t:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("5.00"), at=AT)
        ledger.transfer("t:2", debit="wallet:bob", credit="wallet:alice", amount=CNY("55.00"), at=AT)
        before = snapshot(ledger)
        with pytest.raises(InsufficientFundsError, match="wallet:bob"):
            ledger.reverse("t:1:rev", entry.id, at=AT)
        assert snapshot(ledger) == before


class TestClosedAccounts:
    def test_closed_account_takes_nothing(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        ledger.open_account("wallet:old", AccountKind.LIABILITY, non_negative=True)
        ledger.close_account("wallet:old")
        before = snapshot(ledger)
        with pytest.raises(InvalidTransitionError, match="closed"):
            ledger.transfer("t:old", debit="wallet:alice", credit="wallet:old", amount=CNY("1"), at=AT)
        with pytest.raises(InvalidTransitionError, match="closed"):
            ledger.post_entry(
                "e:old", [Posting.debit("wallet:alice", CNY("1")), Posting.credit("wallet:old", CNY("1"))], at=AT
            )
        with pytest.raises(InvalidTransitionError, match="closed"):
            ledger.hold("h:old", debit="wallet:alice", credit="wallet:old", amount=CNY("1"), at=AT)
        assert snapshot(ledger) == before

    def test_cannot_close_with_pending_holds(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        ledger.hold("h:m", debit="wallet:alice", credit="wallet:merchant", amount=CNY("1"), at=AT)
        before = snapshot(ledger)
        with pytest.raises(InvalidTransitionError, match="pending"):
            ledger.close_account("wallet:merchant")
        assert snapshot(ledger) == before


class TestBatches:
    def test_failing_batch_names_the_operation(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        ops = [
            TransferOp("b:1", debit="wallet:alice", credit="wallet:bob", amount=CNY("60.00"), at=AT),
            TransferOp("b:2", debit="wallet:bob", credit="wallet:merchant", amount=CNY("100.00"), at=AT),
            TransferOp("b:3", debit="wallet:bob", credit="wallet:merchant", amount=CNY("999.00"), at=AT),
        ]
        before = snapshot(ledger)
        with pytest.raises(BatchError) as raised:
            ledger.apply_batch(ops)
        assert raised.value.index == 2
        assert raised.value.operation is ops[2]
        assert isinstance(raised.value.__cause__, InsufficientFundsError)
        assert "batch operation 2" in str(raised.value)
        assert "'b:3'" in str(raised.value)
        assert snapshot(ledger) == before

    def test_non_operation_in_a_batch(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(ledger)
        with pytest.raises(BatchError) as raised:
            ledger.apply_batch([TransferOp("b:1", debit="wallet:alice", credit="wallet:bob", amount=CNY(1), at=AT), 5])  # type: ignore[list-item]
        assert raised.value.index == 1
        assert isinstance(raised.value.__cause__, TypeError)
        assert snapshot(ledger) == before

    def test_bad_value_in_a_batch(self, ledger: Ledger, snapshot: Callable[[Ledger], object]) -> None:
        before = snapshot(ledger)
        op = TransferOp("b:1", debit="wallet:alice", credit="wallet:bob", amount=CNY(1), at=datetime(2024, 1, 1))
        with pytest.raises(BatchError) as raised:
            ledger.apply_batch([op])
        assert isinstance(raised.value.__cause__, InvalidTimeError)
        assert snapshot(ledger) == before


class _FailingStore:
    """A memory store whose commits can be made to fail, like a full disk."""

    def __init__(self) -> None:
        from antfin.ledger import MemoryStore

        self.inner = MemoryStore()
        self.fail = False

    def __getattr__(self, name: str) -> Any:  # reads go to the memory store
        return getattr(self.inner, name)

    def commit(self, changes: Any) -> None:
        if self.fail:
            raise OSError("disk full")
        self.inner.commit(changes)

    def close(self) -> None:
        self.inner.close()


def test_store_failure_undoes_the_operation() -> None:
    store = _FailingStore()
    book = Ledger(store)
    book.open_account("asset:bank", AccountKind.ASSET)
    book.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
    book.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("10"), at=AT)
    store.fail = True
    calls: list[Call] = [
        lambda b: b.transfer("t", debit="wallet:a", credit="asset:bank", amount=CNY("1"), at=AT),
        lambda b: b.hold("h", debit="wallet:a", credit="asset:bank", amount=CNY("1"), at=AT),
        lambda b: b.open_account("wallet:b", AccountKind.LIABILITY),
        lambda b: b.reverse("r", "E1", at=AT),
        lambda b: b.apply_batch([TransferOp("b", debit="wallet:a", credit="asset:bank", amount=CNY("1"), at=AT)]),
    ]
    for call in calls:
        before = (book.accounts(), book.entries(), book.holds(), book.available("wallet:a"), book.key_used("t"))
        with pytest.raises(OSError, match="disk full"):
            call(book)
        assert (book.accounts(), book.entries(), book.holds(), book.available("wallet:a"), book.key_used("t")) == before
        book.check_invariants()
    store.fail = False
    book.transfer("t", debit="wallet:a", credit="asset:bank", amount=CNY("1"), at=AT)
    assert book.balance("wallet:a") == CNY("9.00")

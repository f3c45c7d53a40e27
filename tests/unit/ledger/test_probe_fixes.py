"""Regression tests for the outside probe's ledger findings: every store refuses the same inputs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from antfin.calendar import shanghai
from antfin.errors import IdempotencyConflictError, InvalidAmountError, InvalidTimeError
from antfin.ledger import AccountKind, Ledger, Posting, SQLiteStore
from antfin.money import CNY, Money

AT = shanghai(2024, 3, 1, 9)


@pytest.fixture(params=["memory", "sqlite"])
def ledger(request: pytest.FixtureRequest, tmp_path: Path) -> Ledger:
    book = Ledger() if request.param == "memory" else Ledger(SQLiteStore(tmp_path / "l.db"))
    book.open_account("asset:bank", AccountKind.ASSET)
    book.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
    book.open_account("wallet:a|b", AccountKind.LIABILITY)
    book.open_account("wallet:b", AccountKind.LIABILITY)
    book.transfer("in", debit="asset:bank", credit="wallet:a", amount=CNY("100"), at=AT)
    return book


def test_transfer_enforces_the_year_range(ledger: Ledger) -> None:
    with pytest.raises(InvalidTimeError, match="at must lie between"):
        ledger.transfer(
            "far", debit="asset:bank", credit="wallet:a", amount=CNY("1"), at=datetime(3000, 1, 1, tzinfo=UTC)
        )
    assert not ledger.key_used("far")


def test_self_transfer_is_refused(ledger: Ledger) -> None:
    with pytest.raises(InvalidAmountError, match="two different accounts"):
        ledger.transfer("self", debit="wallet:a", credit="wallet:a", amount=CNY("1"), at=AT)
    assert len(ledger.entries()) == 1


@pytest.mark.parametrize("action", ["post", "void"])
def test_a_hold_cannot_be_resolved_before_it_was_created(ledger: Ledger, action: str) -> None:
    ledger.hold("h", debit="wallet:a", credit="wallet:b", amount=CNY("5"), at=AT)
    before = shanghai(2024, 2, 1)
    resolve = ledger.post_hold if action == "post" else ledger.void_hold
    with pytest.raises(InvalidTimeError, match="created at"):
        resolve(f"h:{action}", "h", at=before)
    assert ledger.get_hold("h").status.value == "pending"


def test_amounts_beyond_64_bits_are_refused_by_every_store(ledger: Ledger) -> None:
    huge = Money.from_minor_units(2**63)
    with pytest.raises(InvalidAmountError, match="2\\*\\*63"):
        ledger.transfer("huge", debit="asset:bank", credit="wallet:b", amount=huge, at=AT)
    with pytest.raises(InvalidAmountError, match="2\\*\\*63"):
        ledger.hold("huge-h", debit="asset:bank", credit="wallet:b", amount=huge, at=AT)
    assert len(ledger.entries()) == 1
    assert ledger.holds() == ()


@pytest.mark.parametrize("field", ["key", "memo", "account_id", "metadata"])
def test_lone_surrogates_are_refused_by_every_store(ledger: Ledger, field: str) -> None:
    bad = "x\ud800"
    calls: dict[str, Callable[[], object]] = {
        "account_id": lambda: ledger.open_account(bad, AccountKind.ASSET),
        "key": lambda: ledger.transfer(bad, debit="asset:bank", credit="wallet:b", amount=CNY("1"), at=AT),
        "memo": lambda: ledger.transfer("k", debit="asset:bank", credit="wallet:b", amount=CNY("1"), at=AT, memo=bad),
        "metadata": lambda: ledger.transfer(
            "k", debit="asset:bank", credit="wallet:b", amount=CNY("1"), at=AT, metadata={"m": bad}
        ),
    }
    with pytest.raises(InvalidAmountError, match="lone surrogates"):
        calls[field]()
    assert len(ledger.entries()) == 1
    assert len(ledger.accounts()) == 4


def test_ids_with_separators_do_not_collide(ledger: Ledger) -> None:
    ledger.open_account("b|wallet:b", AccountKind.LIABILITY)
    ledger.open_account("wallet:a|b|wallet:b", AccountKind.LIABILITY)
    ledger.transfer("k", debit="wallet:a|b", credit="wallet:b", amount=CNY("1"), at=AT)
    # The same pieces split differently are another request, not a replay.
    with pytest.raises(IdempotencyConflictError, match="'k'"):
        ledger.transfer("k", debit="wallet:a", credit="b|wallet:b", amount=CNY("1"), at=AT)


def test_hold_replay_compares_the_expiry_as_an_instant(ledger: Ledger) -> None:
    expires = shanghai(2024, 3, 2, 9)
    first = ledger.hold("h", debit="wallet:a", credit="wallet:b", amount=CNY("5"), at=AT, expires_at=expires)
    again = ledger.hold(
        "h", debit="wallet:a", credit="wallet:b", amount=CNY("5"), at=AT, expires_at=expires.astimezone(UTC)
    )
    assert again == first


def test_reopening_keeps_keys_replayable(tmp_path: Path) -> None:
    path = tmp_path / "keys.db"
    book = Ledger(SQLiteStore(path))
    book.open_account("asset:bank", AccountKind.ASSET)
    book.open_account("wallet:a", AccountKind.LIABILITY)
    first = book.transfer("k", debit="asset:bank", credit="wallet:a", amount=CNY("1"), at=AT)
    book.close()
    reopened = Ledger(SQLiteStore(path))
    assert reopened.transfer("k", debit="asset:bank", credit="wallet:a", amount=CNY("1"), at=AT).id == first.id
    reopened.close()


def test_an_entry_on_one_account_only_is_refused(ledger: Ledger) -> None:
    postings = [Posting("wallet:a", CNY("1")), Posting("wallet:a", CNY("-1"))]
    with pytest.raises(InvalidAmountError, match="two different accounts"):
        ledger.post_entry("one-sided", postings, at=AT)
    assert len(ledger.entries()) == 1

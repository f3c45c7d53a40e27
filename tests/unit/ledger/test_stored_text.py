"""Both durable stores keep any Unicode, and refuse what they cannot hold with a typed error, writing nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

import pytest

from antfin import CNY, Books
from antfin.calendar import shanghai
from antfin.errors import InvalidAmountError, NotFoundError, SerializationError
from antfin.ledger import AccountKind, Ledger
from antfin.ledger.store import SharedLedgerStore
from antfin.money import Money

AT = shanghai(2024, 5, 1, 10)
TEXTS = ["钱包:张三", "wallet:🐜🏦", "ключ", "مرحبا\u200f", "e\u0301", "line\u2028sep", "'; DROP TABLE entries; --"]


@pytest.fixture(params=["sqlite", "postgres"])
def make_store(request: pytest.FixtureRequest, store_factory: Callable[[str], Any]) -> Callable[[], SharedLedgerStore]:
    kind = str(request.param)
    return lambda: cast(SharedLedgerStore, store_factory(kind))


def _funded(store: SharedLedgerStore) -> Ledger:
    ledger = Ledger(store)
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:a", AccountKind.LIABILITY, non_negative=True)
    ledger.transfer("fund", debit="asset:bank", credit="wallet:a", amount=CNY("100.00"), at=AT)
    return ledger


def test_any_unicode_comes_back(make_store: Callable[[], SharedLedgerStore]) -> None:
    ledger = _funded(make_store())
    for text in TEXTS:
        ledger.open_account(f"wallet:{text}", AccountKind.LIABILITY, owner=text, purpose=text)
        ledger.transfer(text, debit="wallet:a", credit=f"wallet:{text}", amount=CNY("1.00"), at=AT, memo=text,
                        metadata={text: text})  # fmt: skip
    again = Ledger(make_store())
    assert again.entries() == ledger.entries()
    assert again.accounts() == ledger.accounts()


@pytest.mark.parametrize("where", ["key", "memo", "account", "metadata"])
def test_a_lone_surrogate_is_a_typed_error_and_nothing_is_written(
    make_store: Callable[[], SharedLedgerStore], where: str
) -> None:
    ledger = _funded(make_store())
    before = (ledger.entries(), ledger.accounts())

    def call() -> object:
        if where == "account":
            return ledger.open_account("wallet:\ud83d", AccountKind.LIABILITY)
        key = "\udc00k" if where == "key" else "k"
        memo = "m\ud800" if where == "memo" else ""
        metadata = {"k": "\udfff"} if where == "metadata" else None
        return ledger.transfer(key, debit="wallet:a", credit="asset:bank", amount=CNY("1.00"), at=AT, memo=memo,
                               metadata=metadata)  # fmt: skip

    # The ledger refuses it itself (InvalidAmountError), for every store; a store that is handed one
    # anyway refuses it too (SerializationError). Either way it is typed and nothing is written.
    with pytest.raises((InvalidAmountError, SerializationError), match="surrogate"):
        call()
    assert (ledger.entries(), ledger.accounts()) == before
    assert Ledger(make_store()).entries() == before[0]


def test_an_amount_beyond_64_bits_is_a_typed_error_and_nothing_is_written(
    make_store: Callable[[], SharedLedgerStore],
) -> None:
    ledger = _funded(make_store())
    with pytest.raises(InvalidAmountError):
        ledger.transfer("huge", debit="asset:bank", credit="wallet:a", amount=Money.from_minor_units(2**63), at=AT)
    assert ledger.balance("wallet:a") == CNY("100.00")
    assert Ledger(make_store()).balance("wallet:a") == CNY("100.00")


def test_a_lookup_by_text_that_is_not_unicode_finds_nothing(ledger: Ledger, tmp_path: Path) -> None:
    """Such text was never stored (writes refuse it), so every store answers as for an unknown id."""
    bad = "wallet:\ud800"
    assert not ledger.has_account(bad)
    assert ledger.accounts(bad) == ()
    for read in (ledger.account, ledger.balance, ledger.get_hold, ledger.entry):
        with pytest.raises(NotFoundError):
            read(bad)
    with pytest.raises(NotFoundError):
        ledger.get_holds([bad])
    with Books.open(tmp_path / "books.db").transaction() as tx:
        assert tx.escrow.find(bad) is None
        assert tx.loans.ids([bad]) == ()
        with pytest.raises(NotFoundError):
            tx.accounts.get(bad)

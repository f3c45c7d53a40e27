"""Fixtures for the payments unit tests: a ledger, a funded buyer, a merchant, an escrow desk."""

from __future__ import annotations

from datetime import datetime

import pytest

from antfin.calendar import shanghai
from antfin.ledger import Ledger
from antfin.money import CNY
from antfin.payments import Account, AccountType, EscrowDesk, EscrowTrade, GoodsType

START = shanghai(2024, 5, 1, 10)


@pytest.fixture
def ledger() -> Ledger:
    return Ledger()


@pytest.fixture
def buyer(ledger: Ledger) -> Account:
    account = Account.open(ledger, "buyer", opened_at=shanghai(2024, 1, 1))
    account.link_card("ICBC-1", at=shanghai(2024, 1, 1))
    account.top_up("seed", card="ICBC-1", amount=CNY("1000.00"), at=shanghai(2024, 1, 1))
    return account


@pytest.fixture
def seller(ledger: Ledger) -> Account:
    return Account.open(ledger, "shop", opened_at=shanghai(2024, 1, 1), account_type=AccountType.MERCHANT)


@pytest.fixture
def desk(ledger: Ledger) -> EscrowDesk:
    return EscrowDesk(ledger)


@pytest.fixture
def trade(desk: EscrowDesk, buyer: Account, seller: Account) -> EscrowTrade:
    return desk.create(
        "T1", buyer=buyer, seller=seller, amount=CNY("100.00"), goods=GoodsType.PHYSICAL_EXPRESS, at=START
    )


def at(day: int, hour: int = 12, minute: int = 0) -> datetime:
    """An instant in May 2024 (Shanghai)."""
    return shanghai(2024, 5, day, hour, minute)

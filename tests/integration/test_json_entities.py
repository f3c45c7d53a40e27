"""Every domain object of a running ecosystem converts to JSON and back exactly, and keeps working."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from antfin import Loan, MoneyFund
from antfin.books import Transaction
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import SerializationError
from antfin.serialization import dumps, from_data, loads, to_data


@pytest.fixture(scope="module")
def world() -> World:
    world = World.create(WorldConfig(users=30, seed=4))
    for _ in range(20):
        world.run_day()
    return world


@pytest.fixture
def tx(world: World) -> Iterator[Transaction]:
    with world.books.read() as tx:
        yield tx


def _objects(world: World, tx: Transaction) -> list[Any]:
    fund, zcb = tx.funds.get("yuebao"), tx.zhaocaibao.get("zhaocaibao")
    accounts = [tx.accounts.get(account_id) for account_id in tx.accounts.ids()]
    loans = [tx.loans.get(loan_id) for loan_id in tx.loans.ids()[:3]]
    offers = [tx.offers.get(offer_id) for offer_id in tx.offers.ids()]
    objects: list[Any] = [fund, world.progress(tx).cloud, *accounts[:5]]
    objects += [tx.escrow.get(trade_no) for trade_no in tx.escrow.ids()[:10]]
    objects += list(fund.orders()[:5]) + list(fund.daily_incomes()[:3])
    objects += list(zcb.products()) + list(zcb.holdings()[:5]) + list(zcb.reservations()[:3])
    objects += loans + [loan.schedule for loan in loans[:2]]
    objects += offers + [offer.settlement for offer in offers if offer.settlement is not None]
    objects += [tx.huabei.get(user) for user in tx.huabei.ids()[:3]]
    objects += [tx.profiles.get(user) for user in tx.profiles.ids()[:3]]
    return [item for item in objects if item is not None]


def test_every_entity_round_trips_exactly(world: World, tx: Transaction) -> None:
    objects = _objects(world, tx)
    assert len({type(item) for item in objects}) >= 15
    for item in objects:
        text = dumps(item)
        back: Any = loads(type(item), text, ledger=tx.ledger)
        assert json.loads(dumps(back)) == json.loads(text), type(item).__name__


def test_restored_entities_still_agree_with_the_ledger(tx: Transaction) -> None:
    original = tx.funds.get("yuebao")
    fund: MoneyFund = loads(MoneyFund, dumps(original), ledger=tx.ledger)
    fund.check_invariants()
    assert fund.total_units == original.total_units
    for loan_id in tx.loans.ids()[:3]:
        loan = tx.loans.get(loan_id)
        restored: Loan = loads(Loan, dumps(loan), ledger=tx.ledger)
        restored.check_ledger()
        assert restored.outstanding_principal == loan.outstanding_principal


def test_no_float_reaches_the_json(world: World, tx: Transaction) -> None:
    def walk(data: Any) -> None:
        assert not isinstance(data, float)
        if isinstance(data, dict):
            for value in data.values():
                walk(value)
        elif isinstance(data, list):
            for value in data:
                walk(value)

    for item in _objects(world, tx):
        walk(to_data(item))


def test_a_corrupted_field_is_named(tx: Transaction) -> None:
    loan = tx.loans.get(tx.loans.ids()[0])
    data = to_data(loan)
    data["principal"]["amount"] = "12.345"
    with pytest.raises(SerializationError, match=r"\$\.principal"):
        from_data(Loan, data, ledger=tx.ledger)
    data = to_data(tx.funds.get("yuebao"))
    assert data["calendar"] == {"$named": "calendar/sse/1999-2026"}  # a named constant: stored by its name
    data["calendar"]["__class__"] = "os.system"
    with pytest.raises(SerializationError, match=r"\$\.calendar: expected the name of a TradingCalendar constant"):
        from_data(MoneyFund, data, ledger=tx.ledger)
    data["calendar"] = {"$named": "calendar/nowhere"}
    with pytest.raises(SerializationError, match="constant"):
        from_data(MoneyFund, data, ledger=tx.ledger)
    data["calendar"] = {"__class__": "os.system"}
    with pytest.raises(SerializationError, match="antfin class"):
        from_data(MoneyFund, data, ledger=tx.ledger)

"""Every domain object of a running ecosystem converts to JSON and back exactly, and keeps working."""

from __future__ import annotations

import json
from typing import Any

import pytest

from antfin import Loan, MoneyFund
from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import SerializationError
from antfin.serialization import dumps, from_data, loads, to_data


@pytest.fixture(scope="module")
def world() -> World:
    world = World.create(WorldConfig(users=30, seed=4))
    for _ in range(20):
        world.run_day()
    return world


def _objects(world: World) -> list[Any]:
    objects: list[Any] = [world.fund, world.cloud, *world.users[:3], *world.merchants[:2]]
    objects += list(world.desk.trades()[:10])
    objects += list(world.fund.orders()[:5]) + list(world.fund.daily_incomes()[:3])
    objects += list(world.zcb.products()) + list(world.zcb.holdings()[:5]) + list(world.zcb.reservations()[:3])
    objects += world.loans[:3] + [loan.schedule for loan in world.loans[:2]]
    objects += world.offers + [offer.settlement for offer in world.offers if offer.settlement is not None]
    objects += list(world.huabei.values())[:3] + list(world.profiles.values())[:3]
    return [item for item in objects if item is not None]


def test_every_entity_round_trips_exactly(world: World) -> None:
    objects = _objects(world)
    assert len({type(item) for item in objects}) >= 15
    for item in objects:
        text = dumps(item)
        back: Any = loads(type(item), text, ledger=world.ledger)
        assert json.loads(dumps(back)) == json.loads(text), type(item).__name__


def test_restored_entities_still_agree_with_the_ledger(world: World) -> None:
    fund: MoneyFund = loads(MoneyFund, dumps(world.fund), ledger=world.ledger)
    fund.check_invariants()
    assert fund.total_units == world.fund.total_units
    for loan in world.loans[:3]:
        restored: Loan = loads(Loan, dumps(loan), ledger=world.ledger)
        restored.check_ledger()
        assert restored.outstanding_principal == loan.outstanding_principal


def test_no_float_reaches_the_json(world: World) -> None:
    def walk(data: Any) -> None:
        assert not isinstance(data, float)
        if isinstance(data, dict):
            for value in data.values():
                walk(value)
        elif isinstance(data, list):
            for value in data:
                walk(value)

    for item in _objects(world):
        walk(to_data(item))


def test_a_corrupted_field_is_named(world: World) -> None:
    data = to_data(world.loans[0])
    data["principal"]["amount"] = "12.345"
    with pytest.raises(SerializationError, match=r"\$\.principal"):
        from_data(type(world.loans[0]), data, ledger=world.ledger)
    data = to_data(world.fund)
    data["calendar"]["__class__"] = "os.system"
    with pytest.raises(SerializationError, match="antfin class"):
        from_data(type(world.fund), data, ledger=world.ledger)

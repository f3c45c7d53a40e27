"""While a day plays, Python's full collections are held back; afterwards the threshold is what it was."""

from __future__ import annotations

import gc

import pytest

from antfin.ecosystem.world import World, WorldConfig
from antfin.errors import NotFoundError


def test_a_day_raises_the_oldest_threshold_while_it_plays_and_restores_it() -> None:
    world = World.create(WorldConfig(users=5, seed=3))
    before = gc.get_threshold()
    with world.play() as day:
        during = gc.get_threshold()
        day.act("shop")
    assert during[:2] == before[:2]
    assert during[2] >= 1_000 > before[2]
    assert gc.get_threshold() == before


def test_a_failed_day_restores_the_threshold_too() -> None:
    world = World.create(WorldConfig(users=5, seed=3))
    before = gc.get_threshold()
    with pytest.raises(NotFoundError), world.play() as day:
        day.act("dance")
    assert gc.get_threshold() == before
    assert world.day == 0


def test_nested_days_restore_the_threshold_once_the_last_ends() -> None:
    first, second = World.create(WorldConfig(users=5, seed=3)), World.create(WorldConfig(users=5, seed=4))
    before = gc.get_threshold()
    with first.play():
        with second.play():
            pass
        assert gc.get_threshold()[2] >= 1_000  # the outer day still plays
    assert gc.get_threshold() == before


def test_a_raised_threshold_set_by_the_program_is_kept() -> None:
    before = gc.get_threshold()
    gc.set_threshold(before[0], before[1], 5_000)
    try:
        with World.create(WorldConfig(users=5, seed=3)).play():
            assert gc.get_threshold()[2] == 5_000
        assert gc.get_threshold()[2] == 5_000
    finally:
        gc.set_threshold(*before)

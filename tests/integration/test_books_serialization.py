"""The books' compiled loaders and dumpers against a played world: every stored aggregate loads, and dumps back
to the very text it was stored as, and the compiled dump is the interpreted one."""

from __future__ import annotations

from typing import Any

import pytest

from antfin import serialization_dump
from antfin.books import Books
from antfin.books.kinds import KINDS
from antfin.books.references import REFERENCES
from antfin.books.repositories import _text
from antfin.ecosystem.world import World, WorldConfig


@pytest.fixture(scope="module")
def world_books() -> Books:
    books = Books.memory()
    world = World.create(WorldConfig(users=30, seed=7), books)
    for _ in range(40):
        world.run_day()
    return books


def _interpreted(value: object) -> Any:
    token = serialization_dump._DUMP_REFS.set(REFERENCES)
    try:
        return serialization_dump._dump(value, "$")
    finally:
        serialization_dump._DUMP_REFS.reset(token)


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_stored_aggregate_dumps_back_to_its_stored_text(world_books: Books, name: str) -> None:
    store = world_books._documents
    ids = store.document_ids(name)
    assert ids, f"the world stored no {name}"
    with world_books.read() as tx:
        repository = tx._repository(name)
        for key in ids:
            document = store.document(name, key)
            assert document is not None
            entity = repository.get(key)
            data = repository._kind.dump(entity)
            assert _text(data) == document.body
            if name != "zhaocaibao":  # the platform dumps itself (config and state)
                assert data == _interpreted(entity)

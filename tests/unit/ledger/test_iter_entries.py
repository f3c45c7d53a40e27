"""Walking the entries a batch at a time gives what `entries()` gives, on every store, in and out of a block."""

from __future__ import annotations

import pytest

from antfin.calendar import shanghai
from antfin.errors import InvalidAmountError
from antfin.ledger import Ledger
from antfin.money import CNY


def _book(ledger: Ledger, count: int, prefix: str = "t") -> None:
    for n in range(count):
        ledger.transfer(
            f"{prefix}{n}", debit="wallet:alice", credit="wallet:bob", amount=CNY("0.01"), at=shanghai(2024, 1, 2)
        )


@pytest.mark.parametrize("batch", [1, 3, 7, 10_000])
def test_batches_of_any_size_walk_every_entry_in_order(ledger: Ledger, batch: int) -> None:
    _book(ledger, 11)
    assert tuple(ledger.iter_entries(batch=batch)) == ledger.entries()
    assert [entry.id for entry in ledger.iter_entries(batch=batch)] == [f"E{n}" for n in range(1, 14)]


def test_a_block_walks_the_stored_entries_then_its_own(ledger: Ledger) -> None:
    _book(ledger, 5)
    with ledger.atomic():
        _book(ledger, 4, prefix="u")
        walked = tuple(ledger.iter_entries(batch=2))
        assert walked == ledger.entries()
        assert [entry.key for entry in walked[-4:]] == ["u0", "u1", "u2", "u3"]


def test_a_walk_started_before_a_commit_ends_where_it_started(ledger: Ledger) -> None:
    _book(ledger, 5)
    walk = ledger.iter_entries(batch=2)
    first = next(walk)
    _book(ledger, 3, prefix="late")
    rest = list(walk)
    assert [entry.id for entry in [first, *rest]] == [f"E{n}" for n in range(1, 8)]


@pytest.mark.parametrize("batch", [0, -1, 1.5, "10", True])
def test_a_batch_that_is_not_a_positive_int_is_refused_at_once(ledger: Ledger, batch: object) -> None:
    with pytest.raises(InvalidAmountError):
        ledger.iter_entries(batch=batch)  # type: ignore[arg-type]


def _holds(ledger: Ledger, count: int, prefix: str) -> list[str]:
    ids = []
    for n in range(count):
        hold = ledger.hold(
            f"{prefix}{n}", debit="wallet:alice", credit="wallet:bob", amount=CNY("0.01"), at=shanghai(2024, 1, 2)
        )
        ids.append(hold.id)
    return ids


def test_the_stores_hand_out_their_holds_in_batches_as_they_hold_them(ledger: Ledger) -> None:
    ids = _holds(ledger, 7, "h")
    ledger.post_hold("p", ids[1], at=shanghai(2024, 1, 3))
    ledger.void_hold("v", ids[4], at=shanghai(2024, 1, 3))
    store = ledger.store
    for size in (1, 3, 100):
        assert tuple(hold for batch in store.hold_batches(size) for hold in batch) == store.holds()


def test_the_full_check_walks_the_holds_of_a_block_too(ledger: Ledger) -> None:
    ids = _holds(ledger, 5, "h")
    with ledger.atomic():
        ledger.post_hold("p", ids[0], at=shanghai(2024, 1, 3))  # a stored hold changed in the block
        _holds(ledger, 3, "new")  # and new ones
        assert tuple(ledger._walk_holds(2)) == ledger._merged_holds()
        assert tuple(ledger._walk_holds(2)) == ledger.holds()
        ledger.check_invariants()
    assert tuple(ledger._walk_holds(2)) == ledger.holds()

"""A transfer's key fingerprint, spelled out on the ledger's hot path, is the idempotency module's text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from antfin.idempotency import fingerprint
from antfin.ledger.entries import _transfer_fingerprint
from antfin.money import Money

currencies = st.sampled_from(["CNY", "JPY", "USD", "KWD"])


@given(st.text(), st.text(), st.integers(-(2**63), 2**63 - 1), currencies)
def test_the_spelled_out_fingerprint_is_the_generic_one(debit: str, credit: str, minor: int, code: str) -> None:
    money = Money.from_minor_units(minor, code)
    assert _transfer_fingerprint(debit, credit, money) == fingerprint("transfer", debit, credit, money)


def test_other_types_take_the_generic_path() -> None:
    class Name(str):
        pass

    money = Money.from_minor_units(5)
    assert _transfer_fingerprint(Name("a"), "b", money) == fingerprint("transfer", Name("a"), "b", money)

"""A transfer's key fingerprint: the fast paths of ``fingerprint`` give the canonical text of its fields."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from antfin.idempotency import _ENCODE, canonical, fingerprint
from antfin.money import Money

currencies = st.sampled_from(["CNY", "JPY", "USD", "KWD"])


def _generic(operation: str, *fields: object) -> str:
    """The canonical JSON of the request, with no fast path."""
    return _ENCODE([operation, *(canonical(field) for field in fields)])


@given(st.text(), st.text(), st.integers(-(2**63), 2**63 - 1), currencies)
def test_the_spelled_out_fingerprint_is_the_generic_one(debit: str, credit: str, minor: int, code: str) -> None:
    money = Money.from_minor_units(minor, code)
    assert fingerprint("transfer", debit, credit, money) == _generic("transfer", debit, credit, money)


def test_other_types_take_the_generic_path() -> None:
    class Name(str):
        pass

    money = Money.from_minor_units(5)
    assert fingerprint("transfer", Name("a"), "b", money) == _generic("transfer", Name("a"), "b", money)

"""The hostile-input census: every hostile call is counted, and every refusal is checked.

A refusal counts as *clean* when it is typed (an :class:`antfin.errors.AntfinError`, or a
``TypeError`` for a wrong Python type) and leaves the state exactly as it was: the ledger
(entries, balances, pending amounts, holds, trial balance) and the entity's ``to_data``.
A hostile call the library accepts is counted apart (some odd values are legal).
``conftest.py`` prints the totals at the end of the run; ``test_hostile_census.py``
asserts them.

>>> record("demo", "accepted")
>>> CENSUS["demo"]["accepted"]
1
>>> _ = CENSUS.pop("demo")
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from antfin.errors import AntfinError
from antfin.ledger import Ledger
from antfin.serialization import to_data

__all__ = ["CENSUS", "FAILURES", "attempt", "record", "snapshot", "summary"]

#: area -> outcome ("clean", "untyped", "changed", "accepted") -> count.
CENSUS: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
#: Descriptions of refusals that were not clean (untyped, or state changed).
FAILURES: list[str] = []


def record(area: str, outcome: str) -> None:
    """Count one hostile call of ``area`` with its outcome."""
    CENSUS[area][outcome] += 1


def snapshot(ledger: Ledger | None, entity: object = None) -> tuple[Any, ...]:
    """Everything a refused call must leave alone.

    >>> snapshot(Ledger())[1] is None
    True
    """
    ledger_part: tuple[Any, ...] = ()
    if ledger is not None:
        accounts = tuple(
            (a.id, ledger.balance(a.id), ledger.pending(a.id), ledger.incoming(a.id)) for a in ledger.accounts()
        )
        ledger_part = (accounts, ledger.entries(), ledger.holds(), ledger.trial_balance())
    entity_part: Any = None
    if entity is not None:
        try:
            entity_part = to_data(entity)
        except AntfinError:  # not an attrs entity (the Zhaocaibao platform, a desk): its public state
            entity_part = repr(
                [(name, getattr(entity, name)()) for name in ("products", "holdings", "reservations", "trades")
                 if callable(getattr(entity, name, None))]
            )  # fmt: skip
    return ledger_part, entity_part


def attempt(area: str, label: str, call: Callable[[], object], state: Callable[[], object]) -> BaseException | None:
    """Run one hostile call, count it, and note a refusal that is untyped or changed the state."""
    before = state()
    try:
        call()
    except Exception as error:
        if not isinstance(error, (AntfinError, TypeError)):
            record(area, "untyped")
            FAILURES.append(f"{area} {label}: untyped {type(error).__name__}: {error}")
            return error
        if state() != before:
            record(area, "changed")
            FAILURES.append(f"{area} {label}: refused ({type(error).__name__}: {error}) but the state changed")
            return error
        record(area, "clean")
        return error
    record(area, "accepted")
    return None


def summary() -> str:
    """One line: hostile calls, refusals, clean refusals and their share, by area.

    >>> summary().startswith("hostile census:")
    True
    """
    calls = sum(sum(outcomes.values()) for outcomes in CENSUS.values())
    clean = sum(outcomes["clean"] for outcomes in CENSUS.values())
    refusals = sum(sum(n for k, n in outcomes.items() if k != "accepted") for outcomes in CENSUS.values())
    share = 100.0 if refusals == 0 else 100 * clean / refusals
    areas = ", ".join(
        f"{area} {sum(outcomes.values())}" for area, outcomes in sorted(CENSUS.items(), key=lambda item: item[0])
    )
    return (
        f"hostile census: {calls} hostile calls, {refusals} refused, {clean} typed with state unchanged "
        f"({share:.1f}%), {calls - refusals} accepted; by area: {areas}"
    )

"""Real-name class limits (PBOC 2015) and their decisions."""

from __future__ import annotations

from datetime import date

import pytest

from antfin.decisions import Decision, Reason
from antfin.errors import InvalidAmountError, LimitExceededError, NotFoundError
from antfin.money import CNY
from antfin.payments.limits import (
    AccountClassPolicy,
    ClassLimit,
    LimitPeriod,
    RealNameLevel,
)

POLICY = AccountClassPolicy()


@pytest.mark.parametrize(
    ("level", "cap"),
    [(RealNameLevel.CLASS_I, "1000.00"), (RealNameLevel.CLASS_II, "100000.00"), (RealNameLevel.CLASS_III, "200000.00")],
)
def test_limits_at_the_boundary(level: RealNameLevel, cap: str) -> None:
    at_cap = POLICY.check_payment(level, used=CNY(cap) - CNY("10.00"), amount=CNY("10.00"))
    assert at_cap.approved
    assert at_cap.reasons[0].actual == CNY(cap)
    over = POLICY.check_payment(level, used=CNY(cap) - CNY("10.00"), amount=CNY("10.01"))
    assert not over.approved
    assert over.failed_reasons == over.reasons
    assert over.reasons[0].threshold == CNY(cap)
    with pytest.raises(LimitExceededError) as info:
        POLICY.require_payment(level, used=CNY(cap) - CNY("10.00"), amount=CNY("10.01"))
    message = str(info.value)
    assert cap in message
    assert "used" in message
    assert "asked 10.01" in message


def test_periods() -> None:
    assert POLICY.limit_for(RealNameLevel.CLASS_I).period is LimitPeriod.LIFETIME
    assert POLICY.limit_for(RealNameLevel.CLASS_III).period is LimitPeriod.CALENDAR_YEAR
    assert LimitPeriod.CALENDAR_YEAR.window_start(date(2020, 6, 1), date(2024, 1, 1)) == date(2024, 1, 1)
    assert LimitPeriod.CALENDAR_YEAR.window_start(date(2024, 6, 1), date(2024, 12, 31)) == date(2024, 6, 1)
    assert LimitPeriod.LIFETIME.window_start(date(2020, 6, 1), date(2024, 1, 1)) == date(2020, 6, 1)


def test_wealth_only_class_iii() -> None:
    assert POLICY.may_buy_wealth(RealNameLevel.CLASS_III).approved
    decision = POLICY.may_buy_wealth(RealNameLevel.CLASS_I)
    assert not decision.approved
    assert decision.reasons[0].actual == "class I"


def test_custom_policy_and_errors() -> None:
    mine = AccountClassPolicy((ClassLimit(RealNameLevel.CLASS_I, CNY("500.00"), LimitPeriod.CALENDAR_YEAR),))
    assert not mine.check_payment(RealNameLevel.CLASS_I, used=CNY("0"), amount=CNY("500.01")).approved
    with pytest.raises(NotFoundError, match="level II"):
        mine.limit_for(RealNameLevel.CLASS_II)
    with pytest.raises(InvalidAmountError, match="one ClassLimit per"):
        AccountClassPolicy((mine.limits[0], mine.limits[0]))
    with pytest.raises(InvalidAmountError, match="must not be negative"):
        ClassLimit(RealNameLevel.CLASS_I, CNY("-1"), LimitPeriod.LIFETIME)
    with pytest.raises(TypeError):
        ClassLimit(RealNameLevel.CLASS_I, "1000", LimitPeriod.LIFETIME)  # type: ignore[arg-type]


def test_levels_order_and_decisions() -> None:
    assert RealNameLevel.CLASS_I < RealNameLevel.CLASS_II < RealNameLevel.CLASS_III
    assert not RealNameLevel.CLASS_III < RealNameLevel.CLASS_II
    assert Decision.of("none", ()).approved
    assert not Decision.of("two", (Reason("a", "x", "y", True), Reason("b", "x", "y", False))).approved

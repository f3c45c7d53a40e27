"""Credit decisions and lines from a profile."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.credit.eligibility import (
    HUABEI_POLICY,
    JIEBEI_POLICY,
    MYBANK_POLICY,
    CreditLinePolicy,
    huabei_line,
)
from antfin.credit.profile import FICO, CreditProfile
from antfin.errors import InvalidAmountError, PolicyViolationError
from antfin.money import CNY

DAY = date(2024, 1, 1)


def profile(score: int) -> CreditProfile:
    return CreditProfile.of("u", score, DAY)


@pytest.mark.parametrize(("score", "approved"), [(599, False), (600, True), (601, True)])
def test_jiebei_threshold_600(score: int, approved: bool) -> None:
    decision = JIEBEI_POLICY.decide(profile(score))
    assert decision.approved is approved
    reason = decision.reasons[1]
    assert (reason.threshold, reason.actual, reason.passed) == ("600", str(score), approved)
    assert (decision.line is not None) is approved


@pytest.mark.parametrize(("score", "approved"), [(549, False), (550, True)])
def test_mybank_threshold_550(score: int, approved: bool) -> None:
    assert MYBANK_POLICY.decide(profile(score)).approved is approved


def test_line_ends() -> None:
    assert JIEBEI_POLICY.decide(profile(600)).line == CNY("1000")
    assert JIEBEI_POLICY.decide(profile(950)).line == CNY("300000")
    assert huabei_line(profile(350)) == CNY("500")
    assert huabei_line(profile(950)) == CNY("50000")


@given(st.integers(min_value=600, max_value=949))
def test_jiebei_line_is_bounded_monotone_and_a_whole_step(score: int) -> None:
    line = JIEBEI_POLICY.line_for(score)
    assert CNY("1000") <= line <= CNY("300000")
    assert line <= JIEBEI_POLICY.line_for(score + 1)
    assert line.minor_units % 10_000 == 0


@given(st.integers(min_value=350, max_value=950))
def test_huabei_line_within_500_and_50000(score: int) -> None:
    line = huabei_line(profile(score))
    assert CNY("500") <= line <= CNY("50000")


def test_line_formula_midpoint() -> None:
    # 1,000 + 299,000 x (775 - 600) / 350 = 150,500
    assert JIEBEI_POLICY.line_for(775) == CNY("150500")


def test_line_below_minimum_is_refused() -> None:
    with pytest.raises(PolicyViolationError, match="below the Jiebei cash loan minimum 600"):
        JIEBEI_POLICY.line_for(599)


def test_other_scale_is_declined_with_a_reason() -> None:
    decision = JIEBEI_POLICY.decide(CreditProfile.of("u", 800, DAY, scale=FICO))
    assert not decision.approved
    assert decision.reasons[0].passed is False
    assert "scale is Sesame" in decision.explain()


def test_fico_policy_plugs_in() -> None:
    policy = CreditLinePolicy("US card", 670, CNY("1000"), CNY("20000"), scale=FICO)
    assert policy.decide(CreditProfile.of("u", 850, DAY, scale=FICO)).line == CNY("20000")
    assert not policy.decide(CreditProfile.of("u", 669, DAY, scale=FICO)).approved


def test_huabei_line_raises_when_policy_declines() -> None:
    strict = CreditLinePolicy("Huabei strict", 700, CNY("500"), CNY("50000"))
    with pytest.raises(PolicyViolationError, match="no Huabei line for u"):
        huabei_line(profile(650), strict)
    assert HUABEI_POLICY.min_score == 350


def test_bad_policies_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match=r"min_line 2000\.00 CNY must not exceed max_line"):
        CreditLinePolicy("x", 600, CNY("2000"), CNY("1000"))
    with pytest.raises(InvalidAmountError, match="full_score must be above min_score"):
        CreditLinePolicy("x", 600, CNY("1000"), CNY("2000"), full_score=600)
    with pytest.raises(InvalidAmountError, match="min_score must be within"):
        CreditLinePolicy("x", 100, CNY("1000"), CNY("2000"))
    with pytest.raises(InvalidAmountError, match=r"step must be positive, got 0\.00 CNY"):
        CreditLinePolicy("x", 600, CNY("1000"), CNY("2000"), step=CNY("0"))
    with pytest.raises(TypeError, match="step must be Money, not int"):
        CreditLinePolicy("x", 600, CNY("1000"), CNY("2000"), step=100)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match=r"min_line must be positive, got 0\.00 CNY"):
        CreditLinePolicy("x", 600, CNY("0"), CNY("2000"))
    with pytest.raises(InvalidAmountError, match=r"max_line must be positive, got -1\.00 CNY"):
        CreditLinePolicy("x", 600, CNY("1000"), -CNY("1"))
    with pytest.raises(TypeError, match="min_line must be Money, not int"):
        CreditLinePolicy("x", 600, 1000, CNY("2000"))  # type: ignore[arg-type]


def test_decide_needs_a_profile() -> None:
    with pytest.raises(TypeError, match="profile must be a CreditProfile"):
        JIEBEI_POLICY.decide(700)  # type: ignore[arg-type]

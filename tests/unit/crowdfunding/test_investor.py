"""Investor facts: validation and derived values."""

from __future__ import annotations

from decimal import Decimal

import pytest

from antfin.crowdfunding import Fact, InvestorFacts, InvestorKind
from antfin.crowdfunding.texts import format_value, language
from antfin.errors import InvalidAmountError, NotFoundError
from antfin.money import CNY


def test_values_and_average_income() -> None:
    facts = InvestorFacts(
        "a",
        personal_net_financial_assets=CNY("-10"),
        annual_incomes=[CNY("100"), CNY("100"), CNY("100.01")],
        investment_experience_years="2.5",
    )
    assert facts.annual_incomes == (CNY("100"), CNY("100"), CNY("100.01"))
    assert facts.value_of(Fact.AVERAGE_ANNUAL_INCOME_3Y) == CNY("100.00")  # 100.0033.. rounded DOWN
    assert facts.income_total_3y() == CNY("300.01")
    assert facts.value_of(Fact.INVESTMENT_EXPERIENCE_YEARS) == Decimal("2.5")
    assert facts.value_of(Fact.PERSONAL_NET_FINANCIAL_ASSETS) == CNY("-10")
    assert facts.value_of(Fact.ENTITY_NET_ASSETS) is None
    assert facts.kind is InvestorKind.PERSON


def test_verified_needs_a_value() -> None:
    facts = InvestorFacts(
        "a", entity_net_assets=CNY("1"), verified={Fact.ENTITY_NET_ASSETS, Fact.FAMILY_FINANCIAL_ASSETS}
    )
    assert facts.is_verified(Fact.ENTITY_NET_ASSETS)
    assert not facts.is_verified(Fact.FAMILY_FINANCIAL_ASSETS)
    assert not facts.is_verified(Fact.PERSONAL_FINANCIAL_ASSETS)


def test_with_commitment() -> None:
    facts = InvestorFacts("a").with_commitment(CNY("5"))
    assert facts.value_of(Fact.SINGLE_PROJECT_COMMITMENT) == CNY("5")
    with pytest.raises(InvalidAmountError, match="single_project_commitment must not be negative"):
        InvestorFacts("a").with_commitment(CNY("-5"))


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"personal_financial_assets": CNY("-0.01")},
            InvalidAmountError,
            "personal_financial_assets must not be negative",
        ),
        ({"family_financial_assets": "100"}, TypeError, "family_financial_assets must be Money"),
        ({"annual_incomes": (CNY("1"),) * 4}, InvalidAmountError, "at most 3 years"),
        ({"annual_incomes": (CNY("-1"),)}, InvalidAmountError, r"annual_incomes\[0\] must not be negative"),
        ({"annual_incomes": (None,)}, TypeError, r"annual_incomes\[0\] must be Money"),
        ({"annual_incomes": CNY("1")}, TypeError, "sequence of Money"),
        ({"investment_experience_years": 2.0}, TypeError, "float"),
        ({"investment_experience_years": -1}, InvalidAmountError, "investment_experience_years must not be negative"),
        ({"verified": {"assets"}}, TypeError, "verified must contain Fact"),
    ],
)
def test_bad_facts_are_refused(kwargs: dict[str, object], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        InvestorFacts("a", **kwargs)  # type: ignore[arg-type]


def test_bad_identity_is_refused() -> None:
    with pytest.raises(InvalidAmountError, match="investor_id must be a non-empty string"):
        InvestorFacts("")
    with pytest.raises(TypeError):
        InvestorFacts("a", "person")  # type: ignore[arg-type]


def test_texts_helpers() -> None:
    assert language("zh-Hans-CN") == "zh"
    assert language("EN_gb") == "en"
    with pytest.raises(NotFoundError, match="ja_JP"):
        language("ja_JP")
    assert format_value(Decimal("0"), "en_US") == "0 years"
    assert format_value(Decimal("2.00"), "zh_CN") == "2年"
    assert format_value(CNY("1"), "zh_CN") == "¥1.00"
    assert Fact.SINGLE_PROJECT_COMMITMENT.label("en") == "amount committed to a single project"

"""Qualified-investor policies: presets at their boundaries, combinations, missing facts, texts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.crowdfunding import (
    ASSET_MANAGEMENT_2018,
    PRESETS,
    SAC_2014_DRAFT,
    SEED_2016,
    Combination,
    Comparison,
    Criterion,
    Fact,
    InvestorFacts,
    InvestorKind,
    QualificationStatus,
    QualifiedInvestorPolicy,
    RuleGroup,
    RuleStatus,
    all_of,
    any_of,
    asset_management_2018,
    policy_in_force,
    seed_2016,
)
from antfin.decisions import Decision
from antfin.errors import InvalidAmountError, InvalidTimeError, NotFoundError, OutsideCoverageError
from antfin.money import CNY, Money


def income(average: str) -> tuple[Money, Money, Money]:
    """Three equal years of income."""
    return (CNY(average),) * 3


def statuses(policy: QualifiedInvestorPolicy, investor: InvestorFacts) -> dict[str, RuleStatus]:
    return {reason.rule_id: reason.status for reason in policy.check(investor).outcomes}


# -- the seed's rule -------------------------------------------------------------


@pytest.mark.parametrize(
    ("assets", "expected"),
    [("999999.99", RuleStatus.FAILED), ("1000000.00", RuleStatus.FAILED), ("1000000.01", RuleStatus.PASSED)],
)
def test_seed_assets_strictly_above_one_million(assets: str, expected: RuleStatus) -> None:
    investor = InvestorFacts("a", personal_financial_assets=CNY(assets), annual_incomes=income("0"))
    decision = SEED_2016.check(investor)
    assert decision.outcomes[0].status is expected
    assert decision.outcomes[0].actual == CNY(assets)
    assert decision.outcomes[0].threshold == CNY("1000000")
    assert decision.approved is (expected is RuleStatus.PASSED)


@pytest.mark.parametrize(
    ("average", "expected"),
    [("299999.99", RuleStatus.FAILED), ("300000.00", RuleStatus.PASSED), ("300000.01", RuleStatus.PASSED)],
)
def test_seed_income_at_least_300k(average: str, expected: RuleStatus) -> None:
    investor = InvestorFacts("a", personal_financial_assets=CNY("0"), annual_incomes=income(average))
    decision = SEED_2016.check(investor)
    assert statuses(SEED_2016, investor)["income_3y"] is expected
    assert decision.approved is (expected is RuleStatus.PASSED)


def test_income_average_is_compared_exactly_not_after_rounding() -> None:
    # 899,999.99 / 3 = 299,999.996...: shown as 299,999.99 (DOWN) and below the threshold.
    investor = InvestorFacts("a", annual_incomes=(CNY("300000"), CNY("300000"), CNY("299999.99")))
    reason = SEED_2016.check(investor).outcomes[1]
    assert reason.actual == CNY("299999.99")
    assert reason.status is RuleStatus.FAILED
    # Uneven years averaging exactly 300,000 pass.
    uneven = InvestorFacts("b", annual_incomes=(CNY("500000"), CNY("250000"), CNY("150000")))
    assert SEED_2016.check(uneven).outcomes[1].status is RuleStatus.PASSED


def test_fewer_than_three_years_of_income_is_missing_not_failing() -> None:
    investor = InvestorFacts("a", annual_incomes=(CNY("900000"), CNY("900000")))
    decision = SEED_2016.check(investor)
    assert decision.outcomes[1].status is RuleStatus.MISSING
    assert decision.status is QualificationStatus.INCOMPLETE
    assert Fact.AVERAGE_ANNUAL_INCOME_3Y in decision.missing


def test_any_of_versus_all_of() -> None:
    only_assets = InvestorFacts("a", personal_financial_assets=CNY("2000000"), annual_incomes=income("100000"))
    only_income = InvestorFacts("b", personal_financial_assets=CNY("10"), annual_incomes=income("300000"))
    both = InvestorFacts("c", personal_financial_assets=CNY("2000000"), annual_incomes=income("300000"))
    strict = seed_2016(Combination.ALL_OF)
    assert [SEED_2016.check(i).approved for i in (only_assets, only_income, both)] == [True, True, True]
    assert [strict.check(i).approved for i in (only_assets, only_income, both)] == [False, False, True]
    assert strict.name == "SEED_2016_ALL_OF"
    assert QualifiedInvestorPolicy.seed_2016(Combination.ALL_OF) == strict


def test_missing_facts_are_reported_and_decide_nothing_silently() -> None:
    nobody = InvestorFacts("a")
    decision = SEED_2016.check(nobody)
    assert decision.status is QualificationStatus.INCOMPLETE
    assert not decision.approved
    assert [r.status for r in decision.outcomes] == [RuleStatus.MISSING, RuleStatus.MISSING]
    assert decision.missing == (Fact.PERSONAL_FINANCIAL_ASSETS, Fact.AVERAGE_ANNUAL_INCOME_3Y)
    # any of: one failing and one missing is still undecided ...
    poor = InvestorFacts("b", personal_financial_assets=CNY("10"))
    assert SEED_2016.check(poor).status is QualificationStatus.INCOMPLETE
    # ... all of: one failing decides it, even with the other missing.
    strict = seed_2016(Combination.ALL_OF)
    assert strict.check(poor).status is QualificationStatus.NOT_QUALIFIED
    assert strict.check(poor).missing == (Fact.AVERAGE_ANNUAL_INCOME_3Y,)
    # any of: one passing decides it, the missing one is still listed.
    rich = InvestorFacts("c", personal_financial_assets=CNY("5000000"))
    assert SEED_2016.check(rich).status is QualificationStatus.QUALIFIED
    assert SEED_2016.check(rich).missing == (Fact.AVERAGE_ANNUAL_INCOME_3Y,)


def test_seed_rule_is_for_individuals() -> None:
    entity = InvestorFacts("acme", InvestorKind.ENTITY, entity_net_assets=CNY("50000000"))
    decision = SEED_2016.check(entity)
    assert decision.status is QualificationStatus.NOT_QUALIFIED
    assert {r.status for r in decision.outcomes} == {RuleStatus.NOT_APPLICABLE}
    assert decision.outcomes[0].text("en_US").endswith("applies to individuals only — not applicable")
    assert decision.outcomes[0].text("zh_CN").endswith("仅适用于个人 — 不适用")


# -- SAC 2014 draft --------------------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "rule_id", "passed"),
    [
        ({"personal_financial_assets": CNY("2999999.99")}, "financial_assets", False),
        ({"personal_financial_assets": CNY("3000000.00")}, "financial_assets", True),
        ({"annual_incomes": income("499999.99")}, "income_3y", False),
        ({"annual_incomes": income("500000.00")}, "income_3y", True),
        ({"single_project_commitment": CNY("999999.99")}, "single_project", False),
        ({"single_project_commitment": CNY("1000000.00")}, "single_project", True),
    ],
)
def test_sac_2014_individual_boundaries(facts: dict[str, object], rule_id: str, passed: bool) -> None:
    investor = InvestorFacts("a", **facts)  # type: ignore[arg-type]
    decision = SAC_2014_DRAFT.check(investor)
    assert statuses(SAC_2014_DRAFT, investor)[rule_id] is (RuleStatus.PASSED if passed else RuleStatus.FAILED)
    assert decision.approved is passed


@pytest.mark.parametrize(("net", "passed"), [("9999999.99", False), ("10000000.00", True)])
def test_sac_2014_entity_boundary(net: str, passed: bool) -> None:
    entity = InvestorFacts("acme", InvestorKind.ENTITY, entity_net_assets=CNY(net))
    decision = SAC_2014_DRAFT.check(entity)
    assert decision.approved is passed
    by_id = statuses(SAC_2014_DRAFT, entity)
    assert by_id["financial_assets"] is RuleStatus.NOT_APPLICABLE
    assert by_id["single_project"] is RuleStatus.MISSING


def test_sac_2014_entity_committing_one_million_qualifies() -> None:
    entity = InvestorFacts("acme", InvestorKind.ENTITY, single_project_commitment=CNY("1000000"))
    assert SAC_2014_DRAFT.check(entity).approved


# -- 2018 asset-management rules ---------------------------------------------------


@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"family_net_financial_assets": CNY("3000000")}, QualificationStatus.QUALIFIED),
        ({"family_net_financial_assets": CNY("2999999.99")}, QualificationStatus.INCOMPLETE),
        ({"family_financial_assets": CNY("5000000")}, QualificationStatus.QUALIFIED),
        ({"family_financial_assets": CNY("4999999.99")}, QualificationStatus.INCOMPLETE),
        ({"annual_incomes": income("400000")}, QualificationStatus.QUALIFIED),
        (
            {
                "annual_incomes": income("399999.99"),
                "family_financial_assets": CNY("0"),
                "family_net_financial_assets": CNY("-5"),
            },
            QualificationStatus.NOT_QUALIFIED,
        ),
    ],
)
def test_asset_management_2018_wealth_limbs(facts: dict[str, object], expected: QualificationStatus) -> None:
    investor = InvestorFacts("a", investment_experience_years=2, **facts)  # type: ignore[arg-type]
    assert ASSET_MANAGEMENT_2018.check(investor).status is expected


@pytest.mark.parametrize(
    ("years", "expected"),
    [(Decimal("1.99"), QualificationStatus.NOT_QUALIFIED), (2, QualificationStatus.QUALIFIED), (None, None)],
)
def test_asset_management_2018_needs_two_years_experience(
    years: Decimal | int | None, expected: QualificationStatus | None
) -> None:
    investor = InvestorFacts("a", investment_experience_years=years, family_financial_assets=CNY("9000000"))
    decision = ASSET_MANAGEMENT_2018.check(investor)
    if expected is None:
        assert decision.status is QualificationStatus.INCOMPLETE
        assert decision.missing[0] is Fact.INVESTMENT_EXPERIENCE_YEARS
    else:
        assert decision.status is expected
        assert decision.outcomes[0].actual == Decimal(years)  # type: ignore[arg-type]


def test_asset_management_2018_entities() -> None:
    ok = InvestorFacts("acme", InvestorKind.ENTITY, entity_net_assets=CNY("10000000"))
    short = InvestorFacts("acme", InvestorKind.ENTITY, entity_net_assets=CNY("9999999.99"))
    assert ASSET_MANAGEMENT_2018.check(ok).approved
    assert ASSET_MANAGEMENT_2018.check(short).status is QualificationStatus.NOT_QUALIFIED


def test_custom_thresholds_build_a_variant() -> None:
    lenient = asset_management_2018(experience_years_at_least=1, income_at_least=CNY("100000"))
    investor = InvestorFacts("a", investment_experience_years=1, annual_incomes=income("100000"))
    assert lenient.check(investor).approved
    assert not ASSET_MANAGEMENT_2018.check(investor).approved


# -- verification, dates ------------------------------------------------------------


def test_require_verified_reports_declared_only_facts() -> None:
    verified_policy = attrs.evolve(SEED_2016, require_verified=True)
    declared = InvestorFacts("a", personal_financial_assets=CNY("2000000"))
    decision = verified_policy.check(declared)
    assert decision.outcomes[0].status is RuleStatus.UNVERIFIED
    assert decision.status is QualificationStatus.INCOMPLETE
    assert decision.missing[0] is Fact.PERSONAL_FINANCIAL_ASSETS
    proven = attrs.evolve(declared, verified=frozenset({Fact.PERSONAL_FINANCIAL_ASSETS}))
    assert verified_policy.check(proven).approved
    assert SEED_2016.check(declared).approved  # presets accept declarations


def test_policy_dates_and_the_dated_table() -> None:
    assert SEED_2016.check(InvestorFacts("a"), on=date(2016, 1, 1)).on == date(2016, 1, 1)
    with pytest.raises(OutsideCoverageError, match="not in force on 2015-10-31"):
        SEED_2016.check(InvestorFacts("a"), on=date(2015, 10, 31))
    assert policy_in_force(PRESETS, date(2015, 1, 1)) is SAC_2014_DRAFT
    assert policy_in_force(PRESETS, date(2018, 4, 26)) is SEED_2016
    assert policy_in_force(PRESETS, date(2018, 4, 27)) is ASSET_MANAGEMENT_2018
    with pytest.raises(OutsideCoverageError, match="2014-12-17"):
        policy_in_force(PRESETS, date(2014, 12, 17))
    ended = QualifiedInvestorPolicy("OLD", SEED_2016.rule, date(2016, 1, 1), date(2016, 12, 31))
    assert ended.in_force(date(2016, 12, 31))
    assert not ended.in_force(date(2017, 1, 1))
    with pytest.raises(InvalidTimeError, match="effective_until"):
        QualifiedInvestorPolicy("BAD", SEED_2016.rule, date(2016, 1, 1), date(2015, 12, 31))


# -- texts ------------------------------------------------------------------------------


def test_texts_in_both_languages() -> None:
    decision = SEED_2016.check(
        InvestorFacts("a", personal_financial_assets=CNY("999999.99"), annual_incomes=income("300000"))
    )
    assert decision.explain("en_US") == (
        "Qualified under SEED_2016: yes",
        "any of the following: met",
        "  - personal financial assets above CN¥1,000,000.00: CN¥999,999.99 — not met",
        "  - average annual income over the last 3 years at least CN¥300,000.00: CN¥300,000.00 — met",
    )
    assert decision.explain("zh_CN") == (
        "SEED_2016 合格投资人认定：合格投资人",
        "满足以下任一条件：满足",
        "  - 个人金融资产大于¥1,000,000.00：¥999,999.99 — 未满足",
        "  - 近三年本人年均收入不低于¥300,000.00：¥300,000.00 — 满足",
    )
    nested = ASSET_MANAGEMENT_2018.check(InvestorFacts("b", investment_experience_years=1)).explain("en_US")
    assert nested[1] == "any of the following: not met"
    assert nested[2] == "  all of the following: not met"
    assert nested[3] == "    - years of investment experience at least 2 years: 1 year — not met"
    assert nested[4] == "    any of the following: unknown (facts missing)"
    with pytest.raises(NotFoundError, match="fr_FR"):
        decision.explain("fr_FR")
    with pytest.raises(TypeError, match="locale"):
        decision.summary(3)  # type: ignore[arg-type]


def test_a_single_criterion_can_be_a_policy() -> None:
    rule = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 3)
    policy = QualifiedInvestorPolicy("XP", rule, date(2020, 1, 1))
    decision = policy.check(InvestorFacts("a", investment_experience_years="3.5"))
    assert decision.approved
    assert decision.explain("zh_CN")[1] == "- 投资经历（年）不低于3年：3.5年 — 满足"


# -- bad input ------------------------------------------------------------------------


def test_bad_rules_are_refused() -> None:
    with pytest.raises(TypeError, match="threshold for PERSONAL_FINANCIAL_ASSETS must be an amount"):
        Criterion("x", Fact.PERSONAL_FINANCIAL_ASSETS, Comparison.ABOVE, 5)
    with pytest.raises(TypeError, match="must be a number of years"):
        Criterion("x", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.ABOVE, CNY("5"))
    with pytest.raises(TypeError, match="float"):
        Criterion("x", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.ABOVE, 2.0)
    with pytest.raises(InvalidAmountError, match="threshold must not be negative"):
        Criterion("x", Fact.ENTITY_NET_ASSETS, Comparison.ABOVE, CNY("-1"))
    with pytest.raises(InvalidAmountError, match="applies_to"):
        Criterion("x", Fact.ENTITY_NET_ASSETS, Comparison.ABOVE, CNY("1"), frozenset())
    with pytest.raises(InvalidAmountError, match="rules must not be empty"):
        any_of()
    with pytest.raises(TypeError, match="rules must be Criterion or RuleGroup"):
        RuleGroup(Combination.ALL_OF, ("nope",))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="rule must be a Criterion or RuleGroup"):
        QualifiedInvestorPolicy("P", "rule", date(2020, 1, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="name must be a non-empty string"):
        QualifiedInvestorPolicy(" ", SEED_2016.rule, date(2020, 1, 1))
    with pytest.raises(TypeError, match="effective_from must be a date"):
        QualifiedInvestorPolicy("P", SEED_2016.rule, "2020-01-01")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="investor must be InvestorFacts"):
        SEED_2016.check("alice")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="on must be a date"):
        SEED_2016.check(InvestorFacts("a"), on="2020-01-01")  # type: ignore[arg-type]


# -- laws ----------------------------------------------------------------------------------

amounts = st.integers(min_value=0, max_value=20_000_000_00).map(Money.from_minor_units)
optional_amounts = st.none() | amounts
investors = st.builds(
    InvestorFacts,
    st.just("h"),
    st.sampled_from(InvestorKind),
    personal_financial_assets=optional_amounts,
    family_financial_assets=optional_amounts,
    family_net_financial_assets=optional_amounts,
    annual_incomes=st.none() | st.tuples(amounts, amounts, amounts),
    investment_experience_years=st.none() | st.integers(min_value=0, max_value=10),
    single_project_commitment=optional_amounts,
    entity_net_assets=optional_amounts,
)


@given(actual=amounts, threshold=amounts)
def test_comparisons_are_exact_on_minor_units(actual: Money, threshold: Money) -> None:
    assert Comparison.ABOVE.holds(actual, threshold) is (actual.minor_units > threshold.minor_units)
    assert Comparison.AT_LEAST.holds(actual, threshold) is (actual.minor_units >= threshold.minor_units)


@given(investor=investors)
def test_all_of_qualified_implies_any_of_qualified(investor: InvestorFacts) -> None:
    if seed_2016(Combination.ALL_OF).check(investor).approved:
        assert SEED_2016.check(investor).approved


@given(investor=investors, extra=amounts)
def test_more_assets_never_disqualify(investor: InvestorFacts, extra: Money) -> None:
    richer = attrs.evolve(
        investor,
        personal_financial_assets=None
        if investor.personal_financial_assets is None
        else investor.personal_financial_assets + extra,
        family_financial_assets=None
        if investor.family_financial_assets is None
        else investor.family_financial_assets + extra,
    )
    for policy in PRESETS:
        if policy.check(investor).approved:
            assert policy.check(richer).approved


@given(investor=investors)
def test_every_leaf_is_reported_and_missing_means_none(investor: InvestorFacts) -> None:
    for policy in PRESETS:
        decision = policy.check(investor)
        assert len(decision.outcomes) == len(policy.criteria())
        for reason in decision.outcomes:
            if reason.status is RuleStatus.MISSING:
                assert reason.actual is None
            if reason.status in (RuleStatus.PASSED, RuleStatus.FAILED):
                assert reason.actual is not None
        assert decision.approved is (decision.status is QualificationStatus.QUALIFIED)
        general = decision.decision
        assert general.approved is decision.approved
        assert general.incomplete is (decision.status is QualificationStatus.INCOMPLETE)
        assert general.reasons == decision.reasons
        assert [reason.passed for reason in general.reasons] == [outcome.passed for outcome in decision.outcomes]
        assert len(general.missing) == len(decision.missing)


def test_the_answer_holds_the_one_decision_and_qualified_is_deprecated() -> None:
    answer = SEED_2016.check(InvestorFacts("a", personal_financial_assets=CNY("2000000")))
    assert isinstance(answer.decision, Decision)
    assert answer.decision.policy == "SEED_2016"
    assert answer.decision.missing == ("average annual income over the last 3 years",)
    assert not answer.decision.incomplete
    assert answer.reasons[0].rule_zh == "个人金融资产大于"
    assert answer.reasons[1].actual is None
    with pytest.warns(DeprecationWarning, match="use .approved"):
        assert answer.qualified is True


def test_all_of_helper_and_nesting() -> None:
    xp = Criterion("xp", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, 2)
    assets = Criterion("assets", Fact.FAMILY_FINANCIAL_ASSETS, Comparison.AT_LEAST, CNY("1"))
    tree = all_of(xp, any_of(assets, rule_id="inner"), rule_id="outer")
    assert [c.rule_id for c in tree.criteria()] == ["xp", "assets"]
    investor = InvestorFacts("a", investment_experience_years=2, family_financial_assets=CNY("1"))
    assert tree.evaluate(investor).truth is True
    assert tree.evaluate(InvestorFacts("a", investment_experience_years=2)).truth is None

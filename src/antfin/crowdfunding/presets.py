"""Built-in qualified-investor policies, each with its source and dates (cfg).

>>> from antfin.crowdfunding.presets import PRESETS
>>> [(policy.name, str(policy.effective_from)) for policy in PRESETS]
[('SAC_2014_DRAFT', '2014-12-18'), ('SEED_2016', '2015-11-01'), ('ASSET_MANAGEMENT_2018', '2018-04-27')]

Every threshold is a keyword argument of the preset's factory, so a platform
can build its own variant with the same code; the constants use the numbers
of the source documents.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Final

from antfin.crowdfunding.investor import Fact, InvestorKind
from antfin.crowdfunding.policy import (
    Combination,
    Comparison,
    Criterion,
    QualifiedInvestorPolicy,
    RuleGroup,
    all_of,
    any_of,
)
from antfin.money import CNY, Money

__all__ = [
    "ASSET_MANAGEMENT_2018",
    "PRESETS",
    "SAC_2014_DRAFT",
    "SEED_2016",
    "asset_management_2018",
    "sac_2014_draft",
    "seed_2016",
]

_300K: Final = CNY("300000")
_400K: Final = CNY("400000")
_500K: Final = CNY("500000")
_1M: Final = CNY("1000000")
_3M: Final = CNY("3000000")
_5M: Final = CNY("5000000")
_10M: Final = CNY("10000000")
_PERSON = frozenset({InvestorKind.PERSON})
_ENTITY = frozenset({InvestorKind.ENTITY})


def seed_2016(
    combination: Combination = Combination.ANY_OF,
    *,
    assets_above: Money = _1M,
    income_at_least: Money = _300K,
) -> QualifiedInvestorPolicy:
    """The case study's rule: personal assets above 1,000,000 yuan and/or 3-year average income of 300,000 or more.

    >>> from antfin.crowdfunding.policy import Combination
    >>> from antfin.crowdfunding.presets import seed_2016
    >>> strict = seed_2016(Combination.ALL_OF)
    >>> strict.rule.combination, strict.name
    (<Combination.ALL_OF: ...>, 'SEED_2016_ALL_OF')

    The case study (蚂蚁达客 note ①) says "个人资产大于100万元，近三年年均收入30万元以上等"
    without saying whether one suffices; the combination is a setting, default
    "any of". Assets are *strictly above* the threshold, income *at least* it.

    Args:
        combination: any of (default) or all of.
        assets_above: personal financial assets threshold (strictly above).
        income_at_least: 3-year average income threshold (at least).

    Returns:
        The policy, in force from Ant Dake's launch (2015-11, per the case study).

    .. versionadded:: 0.1.0
    """
    rule = RuleGroup(
        combination,
        (
            Criterion("personal_assets", Fact.PERSONAL_FINANCIAL_ASSETS, Comparison.ABOVE, assets_above, _PERSON),
            Criterion("income_3y", Fact.AVERAGE_ANNUAL_INCOME_3Y, Comparison.AT_LEAST, income_at_least, _PERSON),
        ),
        "seed_2016",
    )
    name = "SEED_2016" if combination is Combination.ANY_OF else f"SEED_2016_{combination.name}"
    return QualifiedInvestorPolicy(
        name,
        rule,
        date(2015, 11, 1),
        title_zh="蚂蚁达客合格投资人（案例：个人资产大于100万元，近三年年均收入30万元以上）",
        title_en="Ant Dake qualified investor (case study: assets above 1M yuan, 3-year income 300K yuan or more)",
        source="The case study, section 8 蚂蚁达客, note ①",
    )


def sac_2014_draft(
    *,
    financial_assets_at_least: Money = _3M,
    income_at_least: Money = _500K,
    single_project_at_least: Money = _1M,
    entity_net_assets_at_least: Money = _10M,
) -> QualifiedInvestorPolicy:
    """The Securities Association of China's 2014 draft rules for private equity crowdfunding.

    >>> from antfin.crowdfunding.presets import sac_2014_draft
    >>> [c.rule_id for c in sac_2014_draft().criteria()]
    ['financial_assets', 'income_3y', 'single_project', 'entity_net_assets']

    Article 14 of the draft: an individual with financial assets ≥ 3,000,000 yuan
    or a 3-year average personal income ≥ 500,000 yuan; or a person or entity
    investing ≥ 1,000,000 yuan in a single project; or an entity with net assets
    ≥ 10,000,000 yuan. (Its other limbs, accredited funds and pension or charity
    funds, are outside the facts modelled here.) A draft for comment: it never
    took effect, so use it to model that regime, not as law.

    Args:
        financial_assets_at_least: individual's financial assets threshold.
        income_at_least: 3-year average personal income threshold.
        single_project_at_least: amount committed to one project.
        entity_net_assets_at_least: entity net assets threshold.

    .. versionadded:: 0.1.0
    """
    rule = any_of(
        Criterion(
            "financial_assets", Fact.PERSONAL_FINANCIAL_ASSETS, Comparison.AT_LEAST, financial_assets_at_least, _PERSON
        ),
        Criterion("income_3y", Fact.AVERAGE_ANNUAL_INCOME_3Y, Comparison.AT_LEAST, income_at_least, _PERSON),
        Criterion("single_project", Fact.SINGLE_PROJECT_COMMITMENT, Comparison.AT_LEAST, single_project_at_least),
        Criterion(
            "entity_net_assets", Fact.ENTITY_NET_ASSETS, Comparison.AT_LEAST, entity_net_assets_at_least, _ENTITY
        ),
        rule_id="sac_2014_draft",
    )
    return QualifiedInvestorPolicy(
        "SAC_2014_DRAFT",
        rule,
        date(2014, 12, 18),
        title_zh="中国证券业协会《私募股权众筹融资管理办法（试行）（征求意见稿）》第十四条",
        title_en="SAC, Measures for Private Equity Crowdfunding (trial, draft for comment), art. 14",
        source="Securities Association of China, published for comment 2014-12-18",
    )


def asset_management_2018(
    *,
    experience_years_at_least: Decimal | int = 2,
    family_net_financial_assets_at_least: Money = _3M,
    family_financial_assets_at_least: Money = _5M,
    income_at_least: Money = _400K,
    entity_net_assets_at_least: Money = _10M,
) -> QualifiedInvestorPolicy:
    """The 2018 asset-management guidance's qualified investor (资管新规, 银发〔2018〕106号).

    >>> from antfin.crowdfunding.presets import asset_management_2018
    >>> policy = asset_management_2018()
    >>> [c.rule_id for c in policy.criteria()]
    ['experience', 'family_net_financial_assets', 'family_financial_assets', 'income_3y', 'entity_net_assets']

    Article 5: a person with at least 2 years' investing experience and one of:
    family net financial assets ≥ 3,000,000 yuan, family financial assets ≥
    5,000,000 yuan, or a 3-year average personal income ≥ 400,000 yuan; or an
    entity with net assets ≥ 10,000,000 yuan at the end of the last year.

    Args:
        experience_years_at_least: years of investing experience.
        family_net_financial_assets_at_least: family net financial assets threshold.
        family_financial_assets_at_least: family financial assets threshold.
        income_at_least: 3-year average personal income threshold.
        entity_net_assets_at_least: entity net assets threshold.

    .. versionadded:: 0.1.0
    """
    person = all_of(
        Criterion(
            "experience", Fact.INVESTMENT_EXPERIENCE_YEARS, Comparison.AT_LEAST, experience_years_at_least, _PERSON
        ),
        any_of(
            Criterion(
                "family_net_financial_assets",
                Fact.FAMILY_NET_FINANCIAL_ASSETS,
                Comparison.AT_LEAST,
                family_net_financial_assets_at_least,
                _PERSON,
            ),
            Criterion(
                "family_financial_assets",
                Fact.FAMILY_FINANCIAL_ASSETS,
                Comparison.AT_LEAST,
                family_financial_assets_at_least,
                _PERSON,
            ),
            Criterion("income_3y", Fact.AVERAGE_ANNUAL_INCOME_3Y, Comparison.AT_LEAST, income_at_least, _PERSON),
            rule_id="wealth_or_income",
        ),
        rule_id="person",
    )
    entity = Criterion(
        "entity_net_assets", Fact.ENTITY_NET_ASSETS, Comparison.AT_LEAST, entity_net_assets_at_least, _ENTITY
    )
    return QualifiedInvestorPolicy(
        "ASSET_MANAGEMENT_2018",
        any_of(person, entity, rule_id="asset_management_2018"),
        date(2018, 4, 27),
        title_zh="《关于规范金融机构资产管理业务的指导意见》（银发〔2018〕106号）第五条",
        title_en="Guiding Opinions on Regulating the Asset Management Business of Financial Institutions, art. 5",
        source="PBOC, CBIRC, CSRC and SAFE, issued 2018-04-27",
    )


#: The case study's rule, "any of" (cfg).
SEED_2016: Final = seed_2016()
#: The 2014 SAC draft for private equity crowdfunding (cfg).
SAC_2014_DRAFT: Final = sac_2014_draft()
#: The 2018 asset-management rules (cfg).
ASSET_MANAGEMENT_2018: Final = asset_management_2018()
#: The presets, oldest first, as a dated table for :func:`~antfin.crowdfunding.policy.policy_in_force`.
PRESETS: Final = (SAC_2014_DRAFT, SEED_2016, ASSET_MANAGEMENT_2018)

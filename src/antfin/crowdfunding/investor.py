"""An investor's declared and verified facts, as a qualified-investor policy reads them.

>>> from antfin.crowdfunding.investor import Fact, InvestorFacts
>>> alice = InvestorFacts("alice", personal_financial_assets=CNY("1200000"))
>>> alice.value_of(Fact.PERSONAL_FINANCIAL_ASSETS)
Money('1200000.00', 'CNY')
>>> alice.value_of(Fact.AVERAGE_ANNUAL_INCOME_3Y) is None
True

Every fact is optional: a fact the investor has not provided is ``None`` and a
policy reports the rules that need it as *missing*, never as silently failed.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Final

import attrs

from antfin.crowdfunding.texts import language
from antfin.errors import InvalidAmountError
from antfin.money import Money, Rounding, to_decimal
from antfin.validators import attribute, check_money, check_name, check_non_negative

__all__ = ["Fact", "InvestorFacts", "InvestorKind"]

#: How many years of income the average is taken over (近三年).
INCOME_YEARS: Final = 3


class InvestorKind(enum.Enum):
    """Whether the investor is a natural person (个人) or an entity (单位/法人).

    >>> from antfin.crowdfunding.investor import InvestorKind
    >>> InvestorKind.ENTITY.name_zh, InvestorKind.PERSON.name_en
    ('机构', 'individual')

    .. versionadded:: 0.1.0
    """

    PERSON = ("person", "个人", "individual")
    ENTITY = ("entity", "机构", "entity")

    @property
    def name_zh(self) -> str:
        """Chinese name.

        >>> InvestorKind.PERSON.name_zh
        '个人'
        """
        return self.value[1]

    @property
    def name_en(self) -> str:
        """English name.

        >>> InvestorKind.ENTITY.name_en
        'entity'
        """
        return self.value[2]


class Fact(enum.Enum):
    """A fact a qualification rule can test, with its Chinese and English labels.

    >>> from antfin.crowdfunding.investor import Fact
    >>> Fact.FAMILY_NET_FINANCIAL_ASSETS.label("zh_CN")
    '家庭金融净资产'
    >>> Fact.AVERAGE_ANNUAL_INCOME_3Y.label("en_US")
    'average annual income over the last 3 years'
    >>> Fact.INVESTMENT_EXPERIENCE_YEARS.is_money
    False

    .. versionadded:: 0.1.0
    """

    PERSONAL_FINANCIAL_ASSETS = ("个人金融资产", "personal financial assets", True)
    PERSONAL_NET_FINANCIAL_ASSETS = ("个人金融净资产", "personal net financial assets", True)
    FAMILY_FINANCIAL_ASSETS = ("家庭金融资产", "family financial assets", True)
    FAMILY_NET_FINANCIAL_ASSETS = ("家庭金融净资产", "family net financial assets", True)
    AVERAGE_ANNUAL_INCOME_3Y = ("近三年本人年均收入", "average annual income over the last 3 years", True)
    INVESTMENT_EXPERIENCE_YEARS = ("投资经历（年）", "years of investment experience", False)
    SINGLE_PROJECT_COMMITMENT = ("单个项目投资金额", "amount committed to a single project", True)
    ENTITY_NET_ASSETS = ("单位净资产", "entity net assets", True)

    @property
    def is_money(self) -> bool:
        """``True`` when the fact is an amount of money (else a number of years).

        >>> Fact.ENTITY_NET_ASSETS.is_money
        True
        """
        return self.value[2]

    def label(self, locale: str = "zh_CN") -> str:
        """The fact's label in ``zh_CN`` or ``en_US``.

        >>> from antfin.crowdfunding.investor import Fact
        >>> Fact.ENTITY_NET_ASSETS.label("en_US")
        'entity net assets'

        Args:
            locale: ``"zh_CN"`` or ``"en_US"`` (any ``zh``/``en`` locale works).

        Raises:
            antfin.errors.NotFoundError: for a locale with no texts.
        """
        return self.value[0] if language(locale) == "zh" else self.value[1]


def _check_money(field: str, value: object, *, allow_negative: bool) -> None:
    if value is not None:
        (check_money if allow_negative else check_non_negative)(value, field)


def _gross(_instance: object, attribute: attrs.Attribute[Money | None], value: Money | None) -> None:
    _check_money(attribute.name, value, allow_negative=False)


def _net(_instance: object, attribute: attrs.Attribute[Money | None], value: Money | None) -> None:
    _check_money(attribute.name, value, allow_negative=True)


def _incomes(value: Iterable[Money] | None) -> tuple[Money, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes, Money)):
        raise TypeError("annual_incomes must be a sequence of Money, one per year, most recent first")
    items = tuple(value)
    for index, item in enumerate(items):
        _check_money(f"annual_incomes[{index}]", item, allow_negative=False)
        if item is None:
            raise TypeError(f"annual_incomes[{index}] must be Money, not None")
    if len(items) > INCOME_YEARS:
        raise InvalidAmountError(
            f"annual_incomes must list at most {INCOME_YEARS} years (the last three), got {len(items)}"
        )
    return items


def _years(value: Decimal | int | str | None) -> Decimal | None:
    if value is None:
        return None
    years = to_decimal(value, "investment_experience_years")
    if years < 0:
        raise InvalidAmountError(f"investment_experience_years must not be negative, got {years}")
    return years


def _facts(value: Iterable[Fact]) -> frozenset[Fact]:
    items = frozenset(value)
    for item in items:
        if not isinstance(item, Fact):
            raise TypeError(f"verified must contain Fact members, not {type(item).__name__}")
    return items


@attrs.frozen
class InvestorFacts:
    """What an investor declared, and which of it the platform verified.

    >>> from antfin.crowdfunding.investor import Fact, InvestorFacts, InvestorKind
    >>> bob = InvestorFacts(
    ...     "bob",
    ...     annual_incomes=(CNY("320000"), CNY("300000"), CNY("280000")),
    ...     verified={Fact.AVERAGE_ANNUAL_INCOME_3Y},
    ... )
    >>> bob.value_of(Fact.AVERAGE_ANNUAL_INCOME_3Y)
    Money('300000.00', 'CNY')
    >>> bob.is_verified(Fact.AVERAGE_ANNUAL_INCOME_3Y)
    True
    >>> InvestorFacts("acme", kind=InvestorKind.ENTITY, entity_net_assets=CNY("12000000")).kind
    <InvestorKind.ENTITY: ...>

    Args:
        investor_id: who the facts are about (used for the ``wallet:<id>`` account).
        kind: a person (default) or an entity.
        personal_financial_assets: the person's gross financial assets (个人金融资产).
        personal_net_financial_assets: the same, net of liabilities (may be negative).
        family_financial_assets: gross financial assets of the family (家庭金融资产).
        family_net_financial_assets: net financial assets of the family (may be negative).
        annual_incomes: the last three years' income, most recent first; fewer than
            three years leaves the 3-year average missing.
        investment_experience_years: years of investing experience (投资经历).
        single_project_commitment: amount committed to one project (单个项目投资金额).
        entity_net_assets: an entity's net assets (may be negative).
        verified: the facts the platform has verified (others are only declared).

    Raises:
        TypeError: for a float, or a value of the wrong type.
        antfin.errors.InvalidAmountError: for a negative gross amount, income or
            experience, more than three years of income, or an empty id.

    .. versionadded:: 0.1.0
    """

    investor_id: str = attrs.field(validator=attribute(check_name))
    kind: InvestorKind = attrs.field(default=InvestorKind.PERSON, validator=attrs.validators.instance_of(InvestorKind))
    personal_financial_assets: Money | None = attrs.field(default=None, validator=_gross, kw_only=True)
    personal_net_financial_assets: Money | None = attrs.field(default=None, validator=_net, kw_only=True)
    family_financial_assets: Money | None = attrs.field(default=None, validator=_gross, kw_only=True)
    family_net_financial_assets: Money | None = attrs.field(default=None, validator=_net, kw_only=True)
    annual_incomes: tuple[Money, ...] | None = attrs.field(default=None, converter=_incomes, kw_only=True)
    investment_experience_years: Decimal | None = attrs.field(default=None, converter=_years, kw_only=True)
    single_project_commitment: Money | None = attrs.field(default=None, validator=_gross, kw_only=True)
    entity_net_assets: Money | None = attrs.field(default=None, validator=_net, kw_only=True)
    verified: frozenset[Fact] = attrs.field(default=frozenset(), converter=_facts, kw_only=True)

    def value_of(self, fact: Fact) -> Money | Decimal | None:
        """The investor's value for ``fact``, or ``None`` when it was not provided.

        >>> from antfin.crowdfunding.investor import Fact, InvestorFacts
        >>> facts = InvestorFacts("c", annual_incomes=(CNY("1"), CNY("1"), CNY("0.01")))
        >>> facts.value_of(Fact.AVERAGE_ANNUAL_INCOME_3Y)
        Money('0.67', 'CNY')
        >>> InvestorFacts("d", investment_experience_years=2).value_of(Fact.INVESTMENT_EXPERIENCE_YEARS)
        Decimal('2')

        The 3-year average income is the sum of the three years divided by three,
        rounded DOWN to the fen (so the shown value never exceeds the exact one;
        policies compare the exact sum, see :meth:`income_total_3y`).

        Args:
            fact: which fact.

        Returns:
            The amount or number of years, or ``None`` if missing.
        """
        if fact is Fact.AVERAGE_ANNUAL_INCOME_3Y:
            total = self.income_total_3y()
            return None if total is None else total.divide(INCOME_YEARS, rounding=Rounding.DOWN)
        if fact is Fact.INVESTMENT_EXPERIENCE_YEARS:
            return self.investment_experience_years
        value: Money | None = getattr(self, fact.name.lower())
        return value

    def income_total_3y(self) -> Money | None:
        """The sum of the last three years' income, or ``None`` with fewer than three years.

        >>> from antfin.crowdfunding.investor import InvestorFacts
        >>> InvestorFacts("e", annual_incomes=(CNY("10"), CNY("20"), CNY("30"))).income_total_3y()
        Money('60.00', 'CNY')
        >>> InvestorFacts("e", annual_incomes=(CNY("10"),)).income_total_3y() is None
        True
        """
        incomes = self.annual_incomes
        if incomes is None or len(incomes) < INCOME_YEARS:
            return None
        return sum(incomes, incomes[0].currency.zero())

    def is_verified(self, fact: Fact) -> bool:
        """``True`` when the platform verified ``fact`` (and the investor provided it).

        >>> from antfin.crowdfunding.investor import Fact, InvestorFacts
        >>> InvestorFacts("f", verified={Fact.ENTITY_NET_ASSETS}).is_verified(Fact.ENTITY_NET_ASSETS)
        False

        Args:
            fact: which fact.
        """
        return fact in self.verified and self.value_of(fact) is not None

    def with_commitment(self, amount: Money) -> InvestorFacts:
        """A copy whose single-project commitment is ``amount`` (a subscription's ticket).

        >>> from antfin.crowdfunding.investor import InvestorFacts
        >>> InvestorFacts("g").with_commitment(CNY("1000000")).single_project_commitment
        Money('1000000.00', 'CNY')

        Args:
            amount: the amount the investor commits to the project.

        Raises:
            antfin.errors.InvalidAmountError: for a negative amount.
        """
        return attrs.evolve(self, single_project_commitment=amount)

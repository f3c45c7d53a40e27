"""Ant Fortune: portfolio view, fund subscription and redemption fees, and their ledger postings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.errors import InsufficientFundsError, InvalidAmountError, OutsideCoverageError, PolicyViolationError
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.wealth.fortune import (
    DEFAULT_REDEMPTION_FEES,
    DEFAULT_SUBSCRIPTION_FEES,
    AssetClass,
    Portfolio,
    Position,
    RedemptionFeeSchedule,
    RedemptionFeeTier,
    SubscriptionFeeSchedule,
    SubscriptionFeeTier,
    book_fund_redemption,
    book_fund_subscription,
    split_redemption_fee,
)


@attrs.frozen
class YuebaoShare:
    """A stand-in for another product's holding: it only has kind, name and amount."""

    kind: AssetClass
    name: str
    amount: Money


# -- portfolio ---------------------------------------------------------------------------------------


def test_a_portfolio_accepts_any_holding_with_kind_name_and_amount() -> None:
    portfolio = Portfolio.of(
        [
            YuebaoShare(AssetClass.YUEBAO, "余额宝", CNY("3000.00")),
            Position(AssetClass.FUND, "Index", CNY("1000.00")),
            Position(AssetClass.FUND, "Bond", CNY("500.00")),
            Position(AssetClass.STOCK, "600519", CNY("500.00")),
        ]
    )
    assert portfolio.total == CNY("5000.00")
    assert dict(portfolio.by_kind()) == {
        AssetClass.YUEBAO: CNY("3000.00"),
        AssetClass.FUND: CNY("1500.00"),
        AssetClass.STOCK: CNY("500.00"),
    }
    assert dict(portfolio.weights()) == {
        AssetClass.YUEBAO: Decimal("0.6000"),
        AssetClass.FUND: Decimal("0.3000"),
        AssetClass.STOCK: Decimal("0.1000"),
    }


def test_portfolio_refusals() -> None:
    with pytest.raises(TypeError, match="kind, name and amount"):
        Portfolio.of([CNY("1.00")])  # type: ignore[list-item]
    with pytest.raises(InvalidAmountError, match="USD"):
        Portfolio.of([Position(AssetClass.STOCK, "AAPL", Money("1", "USD"))])
    with pytest.raises(InvalidAmountError, match="negative"):
        Position(AssetClass.STOCK, "S", CNY("-1.00"))
    with pytest.raises(TypeError):
        Position("stock", "S", CNY("1.00"))  # type: ignore[arg-type]
    assert dict(Portfolio.of([]).weights()) == {}


@given(st.lists(st.tuples(st.sampled_from(list(AssetClass)), st.integers(0, 10**9)), min_size=1, max_size=8))
def test_weights_sum_to_exactly_one(rows: list[tuple[AssetClass, int]]) -> None:
    portfolio = Portfolio.of([Position(kind, kind.value, Money.from_minor_units(minor)) for kind, minor in rows])
    weights = portfolio.weights()
    if portfolio.total.is_zero():
        assert dict(weights) == {}
    else:
        assert sum(weights.values()) == Decimal("1.0000")
        for kind, amount in portfolio.by_kind().items():
            exact = Decimal(amount.minor_units) / Decimal(portfolio.total.minor_units)
            assert abs(weights[kind] - exact) < Decimal("0.0001")


# -- subscription fees ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "listed", "fee"),
    [
        ("10000.00", "0.015", "14.98"),  # 10,000 / 1.0015 = 9,985.022...
        ("100.00", "0.015", "0.15"),
        ("500000.00", "0.012", "599.28"),  # 500,000 / 1.0012 = 499,400.71...
        ("2000000.00", "0.008", "1598.72"),
        ("6000000.00", None, "1000.00"),
    ],
)
def test_subscription_fees_by_tier_at_one_tenth(amount: str, listed: str | None, fee: str) -> None:
    quote = DEFAULT_SUBSCRIPTION_FEES.quote(CNY(amount))
    assert quote.listed_rate == (None if listed is None else Decimal(listed))
    assert quote.fee == CNY(fee)
    assert quote.fee + quote.net == CNY(amount)


def test_the_net_method_differs_from_the_gross_method() -> None:
    full = SubscriptionFeeSchedule(discount=Decimal("1"))
    quote = full.quote(CNY("10000.00"))
    assert quote.fee == CNY("147.78")  # not 150.00 = 10,000 × 1.5%
    assert quote.net == CNY("9852.22")  # 10,000 / 1.015 = 9,852.2167...
    assert SubscriptionFeeSchedule(discount="0.9").quote(CNY("10000.00")).effective_rate == Decimal("0.0135")


@given(st.integers(1, 10**11))
def test_fee_plus_net_is_the_amount_and_net_times_one_plus_rate_is_within_a_fen(minor: int) -> None:
    amount = Money.from_minor_units(minor)
    quote = DEFAULT_SUBSCRIPTION_FEES.quote(amount)
    assert quote.fee + quote.net == amount
    assert not quote.fee.is_negative()
    if quote.effective_rate is not None:
        exact_net = Decimal(minor) / (1 + quote.effective_rate)
        assert abs(Decimal(quote.net.minor_units) - exact_net) <= Decimal("0.5")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"discount": Decimal("1.1")}, InvalidAmountError),
        ({"discount": 0.1}, TypeError),
        ({"tiers": ()}, InvalidAmountError),
        ({"tiers": (SubscriptionFeeTier(CNY("1.00"), rate=Rate("0.01")),)}, InvalidAmountError),
        (
            {
                "tiers": (
                    SubscriptionFeeTier(CNY("0.00"), rate=Rate("0.01")),
                    SubscriptionFeeTier(CNY("0.00"), rate=Rate("0.02")),
                )
            },
            InvalidAmountError,
        ),
    ],
)
def test_bad_subscription_schedules_are_refused(kwargs: dict[str, object], error: type[Exception]) -> None:
    with pytest.raises(error):
        SubscriptionFeeSchedule(**kwargs)  # type: ignore[arg-type]


def test_bad_tiers_and_amounts_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="exactly one"):
        SubscriptionFeeTier(CNY("0.00"))
    with pytest.raises(InvalidAmountError, match="exactly one"):
        SubscriptionFeeTier(CNY("0.00"), rate=Rate("0.01"), fixed=CNY("1.00"))
    with pytest.raises(InvalidAmountError):
        DEFAULT_SUBSCRIPTION_FEES.quote(CNY("0.00"))
    with pytest.raises(TypeError):
        DEFAULT_SUBSCRIPTION_FEES.quote(Decimal("100"))  # type: ignore[arg-type]


# -- redemption fees -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "fee"),
    [(0, "150.00"), (6, "150.00"), (7, "50.00"), (364, "50.00"), (365, "25.00"), (729, "25.00"), (730, "0.00")],
)
def test_redemption_fees_by_holding_period(days: int, fee: str) -> None:
    quote = DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), days)
    assert quote.fee == CNY(fee)
    assert quote.net == CNY("10000.00") - CNY(fee)


def test_redemption_fee_rounds_half_up_and_counts_calendar_days() -> None:
    assert DEFAULT_REDEMPTION_FEES.quote(CNY("1.01"), 100).fee == CNY("0.01")  # 0.00505
    assert DEFAULT_REDEMPTION_FEES.quote(CNY("0.99"), 100).fee == CNY("0.00")  # 0.00495
    assert RedemptionFeeSchedule.held_days(shanghai(2024, 1, 1).date(), shanghai(2025, 1, 1).date()) == 366


def test_bad_redemptions_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="negative"):
        DEFAULT_REDEMPTION_FEES.quote(CNY("1.00"), -1)
    with pytest.raises(TypeError):
        DEFAULT_REDEMPTION_FEES.quote(CNY("1.00"), 1.5)  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="before"):
        RedemptionFeeSchedule.held_days(shanghai(2024, 1, 2).date(), shanghai(2024, 1, 1).date())
    with pytest.raises(InvalidAmountError, match="open tier"):
        RedemptionFeeSchedule(tiers=(RedemptionFeeTier(7, Rate("0.015")),))
    with pytest.raises(InvalidAmountError, match="ascending"):
        RedemptionFeeSchedule(
            tiers=(
                RedemptionFeeTier(30, Rate("0.01")),
                RedemptionFeeTier(7, Rate("0.01")),
                RedemptionFeeTier(None, Rate("0")),
            )
        )


# -- the ledger -----------------------------------------------------------------------------------------------


def fortune_ledger() -> Ledger:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    ledger.open_account("fund:000001", AccountKind.LIABILITY, non_negative=True)
    ledger.transfer(
        "in", debit="asset:bank_settlement", credit="wallet:alice", amount=CNY("20000.00"), at=shanghai(2024, 3, 1)
    )
    return ledger


def test_subscription_and_redemption_fees_go_to_their_profit_points() -> None:
    ledger = fortune_ledger()
    book_fund_subscription(
        ledger,
        "f:o1",
        wallet="wallet:alice",
        fund_account="fund:000001",
        amount=CNY("10000.00"),
        at=shanghai(2024, 3, 1),
    )
    book_fund_redemption(
        ledger,
        "f:r1",
        fund_account="fund:000001",
        wallet="wallet:alice",
        amount=CNY("5000.00"),
        held_days=30,
        at=shanghai(2024, 3, 31),
    )
    assert ledger.balance(ProfitPoint.FORTUNE_SUBSCRIPTION_FEE.account_id) == CNY("14.98")
    # fee 25.00 on a 30-day holding: at least 25% (6.25) stays in the fund, 18.75 is the distributor's
    assert ledger.balance(ProfitPoint.FORTUNE_REDEMPTION_FEE.account_id) == CNY("18.75")
    assert ledger.balance("fund:000001") == CNY("4991.27")
    assert ledger.balance("wallet:alice") == CNY("10000.00") + CNY("4975.00")
    ledger.check_invariants()


def test_a_subscription_the_wallet_cannot_pay_changes_nothing() -> None:
    ledger = fortune_ledger()
    before = (
        len(ledger.entries()),
        ledger.balance("wallet:alice"),
        ledger.has_account("revenue:fortune:subscription_fee"),
    )
    with pytest.raises(InsufficientFundsError):
        book_fund_subscription(
            ledger,
            "f:o1",
            wallet="wallet:alice",
            fund_account="fund:000001",
            amount=CNY("20000.01"),
            at=shanghai(2024, 3, 1),
        )
    assert (
        len(ledger.entries()),
        ledger.balance("wallet:alice"),
        ledger.has_account("revenue:fortune:subscription_fee"),
    ) == before


@pytest.mark.parametrize(
    ("day", "held", "fund", "distributor"),
    [
        (date(2017, 9, 30), 3, "37.50", "112.50"),  # before the 2017 rule: 25% to the fund even when short
        (date(2017, 10, 1), 3, "150.00", "0.00"),  # under 7 days: all 1.5% to the fund's assets
        (date(2017, 10, 1), 7, "12.50", "37.50"),  # 7 days: 0.5%, a quarter to the fund
    ],
)
def test_redemption_fee_split_follows_the_dated_rules(day: date, held: int, fund: str, distributor: str) -> None:
    split = split_redemption_fee(DEFAULT_REDEMPTION_FEES.quote(CNY("10000.00"), held), on=day)
    assert (split.fund_assets, split.distributor, split.manager) == (CNY(fund), CNY(distributor), CNY("0"))


def test_redemption_fee_rules_cover_from_2013() -> None:
    with pytest.raises(OutsideCoverageError, match="2013-06-01 onwards"):
        split_redemption_fee(DEFAULT_REDEMPTION_FEES.quote(CNY("100.00"), 30), on=date(2013, 5, 31))


def test_a_schedule_below_the_short_holding_minimum_is_refused_before_booking() -> None:
    ledger = fortune_ledger()
    book_fund_subscription(
        ledger, "s", wallet="wallet:alice", fund_account="fund:000001", amount=CNY("1000.00"), at=shanghai(2024, 3, 1)
    )
    before = ledger.balance("fund:000001")
    cheap = RedemptionFeeSchedule(tiers=(RedemptionFeeTier(None, Rate.percent("0.5")),))
    with pytest.raises(PolicyViolationError, match=r"at least 1\.5%"):
        book_fund_redemption(
            ledger,
            "r",
            fund_account="fund:000001",
            wallet="wallet:alice",
            amount=CNY("100.00"),
            held_days=2,
            at=shanghai(2024, 3, 3),
            schedule=cheap,
        )
    assert ledger.balance("fund:000001") == before
    assert not ledger.has_account(ProfitPoint.FORTUNE_REDEMPTION_FEE.account_id)


def test_a_managers_share_goes_to_the_managers_account() -> None:
    ledger = fortune_ledger()
    ledger.open_account("fund:000001:manager", AccountKind.LIABILITY)
    book_fund_subscription(
        ledger, "s", wallet="wallet:alice", fund_account="fund:000001", amount=CNY("1000.00"), at=shanghai(2024, 3, 1)
    )
    kwargs = {"fund_account": "fund:000001", "wallet": "wallet:alice", "amount": CNY("800.00"), "held_days": 30}
    with pytest.raises(InvalidAmountError, match="manager_account"):
        book_fund_redemption(ledger, "r", at=shanghai(2024, 4, 1), distributor_share="0.5", **kwargs)  # type: ignore[arg-type]
    split = book_fund_redemption(
        ledger,
        "r",
        at=shanghai(2024, 4, 1),
        distributor_share="0.5",
        manager_account="fund:000001:manager",
        **kwargs,  # type: ignore[arg-type]
    )
    assert (split.fee, split.fund_assets, split.distributor, split.manager) == (
        CNY("4.00"),
        CNY("1.00"),
        CNY("1.50"),
        CNY("1.50"),
    )
    assert ledger.balance("fund:000001:manager") == CNY("1.50")
    ledger.check_invariants()


@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=0, max_value=800))
def test_the_split_conserves_the_fee_and_honours_the_minimum(fen: int, held: int) -> None:
    quote = DEFAULT_REDEMPTION_FEES.quote(Money.from_minor_units(fen, CNY), held)
    split = split_redemption_fee(quote, on=date(2024, 1, 1), distributor_share="0.6")
    assert split.fee == quote.fee
    least = 1 if held < 7 else Decimal("0.25")
    assert split.fund_assets.minor_units >= quote.fee.minor_units * least
    assert min(split.fund_assets, split.distributor, split.manager) >= CNY("0")

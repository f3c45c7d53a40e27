"""MoneyFund on the ledger: a holiday fortnight on the SSE calendar; a seeded simulation against a reference model."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from antfin import CNY, Money
from antfin.calendar import ChinaExchangeCalendar, WeekdayCalendar, shanghai
from antfin.chart import ProfitPoint
from antfin.errors import InsufficientFundsError, LimitExceededError
from antfin.ledger import AccountKind, Ledger
from antfin.money import Rounding
from antfin.wealth import MoneyFund, OrderKind, OrderStatus

BANK = "asset:bank_settlement"
FEE_ACCOUNTS = (
    "fund:yuebao:party:manager",
    "fund:yuebao:party:custodian",
    ProfitPoint.YUEBAO_SALES_SERVICE_FEE.account_id,
)


def open_wallets(ledger: Ledger, amounts: dict[str, str]) -> None:
    if not ledger.has_account(BANK):
        ledger.open_account(BANK, AccountKind.ASSET)
    for investor, amount in amounts.items():
        ledger.open_account(f"wallet:{investor}", AccountKind.LIABILITY, non_negative=True, owner=investor)
        ledger.transfer(
            f"top-up:{investor}", debit=BANK, credit=f"wallet:{investor}", amount=CNY(amount), at=shanghai(2024, 9, 1)
        )


def gross_for(fund: MoneyFund, day: date, annual: str = "0.02") -> Money:
    """The portfolio's gross income: 2% a year on the units earning that day, rounded down to the fen."""
    units = fund.total_units
    for order in fund.orders(OrderStatus.PENDING):
        if order.effective_day <= day:
            units += order.units if order.kind is OrderKind.PURCHASE else -order.units
    return CNY(units * Decimal(annual) / 365, rounding=Rounding.DOWN)


def check_books(fund: MoneyFund, ledger: Ledger) -> None:
    fund.check_invariants()
    fund.check_positions()
    ledger.check_invariants()
    positions = sum((ledger.balance(fund.position_account(h)) for h in fund.holders()), CNY.zero())
    assert positions.amount == fund.total_units
    incomes = fund.daily_incomes()
    assert ledger.balance(fund.assets_account) == sum((income.gross for income in incomes), CNY.zero())
    fees = sum((ledger.balance(account) for account in FEE_ACCOUNTS if ledger.has_account(account)), CNY.zero())
    assert fees == sum((income.fees for income in incomes), CNY.zero())


def test_national_day_fortnight_on_the_sse_calendar() -> None:
    ledger = Ledger()
    open_wallets(ledger, {"ann": "100000.00", "bob": "50000.00"})
    fund = MoneyFund(ledger, calendar=ChinaExchangeCalendar.sse())
    # Friday 2024-09-27 before 15:00: confirmed Monday 09-30, earns through the whole holiday.
    ann = fund.purchase("ann-1", "ann", CNY("100000.00"), at=shanghai(2024, 9, 27, 14, 30))
    # Monday 09-30 before 15:00: confirmed on the first trading day after the holiday, 10-08.
    bob = fund.purchase("bob-1", "bob", CNY("50000.00"), at=shanghai(2024, 9, 30, 14, 59, 59))
    assert (ann.effective_day, bob.effective_day) == (date(2024, 9, 30), date(2024, 10, 8))
    day = date(2024, 9, 27)
    while day <= date(2024, 10, 9):
        result = fund.close_day(day, gross_income=gross_for(fund, day), at=shanghai(day.year, day.month, day.day, 23))
        if date(2024, 9, 30) <= day <= date(2024, 10, 7):
            assert result.units >= Decimal("100000")
            assert fund.units_of("bob") == 0
        check_books(fund, ledger)
        day += timedelta(days=1)
    # gross 2%/365 a day = 0.548 per 10,000, fees 0.63%/365 = 0.173: about 0.375 per 10,000 distributed.
    # ann earned 10 days (09-30 .. 10-09): about 37.5 yuan; bob 2 days (10-08, 10-09): about 3.75.
    per_10k = [income.per_10k for income in fund.daily_incomes() if income.day >= date(2024, 9, 30)]
    assert all(Decimal("0.37") < value < Decimal("0.38") for value in per_10k)
    assert Decimal("100037") < fund.units_of("ann") < Decimal("100038")
    assert Decimal("50003") < fund.units_of("bob") < Decimal("50004")
    assert ledger.balance("wallet:ann") == CNY("0")
    assert ledger.balance("wallet:bob") == CNY("0")
    assert Decimal("1.36") < fund.seven_day_yield(date(2024, 10, 9)) < Decimal("1.39")


def reference_split(income: int, units: list[int]) -> list[int]:
    """An independent statement of the rule: truncate exact shares, then largest remainder."""
    total = sum(units)
    exact = [Fraction(income * unit, total) for unit in units]
    floor = [int(share) for share in exact]  # int() truncates toward zero
    left = income - sum(floor)
    step = 1 if left >= 0 else -1
    order = sorted(range(len(units)), key=lambda i: (-abs(exact[i] - floor[i]), i))
    for index in order[: abs(left)]:
        floor[index] += step
    return floor


def test_seeded_simulation_against_a_reference_model() -> None:
    rng = random.Random(20240601)
    investors = [f"inv{i}" for i in range(8)]
    ledger = Ledger()
    open_wallets(ledger, dict.fromkeys(investors, "30000.00"))
    fund = MoneyFund(ledger, calendar=WeekdayCalendar())
    model: dict[str, int] = dict.fromkeys(investors, 0)
    pending: list[tuple[date, str, int]] = []  # (effective day, investor, signed fen)
    fast_used: dict[tuple[str, date], int] = {}
    day = date(2024, 6, 3)
    for step in range(28):
        for number in range(rng.randint(0, 4)):
            who = rng.choice(investors)
            at = shanghai(day.year, day.month, day.day, rng.randint(0, 23), rng.randint(0, 59))
            key = f"{step}-{number}"
            reserved = sum(-fen for _, inv, fen in pending if inv == who and fen < 0)
            available = model[who] - reserved
            action = rng.choice(["buy", "redeem", "fast"])
            fen = rng.randint(1, 1_200_000)
            try:
                if action == "buy":
                    order = fund.purchase(key, who, Money.from_minor_units(fen, CNY), at=at)
                    pending.append((order.effective_day, who, fen))
                elif action == "redeem":
                    order = fund.redeem(key, who, Decimal(fen).scaleb(-2), at=at)
                    pending.append((order.effective_day, who, -fen))
                else:
                    fund.fast_redeem(key, who, Decimal(fen).scaleb(-2), at=at)
                    model[who] -= fen
                    fast_used[(who, day)] = fast_used.get((who, day), 0) + fen
            except InsufficientFundsError:
                if action != "buy":
                    assert fen > available
            except LimitExceededError:
                assert action == "fast"
                assert fast_used.get((who, day), 0) + fen > 1_000_000
        due = [item for item in pending if item[0] <= day]
        pending = [item for item in pending if item[0] > day]
        for _, who, fen in due:
            model[who] += fen
        gross = CNY(rng.randint(-20, 300)) if any(model.values()) else CNY(0)
        result = fund.close_day(day, gross_income=gross, at=shanghai(day.year, day.month, day.day, 23, 59))
        assert result.units == Decimal(sum(model.values())).scaleb(-2)
        if any(model.values()):
            shares = reference_split(result.distributable.minor_units, [model[i] for i in investors])
            for who, share in zip(investors, shares, strict=True):
                model[who] += share
        assert {who: fund.units_of(who) for who in investors} == {
            who: Decimal(fen).scaleb(-2) for who, fen in model.items()
        }
        check_books(fund, ledger)
        day += timedelta(days=1)
    assert len(fund.orders()) > 20

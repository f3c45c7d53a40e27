"""Payments end to end on the ledger: escrow with a listener, float interest, revenue points, a durable store."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from antfin.calendar import shanghai
from antfin.ecosystem import ProfitPoint
from antfin.errors import InvalidAmountError, InvalidTimeError
from antfin.ledger import AccountKind, Ledger, SQLiteStore
from antfin.money import CNY
from antfin.payments import (
    BANK_SETTLEMENT,
    Account,
    AccountType,
    EscrowDesk,
    FloatInterestPolicy,
    GoodsType,
    Release,
    TradeStatus,
    accrue_float_interest,
)
from antfin.rates import DayCount, Rate


def test_escrow_to_settlement_with_every_alipay_revenue_point() -> None:
    ledger = Ledger()
    alice = Account.open(ledger, "alice", opened_at=shanghai(2024, 5, 1))
    shop = Account.open(ledger, "shop", opened_at=shanghai(2024, 5, 1), account_type=AccountType.MERCHANT)
    alice.link_card("ICBC-6222", at=shanghai(2024, 5, 1))
    shop.link_card("CMB-0001", at=shanghai(2024, 5, 1))
    alice.top_up("t1", card="ICBC-6222", amount=CNY("36500.00"), at=shanghai(2024, 5, 1, 9))

    # A Huabei-like listener books a bill line when receipt is confirmed, atomically with the release.
    ledger.open_account("asset:bill_lines", AccountKind.ASSET)
    ledger.open_account("liability:bill_lines", AccountKind.LIABILITY)
    desk = EscrowDesk(ledger)

    def bill(release: Release) -> None:
        ledger.transfer(
            f"bill:{release.out_trade_no}",
            debit="asset:bill_lines",
            credit="liability:bill_lines",
            amount=release.amount,
            at=release.at,
        )

    desk.on_release(bill)
    trade = desk.create(
        "ORDER-1",
        buyer=alice,
        seller=shop,
        amount=CNY("20000.00"),
        goods=GoodsType.PHYSICAL_EXPRESS,
        at=shanghai(2024, 5, 1, 10),
        timeout="2h",
    )
    trade.pay(at=shanghai(2024, 5, 1, 10, 30))
    trade.ship(at=shanghai(2024, 5, 2, 9))
    # nobody confirms: ten days after shipping the trade confirms itself
    desk.advance_to(shanghai(2024, 5, 31, 23))
    assert trade.status is TradeStatus.TRADE_SUCCESS
    assert ledger.balance("asset:bill_lines") == CNY("20000.00")
    assert shop.balance() == CNY("19880.00")  # 20000 - 0.6%

    shop.withdraw("w1", card="CMB-0001", amount=CNY("19870.00"), at=shanghai(2024, 6, 1))  # quota covers it all
    assert shop.balance() == CNY("10.00")

    accrual = accrue_float_interest(
        ledger,
        "2024-05",
        wallets=[alice, shop],
        start=date(2024, 5, 1),
        end=date(2024, 6, 1),
        at=shanghai(2024, 6, 1, 1),
    )
    # Escrowed money stays in the buyer's wallet until the release (12 May 09:00) moves it to the seller;
    # from then on the 120.00 fee is the platform's revenue, no longer customer float.
    assert accrual.daily_float == (CNY("36500.00"),) * 11 + (CNY("36380.00"),) * 20
    assert accrual.interest == CNY("10.83")  # 1,129,100.00 x 0.35% / 365 = 10.82698...

    revenue = {point: ledger.balance(point.account_id) for point in ProfitPoint if ledger.has_account(point.account_id)}
    assert revenue == {
        ProfitPoint.ALIPAY_ACQUIRING_COMMISSION: CNY("120.00"),
        ProfitPoint.ALIPAY_FLOAT_INTEREST: CNY("10.83"),
    }
    alice.withdraw("w2", card="ICBC-6222", amount=CNY("16500.00"), at=shanghai(2024, 6, 2))
    assert not ledger.has_account(ProfitPoint.ALIPAY_WITHDRAWAL_FEE.account_id)  # both withdrawals were free
    alice.top_up("t2", card="ICBC-6222", amount=CNY("5001.50"), at=shanghai(2024, 6, 3))
    alice.withdraw("w3", card="ICBC-6222", amount=CNY("5000.00"), at=shanghai(2024, 6, 4))  # 1500 over: 1.50
    assert ledger.balance(ProfitPoint.ALIPAY_WITHDRAWAL_FEE.account_id) == CNY("1.50")
    assert alice.balance() == CNY("0.00")
    assert ledger.trial_balance().is_balanced
    ledger.check_invariants()


def test_float_interest_rules() -> None:
    ledger = Ledger()
    alice = Account.open(ledger, "alice", opened_at=shanghai(2024, 1, 1))
    alice.link_card("C", at=shanghai(2024, 1, 1))
    alice.top_up("t", card="C", amount=CNY("1000000.00"), at=shanghai(2024, 1, 1, 23, 59, 59))  # counts for 1 Jan
    alice.top_up("u", card="C", amount=CNY("1000000.00"), at=shanghai(2024, 1, 3))  # counts from 3 Jan
    policy = FloatInterestPolicy.flat(Rate.percent("3.6"), since=date(2024, 1, 1), day_count=DayCount.ACT_360)
    accrual = accrue_float_interest(
        ledger,
        "k",
        wallets=[alice.wallet_id],
        start=date(2024, 1, 1),
        end=date(2024, 1, 4),
        at=shanghai(2024, 1, 4),
        policy=policy,
    )
    assert accrual.daily_float == (CNY("1000000.00"), CNY("1000000.00"), CNY("2000000.00"))
    assert accrual.interest == CNY("400.00")  # 4,000,000 x 3.6% / 360
    assert accrual.days == 3
    again = accrue_float_interest(
        ledger,
        "k",
        wallets=[alice.wallet_id],
        start=date(2024, 1, 1),
        end=date(2024, 1, 4),
        at=shanghai(2024, 1, 4),
        policy=policy,
    )
    assert again.entry == accrual.entry
    assert ledger.balance(ProfitPoint.ALIPAY_FLOAT_INTEREST.account_id) == CNY("400.00")
    assert ledger.balance(BANK_SETTLEMENT) == CNY("2000400.00")
    # zero interest books nothing
    empty = Account.open(ledger, "empty", opened_at=shanghai(2024, 1, 1))
    nothing = accrue_float_interest(
        ledger, "z", wallets=[empty], start=date(2024, 1, 1), end=date(2024, 1, 2), at=shanghai(2024, 1, 2)
    )
    assert nothing.entry is None
    assert nothing.interest == CNY("0")


def test_float_interest_bad_input() -> None:
    ledger = Ledger()
    alice = Account.open(ledger, "alice", opened_at=shanghai(2024, 1, 1))
    kwargs = {"wallets": [alice], "at": shanghai(2024, 2, 1)}
    with pytest.raises(InvalidTimeError, match="must be after start"):
        accrue_float_interest(ledger, "k", start=date(2024, 1, 2), end=date(2024, 1, 2), **kwargs)  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="before the accrual period ends"):
        accrue_float_interest(
            ledger, "k", wallets=[alice], start=date(2024, 1, 1), end=date(2024, 3, 1), at=shanghai(2024, 2, 29, 23)
        )
    with pytest.raises(InvalidAmountError, match="at least one wallet"):
        accrue_float_interest(
            ledger, "k", wallets=[], start=date(2024, 1, 1), end=date(2024, 1, 2), at=shanghai(2024, 2, 1)
        )
    with pytest.raises(InvalidAmountError, match="at least one day"):
        FloatInterestPolicy().interest([], start=date(2024, 1, 1))
    with pytest.raises(InvalidAmountError, match="negative"):
        FloatInterestPolicy().interest([CNY("-1")], start=date(2024, 1, 1))
    with pytest.raises(TypeError):
        FloatInterestPolicy.flat("0.0035", since=date(2024, 1, 1))  # type: ignore[arg-type]
    assert not ledger.has_account(ProfitPoint.ALIPAY_FLOAT_INTEREST.account_id)


def test_wallets_survive_in_a_durable_ledger(tmp_path: Path) -> None:
    path = tmp_path / "alipay.sqlite"
    ledger = Ledger(SQLiteStore(path))
    alice = Account.open(ledger, "alice", opened_at=shanghai(2024, 1, 1))
    shop = Account.open(ledger, "shop", opened_at=shanghai(2024, 1, 1), account_type=AccountType.MERCHANT)
    alice.link_card("C", at=shanghai(2024, 1, 1))
    alice.top_up("t", card="C", amount=CNY("50.00"), at=shanghai(2024, 1, 1))
    trade = EscrowDesk(ledger).create(
        "T1", buyer=alice, seller=shop, amount=CNY("50.00"), goods=GoodsType.VIRTUAL, at=shanghai(2024, 1, 2)
    )
    trade.pay(at=shanghai(2024, 1, 2, 0, 1))
    ledger.close()
    reopened = Ledger(SQLiteStore(path))
    assert reopened.balance("wallet:alice") == CNY("50.00")
    assert reopened.available("wallet:alice") == CNY("0.00")
    assert reopened.get_hold("escrow:T1:hold:1").amount == CNY("50.00")
    reopened.close()

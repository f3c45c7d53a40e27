"""The income statement is derived from postings to profit-point revenue accounts."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from antfin import CNY, Money
from antfin.calendar import shanghai
from antfin.ecosystem import Product, ProfitPoint, income_statement, revenue_account
from antfin.ecosystem.services import CloudContract, book_service_fee
from antfin.errors import InvalidAmountError, InvalidTimeError, NotFoundError
from antfin.ledger import AccountKind, Ledger
from antfin.rates import Rate


def _ledger() -> Ledger:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("wallet:shop", AccountKind.LIABILITY)
    ledger.transfer("seed", debit="asset:bank", credit="wallet:shop", amount=CNY("100000.00"), at=shanghai(2024, 1, 1))
    return ledger


def test_every_profit_point_has_a_distinct_revenue_account() -> None:
    ids = [point.account_id for point in ProfitPoint]
    assert len(ids) == len(set(ids))
    assert all(ProfitPoint.from_account_id(point.account_id) is point for point in ProfitPoint)
    with pytest.raises(NotFoundError):
        ProfitPoint.from_account_id("revenue:nowhere:nothing")


def test_statement_sums_postings_by_point_and_product_within_the_period() -> None:
    ledger = _ledger()
    fee = revenue_account(ledger, ProfitPoint.ALIPAY_ACQUIRING_COMMISSION)
    ads = revenue_account(ledger, ProfitPoint.ALIPAY_ADVERTISING)
    ledger.transfer("f1", debit="wallet:shop", credit=fee, amount=CNY("0.60"), at=shanghai(2024, 2, 1))
    ledger.transfer("f2", debit="wallet:shop", credit=fee, amount=CNY("1.20"), at=shanghai(2024, 3, 1))
    ledger.transfer("a1", debit="wallet:shop", credit=ads, amount=CNY("50.00"), at=shanghai(2024, 2, 15))
    march = income_statement(ledger, shanghai(2024, 3, 1), shanghai(2024, 4, 1))
    assert march.amount(ProfitPoint.ALIPAY_ACQUIRING_COMMISSION) == CNY("1.20")
    assert march.amount(ProfitPoint.ALIPAY_ADVERTISING) == CNY("0")
    whole = income_statement(ledger)
    assert whole.by_product()[Product.ALIPAY] == CNY("51.80")
    assert whole.total == ledger.balance(fee) + ledger.balance(ads)


def test_a_reversed_fee_leaves_the_statement() -> None:
    ledger = _ledger()
    fee = revenue_account(ledger, ProfitPoint.HUABEI_MERCHANT_FEE)
    entry = ledger.transfer("f", debit="wallet:shop", credit=fee, amount=CNY("8.00"), at=shanghai(2024, 2, 1))
    ledger.reverse("f:rev", entry.id, at=shanghai(2024, 2, 2))
    assert income_statement(ledger).total == CNY("0")


def test_text_and_json_forms_agree() -> None:
    ledger = _ledger()
    fee = revenue_account(ledger, ProfitPoint.DAKE_SERVICE_FEE)
    ledger.transfer("f", debit="wallet:shop", credit=fee, amount=CNY("1234.50"), at=shanghai(2024, 2, 1))
    statement = income_statement(ledger)
    assert "¥1,234.50" in statement.to_text("zh_CN")
    assert "蚂蚁达客" in statement.to_text("zh_CN")
    assert "Ant Dake" in statement.to_text("en_US")
    data = json.loads(json.dumps(statement.to_json()))
    assert data["total"] == {"amount": "1234.50", "currency": "CNY"}
    assert data["by_product"]["DAKE"] == {"amount": "1234.50", "currency": "CNY"}


def test_bad_periods_are_refused() -> None:
    ledger = _ledger()
    with pytest.raises(InvalidTimeError):
        income_statement(ledger, shanghai(2024, 3, 1), shanghai(2024, 2, 1))
    with pytest.raises(InvalidTimeError):
        income_statement(ledger, start=shanghai(2024, 3, 1).replace(tzinfo=None))


@given(st.lists(st.tuples(st.sampled_from(list(ProfitPoint)), st.integers(1, 10**8)), max_size=20))
def test_statement_total_equals_sum_of_revenue_balances(bookings: list[tuple[ProfitPoint, int]]) -> None:
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    for index, (point, minor) in enumerate(bookings):
        account = revenue_account(ledger, point)
        ledger.transfer(
            f"k{index}",
            debit="asset:bank",
            credit=account,
            amount=Money.from_minor_units(minor),
            at=shanghai(2024, 1, 1),
        )
    statement = income_statement(ledger)
    expected = sum((ledger.balance(p.account_id) for p in ProfitPoint if ledger.has_account(p.account_id)), CNY("0"))
    assert statement.total == expected
    assert sum(statement.by_product().values(), CNY("0")) == statement.total


def test_service_fees_book_only_to_service_points() -> None:
    ledger = _ledger()
    with pytest.raises(InvalidAmountError):
        book_service_fee(
            ledger,
            "x",
            payer_wallet="wallet:shop",
            point=ProfitPoint.JIEBEI_INTEREST,
            amount=CNY("1"),
            at=shanghai(2024, 1, 2),
        )
    assert income_statement(ledger).total == CNY("0")


def test_cloud_contract_bills_once_per_period() -> None:
    ledger = _ledger()
    contract = CloudContract.savings_share("c1", "wallet:shop", Rate.percent("20"))
    contract.bill(ledger, period="2024-01", at=shanghai(2024, 2, 1), savings=CNY("1000.00"))
    contract.bill(ledger, period="2024-01", at=shanghai(2024, 2, 2), savings=CNY("1000.00"))
    assert income_statement(ledger).amount(ProfitPoint.CLOUD_TECH_SERVICE_FEE) == CNY("200.00")
    with pytest.raises(InvalidAmountError):
        contract.fee_for(-CNY("1"))
    with pytest.raises(InvalidAmountError):
        CloudContract.monthly("c2", "wallet:shop", CNY("0"))


@given(
    st.lists(
        st.tuples(st.sampled_from(list(ProfitPoint)), st.integers(-(10**6), 10**8), st.booleans()),
        max_size=20,
    )
)
def test_the_whole_history_read_from_balances_equals_the_sum_of_postings(
    bookings: list[tuple[ProfitPoint, int, bool]],
) -> None:
    """Without bounds the statement reads the revenue accounts' balances; with bounds around everything it sums
    the postings entry by entry: the two agree, refunds (debits), a block's uncommitted entries and postings in
    another currency included."""
    ledger = Ledger()
    ledger.open_account("asset:bank", AccountKind.ASSET)
    ledger.open_account("asset:usd", AccountKind.ASSET, currency="USD")
    ledger.open_account(ProfitPoint.DAKE_SERVICE_FEE.account_id, AccountKind.REVENUE, currency="USD")
    ledger.transfer("usd", debit="asset:usd", credit=ProfitPoint.DAKE_SERVICE_FEE.account_id,
                    amount=Money.from_minor_units(500, "USD"), at=shanghai(2024, 1, 1))  # fmt: skip
    everything = (shanghai(2000, 1, 1), shanghai(2100, 1, 1))
    with ledger.atomic():
        for index, (point, minor, later) in enumerate(bookings):
            if point is ProfitPoint.DAKE_SERVICE_FEE or minor == 0:
                continue
            account = revenue_account(ledger, point)
            debit, credit = ("asset:bank", account) if minor > 0 else (account, "asset:bank")
            at = shanghai(2024, 6, 1) if later else shanghai(2024, 1, 1)
            ledger.transfer(f"k{index}", debit=debit, credit=credit, amount=Money.from_minor_units(abs(minor)), at=at)
        inside = income_statement(ledger)
        assert inside.lines == income_statement(ledger, *everything).lines
    assert income_statement(ledger).lines == income_statement(ledger, *everything).lines == inside.lines
    assert income_statement(ledger, currency=Money.from_minor_units(1, "USD").currency).amount(
        ProfitPoint.DAKE_SERVICE_FEE
    ) == Money.from_minor_units(500, "USD")

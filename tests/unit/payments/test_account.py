"""Account: wallet, cards, top-up, transfers with class limits, withdrawals with fees."""

from __future__ import annotations

from datetime import datetime

import pytest

from antfin.calendar import shanghai
from antfin.ecosystem import ProfitPoint
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.payments import BANK_SETTLEMENT, Account, AccountType, RealNameLevel

OPEN = shanghai(2024, 1, 1)


def funded(ledger: Ledger, name: str, amount: str, level: RealNameLevel = RealNameLevel.CLASS_II) -> Account:
    account = Account.open(ledger, name, opened_at=OPEN, level=level)
    account.link_card("CARD", at=OPEN)
    account.top_up("seed", card="CARD", amount=CNY(amount), at=OPEN)
    return account


def snapshot(ledger: Ledger) -> tuple[tuple[str, Money], ...]:
    return tuple((a.id, ledger.balance(a.id)) for a in ledger.accounts())


def test_wallet_is_a_non_negative_liability(ledger: Ledger) -> None:
    account = Account.open(ledger, "alice", opened_at=OPEN)
    wallet = ledger.account(account.wallet_id)
    assert account.wallet_id == "wallet:alice"
    assert wallet.kind is AccountKind.LIABILITY
    assert wallet.non_negative
    assert ledger.account(BANK_SETTLEMENT).kind is AccountKind.ASSET
    # opening again is idempotent in the ledger
    again = Account.open(ledger, "alice", opened_at=OPEN)
    assert again.wallet_id == account.wallet_id


def test_open_validation(ledger: Ledger) -> None:
    with pytest.raises(InvalidAmountError, match="account_id"):
        Account.open(ledger, "has space", opened_at=OPEN)
    with pytest.raises(InvalidAmountError, match="account_id"):
        Account.open(ledger, "a:b", opened_at=OPEN)
    with pytest.raises(TypeError):
        Account.open(ledger, 7, opened_at=OPEN)  # type: ignore[arg-type]
    with pytest.raises(InvalidTimeError, match="naive"):
        Account.open(ledger, "x", opened_at=datetime(2024, 1, 1))
    with pytest.raises(InvalidTransitionError, match="merchant"):
        Account.open(ledger, "x", opened_at=OPEN, account_type=AccountType.MERCHANT, level=RealNameLevel.CLASS_I)
    with pytest.raises(InvalidTransitionError, match="merchant_category"):
        Account.open(ledger, "x", opened_at=OPEN, merchant_category="standard")
    assert not ledger.has_account("wallet:x")


def test_top_up_and_transfer(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "500.00")
    bob = Account.open(ledger, "bob", opened_at=OPEN)
    entry = alice.transfer("gift", to=bob, amount=CNY("120.00"), at=shanghai(2024, 2, 1))
    assert (alice.balance(), bob.balance()) == (CNY("380.00"), CNY("120.00"))
    assert ledger.balance(BANK_SETTLEMENT) == CNY("500.00")
    # retry: same entry, no second effect, no double counting toward the limit
    assert alice.transfer("gift", to=bob, amount=CNY("120.00"), at=shanghai(2024, 2, 1)) == entry
    assert alice.balance() == CNY("380.00")
    assert alice.payments_used(shanghai(2024, 2, 1)) == CNY("120.00")
    with pytest.raises(IdempotencyConflictError):
        alice.transfer("gift", to=bob, amount=CNY("1.00"), at=shanghai(2024, 2, 1))
    assert alice.payments_used(shanghai(2024, 2, 1)) == CNY("120.00")


def test_refused_transfers_change_nothing(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "50.00")
    bob = Account.open(ledger, "bob", opened_at=OPEN)
    before = snapshot(ledger)
    with pytest.raises(InsufficientFundsError, match=r"50.00"):
        alice.transfer("t", to=bob, amount=CNY("50.01"), at=shanghai(2024, 2, 1))
    with pytest.raises(InvalidAmountError, match="itself"):
        alice.transfer("t", to=alice, amount=CNY("1.00"), at=shanghai(2024, 2, 1))
    with pytest.raises(InvalidAmountError, match="positive"):
        alice.transfer("t", to=bob, amount=CNY("0.00"), at=shanghai(2024, 2, 1))
    with pytest.raises(InvalidAmountError, match="CNY"):
        alice.transfer("t", to=bob, amount=Money("1", "USD"), at=shanghai(2024, 2, 1))
    with pytest.raises(TypeError):
        alice.transfer("t", to="bob", amount=CNY("1.00"), at=shanghai(2024, 2, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidAmountError, match="key"):
        alice.transfer("", to=bob, amount=CNY("1.00"), at=shanghai(2024, 2, 1))
    assert snapshot(ledger) == before
    assert alice.payments_used(shanghai(2024, 2, 1)) == CNY("0")


def test_class_i_limit_since_opening_at_the_boundary(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "5000.00", RealNameLevel.CLASS_I)
    bob = Account.open(ledger, "bob", opened_at=OPEN)
    alice.transfer("a", to=bob, amount=CNY("600.00"), at=shanghai(2024, 3, 1))
    alice.transfer("b", to=bob, amount=CNY("400.00"), at=shanghai(2025, 3, 1))  # lifetime: counts across years
    assert alice.check_payment(CNY("0.01"), at=shanghai(2025, 3, 2)).approved is False
    before = snapshot(ledger)
    with pytest.raises(LimitExceededError) as info:
        alice.transfer("c", to=bob, amount=CNY("0.01"), at=shanghai(2025, 3, 2))
    assert "1000.00" in str(info.value)
    assert "used 1000.00" in str(info.value)
    assert "asked 0.01" in str(info.value)
    assert snapshot(ledger) == before
    # upgrading lifts the limit: class II counts the calendar year only (400.00 in 2025)
    alice.upgrade(RealNameLevel.CLASS_II, at=shanghai(2025, 3, 3))
    assert alice.payments_used(shanghai(2025, 3, 3)) == CNY("400.00")
    alice.transfer("c", to=bob, amount=CNY("0.01"), at=shanghai(2025, 3, 3))


def test_class_ii_limit_per_calendar_year(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "250000.00")
    bob = Account.open(ledger, "bob", opened_at=OPEN)
    alice.transfer("a", to=bob, amount=CNY("99999.99"), at=shanghai(2024, 12, 31, 23, 59))
    alice.transfer("b", to=bob, amount=CNY("0.01"), at=shanghai(2024, 12, 31, 23, 59))  # exactly the cap
    with pytest.raises(LimitExceededError, match=r"class II limit of 100000.00 CNY per calendar year"):
        alice.transfer("c", to=bob, amount=CNY("0.01"), at=shanghai(2024, 12, 31, 23, 59))
    alice.transfer("c", to=bob, amount=CNY("100000.00"), at=shanghai(2025, 1, 1))  # a new year
    assert bob.balance() == CNY("200000.00")


def test_class_iii_and_wealth(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "1.00", RealNameLevel.CLASS_III)
    assert alice.may_buy_wealth().approved
    assert alice.check_payment(CNY("200000.00"), at=OPEN).approved
    assert not alice.check_payment(CNY("200000.01"), at=OPEN).approved
    assert not funded(ledger, "bob", "1.00").may_buy_wealth().approved


def test_merchants_have_no_class(ledger: Ledger) -> None:
    shop = Account.open(ledger, "shop", opened_at=OPEN, account_type=AccountType.MERCHANT)
    assert shop.level is None
    assert shop.check_payment(CNY("99999999.00"), at=OPEN).reasons == ()
    assert not shop.may_buy_wealth().approved
    with pytest.raises(InvalidTransitionError, match="merchant"):
        shop.upgrade(RealNameLevel.CLASS_III, at=OPEN)


def test_upgrade_rules_and_events(ledger: Ledger) -> None:
    alice = Account.open(ledger, "alice", opened_at=OPEN, level=RealNameLevel.CLASS_II)
    with pytest.raises(InvalidTransitionError, match="higher class"):
        alice.upgrade(RealNameLevel.CLASS_I, at=shanghai(2024, 2, 1))
    with pytest.raises(InvalidTransitionError, match="higher class"):
        alice.upgrade(RealNameLevel.CLASS_II, at=shanghai(2024, 2, 1))
    alice.link_card("A", at=shanghai(2024, 2, 1))
    alice.link_card("A", at=shanghai(2024, 2, 2))  # already linked: nothing recorded
    with pytest.raises(InvalidTimeError, match="before the account's last event"):
        alice.link_card("B", at=shanghai(2024, 1, 31))
    assert alice.cards == ("A",)
    assert [(e.action, e.detail) for e in alice.events] == [("open", "user"), ("link_card", "A")]


def test_count_payment_idempotency(ledger: Ledger) -> None:
    alice = Account.open(ledger, "alice", opened_at=OPEN, level=RealNameLevel.CLASS_I)
    alice.count_payment("k", CNY("999.99"), at=OPEN)
    alice.count_payment("k", CNY("999.99"), at=OPEN)
    with pytest.raises(IdempotencyConflictError):
        alice.count_payment("k", CNY("1.00"), at=OPEN)
    with pytest.raises(LimitExceededError):
        alice.count_payment("k2", CNY("0.02"), at=OPEN)
    assert alice.payments_used(OPEN) == CNY("999.99")


def test_top_up_needs_a_linked_card(ledger: Ledger) -> None:
    alice = Account.open(ledger, "alice", opened_at=OPEN)
    with pytest.raises(NotFoundError, match="not linked"):
        alice.top_up("t", card="NOPE", amount=CNY("1.00"), at=OPEN)
    with pytest.raises(InvalidAmountError):
        alice.link_card("", at=OPEN)
    assert alice.balance() == CNY("0")


def test_withdrawal_fee_issue_example(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "30010.00")
    withdrawal = alice.withdraw("w1", card="CARD", amount=CNY("30000.00"), at=shanghai(2024, 2, 1))
    assert withdrawal.fee == CNY("10.00")
    assert alice.balance() == CNY("0.00")
    assert ledger.balance(ProfitPoint.ALIPAY_WITHDRAWAL_FEE.account_id) == CNY("10.00")
    assert ledger.balance(BANK_SETTLEMENT) == CNY("10.00")  # 30010 in, 30000 out
    # retry returns the first withdrawal, with no second effect
    assert alice.withdraw("w1", card="CARD", amount=CNY("30000.00"), at=shanghai(2024, 2, 1)) is withdrawal
    with pytest.raises(IdempotencyConflictError):
        alice.withdraw("w1", card="CARD", amount=CNY("1.00"), at=shanghai(2024, 2, 1))
    ledger.check_invariants()


def test_withdrawal_quota_is_lifetime(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "40000.00")
    first = alice.withdraw("w1", card="CARD", amount=CNY("15000.00"), at=shanghai(2024, 2, 1))
    assert first.fee == CNY("0")
    second = alice.withdraw("w2", card="CARD", amount=CNY("6000.00"), at=shanghai(2026, 2, 1))
    assert second.quote.free_part == CNY("5000.00")
    assert second.fee == CNY("1.00")
    assert alice.withdrawn() == CNY("21000.00")
    assert alice.quote_withdrawal(CNY("1.00"), at=shanghai(2026, 2, 2)).fee == CNY("0.10")
    assert "revenue:alipay:withdrawal_fee" in {a.id for a in ledger.accounts()}


def test_refused_withdrawals_change_nothing(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "20000.05")
    before = snapshot(ledger)
    with pytest.raises(InsufficientFundsError, match=r"plus fee 0.10"):
        alice.withdraw("w", card="CARD", amount=CNY("20000.05"), at=shanghai(2024, 2, 1))
    with pytest.raises(NotFoundError):
        alice.withdraw("w", card="OTHER", amount=CNY("1.00"), at=shanghai(2024, 2, 1))
    with pytest.raises(InvalidAmountError):
        alice.withdraw("w", card="CARD", amount=CNY("-1.00"), at=shanghai(2024, 2, 1))
    assert snapshot(ledger) == before
    assert alice.withdrawn() == CNY("0")
    # a free withdrawal of everything works
    alice.withdraw("w", card="CARD", amount=CNY("20000.00"), at=shanghai(2024, 2, 1))
    assert alice.balance() == CNY("0.05")


def test_adopts_a_wallet_another_product_opened(ledger: Ledger) -> None:
    ledger.open_account("wallet:alice", AccountKind.LIABILITY, non_negative=True)
    alice = Account.open(ledger, "alice", opened_at=OPEN)
    assert alice.wallet_id == "wallet:alice"
    ledger.open_account("wallet:bad", AccountKind.LIABILITY)  # may go negative: not a wallet
    with pytest.raises(IdempotencyConflictError, match="non-negative CNY liability"):
        Account.open(ledger, "bad", opened_at=OPEN)
    ledger.open_account("wallet:asset", AccountKind.ASSET, non_negative=True)
    with pytest.raises(IdempotencyConflictError, match="kind asset"):
        Account.open(ledger, "asset", opened_at=OPEN)


def test_a_merchant_withdraws_above_the_quota_without_a_fee(ledger: Ledger) -> None:
    shop = Account.open(ledger, "shop", opened_at=OPEN, account_type=AccountType.MERCHANT)
    shop.link_card("CMB-1", at=OPEN)
    shop.top_up("in", card="CMB-1", amount=CNY("30000.00"), at=OPEN)
    withdrawal = shop.withdraw("out", card="CMB-1", amount=CNY("30000.00"), at=OPEN)
    assert (withdrawal.fee, withdrawal.quote.exempt, shop.balance()) == (CNY("0.00"), True, CNY("0.00"))
    assert not ledger.has_account(ProfitPoint.ALIPAY_WITHDRAWAL_FEE.account_id)


def test_ids_and_keys_with_lone_surrogates_are_refused_and_change_nothing(ledger: Ledger) -> None:
    account = funded(ledger, "hana", "100.00")
    before = (account.cards, account.events, snapshot(ledger))
    with pytest.raises(InvalidAmountError, match="card must be valid Unicode text"):
        account.link_card("CMB-\udc80", at=shanghai(2024, 1, 2))
    with pytest.raises(InvalidAmountError, match="key must be valid Unicode text"):
        account.top_up("k\ud800", card="CARD", amount=CNY("1.00"), at=shanghai(2024, 1, 2))
    with pytest.raises(InvalidAmountError, match="key must be valid Unicode text"):
        account.count_payment("p\udfff", CNY("1.00"), at=shanghai(2024, 1, 2))
    assert (account.cards, account.events, snapshot(ledger)) == before
    with pytest.raises(InvalidAmountError, match="account_id must be valid Unicode text"):
        Account.open(ledger, "ann\ud800", opened_at=OPEN)
    assert not ledger.has_account("wallet:ann\ud800")


def test_usage_as_of_an_earlier_day_reads_the_history(ledger: Ledger) -> None:
    alice = funded(ledger, "alice", "5000.00", RealNameLevel.CLASS_I)
    bob = Account.open(ledger, "bob", opened_at=OPEN)
    alice.transfer("a", to=bob, amount=CNY("100.00"), at=shanghai(2024, 3, 1))
    alice.transfer("b", to=bob, amount=CNY("200.00"), at=shanghai(2024, 9, 1))
    alice.transfer("c", to=bob, amount=CNY("300.00"), at=shanghai(2025, 2, 1))
    assert alice.payments_used(shanghai(2025, 2, 1)) == CNY("600.00")  # from the running totals
    assert alice.payments_used(shanghai(2024, 6, 1)) == CNY("100.00")  # as of an earlier day
    assert alice.payments_used(shanghai(2024, 12, 31)) == CNY("300.00")
    alice.upgrade(RealNameLevel.CLASS_II, at=shanghai(2025, 2, 2))
    assert alice.payments_used(shanghai(2025, 2, 2)) == CNY("300.00")  # this calendar year only
    assert alice.payments_used(shanghai(2024, 12, 31)) == CNY("300.00")


def test_forged_usage_totals_are_refused_on_loading(ledger: Ledger) -> None:
    from antfin.errors import SerializationError
    from antfin.serialization import from_data, to_data

    alice = funded(ledger, "alice", "5000.00", RealNameLevel.CLASS_I)
    alice.count_payment("k", CNY("10.00"), at=OPEN)
    data = to_data(alice)
    data["_paid_by_year"] = {"__items__": [[2024, -1000]]}
    with pytest.raises(SerializationError, match="negative"):
        from_data(Account, data, ledger=ledger)
    data = to_data(alice)
    data["_payments"] = {
        "k": {"amount": {"amount": "-5.00", "currency": "CNY"}, "at": OPEN.isoformat(), "counterparty": ""}
    }
    with pytest.raises(SerializationError):
        from_data(Account, data, ledger=ledger)

"""CrowdfundOffer on the ledger: subscriptions, the lead-first rule, caps, cancellation, closes."""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from antfin.calendar import shanghai
from antfin.chart import ProfitPoint
from antfin.crowdfunding import (
    ASSET_MANAGEMENT_2018,
    CrowdfundOffer,
    FundingMode,
    InvestorFacts,
    OfferStatus,
    OfferTerms,
    Role,
    SubscriptionStatus,
)
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    LimitExceededError,
    NotFoundError,
    OutsideCoverageError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, HoldStatus, Ledger
from antfin.money import CNY, Money
from antfin.rates import Rate

OPENS = shanghai(2016, 3, 1)
CLOSES = shanghai(2016, 3, 31, 12)
DAY = timedelta(days=1)
FEE = ProfitPoint.DAKE_SERVICE_FEE.account_id


def qualified(investor_id: str) -> InvestorFacts:
    return InvestorFacts(investor_id, personal_financial_assets=CNY("1000000.01"))


def new_ledger(*investors: str, funds: str = "1000000") -> Ledger:
    ledger = Ledger()
    ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
    ledger.open_account("wallet:issuer", AccountKind.LIABILITY, non_negative=True, owner="issuer")
    for investor in investors:
        ledger.open_account(f"wallet:{investor}", AccountKind.LIABILITY, non_negative=True, owner=investor)
        ledger.transfer(
            f"top-up:{investor}",
            debit="asset:bank_settlement",
            credit=f"wallet:{investor}",
            amount=CNY(funds),
            at=shanghai(2016, 2, 1),
        )
    return ledger


def new_offer(ledger: Ledger, **changes: object) -> CrowdfundOffer:
    arguments: dict[str, object] = {
        "issuer": "issuer",
        "target": CNY("1000000"),
        "min_ticket": CNY("10000"),
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "equity_units": 100_000,
        "ledger": ledger,
    }
    arguments.update(changes)
    return CrowdfundOffer("tea", **arguments)  # type: ignore[arg-type]


def snapshot(ledger: Ledger, offer: CrowdfundOffer) -> tuple[object, ...]:
    balances = tuple((a.id, ledger.balance(a.id), ledger.available(a.id)) for a in ledger.accounts())
    return balances, offer.subscriptions, offer.events, offer.status, len(ledger.entries())


def wallets_total(ledger: Ledger) -> Money:
    """Everything the platform owes (wallets, escrow) plus revenue: equals the cash taken in."""
    owed = [a.id for a in ledger.accounts() if a.kind in (AccountKind.LIABILITY, AccountKind.REVENUE)]
    return sum((ledger.balance(account) for account in owed), CNY.zero())


# -- funded close -------------------------------------------------------------------


def test_funded_close_pays_issuer_minus_fee_and_conserves_money() -> None:
    investors = ["lead", *(f"f{i}" for i in range(5))]
    ledger = new_ledger(*investors)
    offer = new_offer(ledger)
    cash_in = wallets_total(ledger)
    offer.subscribe("k-lead", qualified("lead"), CNY("300000"), at=OPENS + DAY, role=Role.LEAD)
    for index, name in enumerate(investors[1:]):
        offer.subscribe(f"k-{name}", qualified(name), CNY("140000"), at=OPENS + DAY * (2 + index))
    assert offer.raised == CNY("1000000")
    assert ledger.pending("wallet:lead") == CNY("300000")
    assert ledger.balance("wallet:lead") == CNY("1000000")  # held, not moved
    assert all(sub.represented_by == "lead" for sub in offer.subscriptions[1:])
    assert offer.subscriptions[0].represented_by is None

    assert offer.advance_to(CLOSES - timedelta(microseconds=1)) is None
    assert offer.status is OfferStatus.OPEN
    settlement = offer.advance_to(CLOSES)
    assert settlement is not None
    assert settlement.status is OfferStatus.FUNDED
    assert settlement.raised == CNY("1000000")
    assert settlement.service_fee == CNY("30000")
    assert settlement.issuer_proceeds == CNY("970000")
    assert ledger.balance("wallet:issuer") == CNY("970000")
    assert ledger.balance(FEE) == CNY("30000")
    assert ledger.balance(offer.escrow_account) == CNY.zero()
    assert ledger.balance("wallet:lead") == CNY("700000")
    assert ledger.balance("wallet:f0") == CNY("860000")
    assert all(ledger.get_hold(sub.hold_id).status is HoldStatus.POSTED for sub in offer.subscriptions)
    assert {sub.status for sub in offer.subscriptions} == {SubscriptionStatus.SETTLED}
    assert [a.units for a in settlement.allocations] == [30000, 14000, 14000, 14000, 14000, 14000]
    assert wallets_total(ledger) == cash_in
    ledger.check_invariants()


def test_equity_allocation_conserves_units_with_remainders() -> None:
    ledger = new_ledger("lead", "a", "b")
    offer = new_offer(ledger, equity_units=1000, target=CNY("300000"), min_ticket=CNY("1"))
    offer.subscribe("l", qualified("lead"), CNY("100000.01"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("100000.00"), at=OPENS)
    offer.subscribe("b", qualified("b"), CNY("99999.99"), at=OPENS)
    settlement = offer.advance_to(CLOSES)
    assert settlement is not None
    assert [a.units for a in settlement.allocations] == [334, 333, 333]
    assert sum(a.units for a in settlement.allocations) == settlement.units_issued == 1000
    assert settlement.service_fee == CNY("9000.00")


def test_replaying_the_close_changes_nothing() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger, target=CNY("500000"))
    offer.subscribe("l", qualified("lead"), CNY("500000"), at=OPENS, role=Role.LEAD)
    first = offer.advance_to(CLOSES + DAY)
    before = snapshot(ledger, offer)
    assert offer.advance_to(CLOSES + DAY) is first
    assert offer.advance_to(CLOSES + 30 * DAY) is first
    assert offer.advance_to(CLOSES) is first  # an earlier replay is harmless too
    assert snapshot(ledger, offer) == before


# -- unfunded close -------------------------------------------------------------------


def test_unfunded_close_releases_every_hold_exactly_once() -> None:
    ledger = new_ledger("lead", "a", "b")
    offer = new_offer(ledger)
    cash_in = wallets_total(ledger)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("200000"), at=OPENS)
    offer.subscribe("b", qualified("b"), CNY("300000"), at=OPENS)
    offer.cancel("b", at=OPENS + DAY)
    entries_before = len(ledger.entries())
    settlement = offer.advance_to(CLOSES + timedelta(hours=1))
    assert settlement is not None
    assert settlement.status is OfferStatus.NOT_FUNDED
    assert settlement.refunded == CNY("300000")
    assert settlement.raised == settlement.service_fee == CNY.zero()
    assert settlement.allocations == ()
    assert [ledger.get_hold(s.hold_id).status for s in offer.subscriptions] == [
        HoldStatus.VOIDED,
        HoldStatus.VOIDED,
        HoldStatus.VOIDED,
    ]
    assert [s.status for s in offer.subscriptions] == [
        SubscriptionStatus.REFUNDED,
        SubscriptionStatus.REFUNDED,
        SubscriptionStatus.CANCELLED,
    ]
    for name in ("lead", "a", "b"):
        assert ledger.available(f"wallet:{name}") == CNY("1000000")
    assert len(ledger.entries()) == entries_before  # voids move no money
    assert ledger.balance("wallet:issuer") == CNY.zero()
    assert not ledger.has_account(FEE)
    assert wallets_total(ledger) == cash_in
    # Replays do not void again.
    assert offer.advance_to(CLOSES + DAY) is settlement
    refunds = [e for e in offer.events if e.after == "refunded"]
    assert len(refunds) == 2


def test_keep_what_you_raise_settles_a_partial_raise() -> None:
    ledger = new_ledger("lead", "a")
    terms = OfferTerms(mode=FundingMode.KEEP_WHAT_YOU_RAISE, service_fee_rate=Rate.percent("2.5"))
    offer = new_offer(ledger, terms=terms, equity_units=100_001)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("33333.33"), at=OPENS)
    settlement = offer.advance_to(CLOSES)
    assert settlement is not None
    assert settlement.status is OfferStatus.FUNDED
    assert settlement.raised == CNY("133333.33")
    assert settlement.service_fee == CNY("3333.33")  # 3333.33325 HALF_UP
    assert ledger.balance("wallet:issuer") == CNY("130000.00")
    # 100,001 x 133,333.33 / 1,000,000 = 13,333.46... units, rounded DOWN
    assert settlement.units_issued == 13333
    assert sum(a.units for a in settlement.allocations) == 13333


def test_keep_what_you_raise_with_nothing_raised_is_not_funded() -> None:
    ledger = new_ledger()
    offer = new_offer(ledger, terms=OfferTerms(mode=FundingMode.KEEP_WHAT_YOU_RAISE))
    settlement = offer.advance_to(CLOSES)
    assert settlement is not None
    assert settlement.status is OfferStatus.NOT_FUNDED


def test_zero_fee_books_no_revenue() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger, target=CNY("100000"), terms=OfferTerms(service_fee_rate=Rate("0")))
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.advance_to(CLOSES)
    assert ledger.balance("wallet:issuer") == CNY("100000")
    assert not ledger.has_account(FEE)


# -- refusals change nothing ----------------------------------------------------------


def test_unqualified_investor_is_refused_with_reasons_and_nothing_held() -> None:
    ledger = new_ledger("lead", "poor")
    offer = new_offer(ledger)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    poor = InvestorFacts("poor", personal_financial_assets=CNY("1000000.00"), annual_incomes=(CNY("299999.99"),) * 3)
    before = snapshot(ledger, offer)
    with pytest.raises(PolicyViolationError, match="not a qualified investor under SEED_2016") as caught:
        offer.subscribe("p", poor, CNY("10000"), at=OPENS + DAY)
    assert "personal financial assets above CN¥1,000,000.00: CN¥1,000,000.00 — not met" in str(caught.value)
    assert snapshot(ledger, offer) == before
    assert ledger.pending("wallet:poor") == CNY.zero()
    # Missing facts: refused as incomplete, not silently failed.
    with pytest.raises(PolicyViolationError, match=r"incomplete \(facts missing\)"):
        offer.subscribe("p", InvestorFacts("poor"), CNY("10000"), at=OPENS + DAY)
    assert snapshot(ledger, offer) == before


def test_policy_must_be_in_force_on_the_subscription_day() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger, policy=ASSET_MANAGEMENT_2018)
    with pytest.raises(OutsideCoverageError, match="ASSET_MANAGEMENT_2018 is not in force on 2016-03-01"):
        offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    assert offer.subscriptions == ()


def test_single_project_commitment_defaults_to_the_ticket() -> None:
    from antfin.crowdfunding import SAC_2014_DRAFT

    ledger = new_ledger("lead", "big")
    offer = new_offer(
        ledger,
        policy=attrs.evolve(SAC_2014_DRAFT, effective_from=OPENS.date()),
        target=CNY("2000000"),
    )
    nobody = InvestorFacts("lead")
    with pytest.raises(PolicyViolationError, match=r"single project at least CN¥1,000,000\.00: CN¥999,999\.99"):
        offer.subscribe("l", nobody, CNY("999999.99"), at=OPENS, role=Role.LEAD)
    assert offer.subscribe("l", nobody, CNY("1000000"), at=OPENS, role=Role.LEAD).decision.approved


@pytest.mark.parametrize(
    ("at", "match"),
    [
        (OPENS - timedelta(microseconds=1), "opens at 2016-03-01T00:00:00"),
        (CLOSES, "closed at 2016-03-31T12:00:00"),
        (CLOSES + DAY, "closed at"),
    ],
)
def test_subscriptions_only_while_open(at: datetime, match: str) -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger)
    with pytest.raises(PolicyViolationError, match=match):
        offer.subscribe("l", qualified("lead"), CNY("100000"), at=at, role=Role.LEAD)
    assert offer.subscriptions == ()
    assert ledger.pending("wallet:lead") == CNY.zero()


def test_subscription_at_opening_and_just_before_close_are_accepted() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("10000"), at=CLOSES - timedelta(microseconds=1))
    assert offer.investor_count == 2


def test_lead_first_and_lead_minimum() -> None:
    ledger = new_ledger("lead", "other", "a")
    offer = new_offer(ledger)
    before = snapshot(ledger, offer)
    with pytest.raises(PolicyViolationError, match="no lead investor yet"):
        offer.subscribe("a", qualified("a"), CNY("500000"), at=OPENS)
    with pytest.raises(PolicyViolationError, match=r"at least 100000.00 CNY \(10% of the target"):
        offer.subscribe("l", qualified("lead"), CNY("99999.99"), at=OPENS, role=Role.LEAD)
    assert snapshot(ledger, offer) == before
    offer.subscribe("l", qualified("lead"), CNY("100000.00"), at=OPENS, role=Role.LEAD)
    with pytest.raises(PolicyViolationError, match="already has a lead investor"):
        offer.subscribe("o", qualified("other"), CNY("200000"), at=OPENS, role=Role.LEAD)
    assert offer.subscribe("a", qualified("a"), CNY("10000"), at=OPENS).role is Role.FOLLOWER


def test_lead_minimum_share_is_configurable_and_rounds_up() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger, target=CNY("100000.05"), terms=OfferTerms(lead_min_share=Rate.percent("10")))
    assert offer.minimum_lead == CNY("10000.01")  # 10,000.005 rounded UP
    offer25 = CrowdfundOffer(
        "other",
        issuer="issuer",
        target=CNY("1000000"),
        min_ticket=CNY("1"),
        opens_at=OPENS,
        closes_at=CLOSES,
        equity_units=1,
        ledger=ledger,
        terms=OfferTerms(lead_min_share=Rate.percent("25")),
    )
    assert offer25.minimum_lead == CNY("250000")


def test_ticket_limits() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger, max_ticket=CNY("400000"))
    offer.subscribe("l", qualified("lead"), CNY("400000"), at=OPENS, role=Role.LEAD)
    before = snapshot(ledger, offer)
    with pytest.raises(PolicyViolationError, match=r"below the minimum ticket 10000\.00 CNY"):
        offer.subscribe("a", qualified("a"), CNY("9999.99"), at=OPENS)
    with pytest.raises(PolicyViolationError, match=r"above the maximum ticket 400000\.00 CNY"):
        offer.subscribe("a", qualified("a"), CNY("400000.01"), at=OPENS)
    with pytest.raises(InvalidAmountError, match="amount"):
        offer.subscribe("a", qualified("a"), CNY("0"), at=OPENS)
    assert snapshot(ledger, offer) == before


def test_total_is_capped_at_the_target() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger)
    offer.subscribe("l", qualified("lead"), CNY("990000"), at=OPENS, role=Role.LEAD)
    before = snapshot(ledger, offer)
    with pytest.raises(LimitExceededError, match=r"what is left of the target 1000000\.00 CNY: 10000\.00 CNY"):
        offer.subscribe("a", qualified("a"), CNY("10000.01"), at=OPENS)
    assert snapshot(ledger, offer) == before
    offer.subscribe("a", qualified("a"), CNY("10000"), at=OPENS)


def test_the_201st_investor_is_refused() -> None:
    names = [f"i{n:03d}" for n in range(201)]
    ledger = new_ledger(*names, funds="10000")
    offer = new_offer(ledger, target=CNY("10000000"), min_ticket=CNY("100"), terms=OfferTerms(lead_min_share=Rate("0")))
    offer.subscribe("i000", qualified("i000"), CNY("100"), at=OPENS, role=Role.LEAD)
    for name in names[1:200]:
        offer.subscribe(name, qualified(name), CNY("100"), at=OPENS)
    assert offer.investor_count == 200
    before = snapshot(ledger, offer)
    with pytest.raises(LimitExceededError, match="already has 200 investors, the most allowed is 200"):
        offer.subscribe("i200", qualified("i200"), CNY("100"), at=OPENS)
    assert snapshot(ledger, offer) == before
    assert ledger.pending("wallet:i200") == CNY.zero()
    # A cancellation frees a place.
    offer.cancel("i199", at=OPENS + DAY)
    offer.subscribe("i200", qualified("i200"), CNY("100"), at=OPENS + DAY)
    assert offer.investor_count == 200


def test_cap_is_configurable() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger, terms=OfferTerms(max_investors=1))
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    with pytest.raises(LimitExceededError, match="the most allowed is 1"):
        offer.subscribe("a", qualified("a"), CNY("10000"), at=OPENS)


def test_insufficient_funds_refused_and_nothing_recorded() -> None:
    ledger = new_ledger("lead", funds="50000")
    offer = new_offer(ledger)
    before = snapshot(ledger, offer)
    with pytest.raises(InsufficientFundsError):
        offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    assert snapshot(ledger, offer) == before


def test_unknown_wallet_is_refused() -> None:
    ledger = new_ledger()
    offer = new_offer(ledger)
    with pytest.raises(NotFoundError, match="wallet:ghost"):
        offer.subscribe("l", qualified("ghost"), CNY("100000"), at=OPENS, role=Role.LEAD)
    assert offer.subscriptions == ()


def test_one_live_subscription_per_investor() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a1", qualified("a"), CNY("10000"), at=OPENS)
    with pytest.raises(PolicyViolationError, match="already has a live subscription"):
        offer.subscribe("a2", qualified("a"), CNY("20000"), at=OPENS)
    offer.cancel("a1", at=OPENS + DAY)
    assert offer.subscribe("a2", qualified("a"), CNY("20000"), at=OPENS + DAY).amount == CNY("20000")


# -- idempotency and time order -------------------------------------------------------


def test_subscribe_is_idempotent_by_key() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger)
    first = offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    before = snapshot(ledger, offer)
    assert offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS + DAY, role=Role.LEAD) is first
    assert snapshot(ledger, offer) == before
    with pytest.raises(IdempotencyConflictError, match=r"subscription key of offer \w+ 'l' was already used"):
        offer.subscribe("l", qualified("lead"), CNY("100001"), at=OPENS, role=Role.LEAD)
    assert snapshot(ledger, offer) == before


def test_operations_must_come_in_time_order() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS + DAY, role=Role.LEAD)
    with pytest.raises(InvalidTimeError, match="before the offer's last event"):
        offer.subscribe("a", qualified("a"), CNY("10000"), at=OPENS)
    with pytest.raises(InvalidTimeError, match="naive"):
        offer.subscribe("a", qualified("a"), CNY("10000"), at=datetime(2016, 3, 5))
    with pytest.raises(InvalidTimeError, match="naive"):
        offer.advance_to(datetime(2016, 4, 5))


# -- cancellation -----------------------------------------------------------------------


def test_cancellation_at_the_cutoff_instant_is_refused() -> None:
    ledger = new_ledger("lead", "a", "b")
    offer = new_offer(ledger)
    deadline = CLOSES - timedelta(hours=48)
    assert offer.cancellation_deadline == deadline
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("10000"), at=OPENS)
    offer.subscribe("b", qualified("b"), CNY("10000"), at=OPENS)
    cancelled = offer.cancel("a", at=deadline - timedelta(microseconds=1))
    assert cancelled.status is SubscriptionStatus.CANCELLED
    assert cancelled.resolved_at == deadline - timedelta(microseconds=1)
    assert ledger.get_hold(cancelled.hold_id).status is HoldStatus.VOIDED
    assert ledger.available("wallet:a") == CNY("1000000")
    before = snapshot(ledger, offer)
    with pytest.raises(PolicyViolationError, match="cancellation closed at 2016-03-29T12:00:00"):
        offer.cancel("b", at=deadline)
    assert snapshot(ledger, offer) == before
    # Cancelling again is a harmless replay.
    assert offer.cancel("a", at=deadline + DAY) == cancelled


def test_cutoff_is_configurable() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger, terms=OfferTerms(cancellation_cutoff=timedelta(0)))
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.cancel("l", at=CLOSES - timedelta(microseconds=1))
    assert offer.lead is None


def test_lead_cannot_leave_its_followers() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("10000"), at=OPENS)
    with pytest.raises(PolicyViolationError, match="represents 1 live follower"):
        offer.cancel("l", at=OPENS + DAY)
    offer.cancel("a", at=OPENS + DAY)
    offer.cancel("l", at=OPENS + DAY)
    assert offer.lead is None
    assert offer.raised == CNY.zero()


def test_cancel_errors() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger, target=CNY("100000"))
    with pytest.raises(NotFoundError, match="no subscription 'x'"):
        offer.cancel("x", at=OPENS)
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.advance_to(CLOSES)
    with pytest.raises(InvalidTransitionError, match="it is settled, not pending"):
        offer.cancel("l", at=CLOSES + DAY)
    with pytest.raises(PolicyViolationError, match="closed"):
        offer.subscribe("m", qualified("lead"), CNY("10000"), at=CLOSES + DAY)


# -- construction ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({"closes_at": OPENS}, InvalidTimeError, "closes_at .* must be after opens_at"),
        ({"opens_at": datetime(2016, 3, 1)}, InvalidTimeError, "opens_at must be an aware datetime"),
        ({"target": CNY("0")}, ValueError, "target must be positive"),
        ({"min_ticket": CNY("1000000.01")}, ValueError, "min_ticket .* must not exceed the target"),
        ({"max_ticket": CNY("9999")}, ValueError, "max_ticket .* must not be below min_ticket"),
        ({"max_ticket": CNY("99999")}, ValueError, "must allow the lead's minimum 100000.00 CNY"),
        ({"equity_units": 0}, ValueError, "equity_units must be at least 1"),
        ({"equity_units": True}, TypeError, "equity_units must be an int"),
        ({"target": "1000000"}, TypeError, "target must be Money"),
        ({"issuer": ""}, ValueError, "issuer must be a non-empty string"),
        ({"issuer": "nobody"}, NotFoundError, "issuer wallet 'wallet:nobody' is not in the ledger"),
        ({"policy": "SEED_2016"}, TypeError, "policy"),
        ({"ledger": object()}, TypeError, "ledger"),
    ],
)
def test_bad_offers_are_refused(changes: dict[str, object], error: type[Exception], match: str) -> None:
    ledger = new_ledger()
    accounts_before = ledger.accounts()
    with pytest.raises(error, match=match):
        new_offer(ledger, **changes)
    assert ledger.accounts() == accounts_before


def test_bad_terms_are_refused() -> None:
    with pytest.raises(InvalidAmountError, match="max_investors must be at least 1"):
        OfferTerms(max_investors=0)
    with pytest.raises(InvalidAmountError, match="lead_min_share must be at most 100%"):
        OfferTerms(lead_min_share=Rate.percent("100.01"))
    with pytest.raises(InvalidAmountError, match="cancellation_cutoff must not be negative"):
        OfferTerms(cancellation_cutoff=timedelta(hours=-1))
    with pytest.raises(TypeError, match="service_fee_rate must be a Rate"):
        OfferTerms(service_fee_rate="0.03")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="float"):
        Rate(0.03)
    with pytest.raises(InvalidAmountError, match="unknown rounding mode"):
        OfferTerms(fee_rounding="SIDEWAYS")
    with pytest.raises(TypeError, match="mode"):
        OfferTerms(mode="all")  # type: ignore[arg-type]


def test_bad_subscription_arguments() -> None:
    ledger = new_ledger("lead")
    offer = new_offer(ledger)
    with pytest.raises(TypeError, match="investor must be InvestorFacts"):
        offer.subscribe("l", "lead", CNY("100000"), at=OPENS)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="role must be a Role"):
        offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role="lead")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="amount must be Money"):
        offer.subscribe("l", qualified("lead"), "100000", at=OPENS)  # type: ignore[arg-type]
    assert offer.subscriptions == ()


# -- property: money is conserved whatever happens ------------------------------------------

tickets = st.integers(min_value=1_000_000, max_value=30_000_000).map(Money.from_minor_units)


@settings(max_examples=40)
@given(
    lead=st.integers(min_value=10_000_000, max_value=40_000_000).map(Money.from_minor_units),
    followers=st.lists(st.tuples(tickets, st.booleans()), max_size=8),
    keep=st.booleans(),
    fill=st.booleans(),
    units=st.integers(min_value=1, max_value=10**9),
)
def test_closes_conserve_money_and_units(
    lead: Money, followers: list[tuple[Money, bool]], keep: bool, fill: bool, units: int
) -> None:
    names = ["lead", "filler", *(f"f{i}" for i in range(len(followers)))]
    ledger = new_ledger(*names)
    mode = FundingMode.KEEP_WHAT_YOU_RAISE if keep else FundingMode.ALL_OR_NOTHING
    offer = new_offer(ledger, min_ticket=CNY("0.01"), equity_units=units, terms=OfferTerms(mode=mode))
    cash_in = wallets_total(ledger)
    offer.subscribe("lead", qualified("lead"), lead, at=OPENS, role=Role.LEAD)
    for index, (amount, cancel) in enumerate(followers):
        name = f"f{index}"
        try:
            offer.subscribe(name, qualified(name), amount, at=OPENS + index * DAY)
        except LimitExceededError:
            continue
        if cancel:
            offer.cancel(name, at=OPENS + index * DAY + timedelta(hours=1))
    room = offer.target - offer.raised
    if fill and room.is_positive():
        offer.subscribe("filler", qualified("filler"), room, at=OPENS + 20 * DAY)
    live_total = offer.raised
    settlement = offer.advance_to(CLOSES)
    assert settlement is not None
    assert wallets_total(ledger) == cash_in
    assert ledger.balance(offer.escrow_account) == CNY.zero()
    assert ledger.incoming(offer.escrow_account) == CNY.zero()
    assert all(ledger.available(f"wallet:{n}") == ledger.balance(f"wallet:{n}") for n in names)
    if settlement.status is OfferStatus.FUNDED:
        assert settlement.raised == live_total
        assert settlement.service_fee + settlement.issuer_proceeds == live_total
        assert ledger.balance("wallet:issuer") == settlement.issuer_proceeds
        assert sum(a.units for a in settlement.allocations) == settlement.units_issued <= units
        assert keep or settlement.units_issued == units
    else:
        assert not keep
        assert settlement.refunded == live_total
        assert ledger.balance("wallet:issuer") == CNY.zero()
    ledger.check_invariants()


def test_a_failed_close_changes_nothing() -> None:
    ledger = new_ledger("lead", "a")
    offer = new_offer(ledger, target=CNY("200000"))
    offer.subscribe("l", qualified("lead"), CNY("100000"), at=OPENS, role=Role.LEAD)
    offer.subscribe("a", qualified("a"), CNY("100000"), at=OPENS)
    ledger.close_account("wallet:issuer")  # the payout to the issuer will be refused
    before = snapshot(ledger, offer)
    with pytest.raises(InvalidTransitionError, match="wallet:issuer"):
        offer.advance_to(CLOSES)
    assert snapshot(ledger, offer) == before
    assert all(ledger.get_hold(s.hold_id).status is HoldStatus.PENDING for s in offer.subscriptions)
    assert offer.status is OfferStatus.OPEN
    assert offer.settlement is None

"""The insurance desk: sell policies through Alipay, assess and pay claims, all booked on the ledger.

>>> from antfin.calendar import shanghai
>>> from antfin.chart import BANK_SETTLEMENT, wallet
>>> from antfin.insurance.desk import InsuranceDesk
>>> from antfin.insurance.products import CATHAY, TRAVEL
>>> from antfin.ledger import AccountKind, Ledger
>>> ledger = Ledger()
>>> _ = ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
>>> _ = ledger.open_account(wallet("alice"), AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("top-up", debit=BANK_SETTLEMENT, credit=wallet("alice"), amount=CNY("100"),
...                     at=shanghai(2024, 5, 1))
>>> desk = InsuranceDesk(ledger)
>>> _ = desk.fund_insurer("capital", CATHAY, CNY("10000"), at=shanghai(2024, 5, 1))
>>> policy = desk.sell("P1", TRAVEL, holder="alice", at=shanghai(2024, 5, 1, 9))
>>> ledger.balance(wallet("alice")), ledger.balance("insurer:cathay")
(Money('70.00', 'CNY'), Money('10026.40', 'CNY'))
>>> claim = desk.claim("C1", "P1", CNY("800"), incident_on=date(2024, 5, 3), at=shanghai(2024, 5, 4))
>>> claim.approved, claim.paid, ledger.balance(wallet("alice"))
(True, Money('800.00', 'CNY'), Money('870.00', 'CNY'))

Money moves only through the ledger:

* a sale: the premium from the holder's wallet to the insurer's account
  (:func:`~antfin.chart.insurer_account`), then Ant's customer acquisition and risk
  assessment fees from the insurer to their profit points;
* a claim: the assessment (a :class:`~antfin.decisions.Decision` with its
  reasons), then the payout from the insurer to the holder's wallet and Ant's
  claims service fee from the insurer to its profit point (charged on declined
  claims too: the assessment was done).

Every operation takes a caller key: the same key with the same parameters
returns the first result, with other parameters raises
:class:`~antfin.errors.IdempotencyConflictError`. A refused operation changes
nothing, the ledger included.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

import attrs

from antfin.calendar import ensure_aware, ensure_date, local_date
from antfin.chart import BANK_SETTLEMENT, ProfitPoint, insurer_account, revenue_account, wallet
from antfin.decisions import Reason
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvariantViolationError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.insurance.policy import Claim, Policy, PolicyStatus, assess_claim
from antfin.insurance.products import (
    DEFAULT_SERVICE_FEES,
    RETURN_SHIPPING,
    CoverKind,
    InsuranceProduct,
    Insurer,
    ServiceFeeSchedule,
)
from antfin.ledger import AccountKind, JournalEntry, Ledger, Posting
from antfin.money import Currency, Money
from antfin.payments import EscrowTrade, RefundReason, TradeAction, TradeStatus
from antfin.validators import check_positive, check_str

__all__ = ["InsuranceDesk"]

_T = TypeVar("_T")
_PAID_NOT_FINAL = (TradeStatus.WAIT_SELLER_SEND_GOODS, TradeStatus.WAIT_BUYER_CONFIRM_GOODS)


def _key(value: object, field: str = "key") -> str:
    value = check_str(value, field)
    if not value.strip() or len(value) > 128 or any(char.isspace() for char in value):
        raise InvalidAmountError(f"{field} must be 1-128 characters without spaces, got {value!r}")
    return value


@attrs.define
class InsuranceDesk:
    """Sells policies of partner insurers and settles their claims on one ledger.

    >>> from antfin.ledger import Ledger
    >>> InsuranceDesk(Ledger()).policies()
    ()

    Args:
        ledger: the ledger holding the wallets, the insurers' accounts and the revenue.
        fees: Ant's dated service fee tables (assumptions by default).

    .. versionadded:: 0.2.0
    """

    ledger: Ledger
    fees: ServiceFeeSchedule = DEFAULT_SERVICE_FEES
    _policies: dict[str, Policy] = attrs.field(init=False, factory=dict)
    _requests: dict[str, tuple[tuple[Any, ...], object]] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(self.ledger).__name__}")
        if not isinstance(self.fees, ServiceFeeSchedule):
            raise TypeError(f"fees must be a ServiceFeeSchedule, not {type(self.fees).__name__}")

    # -- reading -----------------------------------------------------------------------

    def get(self, policy_id: str) -> Policy:
        """The policy sold under ``policy_id``, as it is now.

        >>> InsuranceDesk(Ledger()).get("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no policy 'nope'

        Raises:
            antfin.errors.NotFoundError: for an unknown policy.
        """
        try:
            return self._policies[policy_id]
        except KeyError:
            raise NotFoundError(f"no policy {policy_id!r}") from None

    def policies(self) -> tuple[Policy, ...]:
        """Every policy, in the order sold.

        >>> InsuranceDesk(Ledger()).policies()
        ()
        """
        return tuple(self._policies.values())

    def _replay(self, key: str, params: tuple[Any, ...], kind: type[_T]) -> _T | None:
        found = self._requests.get(key)
        if found is None:
            return None
        if found[0] != params or not isinstance(found[1], kind):
            raise IdempotencyConflictError(
                f"key {key!r} was used with other parameters {found[0]!r}; expected the same, got {params!r}"
            )
        return found[1]

    def _open_insurer(self, insurer: Insurer, currency: Currency) -> str:
        return self.ledger.open_account(
            insurer_account(insurer.code),
            AccountKind.LIABILITY,
            currency=currency,
            non_negative=True,
            purpose=f"Partner insurer {insurer.name_en}",
            metadata={"insurer": insurer.code, "name_zh": insurer.name_zh},
        ).id

    def _insurer_balance(self, insurer: Insurer, currency: Currency) -> Money:
        account = insurer_account(insurer.code)
        if not self.ledger.has_account(account):
            return Money.zero(currency)
        return self.ledger.available(account)

    # -- money in ----------------------------------------------------------------------

    def fund_insurer(self, key: str, insurer: Insurer, amount: Money, *, at: datetime) -> JournalEntry:
        """Bring an insurer's own money onto the platform (from the banks) to pay claims with.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import XINMEI
        >>> desk = InsuranceDesk(Ledger())
        >>> desk.fund_insurer("k", XINMEI, CNY("500"), at=shanghai(2024, 1, 1)).postings[0].account
        'asset:bank_settlement'

        Raises:
            antfin.errors.InvalidAmountError: a non-positive amount or a bad key.
        """
        _key(key)
        if not isinstance(insurer, Insurer):
            raise TypeError(f"insurer must be an Insurer, not {type(insurer).__name__}")
        check_positive(amount)
        moment = ensure_aware(at, "at")
        if (found := self._replay(key, ("fund", insurer.code, amount, moment), JournalEntry)) is not None:
            return found
        with self.ledger.atomic():
            if not self.ledger.has_account(BANK_SETTLEMENT):
                self.ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET, purpose="Money at the banks")
            account = self._open_insurer(insurer, amount.currency)
            entry = self.ledger.transfer(
                f"insurance:{key}:fund", debit=BANK_SETTLEMENT, credit=account, amount=amount, at=moment,
                memo=f"{insurer.name_en} funds its claims account",
            )  # fmt: skip
        self._requests[key] = (("fund", insurer.code, amount, moment), entry)
        return entry

    def sell(self, key: str, product: InsuranceProduct, *, holder: str, at: datetime, subject: str = "") -> Policy:
        """Sell a policy: the premium goes from the holder's wallet to the insurer, Ant's fees to Ant.

        The policy's id is ``key``.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import HEALTH
        >>> InsuranceDesk(Ledger()).sell("H1", HEALTH, holder="nobody", at=shanghai(2024, 1, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: holder 'nobody' has no wallet (wallet:nobody)

        Raises:
            TypeError: wrong types (a float, a naive ``at`` is an InvalidTimeError).
            antfin.errors.NotFoundError: the holder has no wallet.
            antfin.errors.InsufficientFundsError: the wallet cannot pay the premium.
            antfin.errors.OutsideCoverageError: no fee table on the sale's date.
            antfin.errors.PolicyViolationError: a sale before the product's terms apply.
            antfin.errors.IdempotencyConflictError: ``key`` was used with other parameters.
        """
        _key(key)
        if not isinstance(product, InsuranceProduct):
            raise TypeError(f"product must be an InsuranceProduct, not {type(product).__name__}")
        _key(holder, "holder")
        check_str(subject, "subject")
        moment = ensure_aware(at, "at")
        params = ("sell", product, holder, moment, subject)
        if (found := self._replay(key, params, Policy)) is not None:
            return self._policies[found.policy_id]
        if key in self._policies:
            raise IdempotencyConflictError(f"policy {key!r} exists already")
        day = local_date(moment)
        if day < product.effective_from:
            raise PolicyViolationError(f"product {product.code!r} is sold from {product.effective_from}, not on {day}")
        table = self.fees.table_on(day)
        holder_wallet = wallet(holder)
        if not self.ledger.has_account(holder_wallet):
            raise NotFoundError(f"holder {holder!r} has no wallet ({holder_wallet})")
        available = self.ledger.available(holder_wallet)
        if available < product.premium:
            raise InsufficientFundsError(
                f"wallet {holder_wallet} has {available} available; the premium is {product.premium}"
            )
        acquisition, assessment = table.fees_on_sale(product.premium)
        policy = Policy.issue(key, product, holder=holder, sold_at=moment, subject=subject)
        with self.ledger.atomic():
            account = self._open_insurer(product.insurer, product.premium.currency)
            entries = [self.ledger.transfer(
                f"insurance:{key}:premium", debit=holder_wallet, credit=account, amount=product.premium,
                at=moment, memo=f"premium of {product.name} policy {key}",
                metadata={"policy_id": key, "kind": "premium"},
            )]  # fmt: skip
            postings = [Posting.debit(account, acquisition + assessment)]
            for amount, point in (
                (acquisition, ProfitPoint.INSURANCE_ACQUISITION_FEE),
                (assessment, ProfitPoint.INSURANCE_RISK_ASSESSMENT_FEE),
            ):
                if amount:
                    postings.append(Posting.credit(revenue_account(self.ledger, point, amount.currency), amount))
            if len(postings) > 1:
                entries.append(self.ledger.post_entry(
                    f"insurance:{key}:service_fees", postings, at=moment,
                    memo=f"Ant's service fees on policy {key}", metadata={"policy_id": key, "kind": "service_fees"},
                ))  # fmt: skip
            policy = attrs.evolve(policy, entry_ids=tuple(entry.id for entry in entries))
        self._policies[key] = policy
        self._requests[key] = (params, policy)
        return policy

    def cover_return(
        self, key: str, trade: EscrowTrade, *, at: datetime, product: InsuranceProduct = RETURN_SHIPPING
    ) -> Policy:
        """Buy return-shipping cover (退货运费险) for a paid escrow trade; the buyer pays the premium.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade()
        >>> policy = InsuranceDesk(trade.ledger).cover_return("RS-1", trade, at=shanghai(2024, 5, 1, 10, 6))
        >>> policy.subject, policy.holder, trade.buyer.available()
        ('T1', 'buyer', Money('9.10', 'CNY'))

        Raises:
            antfin.errors.PolicyViolationError: the product is not return-shipping cover, the trade is not
                paid and open, or the trade is covered already.
        """
        _key(key)
        if not isinstance(trade, EscrowTrade):
            raise TypeError(f"trade must be an EscrowTrade, not {type(trade).__name__}")
        if not isinstance(product, InsuranceProduct):
            raise TypeError(f"product must be an InsuranceProduct, not {type(product).__name__}")
        params = ("sell", product, trade.buyer.account_id, ensure_aware(at, "at"), trade.out_trade_no)
        if (found := self._replay(key, params, Policy)) is not None:
            return self._policies[found.policy_id]
        if product.kind is not CoverKind.RETURN_SHIPPING:
            raise PolicyViolationError(f"product {product.code!r} is not return-shipping cover")
        if trade.status not in _PAID_NOT_FINAL:
            raise PolicyViolationError(
                f"trade {trade.out_trade_no!r} is {trade.status.value}; return-shipping cover is bought for a paid "
                "trade before receipt is confirmed"
            )
        for policy in self._policies.values():
            if policy.subject == trade.out_trade_no and policy.product.kind is CoverKind.RETURN_SHIPPING:
                raise PolicyViolationError(f"trade {trade.out_trade_no!r} is covered already by {policy.policy_id}")
        return self.sell(key, product, holder=trade.buyer.account_id, at=at, subject=trade.out_trade_no)

    # -- claims ------------------------------------------------------------------------

    def claim(self, key: str, policy_id: str, amount: Money, *, incident_on: date, at: datetime) -> Claim:
        """Assess a claim and, when approved, pay it from the insurer to the holder's wallet.

        A declined claim is recorded with its reasons and pays nothing (Ant's claims
        service fee is still booked).

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import HEALTH
        >>> desk = _demo_desk()
        >>> _ = desk.sell("H1", HEALTH, holder="alice", at=shanghai(2024, 1, 1))
        >>> claim = desk.claim("C1", "H1", CNY("500"), incident_on=date(2024, 1, 10), at=shanghai(2024, 1, 11))
        >>> claim.approved, claim.paid, [reason.rule for reason in claim.decision.failed_reasons]
        (False, Money('0.00', 'CNY'), ['incident within cover'])

        Raises:
            antfin.errors.NotFoundError: an unknown policy.
            antfin.errors.InvalidTimeError: the incident is after the claim.
            antfin.errors.InsufficientFundsError: the insurer cannot pay the payout and the fee.
            antfin.errors.IdempotencyConflictError: ``key`` was used with other parameters.
        """
        return self._claim(key, policy_id, amount, incident_on, at, ())

    def claim_return(self, key: str, policy_id: str, trade: EscrowTrade, *, at: datetime) -> Claim:
        """Claim return postage on return-shipping cover: paid when the trade was refunded for a return.

        A return is a refund made after the goods were shipped, for any reason but
        goods not received. The incident date is that refund's date.

        >>> from antfin.calendar import shanghai
        >>> from antfin.payments import RefundReason
        >>> trade = _demo_trade()
        >>> desk = InsuranceDesk(trade.ledger)
        >>> _ = desk.fund_insurer("capital", RETURN_SHIPPING.insurer, CNY("100"), at=shanghai(2024, 5, 1))
        >>> _ = desk.cover_return("RS-1", trade, at=shanghai(2024, 5, 1, 10, 6))
        >>> trade.ship(at=shanghai(2024, 5, 2))
        >>> desk.claim_return("K1", "RS-1", trade, at=shanghai(2024, 5, 3)).decision.failed_reasons[0].rule
        'trade refunded for a return'
        >>> _ = trade.request_refund("R1", CNY("100"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 4))
        >>> _ = trade.agree_refund(at=shanghai(2024, 5, 6))
        >>> claim = desk.claim_return("K2", "RS-1", trade, at=shanghai(2024, 5, 7))
        >>> claim.approved, claim.paid, trade.buyer.balance(), desk.get("RS-1").status.value
        (True, Money('12.00', 'CNY'), Money('121.10', 'CNY'), 'exhausted')

        Raises:
            antfin.errors.PolicyViolationError: the policy is not this trade's return-shipping cover.
        """
        if not isinstance(trade, EscrowTrade):
            raise TypeError(f"trade must be an EscrowTrade, not {type(trade).__name__}")
        policy = self.get(policy_id)
        if policy.product.kind is not CoverKind.RETURN_SHIPPING or policy.subject != trade.out_trade_no:
            raise PolicyViolationError(f"policy {policy_id!r} is not return-shipping cover of {trade.out_trade_no!r}")
        moment = ensure_aware(at, "at")
        shipped = [step.at for step in trade.transitions if step.action is TradeAction.SHIP]
        returns = [
            refund
            for refund in trade.refunds
            if shipped and refund.at >= shipped[0] and refund.reason != RefundReason.GOODS_NOT_RECEIVED.value
            and refund.at <= moment
        ]  # fmt: skip
        extra = (
            Reason("goods were shipped", "shipped", "shipped" if shipped else "not shipped", bool(shipped)),
            Reason(
                "trade refunded for a return",
                "a refund after shipping",
                f"{len(returns)} such refund(s)",
                bool(returns),
            ),
        )
        incident = local_date(returns[-1].at) if returns else local_date(moment)
        fixed = policy.product.fixed_payout
        claimed = fixed if fixed is not None else policy.product.sum_insured
        return self._claim(key, policy_id, claimed, incident, moment, extra)

    def _claim(
        self, key: str, policy_id: str, amount: Money, incident_on: date, at: datetime, extra: tuple[Reason, ...]
    ) -> Claim:
        _key(key)
        _key(policy_id, "policy_id")
        check_positive(amount)
        day = ensure_date(incident_on, "incident_on")
        moment = ensure_aware(at, "at")
        params = ("claim", policy_id, amount, day, moment)
        if (found := self._replay(key, params, Claim)) is not None:
            return found
        policy = self.get(policy_id)
        if day > local_date(moment):
            raise InvalidTimeError(f"incident_on {day} is after the claim on {local_date(moment)}")
        if moment < policy.sold_at:
            raise InvalidTimeError(
                f"at: the claim at {moment.isoformat()} is before the sale at {policy.sold_at.isoformat()}"
            )
        if amount.currency != policy.premium.currency:
            raise InvalidAmountError(f"amount is in {amount.currency}, the policy in {policy.premium.currency}")
        holder_wallet = wallet(policy.holder)
        if not self.ledger.has_account(holder_wallet):
            raise NotFoundError(f"holder {policy.holder!r} of policy {policy_id!r} has no wallet ({holder_wallet})")
        decision = assess_claim(policy, amount, day, extra=extra)
        zero = amount.currency.zero()
        payout = policy.product.payout_for(amount, already_paid=policy.paid) if decision.approved else zero
        fee = self.fees.table_on(local_date(moment)).claims_service
        insurer = policy.product.insurer
        available = self._insurer_balance(insurer, amount.currency)
        if available < payout + fee:
            raise InsufficientFundsError(
                f"insurer {insurer.code!r} has {available} available; the claim needs {payout + fee}"
            )
        entry_ids: list[str] = []
        with self.ledger.atomic():
            account = self._open_insurer(insurer, amount.currency)
            if payout:
                entry = self.ledger.transfer(
                    f"insurance:{key}:payout", debit=account, credit=holder_wallet, amount=payout,
                    at=moment, memo=f"claim {key} on policy {policy_id}",
                    metadata={"policy_id": policy_id, "claim_id": key, "kind": "payout"},
                )  # fmt: skip
                entry_ids.append(entry.id)
            if fee:
                revenue = revenue_account(self.ledger, ProfitPoint.INSURANCE_CLAIMS_SERVICE_FEE, fee.currency)
                entry = self.ledger.transfer(
                    f"insurance:{key}:claims_fee", debit=account, credit=revenue, amount=fee, at=moment,
                    memo=f"claims service fee for claim {key}",
                    metadata={"policy_id": policy_id, "claim_id": key, "kind": "claims_service_fee"},
                )  # fmt: skip
                entry_ids.append(entry.id)
            claim = Claim(key, policy_id, amount, day, moment, decision, payout, fee, tuple(entry_ids))
            updated = policy.with_claim(claim)
        self._policies[policy_id] = updated
        self._requests[key] = (params, claim)
        return claim

    # -- time --------------------------------------------------------------------------

    def expire(self, at: datetime) -> tuple[Policy, ...]:
        """Expire every active policy whose last day of cover is before ``at``'s date; returns them.

        >>> from antfin.calendar import shanghai
        >>> from antfin.insurance.products import TRAVEL
        >>> desk = _demo_desk()
        >>> _ = desk.sell("T1", TRAVEL, holder="alice", at=shanghai(2024, 1, 1))
        >>> [policy.status.value for policy in desk.expire(shanghai(2024, 1, 8))]
        ['expired']
        """
        moment = ensure_aware(at, "at")
        day = local_date(moment)
        expired: list[Policy] = []
        for policy_id, policy in list(self._policies.items()):
            if policy.status is PolicyStatus.ACTIVE and policy.ends_on < day:
                self._policies[policy_id] = policy.move_to(PolicyStatus.EXPIRED, moment)
                expired.append(self._policies[policy_id])
        return tuple(expired)

    def check(self) -> None:
        """Check that every policy's premium, payouts and fees are on the ledger as recorded.

        >>> _demo_desk().check()

        Raises:
            antfin.errors.InvariantViolationError: a recorded amount disagrees with its journal entry.
        """
        for policy in self._policies.values():
            if not policy.entry_ids:
                raise InvariantViolationError(f"policy {policy.policy_id}: no premium entry recorded")
            premium = self.ledger.entry(policy.entry_ids[0])
            paid_in = sum(
                (posting.amount for posting in premium.postings if posting.account == wallet(policy.holder)),
                policy.premium.currency.zero(),
            )
            if paid_in != policy.premium:
                raise InvariantViolationError(
                    f"policy {policy.policy_id}: the ledger shows a premium of {paid_in}, the policy {policy.premium}"
                )
            for claim in policy.claims:
                booked = [self.ledger.entry(entry_id) for entry_id in claim.entry_ids]
                total = sum(
                    (posting.amount for entry in booked for posting in entry.postings if posting.amount.is_negative()),
                    claim.paid.currency.zero(),
                )
                if -total != claim.paid + claim.service_fee:
                    raise InvariantViolationError(
                        f"claim {claim.claim_id}: the ledger shows {-total}, the claim {claim.paid + claim.service_fee}"
                    )


def _demo_desk() -> InsuranceDesk:
    from antfin.calendar import shanghai
    from antfin.insurance.products import CATHAY, XINMEI
    from antfin.money import CNY

    ledger = Ledger()
    ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
    ledger.open_account(wallet("alice"), AccountKind.LIABILITY, non_negative=True)
    ledger.transfer(
        "top-up", debit=BANK_SETTLEMENT, credit=wallet("alice"), amount=CNY("5000"), at=shanghai(2024, 1, 1)
    )
    desk = InsuranceDesk(ledger)
    for insurer in (CATHAY, XINMEI):
        desk.fund_insurer(f"capital-{insurer.code}", insurer, CNY("100000"), at=shanghai(2024, 1, 1))
    return desk


def _demo_trade() -> EscrowTrade:
    """A paid 100.00 CNY escrow trade T1 of 2024-05-01 10:01; the buyer has 10.00 CNY left, for the examples."""
    from antfin.calendar import shanghai
    from antfin.money import CNY
    from antfin.payments import Account, EscrowDesk, GoodsType

    ledger = Ledger()
    buyer = Account.open(ledger, "buyer", opened_at=shanghai(2024, 5, 1))
    seller = Account.open(ledger, "seller", opened_at=shanghai(2024, 5, 1))
    buyer.link_card("C1", at=shanghai(2024, 5, 1))
    buyer.top_up("t", card="C1", amount=CNY("110.00"), at=shanghai(2024, 5, 1))
    trade = EscrowDesk(ledger).create(
        "T1", buyer=buyer, seller=seller, amount=CNY("100.00"), goods=GoodsType.PHYSICAL_EXPRESS,
        at=shanghai(2024, 5, 1, 10),
    )  # fmt: skip
    trade.pay(at=shanghai(2024, 5, 1, 10, 1))
    return trade

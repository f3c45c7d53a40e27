"""Huabei (花呗) revolving consumer credit: a credit line, purchases, bills, repayments and instalments.

Every movement of money is booked in the :class:`~antfin.ledger.Ledger`:

* a purchase: Huabei funds the merchant (debit the user's receivable
  ``asset:huabei:<user>``, credit ``wallet:<merchant>``) and the merchant pays
  the Huabei acquiring fee to ``ProfitPoint.HUABEI_MERCHANT_FEE``;
* a refund: the reverse, which gives the line back;
* a repayment: from ``wallet:<user>`` to the receivable;
* instalment fees, revolving and overdue interest: from the receivable to their
  profit points (they are owed through the bills).

The line in use is the receivable's balance, so repayments restore it.

>>> from antfin.calendar import shanghai
>>> from antfin.credit.huabei import HuabeiAccount, MerchantChannel
>>> from antfin.ledger import AccountKind, Hold, Ledger
>>> ledger = Ledger()
>>> for wallet in ("wallet:alice", "wallet:shop"):
...     _ = ledger.open_account(wallet, AccountKind.LIABILITY, non_negative=True)
>>> huabei = HuabeiAccount(ledger, "alice", CNY("5000"))
>>> _ = huabei.purchase("order-1", merchant="shop", amount=CNY("1000"), at=shanghai(2024, 3, 2, 10),
...                     channel=MerchantChannel.TMALL)
>>> huabei.available, ledger.balance("wallet:shop"), ledger.balance("revenue:huabei:merchant_fee")
(Money('4000.00', 'CNY'), Money('992.00', 'CNY'), Money('8.00', 'CNY'))
>>> bill = huabei.issue_bill(date(2024, 4, 1))
>>> bill.total, bill.minimum_payment, bill.due_date
(Money('1000.00', 'CNY'), Money('100.00', 'CNY'), datetime.date(2024, 4, 10))

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NoReturn, TypeVar

import attrs

from antfin.archive import Archive
from antfin.chart import ProfitPoint, huabei_receivable, revenue_account, wallet
from antfin.credit.huabei_billing import _Bills
from antfin.credit.huabei_bills import (
    Bill,
    BillCharges,
    BillingCycle,
    BillLine,
    LineKind,
    RepaymentTerms,
    bill_charges,
)
from antfin.credit.huabei_channels import DEFAULT_MERCHANT_FEES, MerchantChannel, MerchantFeeTable
from antfin.credit.huabei_history import HuabeiEvents, RefundTally, _History
from antfin.credit.huabei_instalments import (
    DEFAULT_FEE_SCHEDULE,
    EarlySettlement,
    EarlySettlementPolicy,
    InstalmentFeeSchedule,
    InstalmentPlan,
)
from antfin.credit.huabei_purchases import _Purchases
from antfin.errors import (
    IdempotencyConflictError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    PolicyViolationError,
)
from antfin.idempotency import IdempotencyRecord, replay
from antfin.ledger import AccountKind, Ledger
from antfin.money import Money
from antfin.validators import check_name, check_positive

if TYPE_CHECKING:
    from antfin.credit.profile import CreditProfile

__all__ = [
    "DEFAULT_MERCHANT_FEES",
    "BillRecord",
    "BillStatus",
    "CreditLine",
    "HuabeiAccount",
    "HuabeiConfig",
    "HuabeiEvent",
    "HuabeiEvents",
    "MerchantChannel",
    "MerchantFeeTable",
    "PlanRecord",
    "PlanStatus",
    "Purchase",
    "RefundTally",
    "Repayment",
]

_T = TypeVar("_T")


_MIN_LINE: Final = Money("500", "CNY")
_MAX_LINE: Final = Money("50000", "CNY")


@attrs.frozen
class HuabeiConfig:
    """Product parameters of Huabei (every number is cfg).

    >>> config = HuabeiConfig()
    >>> config.min_line, config.max_line, config.refund_merchant_fee
    (Money('500.00', 'CNY'), Money('50000.00', 'CNY'), True)

    Args:
        min_line: smallest credit line (500).
        max_line: largest credit line (50,000).
        merchant_fees: acquiring fees by channel.
        instalment_fees: dated instalment fee tables.
        terms: minimum repayment and daily interest rates.
        early_settlement: what settling a plan early costs (unbilled fees waived).
        refund_merchant_fee: a refund returns the merchant's fee pro rata (True).

    .. versionadded:: 0.1.0
    """

    min_line: Money = _MIN_LINE
    max_line: Money = _MAX_LINE
    merchant_fees: MerchantFeeTable = DEFAULT_MERCHANT_FEES
    instalment_fees: InstalmentFeeSchedule = DEFAULT_FEE_SCHEDULE
    terms: RepaymentTerms = attrs.field(factory=RepaymentTerms)
    early_settlement: EarlySettlementPolicy = EarlySettlementPolicy.WAIVE_UNBILLED_FEES
    refund_merchant_fee: bool = True


@attrs.frozen
class CreditLine:
    """A snapshot of the credit line: total, used and available.

    >>> CreditLine(CNY("5000"), CNY("1200")).available
    Money('3800.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    total: Money
    used: Money

    @property
    def available(self) -> Money:
        """What may still be spent (never below zero).

        >>> CreditLine(CNY("500"), CNY("600")).available
        Money('0.00', 'CNY')
        """
        return max(self.total - self.used, self.total.currency.zero())


@attrs.frozen
class HuabeiEvent:
    """One recorded change of a Huabei account: when, what, its reference and amount.

    >>> HuabeiEvent(datetime(2024, 3, 1, tzinfo=None), "purchase", "order-1", CNY("1")).kind
    'purchase'

    .. versionadded:: 0.1.0
    """

    at: datetime
    kind: str
    reference: str
    amount: Money


@attrs.frozen
class Purchase:
    """A purchase paid with Huabei.

    Attributes:
        id: the caller's key.
        merchant: merchant id (its wallet is ``wallet:<merchant>``).
        amount: what the user owes.
        channel: where it happened (selects the merchant fee).
        at: the instant; ``posted_on`` is its Asia/Shanghai date.
        statement_date: the bill that carries it.
        merchant_fee: the acquiring fee the merchant paid.
        plan_id: the instalment plan, when bought in instalments.

    >>> Purchase("p", "shop", CNY("1"), MerchantChannel.OFFLINE, datetime(2024, 3, 1, tzinfo=None),
    ...          date(2024, 3, 1), date(2024, 3, 1), CNY("0.01")).plan_id is None
    True

    .. versionadded:: 0.1.0
    """

    id: str
    merchant: str
    amount: Money
    channel: MerchantChannel
    at: datetime
    posted_on: date
    statement_date: date
    merchant_fee: Money
    plan_id: str | None = None

    def check_invariants(self) -> None:
        """Raise unless the purchase is one the API records (run on every stored purchase read).

        >>> Purchase("p", "shop", CNY("-1"), MerchantChannel.OFFLINE, datetime(2024, 3, 1, tzinfo=None),
        ...          date(2024, 3, 1), date(2024, 3, 1), CNY("0")).check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.InvariantViolationError: Huabei purchase 'p' costs -1.00 CNY: expected a positive amount

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        if not self.amount.is_positive():
            raise InvariantViolationError(
                f"Huabei purchase {self.id!r} costs {self.amount}: expected a positive amount"
            )
        if self.merchant_fee.is_negative() or self.merchant_fee > self.amount:
            raise InvariantViolationError(f"Huabei purchase {self.id!r}: merchant fee {self.merchant_fee} out of range")
        if self.statement_date < self.posted_on:
            raise InvariantViolationError(f"Huabei purchase {self.id!r} is billed before it was posted")


@attrs.frozen
class Repayment:
    """A repayment and how it was applied: to which bills, and what went to the unbilled balance.

    >>> Repayment("r", CNY("10"), (("2024-03-01", CNY("10")),), CNY("0")).to_bills
    Money('10.00', 'CNY')

    .. versionadded:: 0.1.0
    """

    id: str
    amount: Money
    applied: tuple[tuple[str, Money], ...]
    to_unbilled: Money

    @property
    def to_bills(self) -> Money:
        """The part applied to issued bills.

        >>> Repayment("r", CNY("10"), (), CNY("10")).to_bills
        Money('0.00', 'CNY')
        """
        return sum((amount for _, amount in self.applied), self.amount.currency.zero())


class BillStatus(enum.Enum):
    """The state of an issued bill.

    >>> BillStatus.ISSUED.value
    'issued'

    .. versionadded:: 0.1.0
    """

    ISSUED = "issued"
    OVERDUE = "overdue"
    PAID = "paid"


_BILL_MOVES: Final = {
    BillStatus.ISSUED: (BillStatus.PAID, BillStatus.OVERDUE),
    BillStatus.OVERDUE: (BillStatus.PAID,),
    BillStatus.PAID: (),
}


@attrs.define
class BillRecord:
    """An issued bill with what happened to it since: repayments, refunds, conversion, interest charged.

    >>> record = BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms()))
    >>> record.status, record.outstanding
    (<BillStatus.ISSUED: 'issued'>, Money('0.00', 'CNY'))

    .. versionadded:: 0.1.0
    """

    bill: Bill
    status: BillStatus = BillStatus.ISSUED
    adjustments: list[BillLine] = attrs.field(factory=list)
    reductions: list[tuple[date, Money]] = attrs.field(factory=list)
    minimum_payment: Money | None = None
    charged: BillCharges | None = None
    plan_id: str | None = None
    history: list[tuple[BillStatus, date]] = attrs.field(factory=list)

    @property
    def amount_due(self) -> Money:
        """The bill's total after conversion to instalments.

        >>> BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms())).amount_due
        Money('0.00', 'CNY')
        """
        return sum((line.amount for line in self.adjustments), self.bill.total)

    @property
    def minimum(self) -> Money:
        """The minimum repayment (the bill's, or all of the first period after a conversion).

        >>> BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms())).minimum
        Money('0.00', 'CNY')
        """
        return self.bill.minimum_payment if self.minimum_payment is None else self.minimum_payment

    @property
    def repaid(self) -> Money:
        """Repayments and refunds applied to this bill.

        >>> BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms())).repaid
        Money('0.00', 'CNY')
        """
        return sum((amount for _, amount in self.reductions), self.bill.total.currency.zero())

    @property
    def outstanding(self) -> Money:
        """What is still owed on this bill (never below zero).

        >>> BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms())).outstanding
        Money('0.00', 'CNY')
        """
        return max(self.amount_due - self.repaid, self.bill.total.currency.zero())

    def check_invariants(self) -> None:
        """Raise unless the record is one the API reaches (run on every stored bill read).

        >>> record = BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms()))
        >>> record.reductions.append((date(2024, 3, 5), CNY("-1")))
        >>> record.check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.InvariantViolationError: Huabei bill 2024-03-01: a reduction of -1.00 CNY

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        where = f"Huabei bill {self.bill.statement_date}"
        for _, amount in self.reductions:
            if not amount.is_positive():
                raise InvariantViolationError(f"{where}: a reduction of {amount}")
        if self.status is BillStatus.PAID and self.outstanding.is_positive():
            raise InvariantViolationError(f"{where} is paid with {self.outstanding} outstanding")
        if self.charged is not None and (
            self.charged.revolving_interest.is_negative() or self.charged.overdue_interest.is_negative()
        ):
            raise InvariantViolationError(f"{where}: negative interest charged")
        if self.history and self.history[-1][0] is not self.status:
            raise InvariantViolationError(f"{where} is {self.status.value} but its history ends elsewhere")

    def move_to(self, status: BillStatus, on: date) -> None:
        """Change the status, checking the transition, and record it with its date.

        >>> record = BillRecord(Bill.build(date(2024, 3, 1), [], BillingCycle(), RepaymentTerms()))
        >>> record.move_to(BillStatus.PAID, date(2024, 3, 1))
        >>> record.move_to(BillStatus.OVERDUE, date(2024, 3, 11))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidTransitionError: bill 2024-03-01 cannot go from paid to overdue

        Raises:
            antfin.errors.InvalidTransitionError: for a move the lifecycle does not allow.
        """
        if status not in _BILL_MOVES[self.status]:
            raise InvalidTransitionError(
                f"bill {self.bill.statement_date} cannot go from {self.status.value} to {status.value}"
            )
        self.status = status
        self.history.append((status, on))


class PlanStatus(enum.Enum):
    """The state of an instalment plan.

    >>> PlanStatus.SETTLED.value
    'settled'

    .. versionadded:: 0.1.0
    """

    ACTIVE = "active"
    COMPLETED = "completed"
    SETTLED = "settled"


@attrs.define
class PlanRecord:
    """An instalment plan in progress: which bill its first period went to and how many were billed.

    >>> from antfin.credit.huabei_instalments import plan_instalments
    >>> record = PlanRecord("p", plan_instalments(CNY("300"), 3, on=date(2024, 3, 1)), date(2024, 3, 1), "purchase:x")
    >>> record.statement_of(3)
    datetime.date(2024, 5, 1)

    .. versionadded:: 0.1.0
    """

    id: str
    plan: InstalmentPlan
    first_statement: date
    source: str
    billed: int = 0
    status: PlanStatus = PlanStatus.ACTIVE
    settlement: EarlySettlement | None = None
    history: list[tuple[PlanStatus, date]] = attrs.field(factory=list)

    def statement_of(self, number: int) -> date:
        """The bill day on which period ``number`` (1-based) is billed.

        >>> from antfin.credit.huabei_instalments import plan_instalments
        >>> plan = plan_instalments(CNY("300"), 3, on=date(2024, 1, 1))
        >>> PlanRecord("p", plan, date(2024, 1, 31), "x").statement_of(2)
        datetime.date(2024, 2, 29)
        """
        from antfin.calendar import add_months

        return add_months(self.first_statement, number - 1)

    def check_invariants(self) -> None:
        """Raise unless the record is one the API reaches (run on every stored plan read).

        >>> from antfin.credit.huabei_instalments import plan_instalments
        >>> PlanRecord("p", plan_instalments(CNY("300"), 3, on=date(2024, 3, 1)), date(2024, 3, 1), "x",
        ...            billed=4).check_invariants()
        Traceback (most recent call last):
        ...
        antfin.errors.InvariantViolationError: Huabei plan 'p': 4 of 3 periods billed

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        where = f"Huabei plan {self.id!r}"
        if not 0 <= self.billed <= self.plan.term:
            raise InvariantViolationError(f"{where}: {self.billed} of {self.plan.term} periods billed")
        status = self.status
        if (status is PlanStatus.ACTIVE and self.billed == self.plan.term) or (
            status is PlanStatus.COMPLETED and self.billed != self.plan.term
        ):
            raise InvariantViolationError(f"{where} is {status.value} with {self.billed} periods billed")
        if (status is PlanStatus.SETTLED) != (self.settlement is not None):
            raise InvariantViolationError(f"{where} is {status.value} with settlement {self.settlement}")

    def move_to(self, status: PlanStatus, on: date) -> None:
        """Change the status (ACTIVE to COMPLETED or SETTLED), recording it with its date.

        >>> from antfin.credit.huabei_instalments import plan_instalments
        >>> record = PlanRecord("p", plan_instalments(CNY("300"), 3, on=date(2024, 3, 1)), date(2024, 3, 1), "x")
        >>> record.move_to(PlanStatus.SETTLED, date(2024, 3, 5)); record.status
        <PlanStatus.SETTLED: 'settled'>

        Raises:
            antfin.errors.InvalidTransitionError: when the plan is no longer active.
        """
        if self.status is not PlanStatus.ACTIVE or status is PlanStatus.ACTIVE:
            raise InvalidTransitionError(f"plan {self.id} cannot go from {self.status.value} to {status.value}")
        self.status = status
        self.history.append((status, on))


@attrs.define
class HuabeiAccount(_Purchases, _Bills, _History):
    """One user's Huabei: credit line, purchases, bills, repayments and instalment plans, on a ledger.

    Opens the user's receivable ``asset:huabei:<user>`` and the Huabei revenue accounts;
    the user's and merchants' wallets (``wallet:<id>``, LIABILITY, non-negative) must exist.

    Every operation takes a caller key: the same key with the same parameters returns the
    first result with no second effect; with other parameters it raises
    :class:`~antfin.errors.IdempotencyConflictError`. A refused operation changes nothing.

    >>> from antfin.ledger import Ledger
    >>> HuabeiAccount(Ledger(), "bob", CNY("100"))
    Traceback (most recent call last):
    ...
    antfin.errors.PolicyViolationError: line: 100.00 CNY is outside the Huabei range 500.00 CNY to 50000.00 CNY

    Args:
        ledger: where money moves.
        user: the user's id.
        line: the credit line (``config.min_line`` .. ``config.max_line``).
        cycle: the user's bill and due days (bill on the 1st, due on the 10th by default).
        config: product parameters (cfg).

    .. versionadded:: 0.1.0
    """

    ledger: Ledger
    user: str
    line: Money
    cycle: BillingCycle = attrs.field(factory=BillingCycle)
    config: HuabeiConfig = attrs.field(factory=HuabeiConfig)
    # Live state: what daily work walks.
    _unbilled: list[tuple[date, BillLine]] = attrs.field(factory=list, init=False)
    #: Open bills, and paid ones until their last interest is charged (older documents: every bill).
    _bills: list[BillRecord] = attrs.field(factory=list, init=False)
    #: Active plans (older documents: every plan).
    _plans: dict[str, PlanRecord] = attrs.field(factory=dict, init=False)
    _last_bill: date | None = attrs.field(default=None, init=False)
    _first_at: datetime | None = attrs.field(default=None, init=False)
    _events_archived: int = attrs.field(default=0, init=False)
    # Kept live by documents written before the history was archived (never added to since).
    _legacy_events: list[HuabeiEvent] = attrs.field(factory=list, init=False)
    _purchases: dict[str, Purchase] = attrs.field(factory=dict, init=False)
    _refunded: dict[str, tuple[Money, Money]] = attrs.field(factory=dict, init=False)
    # Final records, kept apart from the live state (one row each in the books).
    _event_log: Archive[int, HuabeiEvent] = attrs.field(factory=Archive, init=False)
    _purchase_log: Archive[str, Purchase] = attrs.field(factory=Archive, init=False)
    _refund_log: Archive[str, RefundTally] = attrs.field(factory=Archive, init=False)
    _bill_log: Archive[str, BillRecord] = attrs.field(factory=Archive, init=False)
    _plan_log: Archive[str, PlanRecord] = attrs.field(factory=Archive, init=False)
    #: What each request key did: final records, kept apart from the live state (one row each in the books).
    _requests: Archive[str, IdempotencyRecord[Purchase | Money | Repayment | PlanRecord | EarlySettlement]] = (
        attrs.field(factory=Archive, init=False)
    )
    _escrow: dict[str, str] = attrs.field(factory=dict, init=False)

    @staticmethod
    def __antfin_upgrade__(data: dict[str, Any]) -> dict[str, Any]:
        """A document written before the event log was archived keeps its events live, under their old name."""
        if "events" in data and "_legacy_events" not in data:
            return {("_legacy_events" if key == "events" else key): value for key, value in data.items()}
        return data

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(self.ledger).__name__}")
        check_name(self.user, "user")
        self._check_line(self.line)
        self.ledger.open_account(
            self.receivable,
            AccountKind.ASSET,
            currency=self.line.currency,
            owner=self.user,
            purpose="Huabei receivable",
        )
        for point in (
            ProfitPoint.HUABEI_MERCHANT_FEE,
            ProfitPoint.HUABEI_INSTALMENT_FEE,
            ProfitPoint.HUABEI_REVOLVING_INTEREST,
            ProfitPoint.HUABEI_OVERDUE_INTEREST,
        ):
            revenue_account(self.ledger, point, self.line.currency)

    def check_invariants(self) -> None:
        """Raise unless the account's state is one the API can reach; with a ledger, check its accounts too.

        Run on every loaded account (:mod:`antfin.serialization`): the live state fully
        (bills in order and after none archived, active plans filed under their ids, the
        receivable open in the ledger) and what is in memory of the archives (records filed
        under their own keys); records stored as rows in the books are checked by themselves
        as they are read, never scanned on loading.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "amy", CNY("500")).check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """

        def fail(rule: str) -> NoReturn:
            raise InvariantViolationError(f"Huabei account of {self.user}: {rule}")

        zero = self.line.currency.zero()
        for key, purchase in (*self._purchases.items(), *self._purchase_log.in_memory().items()):
            if purchase.id != key or not purchase.amount.is_positive():
                fail(f"purchase {key!r} is filed under {purchase.id!r} or costs {purchase.amount}")
        for key, tally in self._refund_log.in_memory().items():
            if key != f"{tally.purchase}#{tally.number}":
                fail(f"refund tally {key!r} is filed under another key")
        for key, plan in (*self._plans.items(), *self._plan_log.in_memory().items()):
            if plan.id != key:
                fail(f"plan {key!r} is filed under {plan.id!r}")
        for key, paid in self._bill_log.in_memory().items():
            if key != str(paid.bill.statement_date) or paid.status is not BillStatus.PAID:
                fail(f"archived bill {key!r} is not the paid bill filed under its date")
        for number, _event in self._event_log.in_memory().items():
            if not len(self._legacy_events) <= number < len(self._legacy_events) + self._events_archived:
                fail(f"event {number} is outside the log of {len(self.events)} events")
        if self._events_archived < 0:
            fail(f"a negative count of archived events {self._events_archived}")
        for key, (refunded, fee_back) in self._refunded.items():
            bought = self._purchases.get(key)
            if bought is None or refunded.is_negative() or fee_back.is_negative() or refunded > bought.amount:
                fail(f"refund of {refunded} on purchase {key!r} is not within what it cost")
        for key, record in self._requests.in_memory().items():  # stored ones are checked as they are read
            result = record.result
            amount = result if isinstance(result, Money) else getattr(result, "amount", None)
            if record.key != key or (isinstance(amount, Money) and amount.is_negative()):
                fail(f"request {key!r} is filed under {record.key!r} or has a negative result")
        dates = [record.bill.statement_date for record in self._bills]
        if dates != sorted(set(dates)):
            fail("bills are not in order, one per statement date")
        if dates and self._last_bill is not None and dates[-1] > self._last_bill:
            fail(f"bill {dates[-1]} is after the last bill issued {self._last_bill}")
        if any(line.amount < zero for _, line in self._unbilled if line.kind is LineKind.PURCHASE):
            fail("a negative purchase line")
        if isinstance(self.ledger, Ledger) and not self.ledger.has_account(self.receivable):
            fail(f"its receivable {self.receivable!r} is not in the ledger")

    def _check_line(self, line: object) -> Money:
        money = check_positive(line, "line")
        if not self.config.min_line <= money <= self.config.max_line:
            raise PolicyViolationError(
                f"line: {money} is outside the Huabei range {self.config.min_line} to {self.config.max_line}"
            )
        return money

    @classmethod
    def from_profile(
        cls,
        ledger: Ledger,
        profile: CreditProfile,
        *,
        cycle: BillingCycle | None = None,
        config: HuabeiConfig | None = None,
    ) -> HuabeiAccount:
        """Open Huabei for a credit profile, with the line from :func:`antfin.credit.eligibility.huabei_line`.

        >>> from antfin.credit.profile import CreditProfile
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount.from_profile(Ledger(), CreditProfile.of("carol", 700, date(2024, 1, 1))).line
        Money('29300.00', 'CNY')

        Raises:
            antfin.errors.PolicyViolationError: when the line policy declines the profile.
        """
        from antfin.credit.eligibility import huabei_line

        return cls(ledger, profile.subject, huabei_line(profile), cycle or BillingCycle(), config or HuabeiConfig())

    # -- queries ------------------------------------------------------------------

    @property
    def receivable(self) -> str:
        """Id of the user's Huabei receivable (an ASSET account of the platform).

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("500")).receivable
        'asset:huabei:dan'
        """
        return huabei_receivable(self.user)

    @property
    def wallet(self) -> str:
        """Id of the user's wallet that repayments come from.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("500")).wallet
        'wallet:dan'
        """
        return wallet(self.user)

    @property
    def credit_line(self) -> CreditLine:
        """Total, used (everything owed, billed or not) and available.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("500")).credit_line.available
        Money('500.00', 'CNY')
        """
        # What escrow trades funded by the line hold (not yet released) is used too.
        used = max(self.ledger.balance(self.receivable), self.line.currency.zero()) + self.ledger.incoming(
            self.receivable
        )
        return CreditLine(self.line, used)

    @property
    def available(self) -> Money:
        """The line still available.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).available
        Money('800.00', 'CNY')
        """
        return self.credit_line.available

    def unbilled(self) -> tuple[BillLine, ...]:
        """Lines posted but not yet on an issued bill.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).unbilled()
        ()
        """
        return tuple(line for _, line in self._unbilled)

    def interest_accrued(self, as_of: date) -> BillCharges:
        """Interest accrued on every issued bill through ``as_of`` and not yet charged.

        Interest is charged (booked and put on a bill) when the next bill is issued; a bill
        is archived only once paid and charged all its interest, so the live bills are walked.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).interest_accrued(date(2024, 3, 1)).total
        Money('0.00', 'CNY')
        """
        zero = self.line.currency.zero()
        revolving, overdue = zero, zero
        for record in self._bills:  # archived bills have nothing left to charge
            charges = self._charges(record, as_of)
            revolving += charges.revolving_interest
            overdue += charges.overdue_interest
        return BillCharges(revolving, overdue)

    # -- helpers --------------------------------------------------------------------

    def _replay(self, key: str, fingerprint: str, result_type: type[_T]) -> _T | None:
        check_name(key, "key")
        result = replay(self._requests, key, fingerprint)
        if result is None:
            return None
        if not isinstance(result, result_type):
            raise IdempotencyConflictError(f"key {key!r} was used for another kind of operation")
        return result

    def _ledger_key(self, key: str, step: str) -> str:
        return f"huabei:{self.user}:{key}:{step}"

    def _check_open_cycle(self, day: date, field: str) -> date:
        statement = self.cycle.statement_date(day)
        last = self._last_statement()
        if last is not None and statement <= last:
            raise InvalidTimeError(
                f"{field}: {day} belongs to the bill of {statement}, which is already issued "
                f"(last bill {last}); expected a later date"
            )
        return statement

    def _charges(self, record: BillRecord, as_of: date) -> BillCharges:
        total = bill_charges(
            record.amount_due,
            record.minimum,
            record.bill.due_date,
            record.reductions,
            as_of,
            self.config.terms,
        )
        if record.charged is None:
            return total
        return BillCharges(
            total.revolving_interest - record.charged.revolving_interest,
            total.overdue_interest - record.charged.overdue_interest,
        )

    def _refresh(self, day: date) -> None:
        """Mark bills overdue whose due date has passed with less than the minimum repaid by then."""
        for record in self._bills:
            if record.status is BillStatus.ISSUED and day > record.bill.due_date:
                repaid_by_due = sum(
                    (amount for when, amount in record.reductions if when <= record.bill.due_date),
                    self.line.currency.zero(),
                )
                if repaid_by_due < record.minimum:
                    record.move_to(BillStatus.OVERDUE, record.bill.due_date + timedelta(days=1))

    def _post(self, action: Callable[[], object]) -> None:
        with self.ledger.atomic():
            action()

    # -- purchases and refunds ----------------------------------------------------------

    # -- bills ----------------------------------------------------------------------------

    # -- repayments -------------------------------------------------------------------------

    # -- instalments -------------------------------------------------------------------------

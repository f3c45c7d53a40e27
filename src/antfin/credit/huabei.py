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
from typing import TYPE_CHECKING, Final, NoReturn, TypeVar

import attrs

from antfin.calendar import ensure_aware, ensure_date, local_date, start_of_day
from antfin.chart import ProfitPoint, huabei_receivable, revenue_account, wallet
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
from antfin.credit.huabei_instalments import (
    DEFAULT_FEE_SCHEDULE,
    EarlySettlement,
    EarlySettlementPolicy,
    InstalmentFeeSchedule,
    InstalmentPlan,
    plan_instalments,
)
from antfin.errors import (
    IdempotencyConflictError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    LimitExceededError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.idempotency import IdempotencyRecord, remember, replay
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.ledger import AccountKind, Hold, Ledger
from antfin.money import Money, Rounding
from antfin.payments.escrow import EscrowTrade, Release

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
    "MerchantChannel",
    "MerchantFeeTable",
    "PlanRecord",
    "PlanStatus",
    "Purchase",
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


def _money(value: object, field: str) -> Money:
    if not isinstance(value, Money):
        raise TypeError(f"{field} must be Money, not {type(value).__name__}")
    if not value.is_positive():
        raise InvalidAmountError(f"{field} must be positive, got {value}")
    return value


@attrs.define
class HuabeiAccount:
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
    events: list[HuabeiEvent] = attrs.field(factory=list, init=False)
    _unbilled: list[tuple[date, BillLine]] = attrs.field(factory=list, init=False)
    _bills: list[BillRecord] = attrs.field(factory=list, init=False)
    _purchases: dict[str, Purchase] = attrs.field(factory=dict, init=False)
    _refunded: dict[str, tuple[Money, Money]] = attrs.field(factory=dict, init=False)
    _plans: dict[str, PlanRecord] = attrs.field(factory=dict, init=False)
    _requests: dict[str, IdempotencyRecord[Purchase | Money | Repayment | PlanRecord | EarlySettlement]] = attrs.field(
        factory=dict, init=False
    )
    _escrow: dict[str, str] = attrs.field(factory=dict, init=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(self.ledger).__name__}")
        if not isinstance(self.user, str) or not self.user.strip():
            raise InvalidAmountError(f"user must be a non-empty string (not blank), got {self.user!r}")
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

        Run on every loaded account (:mod:`antfin.serialization`): positive purchases,
        refunds within what each purchase cost, records filed under their own keys, bills
        in order, and the receivable open in the ledger.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "amy", CNY("500")).check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """

        def fail(rule: str) -> NoReturn:
            raise InvariantViolationError(f"Huabei account of {self.user}: {rule}")

        zero = self.line.currency.zero()
        for key, purchase in self._purchases.items():
            if purchase.id != key or not purchase.amount.is_positive():
                fail(f"purchase {key!r} is filed under {purchase.id!r} or costs {purchase.amount}")
        for key, (refunded, fee_back) in self._refunded.items():
            bought = self._purchases.get(key)
            if bought is None or refunded.is_negative() or fee_back.is_negative() or refunded > bought.amount:
                fail(f"refund of {refunded} on purchase {key!r} is not within what it cost")
        for key, record in self._requests.items():
            result = record.result
            amount = result if isinstance(result, Money) else getattr(result, "amount", None)
            if record.key != key or (isinstance(amount, Money) and amount.is_negative()):
                fail(f"request {key!r} is filed under {record.key!r} or has a negative result")
        dates = [record.bill.statement_date for record in self._bills]
        if dates != sorted(set(dates)):
            fail("bills are not in order, one per statement date")
        if any(line.amount < zero for _, line in self._unbilled if line.kind is LineKind.PURCHASE):
            fail("a negative purchase line")
        if isinstance(self.ledger, Ledger) and not self.ledger.has_account(self.receivable):
            fail(f"its receivable {self.receivable!r} is not in the ledger")

    def _check_line(self, line: object) -> Money:
        money = _money(line, "line")
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

    @property
    def bills(self) -> tuple[BillRecord, ...]:
        """Issued bills, oldest first.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).bills
        ()
        """
        return tuple(self._bills)

    def bill(self, statement_date: date) -> BillRecord:
        """The issued bill of ``statement_date``.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).bill(date(2024, 3, 1))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei bill of 2024-03-01 for dan

        Raises:
            antfin.errors.NotFoundError: when no such bill was issued.
        """
        for record in self._bills:
            if record.bill.statement_date == statement_date:
                return record
        raise NotFoundError(f"no Huabei bill of {statement_date} for {self.user}")

    def plan(self, plan_id: str) -> PlanRecord:
        """An instalment plan by id.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).plan("x")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei instalment plan 'x' for dan

        Raises:
            antfin.errors.NotFoundError: for an unknown plan.
        """
        try:
            return self._plans[plan_id]
        except KeyError:
            raise NotFoundError(f"no Huabei instalment plan {plan_id!r} for {self.user}") from None

    def unbilled(self) -> tuple[BillLine, ...]:
        """Lines posted but not yet on an issued bill.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).unbilled()
        ()
        """
        return tuple(line for _, line in self._unbilled)

    def interest_accrued(self, as_of: date) -> BillCharges:
        """Interest accrued on every issued bill through ``as_of`` and not yet charged.

        Interest is charged (booked and put on a bill) when the next bill is issued.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "dan", CNY("800")).interest_accrued(date(2024, 3, 1)).total
        Money('0.00', 'CNY')
        """
        zero = self.line.currency.zero()
        revolving, overdue = zero, zero
        for record in self._bills:
            charges = self._charges(record, as_of)
            revolving += charges.revolving_interest
            overdue += charges.overdue_interest
        return BillCharges(revolving, overdue)

    # -- helpers --------------------------------------------------------------------

    def _replay(self, key: str, fingerprint: str, result_type: type[_T]) -> _T | None:
        if not isinstance(key, str) or not key:
            raise InvalidAmountError(f"key must be a non-empty string, got {key!r}")
        result = replay(self._requests, key, fingerprint)
        if result is None:
            return None
        if not isinstance(result, result_type):
            raise IdempotencyConflictError(f"key {key!r} was used for another kind of operation")
        return result

    def _ledger_key(self, key: str, step: str) -> str:
        return f"huabei:{self.user}:{key}:{step}"

    def _last_statement(self) -> date | None:
        return self._bills[-1].bill.statement_date if self._bills else None

    def _check_open_cycle(self, day: date, field: str) -> date:
        statement = self.cycle.statement_date(day)
        last = self._last_statement()
        if last is not None and statement <= last:
            raise InvalidTimeError(
                f"{field}: {day} belongs to the bill of {statement}, which is already issued "
                f"(last bill {last}); expected a later date"
            )
        return statement

    def _record(self, at: datetime, kind: str, reference: str, amount: Money) -> None:
        self.events.append(HuabeiEvent(at, kind, reference, amount))

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

    def purchase(
        self,
        key: str,
        *,
        merchant: str,
        amount: Money,
        at: datetime,
        channel: MerchantChannel = MerchantChannel.OFFLINE,
        instalments: int | None = None,
        merchant_paid: bool = False,
    ) -> Purchase:
        """Pay ``merchant`` with Huabei; optionally in instalments (merchant-paid: 免息分期).

        This is also the hook for an escrow trade: call it when the buyer confirms receipt,
        with the trade's number as ``key`` and its amount, seller and confirmation instant.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Hold, Ledger
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:shop", AccountKind.LIABILITY, non_negative=True)
        >>> huabei = HuabeiAccount(ledger, "eve", CNY("500"))
        >>> huabei.purchase("o-1", merchant="shop", amount=CNY("600"), at=shanghai(2024, 3, 2))
        Traceback (most recent call last):
        ...
        antfin.errors.LimitExceededError: amount: 600.00 CNY exceeds the available Huabei line 500.00 CNY (line ...)

        Args:
            key: the caller's idempotency key (e.g. the order number); also the purchase id.
            merchant: the merchant id; ``wallet:<merchant>`` must exist.
            amount: the price, positive.
            at: the aware instant of the purchase (its Asia/Shanghai date is the posting date).
            channel: selects the merchant's acquiring fee.
            instalments: a term offered by the fee table in force, or ``None``.
            merchant_paid: the merchant pays the instalment fee.

        Returns:
            The recorded :class:`Purchase`.

        Raises:
            antfin.errors.LimitExceededError: over the available line, with the numbers.
            antfin.errors.InvalidAmountError: for a zero or negative amount.
            antfin.errors.PolicyViolationError: for an instalment term not offered.
            antfin.errors.InvalidTimeError: for a date whose bill is already issued, or a naive ``at``.
            antfin.errors.NotFoundError: when the merchant has no wallet.
            antfin.errors.IdempotencyConflictError: a reused key with other parameters.
        """
        money = _money(amount, "amount")
        when = ensure_aware(at, "at")
        if not isinstance(channel, MerchantChannel):
            raise TypeError(f"channel must be a MerchantChannel, not {type(channel).__name__}")
        if not isinstance(merchant_paid, bool):
            raise TypeError(f"merchant_paid must be a bool, not {type(merchant_paid).__name__}")
        fingerprint = request_fingerprint("purchase", merchant, money, channel, instalments, merchant_paid)
        replay = self._replay(key, fingerprint, Purchase)
        if replay is not None:
            return replay
        posted_on = local_date(when)
        statement = self._check_open_cycle(posted_on, "at")
        if merchant_paid and instalments is None:
            raise PolicyViolationError("merchant_paid applies to instalments; expected instalments=3, 6, 9 or 12")
        line = self.credit_line
        if money > line.available:
            raise LimitExceededError(
                f"amount: {money} exceeds the available Huabei line {line.available} "
                f"(line {line.total}, used {line.used})"
            )
        plan = None
        if instalments is not None:
            plan = plan_instalments(
                money, instalments, on=posted_on, schedule=self.config.instalment_fees, merchant_paid=merchant_paid
            )
        fee = self.config.merchant_fees.fee_for(money, channel, posted_on)
        merchant_wallet = wallet(merchant)
        self.ledger.account(merchant_wallet)  # NotFoundError before anything moves

        def book() -> None:
            meta = {"product": "huabei", "user": self.user, "purchase": key}
            self.ledger.transfer(
                self._ledger_key(key, "fund"),
                debit=self.receivable,
                credit=merchant_wallet,
                amount=money,
                at=when,
                memo=f"Huabei purchase {key}",
                metadata=meta,
            )
            if fee.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "merchant_fee"),
                    debit=merchant_wallet,
                    credit=ProfitPoint.HUABEI_MERCHANT_FEE.account_id,
                    amount=fee,
                    at=when,
                    memo=f"Huabei acquiring fee {key}",
                    metadata=meta,
                )
            if plan is not None and plan.merchant_fee.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "merchant_instalment_fee"),
                    debit=merchant_wallet,
                    credit=ProfitPoint.HUABEI_INSTALMENT_FEE.account_id,
                    amount=plan.merchant_fee,
                    at=when,
                    memo=f"Huabei merchant-paid instalment fee {key}",
                    metadata=meta,
                )

        self._post(book)
        plan_id = None
        if plan is None:
            self._unbilled.append((statement, BillLine(posted_on, LineKind.PURCHASE, money, key)))
        else:
            plan_id = f"purchase:{key}"
            self._plans[plan_id] = PlanRecord(plan_id, plan, statement, f"purchase:{key}")
        result = Purchase(key, merchant, money, channel, when, posted_on, statement, fee, plan_id)
        self._purchases[key] = result
        remember(self._requests, key, fingerprint, result)
        self._record(when, "purchase", key, money)
        return result

    def pay_escrow(self, trade: EscrowTrade, *, at: datetime) -> Hold:
        """Pay an escrow trade with Huabei: the line funds the escrow, and the purchase enters the bill
        when the seller is paid (receipt confirmed, or confirmed automatically).

        Register :meth:`on_escrow_release` with the trade's desk once
        (``desk.on_release(huabei.on_escrow_release)``). Until release the held
        amount counts as used line; what is refunded before release never leaves
        the line. Refunds after release go to the buyer's wallet (the bill is then
        paid from it). The escrow's acquiring commission applies, not the Huabei
        merchant fee.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> from antfin.payments import Account, AccountType, EscrowDesk, GoodsType
        >>> ledger = Ledger()
        >>> buyer = Account.open(ledger, "amy", opened_at=shanghai(2024, 3, 1))
        >>> shop = Account.open(ledger, "shop", opened_at=shanghai(2024, 3, 1), account_type=AccountType.MERCHANT)
        >>> huabei = HuabeiAccount(ledger, "amy", CNY("2000"))
        >>> desk = EscrowDesk(ledger)
        >>> desk.on_release(huabei.on_escrow_release)
        >>> trade = desk.create("T-1", buyer=buyer, seller=shop, amount=CNY("300.00"),
        ...                     goods=GoodsType.VIRTUAL, at=shanghai(2024, 3, 5, 10))
        >>> _ = huabei.pay_escrow(trade, at=shanghai(2024, 3, 5, 10, 1))
        >>> huabei.available, huabei.unbilled()
        (Money('1700.00', 'CNY'), ())
        >>> trade.ship(at=shanghai(2024, 3, 5, 12))
        >>> _ = trade.confirm(at=shanghai(2024, 3, 6, 9))
        >>> [(line.kind.value, str(line.amount)) for line in huabei.unbilled()]
        [('purchase', '300.00 CNY')]

        Raises:
            antfin.errors.PolicyViolationError: the trade's buyer is not this Huabei user.
            antfin.errors.LimitExceededError: the amount is over the available line.
            antfin.errors.InvalidTransitionError: the trade is not awaiting payment.
        """
        if not isinstance(trade, EscrowTrade):
            raise TypeError(f"trade must be an EscrowTrade, not {type(trade).__name__}")
        when = ensure_aware(at, "at")
        return trade.pay(at=when, funded_by=self)  # the trade asks this line (below) to check and record it

    def escrow_funding_account(self, trade: EscrowTrade) -> str:
        """Check that this line may fund ``trade`` and return the receivable it lends from.

        Called by :meth:`EscrowTrade.pay <antfin.payments.escrow.EscrowTrade.pay>` before anything
        moves (see :class:`~antfin.payments.EscrowFunding`): the buyer must be this line's user and
        the amount within the available line.

        >>> from antfin.calendar import shanghai
        >>> from antfin.payments.escrow import _demo_trade
        >>> trade = _demo_trade()
        >>> HuabeiAccount(trade.ledger, "buyer", CNY("500")).escrow_funding_account(trade)
        'asset:huabei:buyer'

        Raises:
            antfin.errors.PolicyViolationError: the trade's buyer is not this line's user.
            antfin.errors.LimitExceededError: the amount is over the available line.

        .. versionadded:: 0.2.0
        """
        if not isinstance(trade, EscrowTrade):
            raise TypeError(f"trade must be an EscrowTrade, not {type(trade).__name__}")
        if trade.buyer.wallet_id != self.wallet:
            raise PolicyViolationError(
                f"funded_by: trade {trade.out_trade_no!r} is bought by {trade.buyer.account_id!r}, "
                f"not Huabei user {self.user!r}"
            )
        line = self.credit_line
        if trade.amount > line.available:
            raise LimitExceededError(
                f"amount: {trade.amount} exceeds the available Huabei line {line.available} "
                f"(line {line.total}, used {line.used})"
            )
        return self.receivable

    def escrow_funded(self, trade: EscrowTrade, at: datetime) -> None:
        """Record that this line funded ``trade`` (the trade calls it inside its payment's ledger block).

        >>> from antfin.calendar import shanghai
        >>> from antfin.payments.escrow import _demo_trade
        >>> trade = _demo_trade()
        >>> huabei = HuabeiAccount(trade.ledger, "buyer", CNY("500"))
        >>> huabei.escrow_funded(trade, shanghai(2024, 5, 1, 10, 1))
        >>> huabei.events[-1].kind
        'escrow payment'

        .. versionadded:: 0.2.0
        """
        self._escrow[trade.out_trade_no] = trade.seller.account_id
        self._record(at, "escrow payment", trade.out_trade_no, trade.amount)

    def on_escrow_release(self, release: Release) -> None:
        """Release listener: a trade paid with :meth:`pay_escrow` enters the bill as a purchase.

        Other trades are ignored, so one listener per Huabei account may watch a shared desk.

        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "amy", CNY("500")).on_escrow_release  # doctest: +ELLIPSIS
        <bound method HuabeiAccount.on_escrow_release of ...>
        """
        merchant = self._escrow.pop(release.out_trade_no, None)
        if merchant is None:
            return
        posted_on = local_date(release.at)
        statement = self._check_open_cycle(posted_on, "at")
        key = f"escrow:{release.out_trade_no}"
        zero = release.amount.currency.zero()
        self._unbilled.append((statement, BillLine(posted_on, LineKind.PURCHASE, release.amount, key)))
        self._purchases[key] = Purchase(
            key, merchant, release.amount, MerchantChannel.TAOBAO, release.at, posted_on, statement, zero
        )
        self._record(release.at, "escrow purchase", key, release.amount)

    def refund(self, key: str, purchase_id: str, amount: Money, *, at: datetime) -> Money:
        """Refund (part of) a purchase: the merchant pays back, the line is restored.

        Inside the purchase's cycle the refund reduces the coming bill; after its bill was
        issued it reduces that bill's outstanding, and any rest is a credit on the next bill.
        The merchant's acquiring fee is returned pro rata (cfg ``refund_merchant_fee``).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import AccountKind, Hold, Ledger
        >>> ledger = Ledger()
        >>> _ = ledger.open_account("wallet:shop", AccountKind.LIABILITY, non_negative=True)
        >>> huabei = HuabeiAccount(ledger, "eve", CNY("500"))
        >>> _ = huabei.purchase("o-1", merchant="shop", amount=CNY("100"), at=shanghai(2024, 3, 2))
        >>> huabei.refund("o-1:r1", "o-1", CNY("40"), at=shanghai(2024, 3, 5))
        Money('40.00', 'CNY')
        >>> huabei.available, ledger.balance("revenue:huabei:merchant_fee")
        (Money('440.00', 'CNY'), Money('0.48', 'CNY'))

        Returns:
            The amount refunded.

        Raises:
            antfin.errors.NotFoundError: for an unknown purchase.
            antfin.errors.InvalidAmountError: for a non-positive amount or more than is left to refund.
            antfin.errors.PolicyViolationError: for a purchase in instalments (settle the plan instead).
            antfin.errors.InvalidTimeError: for a date before the purchase or in an issued cycle.
        """
        money = _money(amount, "amount")
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("refund", purchase_id, money)
        replay = self._replay(key, fingerprint, Money)
        if replay is not None:
            return replay
        purchase = self._purchases.get(purchase_id)
        if purchase is None:
            raise NotFoundError(f"purchase_id: no Huabei purchase {purchase_id!r} for {self.user}")
        if purchase.plan_id is not None:
            raise PolicyViolationError(
                f"purchase {purchase_id} is in instalments (plan {purchase.plan_id}); settle the plan before refunding"
            )
        day = local_date(when)
        if when < purchase.at:
            raise InvalidTimeError(f"at: the refund ({when}) is before the purchase ({purchase.at})")
        statement = self._check_open_cycle(day, "at")
        zero = money.currency.zero()
        refunded, fee_returned = self._refunded.get(purchase_id, (zero, zero))
        left = purchase.amount - refunded
        if money > left:
            raise InvalidAmountError(f"amount: {money} is more than the {left} left to refund on {purchase_id}")
        fee_back = zero
        if self.config.refund_merchant_fee and purchase.merchant_fee.is_positive():
            cumulative = purchase.merchant_fee.multiply((refunded + money).minor_units)
            fee_back = cumulative.divide(purchase.amount.minor_units, rounding=Rounding.HALF_UP) - fee_returned
            if refunded + money == purchase.amount:
                fee_back = purchase.merchant_fee - fee_returned
        merchant_wallet = wallet(purchase.merchant)

        def book() -> None:
            meta = {"product": "huabei", "user": self.user, "purchase": purchase_id, "refund": key}
            self.ledger.transfer(
                self._ledger_key(key, "refund"),
                debit=merchant_wallet,
                credit=self.receivable,
                amount=money,
                at=when,
                memo=f"Huabei refund {key} of {purchase_id}",
                metadata=meta,
            )
            if fee_back.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "merchant_fee_refund"),
                    debit=ProfitPoint.HUABEI_MERCHANT_FEE.account_id,
                    credit=merchant_wallet,
                    amount=fee_back,
                    at=when,
                    memo=f"Huabei acquiring fee returned on refund {key}",
                    metadata=meta,
                )

        # How it lands on bills: the purchase's own issued bill first, the rest on the next bill.
        target = None
        if self._bills and purchase.statement_date <= self._bills[-1].bill.statement_date:
            target = self.bill(purchase.statement_date)
        to_bill = min(money, target.outstanding) if target is not None else zero
        self._refresh(day)
        self._post(book)
        if target is not None and to_bill.is_positive():
            target.reductions.append((day, to_bill))
            self._settle_if_paid(target, day)
        rest = money - to_bill
        if rest.is_positive():
            self._unbilled.append((statement, BillLine(day, LineKind.REFUND, -rest, key)))
        self._refunded[purchase_id] = (refunded + money, fee_returned + fee_back)
        remember(self._requests, key, fingerprint, money)
        self._record(when, "refund", key, money)
        return money

    def _settle_if_paid(self, record: BillRecord, day: date) -> None:
        if record.status is not BillStatus.PAID and not record.outstanding.is_positive():
            record.move_to(BillStatus.PAID, day)

    # -- bills ----------------------------------------------------------------------------

    def _check_first_bill(self, statement_date: date) -> bool:
        """Whether a first bill starts the sequence (``False``: nothing to bill yet); raise if it is too early."""
        if not self.events and not self._unbilled:
            return False
        first = self.cycle.statement_date(local_date(self.events[0].at)) if self.events else statement_date
        if statement_date < first:
            raise InvalidTimeError(
                f"statement_date: the first bill is due for the cycle of the first activity ({first}) "
                f"or later, got {statement_date}"
            )
        return True

    def issue_bill(self, statement_date: date) -> Bill:
        """Issue the bill of ``statement_date``: the cycle's lines, instalment periods due and interest.

        Interest accrued on earlier bills through the cycle's last day is charged first
        (booked to its profit points and put on this bill); instalment fees billed now are
        booked to ``ProfitPoint.HUABEI_INSTALMENT_FEE``. A bill of zero or less is paid
        at once and a credit carries to the next bill. Bills are issued in order, one per month;
        issuing the last bill again returns it unchanged.

        >>> from antfin.ledger import Ledger
        >>> huabei = HuabeiAccount(Ledger(), "fay", CNY("500"))
        >>> huabei.issue_bill(date(2024, 3, 1)).total  # nothing to bill yet: no bill sequence starts
        Money('0.00', 'CNY')
        >>> huabei.bills
        ()

        The first bill is the one of the first activity's cycle or later (never
        a cycle before the account was used); each later bill is the next one.

        Raises:
            antfin.errors.InvalidTimeError: not a bill day, or not the next bill, or lines of an earlier cycle
                are still unbilled.
        """
        ensure_date(statement_date, "statement_date")
        end = self.cycle.cycle(statement_date)[1]
        last = self._last_statement()
        if last is None and not self._check_first_bill(statement_date):
            return Bill.build(statement_date, [], self.cycle, self.config.terms, self.line.currency.code)
        if last is not None and statement_date == last:
            return self._bills[-1].bill  # issuing the same bill again is a no-op
        if last is not None and statement_date != self.cycle.next_statement_date(last):
            raise InvalidTimeError(
                f"statement_date: expected the next bill {self.cycle.next_statement_date(last)}, got {statement_date}"
            )
        early = [line for when, line in self._unbilled if when < statement_date]
        if early:
            raise InvalidTimeError(
                f"statement_date: {len(early)} line(s) belong to a bill before {statement_date}; issue that bill first"
            )
        self._refresh(end + timedelta(days=1))
        at = start_of_day(end + timedelta(days=1))
        zero = self.line.currency.zero()
        lines = [line for when, line in self._unbilled if when == statement_date]
        interest = self._interest_due(end)
        for record, charges in interest:
            ref = f"bill:{record.bill.statement_date}"
            if charges.revolving_interest.is_positive():
                lines.append(BillLine(end, LineKind.REVOLVING_INTEREST, charges.revolving_interest, ref))
            if charges.overdue_interest.is_positive():
                lines.append(BillLine(end, LineKind.OVERDUE_INTEREST, charges.overdue_interest, ref))
        periods = self._periods_due(statement_date)
        for plan_record in periods:
            period = plan_record.plan.periods[plan_record.billed]
            lines.append(BillLine(end, LineKind.INSTALMENT_PRINCIPAL, period.principal, plan_record.id))
            if period.fee.is_positive():
                lines.append(BillLine(end, LineKind.INSTALMENT_FEE, period.fee, plan_record.id))
        bill = Bill.build(statement_date, lines, self.cycle, self.config.terms, self.line.currency.code)
        fees = sum((line.amount for line in lines if line.kind is LineKind.INSTALMENT_FEE), zero)
        revolving = sum((c.revolving_interest for _, c in interest), zero)
        overdue = sum((c.overdue_interest for _, c in interest), zero)

        def book() -> None:
            postings = [
                (ProfitPoint.HUABEI_INSTALMENT_FEE, fees, "instalment_fees"),
                (ProfitPoint.HUABEI_REVOLVING_INTEREST, revolving, "revolving_interest"),
                (ProfitPoint.HUABEI_OVERDUE_INTEREST, overdue, "overdue_interest"),
            ]
            for point, amount, step in postings:
                if amount.is_positive():
                    self.ledger.transfer(
                        self._ledger_key(f"bill:{statement_date}", step),
                        debit=self.receivable,
                        credit=point.account_id,
                        amount=amount,
                        at=at,
                        memo=f"Huabei {step.replace('_', ' ')} on the bill of {statement_date}",
                        metadata={"product": "huabei", "user": self.user, "bill": str(statement_date)},
                    )

        self._post(book)
        for record, charges in interest:
            previous = record.charged
            record.charged = (
                charges
                if previous is None
                else BillCharges(
                    previous.revolving_interest + charges.revolving_interest,
                    previous.overdue_interest + charges.overdue_interest,
                )
            )
        for plan_record in periods:
            plan_record.billed += 1
            if plan_record.billed == plan_record.plan.term:
                plan_record.move_to(PlanStatus.COMPLETED, statement_date)
        self._unbilled = [(when, line) for when, line in self._unbilled if when != statement_date]
        issued = BillRecord(bill)
        self._bills.append(issued)
        if not bill.total.is_positive():
            issued.move_to(BillStatus.PAID, statement_date)
            if bill.total.is_negative():
                following = self.cycle.next_statement_date(statement_date)
                carried = BillLine(statement_date, LineKind.CREDIT_CARRIED, bill.total, f"bill:{statement_date}")
                self._unbilled.append((following, carried))
        self._record(at, "bill", str(statement_date), bill.total)
        return bill

    def _interest_due(self, end: date) -> list[tuple[BillRecord, BillCharges]]:
        found = []
        for record in self._bills:
            charges = self._charges(record, end)
            if charges.total.is_positive():
                found.append((record, charges))
        return found

    def _periods_due(self, statement_date: date) -> list[PlanRecord]:
        return [
            record
            for record in self._plans.values()
            if record.status is PlanStatus.ACTIVE and record.statement_of(record.billed + 1) == statement_date
        ]

    # -- repayments -------------------------------------------------------------------------

    def repay(self, key: str, amount: Money, *, at: datetime) -> Repayment:
        """Repay from the user's wallet: oldest issued bill first, the rest against unbilled purchases.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "gil", CNY("500")).repay("r-1", CNY("1"), at=shanghai(2024, 3, 5))
        Traceback (most recent call last):
        ...
        antfin.errors.InvalidAmountError: amount: 1.00 CNY is more than the 0.00 CNY owed (bills and unbilled purchases)

        Raises:
            antfin.errors.InvalidAmountError: a non-positive amount, or more than is owed.
            antfin.errors.InsufficientFundsError: the wallet holds less.
            antfin.errors.InvalidTimeError: a date in an issued cycle.
        """
        money = _money(amount, "amount")
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("repay", money)
        replay = self._replay(key, fingerprint, Repayment)
        if replay is not None:
            return replay
        day = local_date(when)
        statement = self._check_open_cycle(day, "at")
        zero = money.currency.zero()
        unbilled = sum((line.amount for _, line in self._unbilled), zero)
        owed = sum((record.outstanding for record in self._bills), zero) + max(unbilled, zero)
        if money > owed:
            raise InvalidAmountError(f"amount: {money} is more than the {owed} owed (bills and unbilled purchases)")
        self._post(
            lambda: self.ledger.transfer(
                self._ledger_key(key, "repay"),
                debit=self.wallet,
                credit=self.receivable,
                amount=money,
                at=when,
                memo=f"Huabei repayment {key}",
                metadata={"product": "huabei", "user": self.user, "repayment": key},
            )
        )
        self._refresh(day)
        left = money
        applied: list[tuple[str, Money]] = []
        for record in self._bills:
            part = min(left, record.outstanding)
            if part.is_positive():
                record.reductions.append((day, part))
                applied.append((str(record.bill.statement_date), part))
                left -= part
                self._settle_if_paid(record, day)
        if left.is_positive():
            self._unbilled.append((statement, BillLine(day, LineKind.REPAYMENT, -left, key)))
        result = Repayment(key, money, tuple(applied), left)
        remember(self._requests, key, fingerprint, result)
        self._record(when, "repayment", key, money)
        return result

    # -- instalments -------------------------------------------------------------------------

    def convert_bill(self, key: str, statement_date: date, term: int, *, at: datetime) -> PlanRecord:
        """Put what is left of an issued bill into instalments (账单分期) by its due date.

        The bill's regular outstanding becomes a plan at the fee table in force on the
        date; its first period is due on this bill (so the bill now asks for that
        period in full) and the others on the following bills.

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> huabei = HuabeiAccount(Ledger(), "hal", CNY("500"))
        >>> _ = huabei.issue_bill(date(2024, 3, 1))
        >>> huabei.convert_bill("c-1", date(2024, 3, 1), 6, at=shanghai(2024, 3, 5))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei bill of 2024-03-01 for hal

        Raises:
            antfin.errors.NotFoundError: for a bill that was not issued.
            antfin.errors.PolicyViolationError: a bill already converted, paid, with nothing left, or an
                unknown term.
            antfin.errors.InvalidTimeError: after the due date.
        """
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("convert", statement_date, term)
        replay = self._replay(key, fingerprint, PlanRecord)
        if replay is not None:
            return replay
        record = self.bill(statement_date)
        day = local_date(when)
        if day > record.bill.due_date or day < statement_date:
            raise InvalidTimeError(
                f"at: a bill can be put into instalments from {statement_date} to its due date "
                f"{record.bill.due_date}, got {day}"
            )
        if record.plan_id is not None:
            raise PolicyViolationError(f"bill {statement_date} is already in instalments (plan {record.plan_id})")
        zero = self.line.currency.zero()
        instalment_part = max(record.bill.instalment_part - record.repaid, zero)
        principal = record.outstanding - instalment_part
        if record.status is not BillStatus.ISSUED or not principal.is_positive():
            raise PolicyViolationError(
                f"bill {statement_date} has nothing to put into instalments (outstanding {record.outstanding})"
            )
        plan = plan_instalments(principal, term, on=day, schedule=self.config.instalment_fees)
        first = plan.periods[0]
        plan_id = f"bill:{statement_date}"

        def book() -> None:
            if first.fee.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "instalment_fee"),
                    debit=self.receivable,
                    credit=ProfitPoint.HUABEI_INSTALMENT_FEE.account_id,
                    amount=first.fee,
                    at=when,
                    memo=f"Huabei instalment fee, period 1 of plan {plan_id}",
                    metadata={"product": "huabei", "user": self.user, "plan": plan_id},
                )

        self._post(book)
        record.adjustments.append(BillLine(day, LineKind.REPAYMENT, -principal, f"plan:{plan_id}"))
        record.adjustments.append(BillLine(day, LineKind.INSTALMENT_PRINCIPAL, first.principal, plan_id))
        if first.fee.is_positive():
            record.adjustments.append(BillLine(day, LineKind.INSTALMENT_FEE, first.fee, plan_id))
        record.minimum_payment = record.amount_due
        record.plan_id = plan_id
        plan_record = PlanRecord(plan_id, plan, statement_date, f"bill:{statement_date}", billed=1)
        self._plans[plan_id] = plan_record
        remember(self._requests, key, fingerprint, plan_record)
        self._record(when, "instalments", plan_id, principal)
        return plan_record

    def settle_plan(self, key: str, plan_id: str, *, at: datetime) -> EarlySettlement:
        """Settle an instalment plan early: pay the principal not yet billed (+ fees by policy).

        Periods already billed stay on their bills; by default the fees of unbilled periods
        are waived (cfg ``early_settlement``).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "ida", CNY("500")).settle_plan("s", "nope", at=shanghai(2024, 3, 5))
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Huabei instalment plan 'nope' for ida

        Raises:
            antfin.errors.NotFoundError: for an unknown plan.
            antfin.errors.InvalidTransitionError: for a plan no longer active.
            antfin.errors.InsufficientFundsError: the wallet holds less than the settlement.
        """
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("settle", plan_id)
        replay = self._replay(key, fingerprint, EarlySettlement)
        if replay is not None:
            return replay
        record = self.plan(plan_id)
        if record.status is not PlanStatus.ACTIVE:
            raise InvalidTransitionError(f"plan {plan_id} is {record.status.value}; only an active plan can be settled")
        settlement = record.plan.early_settlement(record.billed, self.config.early_settlement)
        meta = {"product": "huabei", "user": self.user, "plan": plan_id}

        def book() -> None:
            if settlement.fee.is_positive():
                self.ledger.transfer(
                    self._ledger_key(key, "instalment_fee"),
                    debit=self.receivable,
                    credit=ProfitPoint.HUABEI_INSTALMENT_FEE.account_id,
                    amount=settlement.fee,
                    at=when,
                    memo=f"Huabei instalment fees on early settlement of {plan_id}",
                    metadata=meta,
                )
            self.ledger.transfer(
                self._ledger_key(key, "settle"),
                debit=self.wallet,
                credit=self.receivable,
                amount=settlement.total,
                at=when,
                memo=f"Huabei early settlement of {plan_id}",
                metadata=meta,
            )

        self._post(book)
        record.settlement = settlement
        record.move_to(PlanStatus.SETTLED, local_date(when))
        remember(self._requests, key, fingerprint, settlement)
        self._record(when, "settlement", plan_id, settlement.total)
        return settlement

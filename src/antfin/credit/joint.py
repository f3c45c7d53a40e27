"""Joint lending (联合贷款): partner banks fund most of a loan, Ant's lender a small share (cfg).

>>> from antfin.calendar import shanghai
>>> from antfin.chart import partner_clearing, wallet
>>> from antfin.credit.joint import JointLoan
>>> from antfin.credit.schedule import LoanRate
>>> from antfin.ledger import Ledger
>>> from antfin.rates import DayCount, Rate
>>> ledger = Ledger()
>>> loan = JointLoan(ledger, "J1", wallet("amy"), CNY("10000"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360),
...                  3, partners=(("bank-a", 1),))
>>> _ = loan.disburse(shanghai(2024, 1, 10, 9))
>>> loan.funding()
{'ant': Money('200.00', 'CNY'), 'bank-a': Money('9800.00', 'CNY')}
>>> ledger.balance(wallet("amy")), ledger.balance(loan.receivable_account)
(Money('10000.00', 'CNY'), Money('200.00', 'CNY'))
>>> receipt = loan.repay_due("r1", shanghai(2024, 2, 10, 9))
>>> receipt.total, receipt.ant_interest, receipt.tech_service_fee
(Money('3400.22', 'CNY'), Money('2.00', 'CNY'), Money('29.40', 'CNY'))

The borrower sees one schedule (:func:`~antfin.credit.schedule.amortize` of
the whole loan); each instalment's principal and interest are shared among the
funders in proportion to their funding (:meth:`~antfin.money.Money.allocate`,
so nothing is lost). On the ledger:

* Ant's share is its asset, the receivable ``asset:loans:<product>:<loan_id>``,
  and its interest goes to the product's interest profit point;
* a partner's share is not: what the bank sends comes in through its clearing
  account (:func:`~antfin.chart.partner_clearing`) and what is forwarded to it
  goes out there, less Ant's technology service fee (协同类收入), booked to
  ``ProfitPoint.CREDIT_TECH_SERVICE_FEE``.

That is the 2020 report's shift from running a balance sheet to running an
income statement (从经营资产负债表转型为经营利润表): :func:`compare_funding_models`
puts the same loan book under both models side by side.

This model repays what is due on a date in full (:meth:`JointLoan.repay_due`);
late payment, penalty and prepayment stay with :class:`~antfin.credit.loan.Loan`.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Final

import attrs

from antfin.calendar import ensure_aware, ensure_date, local_date
from antfin.chart import ProfitPoint, loan_receivable, partner_clearing, revenue_account
from antfin.credit.joint_terms import (
    ANT,
    CBIRC_DRAFT_2020,
    DEFAULT_JOINT_LENDING,
    PROSPECTUS_2020,
    JointLendingSchedule,
    JointLendingTerms,
    _partners,
    split_schedule,
)
from antfin.credit.loan import LoanStatus
from antfin.credit.products import JIEBEI, LoanProduct
from antfin.credit.schedule import LoanRate, RepaymentMethod, Schedule, amortize
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTransitionError,
    InvariantViolationError,
    PolicyViolationError,
)
from antfin.ledger import AccountKind, JournalEntry, Ledger, Posting
from antfin.money import CNY, Money, format_money
from antfin.rates import Rate
from antfin.validators import check_id, check_key

__all__ = [
    "ANT",
    "CBIRC_DRAFT_2020",
    "DEFAULT_JOINT_LENDING",
    "PROSPECTUS_2020",
    "FundingComparison",
    "FundingModel",
    "JointLendingSchedule",
    "JointLendingTerms",
    "JointLoan",
    "JointRepayment",
    "compare_funding_models",
    "split_schedule",
]


@attrs.frozen
class JointRepayment:
    """What one repayment of a joint loan paid, and to whom.

    >>> JointRepayment("r", CNY("10"), CNY("1"), CNY("0.1"), CNY("0.3"), ((1, 2),)).total
    Money('10.00', 'CNY')

    Attributes:
        key: the caller's key.
        total: what the borrower paid.
        ant_interest: interest to Ant's lender (its interest profit point).
        ant_principal: principal back to Ant's lender (off its receivable).
        tech_service_fee: Ant's technology service fee out of the partners' interest.
        instalments: the instalment numbers paid.

    .. versionadded:: 0.2.0
    """

    key: str
    total: Money
    ant_interest: Money
    ant_principal: Money
    tech_service_fee: Money
    instalments: tuple[int, ...]


@attrs.define
class JointLoan:
    """A loan funded jointly by partner banks and Ant's lender, booked on a ledger.

    >>> from antfin.rates import DayCount
    >>> loan = JointLoan(Ledger(), "J", "wallet:b", CNY("100"), LoanRate.annual(Rate.percent("10"), DayCount.ACT_360),
    ...                  1, partners=(("bank-a", 3), ("bank-b", 1)))
    >>> loan.status
    <LoanStatus.APPROVED: 'approved'>

    Args:
        ledger: the ledger.
        loan_id: unique id; ledger keys are ``joint:<loan_id>:…``.
        wallet: the borrower's wallet account id (opened as a non-negative liability if missing).
        principal: the whole loan.
        rate: the contract rate.
        term: months.
        partners: ``(partner id, weight)`` pairs; the partners fund the rest in these proportions.
        product: where Ant's share of the interest is booked (:data:`~antfin.credit.products.JIEBEI`).
        method: the repayment method of the whole loan.
        terms: the joint-lending terms (Ant's share, the fee share).

    Raises:
        TypeError: an id that is not a ``str``, or a ledger, product or terms of the wrong type.
        antfin.errors.InvalidAmountError: a blank id or one with surrounding spaces, bad partners,
            or loan terms :func:`~antfin.credit.schedule.amortize` refuses.

    .. versionadded:: 0.2.0
    """

    ledger: Ledger
    loan_id: str
    wallet: str
    principal: Money
    rate: LoanRate
    term: int
    partners: tuple[tuple[str, int], ...] = attrs.field(converter=_partners)
    product: LoanProduct = JIEBEI
    method: RepaymentMethod = RepaymentMethod.EQUAL_INSTALMENT
    terms: JointLendingTerms = PROSPECTUS_2020
    _status: LoanStatus = attrs.field(init=False, default=LoanStatus.APPROVED)
    _schedule: Schedule | None = attrs.field(init=False, default=None)
    _paid: int = attrs.field(init=False, default=0)
    _disbursed_at: datetime | None = attrs.field(init=False, default=None)
    _disbursement_id: str | None = attrs.field(init=False, default=None)
    _receipts: dict[str, tuple[datetime, JointRepayment]] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(self.ledger).__name__}")
        check_id(self.loan_id, "loan_id")
        check_id(self.wallet, "wallet")
        if not isinstance(self.product, LoanProduct):
            raise TypeError(f"product must be a LoanProduct, not {type(self.product).__name__}")
        if not isinstance(self.terms, JointLendingTerms):
            raise TypeError(f"terms must be JointLendingTerms, not {type(self.terms).__name__}")
        # Validate the loan's terms now, on a nominal date, so a bad loan is refused at construction.
        amortize(self.principal, self.rate, self.term, disbursed_on=date(2000, 1, 1), method=self.method)

    @property
    def status(self) -> LoanStatus:
        """Approved, active, or paid off.

        >>> _demo().status
        <LoanStatus.ACTIVE: 'active'>
        """
        return self._status

    @property
    def receivable_account(self) -> str:
        """The ledger account of Ant's share of the outstanding principal.

        >>> _demo().receivable_account
        'asset:loans:jiebei:J1'
        """
        return loan_receivable(self.product.code, self.loan_id)

    @property
    def schedule(self) -> Schedule:
        """The borrower's schedule of the whole loan (fixed at disbursement).

        >>> _demo().schedule.total_principal
        Money('10000.00', 'CNY')

        Raises:
            antfin.errors.InvalidTransitionError: before disbursement.
        """
        if self._schedule is None:
            raise InvalidTransitionError(f"joint loan {self.loan_id} is not disbursed yet")
        return self._schedule

    def parts(self) -> dict[str, tuple[tuple[Money, Money], ...]]:
        """Each funder's (principal, interest) per instalment (see :func:`split_schedule`).

        >>> _demo().parts()["ant"][0]
        (Money('66.00', 'CNY'), Money('2.00', 'CNY'))
        """
        return split_schedule(self.schedule, self.terms, self.partners)

    def funding(self) -> dict[str, Money]:
        """What each funder lent: Ant's lender first, then the partners.

        >>> _demo().funding()["ant"]
        Money('200.00', 'CNY')
        """
        zero = self.principal.currency.zero()
        return {name: sum((p for p, _ in rows), zero) for name, rows in self.parts().items()}

    def ant_outstanding(self) -> Money:
        """Ant's share of the principal not yet repaid (what its receivable must show).

        >>> _demo().ant_outstanding()
        Money('200.00', 'CNY')
        """
        rows = self.parts()[ANT][self._paid :]
        return sum((principal for principal, _ in rows), self.principal.currency.zero())

    def check_ledger(self) -> None:
        """Check that Ant's receivable equals Ant's share of the outstanding principal.

        >>> _demo().check_ledger()

        Raises:
            antfin.errors.InvariantViolationError: when they differ.
        """
        if self._schedule is None:
            return
        booked = (
            self.ledger.balance(self.receivable_account)
            if self.ledger.has_account(self.receivable_account)
            else (self.principal.currency.zero())
        )
        if booked != self.ant_outstanding():
            raise InvariantViolationError(
                f"joint loan {self.loan_id}: receivable {booked}, Ant's outstanding share {self.ant_outstanding()}"
            )

    def disburse(self, at: datetime) -> JournalEntry:
        """Pay the whole principal into the borrower's wallet: Ant's share from its receivable, each partner's
        through its clearing account. Idempotent at the same instant.

        >>> loan = _demo()
        >>> from antfin.calendar import shanghai
        >>> loan.disburse(shanghai(2024, 1, 10, 9)).key
        'joint:J1:disburse'

        Raises:
            antfin.errors.InvalidTransitionError: the loan is not approved.
            antfin.errors.IdempotencyConflictError: a second disbursement at another instant.
        """
        moment = ensure_aware(at, "at")
        key = f"joint:{self.loan_id}:disburse"
        if self._status is not LoanStatus.APPROVED:
            if self._disbursed_at is None:
                raise InvalidTransitionError(f"joint loan {self.loan_id} is {self._status.value}")
            if self._disbursed_at != moment:
                raise IdempotencyConflictError(f"joint loan {self.loan_id} was disbursed at {self._disbursed_at}")
            return self.ledger.entry(str(self._disbursement_id))
        schedule = amortize(
            self.principal, self.rate, self.term, disbursed_on=local_date(moment), method=self.method,
            rounding=self.product.rounding,
        )  # fmt: skip
        funded = {
            name: sum((p for p, _ in rows), self.principal.currency.zero())
            for name, rows in split_schedule(schedule, self.terms, self.partners).items()
        }
        cur = self.principal.currency
        with self.ledger.atomic():
            if not self.ledger.has_account(self.wallet):
                self.ledger.open_account(self.wallet, AccountKind.LIABILITY, currency=cur, non_negative=True)
            postings = [Posting.credit(self.wallet, self.principal)]
            if funded[ANT]:
                self.ledger.open_account(
                    self.receivable_account, AccountKind.ASSET, currency=cur, owner=self.wallet,
                    purpose=f"{self.product.name} joint loan receivable (Ant's share)",
                )  # fmt: skip
                postings.append(Posting.debit(self.receivable_account, funded[ANT]))
            for name, _ in self.partners:
                if funded[name]:
                    account = self._clearing(name)
                    postings.append(Posting.debit(account, funded[name]))
            entry = self.ledger.post_entry(
                key, postings, at=moment, memo=f"joint loan {self.loan_id} disbursed",
                metadata={"loan_id": self.loan_id, "kind": "joint_disburse"},
            )  # fmt: skip
        self._schedule = schedule
        self._status = LoanStatus.ACTIVE
        self._disbursed_at = moment
        self._disbursement_id = entry.id
        return entry

    def _clearing(self, partner: str) -> str:
        return self.ledger.open_account(
            partner_clearing(partner), AccountKind.ASSET, currency=self.principal.currency,
            purpose=f"Money exchanged with partner bank {partner}",
        ).id  # fmt: skip

    def amount_due(self, on: date) -> Money:
        """What the borrower owes on ``on``: every unpaid instalment due by then.

        >>> _demo().amount_due(date(2024, 2, 10))
        Money('3400.22', 'CNY')
        """
        day = ensure_date(on, "on")
        rows = [row for row in self.schedule.instalments[self._paid :] if row.due <= day]
        return sum((row.total for row in rows), self.principal.currency.zero())

    def repay_due(self, key: str, at: datetime) -> JointRepayment:
        """Repay everything due at ``at``: Ant's share to its receivable and interest profit point, each partner's
        share to its clearing account less Ant's technology service fee. Same key and instant replays.

        >>> from antfin.calendar import shanghai
        >>> loan = _demo()
        >>> loan.repay_due("r1", shanghai(2024, 2, 10)).instalments
        (1,)

        Raises:
            antfin.errors.PolicyViolationError: nothing is due.
            antfin.errors.InsufficientFundsError: the wallet cannot pay what is due.
            antfin.errors.IdempotencyConflictError: ``key`` was used at another instant.
        """
        if any(char.isspace() for char in check_key(key)):
            raise InvalidAmountError(f"key must be a non-empty string without spaces, got {key!r}")
        moment = ensure_aware(at, "at")
        if key in self._receipts:
            first_at, receipt = self._receipts[key]
            if first_at != moment:
                raise IdempotencyConflictError(f"key {key!r} was used at {first_at}, not {moment}")
            return receipt
        if self._status is not LoanStatus.ACTIVE:
            raise InvalidTransitionError(f"joint loan {self.loan_id} is {self._status.value}; nothing to repay")
        day = local_date(moment)
        numbers = [row.number for row in self.schedule.instalments[self._paid :] if row.due <= day]
        if not numbers:
            raise PolicyViolationError(f"joint loan {self.loan_id}: nothing is due on {day}")
        total = self.amount_due(day)
        available = self.ledger.available(self.wallet)
        if available < total:
            raise InsufficientFundsError(f"wallet {self.wallet} has {available}; {total} is due")
        parts = self.parts()
        zero = self.principal.currency.zero()
        ant_principal, ant_interest, fee_total = zero, zero, zero
        postings = [Posting.debit(self.wallet, total)]
        for name, rows in parts.items():
            principal = sum((rows[n - 1][0] for n in numbers), zero)
            interest = sum((rows[n - 1][1] for n in numbers), zero)
            if name == ANT:
                ant_principal, ant_interest = principal, interest
                continue
            fee = sum(
                (self.terms.tech_fee_share.of(rows[n - 1][1], rounding=self.terms.rounding) for n in numbers), zero
            )
            fee_total += fee
            if principal + interest - fee:
                postings.append(Posting.credit(self._clearing_id(name), principal + interest - fee))
        if ant_principal:
            postings.append(Posting.credit(self.receivable_account, ant_principal))
        with self.ledger.atomic():
            for name, _ in self.partners:
                self._clearing(name)
            if ant_interest:
                point = revenue_account(self.ledger, self.product.interest_point, self.principal.currency)
                postings.append(Posting.credit(point, ant_interest))
            if fee_total:
                point = revenue_account(self.ledger, ProfitPoint.CREDIT_TECH_SERVICE_FEE, self.principal.currency)
                postings.append(Posting.credit(point, fee_total))
            self.ledger.post_entry(
                f"joint:{self.loan_id}:repay:{key}", postings, at=moment,
                memo=f"joint loan {self.loan_id} instalment(s) {numbers}",
                metadata={"loan_id": self.loan_id, "kind": "joint_repay"},
            )  # fmt: skip
        receipt = JointRepayment(key, total, ant_interest, ant_principal, fee_total, tuple(numbers))
        self._paid += len(numbers)
        if self._paid == len(self.schedule.instalments):
            self._status = LoanStatus.PAID_OFF
        self._receipts[key] = (moment, receipt)
        return receipt

    @staticmethod
    def _clearing_id(partner: str) -> str:
        return partner_clearing(partner)


@attrs.frozen
class FundingModel:
    """One funding model's figures for a loan book: Ant's capital, revenue and return on capital.

    >>> FundingModel("x", CNY("100"), CNY("100"), CNY("5"), CNY("0")).return_on_capital
    Decimal('0.05')

    Attributes:
        name: ``"balance_sheet"`` or ``"joint_lending"``.
        volume: the loans made to borrowers.
        capital: what Ant's own lender funded.
        interest: interest earned on Ant's own funding.
        tech_service_fee: technology service fees from partner banks.

    .. versionadded:: 0.2.0
    """

    name: str
    volume: Money
    capital: Money
    interest: Money
    tech_service_fee: Money

    @property
    def revenue(self) -> Money:
        """Interest plus technology service fees.

        >>> FundingModel("x", CNY("100"), CNY("2"), CNY("1"), CNY("3")).revenue
        Money('4.00', 'CNY')
        """
        return self.interest + self.tech_service_fee

    @property
    def return_on_capital(self) -> Decimal | None:
        """Revenue ÷ capital (exact), or ``None`` with no capital.

        >>> FundingModel("x", CNY("100"), CNY("0"), CNY("0"), CNY("3")).return_on_capital is None
        True
        """
        if self.capital.is_zero():
            return None
        return Decimal(self.revenue.minor_units) / Decimal(self.capital.minor_units)


_LABELS: Final = {
    "balance_sheet": ("资产负债表模式（自有资金放贷）", "Balance sheet (own funds)"),
    "joint_lending": ("利润表模式（联合贷款）", "Income statement (joint lending)"),
}


@attrs.frozen
class FundingComparison:
    """The same loan book under both funding models, side by side.

    >>> print(_demo_comparison().to_text("en_US"))
    Model                                    Loans       Capital    Revenue  Return
    Balance sheet (own funds)         CN¥10,000.00  CN¥10,000.00  CN¥200.67   2.01%
    Income statement (joint lending)  CN¥10,000.00     CN¥200.00   CN¥63.01  31.50%

    Revenue is over the book's whole life, so the return is not annualized.

    .. versionadded:: 0.2.0
    """

    balance_sheet: FundingModel
    joint_lending: FundingModel
    terms: JointLendingTerms

    def to_text(self, locale: str = "zh_CN") -> str:
        """A small table: loans made, Ant's capital, Ant's revenue, return on capital.

        >>> print(_demo_comparison().to_text().splitlines()[2])
        利润表模式（联合贷款）          ¥10,000.00     ¥200.00  ¥63.01    31.50%
        """
        zh = locale.lower().startswith("zh")
        head = (
            ("模式", "放款", "自有资金", "收入", "资本回报")
            if zh
            else ("Model", "Loans", "Capital", "Revenue", "Return")
        )
        table = [head]
        for model in (self.balance_sheet, self.joint_lending):
            ratio = model.return_on_capital
            table.append(
                (
                    _LABELS[model.name][0 if zh else 1],
                    format_money(model.volume, locale),
                    format_money(model.capital, locale),
                    format_money(model.revenue, locale),
                    "—" if ratio is None else f"{(ratio * 100).quantize(Decimal('0.01'))}%",
                )
            )
        widths = [max(_width(row[column]) for row in table) for column in range(len(head))]
        lines = [
            "  ".join(
                cell + " " * (widths[0] - _width(cell)) if column == 0 else " " * (widths[column] - _width(cell)) + cell
                for column, cell in enumerate(row)
            )
            for row in table
        ]
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """JSON-compatible data (amounts as strings, ratios as decimal strings).

        >>> _demo_comparison().to_json()["joint_lending"]["capital"]
        {'amount': '200.00', 'currency': 'CNY'}
        """

        def money(value: Money) -> dict[str, str]:
            return {"amount": str(value.amount), "currency": value.currency.code}

        def model(value: FundingModel) -> dict[str, Any]:
            ratio = value.return_on_capital
            return {
                "volume": money(value.volume),
                "capital": money(value.capital),
                "interest": money(value.interest),
                "tech_service_fee": money(value.tech_service_fee),
                "revenue": money(value.revenue),
                "return_on_capital": None if ratio is None else str(ratio.quantize(Decimal("0.000001"))),
            }

        return {
            "terms": {"version": self.terms.version, "ant_share": str(self.terms.ant_share.value),
                      "tech_fee_share": str(self.terms.tech_fee_share.value), "source": self.terms.source},
            "balance_sheet": model(self.balance_sheet),
            "joint_lending": model(self.joint_lending),
        }  # fmt: skip


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def compare_funding_models(
    book: Sequence[Schedule],
    terms: JointLendingTerms = PROSPECTUS_2020,
    partners: Sequence[tuple[str, int]] = (("partner", 1),),
) -> FundingComparison:
    """Put one loan book under both funding models: Ant lends everything itself (balance sheet), or partners
    fund all but Ant's share and pay Ant a technology service fee (joint lending, the income statement).

    >>> from antfin.credit.schedule import LoanRate, amortize
    >>> from antfin.rates import DayCount
    >>> rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    >>> book = [amortize(CNY("5000"), rate, 12, disbursed_on=date(2024, 1, 10))] * 2
    >>> comparison = compare_funding_models(book)
    >>> comparison.balance_sheet.capital, comparison.joint_lending.capital
    (Money('10000.00', 'CNY'), Money('200.00', 'CNY'))

    Args:
        book: the loans' schedules (from :func:`~antfin.credit.schedule.amortize`).
        terms: Ant's share and the fee share.
        partners: the partner banks and their weights.

    .. versionadded:: 0.2.0
    """
    currency = book[0].principal.currency if book else CNY
    zero = currency.zero()
    volume, interest, ant_capital, ant_interest, fees = zero, zero, zero, zero, zero
    for schedule in book:
        volume += schedule.total_principal
        interest += schedule.total_interest
        for name, rows in split_schedule(schedule, terms, partners).items():
            for principal, part_interest in rows:
                if name == ANT:
                    ant_capital += principal
                    ant_interest += part_interest
                else:
                    fees += terms.tech_fee_share.of(part_interest, rounding=terms.rounding)
    return FundingComparison(
        FundingModel("balance_sheet", volume, volume, interest, zero),
        FundingModel("joint_lending", volume, ant_capital, ant_interest, fees),
        terms,
    )


def _demo() -> JointLoan:
    from antfin.calendar import shanghai
    from antfin.rates import DayCount

    loan = JointLoan(
        Ledger(), "J1", "wallet:amy", CNY("10000"), LoanRate.annual(Rate.percent("12"), DayCount.ACT_360), 3,
        partners=(("bank-a", 1),),
    )  # fmt: skip
    loan.disburse(shanghai(2024, 1, 10, 9))
    return loan


def _demo_comparison() -> FundingComparison:
    from antfin.rates import DayCount

    rate = LoanRate.annual(Rate.percent("12"), DayCount.ACT_360)
    return compare_funding_models([amortize(CNY("10000"), rate, 3, disbursed_on=date(2024, 1, 10))])

"""Huabei purchases: buying on credit (directly or by funding an escrow trade) and refunds of purchases.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from antfin.archive import Archive
from antfin.calendar import ensure_aware, local_date
from antfin.chart import ProfitPoint, wallet
from antfin.credit.huabei_bills import (
    BillLine,
    LineKind,
)
from antfin.credit.huabei_channels import MerchantChannel
from antfin.credit.huabei_instalments import (
    EarlySettlement,
    plan_instalments,
)
from antfin.errors import (
    InvalidAmountError,
    InvalidTimeError,
    LimitExceededError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.idempotency import IdempotencyRecord, remember
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.ledger import Hold, Ledger
from antfin.money import Money, Rounding
from antfin.payments.escrow import EscrowTrade, Release
from antfin.validators import check_positive

if TYPE_CHECKING:
    pass
from antfin.credit import huabei as _huabei


class _Purchases:
    """Purchases, escrow funding and refunds of :class:`~antfin.credit.huabei.HuabeiAccount`."""

    # At run time the mixin adds no instance storage (the public class holds the state); for the type
    # checker, the state and the methods of the other concerns it uses are declared below.
    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:
        _bills: list[_huabei.BillRecord]

        def _check_open_cycle(self, day: date, field: str) -> date: ...

        _escrow: dict[str, str]

        def _ledger_key(self, key: str, step: str) -> str: ...

        _plans: dict[str, _huabei.PlanRecord]

        def _post(self, action: Callable[[], object]) -> None: ...

        _purchases: dict[str, _huabei.Purchase]
        _purchase_log: Archive[str, _huabei.Purchase]
        _refund_log: Archive[str, _huabei.RefundTally]

        def _archive_paid(self) -> None: ...
        def _find_bill(self, statement_date: date) -> _huabei.BillRecord | None: ...
        def _find_purchase(self, key: str) -> _huabei.Purchase | None: ...
        def _last_statement(self) -> date | None: ...
        def _refund_tally(self, purchase: _huabei.Purchase) -> tuple[int, Money, Money]: ...
        def _record(self, at: datetime, kind: str, reference: str, amount: Money) -> None: ...
        def _refresh(self, day: date) -> None: ...

        _refunded: dict[str, tuple[Money, Money]]

        def _replay(self, key: str, fingerprint: str, result_type: type[_huabei._T]) -> _huabei._T | None: ...

        _requests: Archive[
            str, IdempotencyRecord[_huabei.Purchase | Money | _huabei.Repayment | _huabei.PlanRecord | EarlySettlement]
        ]

        def _settle_if_paid(self, record: _huabei.BillRecord, day: date) -> None: ...

        _unbilled: list[tuple[date, BillLine]]

        def bill(self, statement_date: date) -> _huabei.BillRecord: ...

        config: _huabei.HuabeiConfig

        @property
        def credit_line(self) -> _huabei.CreditLine: ...

        ledger: Ledger

        @property
        def receivable(self) -> str: ...

        user: str

        @property
        def wallet(self) -> str: ...

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
    ) -> _huabei.Purchase:
        """Pay ``merchant`` with Huabei; optionally in instalments (merchant-paid: 免息分期).

        This is also the hook for an escrow trade: call it when the buyer confirms receipt,
        with the trade's number as ``key`` and its amount, seller and confirmation instant.

        >>> from antfin.credit.huabei import HuabeiAccount
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
        money = check_positive(amount, "amount")
        when = ensure_aware(at, "at")
        if not isinstance(channel, MerchantChannel):
            raise TypeError(f"channel must be a MerchantChannel, not {type(channel).__name__}")
        if not isinstance(merchant_paid, bool):
            raise TypeError(f"merchant_paid must be a bool, not {type(merchant_paid).__name__}")
        fingerprint = request_fingerprint("purchase", merchant, money, channel, instalments, merchant_paid)
        replay = self._replay(key, fingerprint, _huabei.Purchase)
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
            self._plans[plan_id] = _huabei.PlanRecord(plan_id, plan, statement, f"purchase:{key}")
        result = _huabei.Purchase(key, merchant, money, channel, when, posted_on, statement, fee, plan_id)
        self._purchase_log[key] = result
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

        >>> from antfin.credit.huabei import HuabeiAccount
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

        >>> from antfin.credit.huabei import HuabeiAccount
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

        >>> from antfin.credit.huabei import HuabeiAccount
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

        >>> from antfin.credit.huabei import HuabeiAccount
        >>> from antfin.ledger import Ledger
        >>> HuabeiAccount(Ledger(), "amy", CNY("500")).on_escrow_release  # doctest: +ELLIPSIS
        <bound method ...on_escrow_release of HuabeiAccount(...)>
        """
        merchant = self._escrow.pop(release.out_trade_no, None)
        if merchant is None:
            return
        posted_on = local_date(release.at)
        statement = self._check_open_cycle(posted_on, "at")
        key = f"escrow:{release.out_trade_no}"
        zero = release.amount.currency.zero()
        self._unbilled.append((statement, BillLine(posted_on, LineKind.PURCHASE, release.amount, key)))
        self._purchase_log[key] = _huabei.Purchase(
            key, merchant, release.amount, MerchantChannel.TAOBAO, release.at, posted_on, statement, zero
        )
        self._record(release.at, "escrow purchase", key, release.amount)

    def refund(self, key: str, purchase_id: str, amount: Money, *, at: datetime) -> Money:
        """Refund (part of) a purchase: the merchant pays back, the line is restored.

        Inside the purchase's cycle the refund reduces the coming bill; after its bill was
        issued it reduces that bill's outstanding, and any rest is a credit on the next bill.
        The merchant's acquiring fee is returned pro rata (cfg ``refund_merchant_fee``).

        >>> from antfin.credit.huabei import HuabeiAccount
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
        money = check_positive(amount, "amount")
        when = ensure_aware(at, "at")
        fingerprint = request_fingerprint("refund", purchase_id, money)
        replay = self._replay(key, fingerprint, Money)
        if replay is not None:
            return replay
        purchase = self._find_purchase(purchase_id)
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
        number, refunded, fee_returned = self._refund_tally(purchase)
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
        last = self._last_statement()
        if last is not None and purchase.statement_date <= last:
            target = self._find_bill(purchase.statement_date)  # an archived (paid) bill takes nothing more
        to_bill = min(money, target.outstanding) if target is not None else zero
        self._refresh(day)
        self._post(book)
        if target is not None and to_bill.is_positive():
            target.reductions.append((day, to_bill))
            self._settle_if_paid(target, day)
            self._archive_paid()
        rest = money - to_bill
        if rest.is_positive():
            self._unbilled.append((statement, BillLine(day, LineKind.REFUND, -rest, key)))
        tally = _huabei.RefundTally(purchase_id, number + 1, refunded + money, fee_returned + fee_back, purchase.amount)
        self._refund_log[f"{purchase_id}#{number + 1}"] = tally
        remember(self._requests, key, fingerprint, money)
        self._record(when, "refund", key, money)
        return money

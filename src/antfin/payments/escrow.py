"""The escrow trade (担保交易): pay into escrow, ship, confirm, release minus the acquiring fee.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import Ledger
>>> from antfin.payments import Account, AccountType, EscrowDesk, GoodsType
>>> ledger = Ledger()
>>> buyer = Account.open(ledger, "buyer", opened_at=shanghai(2024, 5, 1))
>>> seller = Account.open(ledger, "shop", opened_at=shanghai(2024, 5, 1), account_type=AccountType.MERCHANT)
>>> buyer.link_card("ICBC-1", at=shanghai(2024, 5, 1))
>>> _ = buyer.top_up("t1", card="ICBC-1", amount=CNY("100.00"), at=shanghai(2024, 5, 1))
>>> desk = EscrowDesk(ledger)
>>> trade = desk.create("T1001", buyer=buyer, seller=seller, amount=CNY("100.00"),
...                     goods=GoodsType.PHYSICAL_EXPRESS, timeout="15m", at=shanghai(2024, 5, 1, 10))
>>> _ = trade.pay(at=shanghai(2024, 5, 1, 10, 5))
>>> buyer.available(), seller.balance()          # on hold: not the seller's yet
(Money('0.00', 'CNY'), Money('0.00', 'CNY'))
>>> trade.ship(at=shanghai(2024, 5, 2))
>>> trade.confirm(at=shanghai(2024, 5, 4)).fee
Money('0.60', 'CNY')
>>> trade.status, seller.balance()
(<TradeStatus.TRADE_SUCCESS: 'TRADE_SUCCESS'>, Money('99.40', 'CNY'))

Statuses mirror Alipay's trade API. Paying puts a ledger hold from the buyer's
wallet to the seller's: the money stays in the buyer's wallet, reserved, until
receipt is confirmed (by the buyer, or automatically after the goods type's
period), when the hold is posted and the acquiring fee is booked from the
seller to ``ProfitPoint.ALIPAY_ACQUIRING_COMMISSION``. A partial refund before
release voids the hold and re-holds the rest in one atomic step, so the pending
hold always equals paid − released − refunded.

Every operation takes its instant; it first brings the trade to that instant
(:meth:`EscrowTrade.advance_to`: unpaid timeout, auto-confirm, end of the refund
window), then acts. Instants may not go backwards on one trade.

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Concatenate, Final, NoReturn, ParamSpec, Protocol, TypeVar, runtime_checkable

import attrs
from dateutil.relativedelta import relativedelta

from antfin.calendar import LATEST_DATE, SHANGHAI, ensure_aware, local_date
from antfin.chart import ProfitPoint, revenue_account
from antfin.errors import (
    IdempotencyConflictError,
    InsufficientFundsError,
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
    PolicyViolationError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.idempotency import same_request
from antfin.ledger import AccountKind, Hold, HoldStatus, Ledger
from antfin.money import CNY, AmountLike, Money
from antfin.payments.account import Account
from antfin.payments.fees import DEFAULT_ACQUIRING_FEES, AcquiringFeeSchedule
from antfin.payments.refunds import Arbitration, Refund, RefundReason, RefundRequest, RefundStage, RequestStatus
from antfin.payments.timeouts import PaymentTimeout

__all__ = [
    "MAX_EXTENSION",
    "EscrowDesk",
    "EscrowFunding",
    "EscrowPolicy",
    "EscrowTrade",
    "GoodsType",
    "Release",
    "ReleaseListener",
    "TradeAction",
    "TradeStatus",
    "Transition",
]

_TRADE_NO: Final = re.compile(r"[A-Za-z0-9_\-]{1,64}")
_MAX_AMOUNT: Final = CNY("100000000.00")
_ZERO: Final = CNY.zero()

#: The longest the confirmation clock may be extended in one call, and the latest
#: deadline it may reach (checked before any date arithmetic, so nothing overflows).
MAX_EXTENSION: Final = timedelta(days=365)
_LATEST_INSTANT: Final = datetime(LATEST_DATE.year, 12, 31, 23, 59, 59, tzinfo=SHANGHAI)

_P = ParamSpec("_P")
_R = TypeVar("_R")


@runtime_checkable
class EscrowFunding(Protocol):
    """A credit product that can fund an escrow payment for its own user (Huabei's line).

    The trade asks it to check the trade (its buyer, the line's limit) and name the ledger
    account to hold from, then tells it the payment was booked, inside the same ledger block:
    only the product that owns a credit line can spend it, never a bare account id from outside.

    >>> from antfin.credit import HuabeiAccount
    >>> issubclass(HuabeiAccount, EscrowFunding)
    True

    .. versionadded:: 0.2.0
    """

    def escrow_funding_account(self, trade: EscrowTrade) -> str:
        """Check that the product may fund ``trade`` (its buyer, its limit) and return the account it lends from.

        >>> "escrow_funding_account" in dir(EscrowFunding)
        True

        .. versionadded:: 0.2.0
        """
        ...  # pragma: no cover

    def escrow_funded(self, trade: EscrowTrade, at: datetime) -> None:
        """Record the funding; called inside the payment's ledger block (raise to refuse: nothing is booked).

        >>> "escrow_funded" in dir(EscrowFunding)
        True

        .. versionadded:: 0.2.0
        """
        ...  # pragma: no cover


def _all_or_nothing(method: Callable[Concatenate[EscrowTrade, _P], _R]) -> Callable[Concatenate[EscrowTrade, _P], _R]:
    """Run a trade operation in one ledger block; a refused call restores the trade and books nothing.

    The timeouts due before the call are applied inside the same block, so a call
    refused after them leaves them unapplied, as if it had never been made.
    """

    @functools.wraps(method)
    def run(self: EscrowTrade, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        saved = (self._state, self._clock, len(self._transitions), dict(self._refunds), dict(self._requests))
        try:
            with self.ledger.atomic():
                return method(self, *args, **kwargs)
        except BaseException:
            self._state, self._clock = saved[0], saved[1]
            del self._transitions[saved[2] :]
            self._refunds.clear()
            self._refunds.update(saved[3])
            self._requests.clear()
            self._requests.update(saved[4])
            raise

    return run


class GoodsType(enum.Enum):
    """How the goods reach the buyer; sets the auto-confirm period.

    >>> EscrowPolicy().auto_confirm_period(GoodsType.VIRTUAL)
    datetime.timedelta(days=3)

    .. versionadded:: 0.1.0
    """

    PHYSICAL_EXPRESS = "physical_express"
    ORDINARY_MAIL = "ordinary_mail"
    VIRTUAL = "virtual"
    AUTO_DELIVERY = "auto_delivery"


class TradeStatus(enum.Enum):
    """Alipay's trade statuses.

    >>> TradeStatus.TRADE_SUCCESS.is_final, TradeStatus.TRADE_FINISHED.is_final
    (False, True)

    .. versionadded:: 0.1.0
    """

    WAIT_BUYER_PAY = "WAIT_BUYER_PAY"
    WAIT_SELLER_SEND_GOODS = "WAIT_SELLER_SEND_GOODS"
    WAIT_BUYER_CONFIRM_GOODS = "WAIT_BUYER_CONFIRM_GOODS"
    TRADE_SUCCESS = "TRADE_SUCCESS"
    TRADE_FINISHED = "TRADE_FINISHED"
    TRADE_CLOSED = "TRADE_CLOSED"

    @property
    def is_final(self) -> bool:
        """``True`` for ``TRADE_FINISHED`` and ``TRADE_CLOSED``: nothing more can happen.

        >>> TradeStatus.TRADE_CLOSED.is_final
        True
        """
        return self in (TradeStatus.TRADE_FINISHED, TradeStatus.TRADE_CLOSED)


class TradeAction(enum.Enum):
    """What can happen to a trade; each is legal only in some statuses (see ``LEGAL_ACTIONS``).

    >>> TradeAction.AUTO_CONFIRM.value
    'auto_confirm'

    .. versionadded:: 0.1.0
    """

    PAY = "pay"
    CANCEL = "cancel"
    TIMEOUT = "timeout"
    SHIP = "ship"
    EXTEND = "extend"
    CONFIRM = "confirm"
    AUTO_CONFIRM = "auto_confirm"
    FINISH = "finish"
    REFUND = "refund"
    REQUEST_REFUND = "request_refund"
    AGREE_REFUND = "agree_refund"
    REFUSE_REFUND = "refuse_refund"
    WITHDRAW_REQUEST = "withdraw_request"
    ARBITRATE = "arbitrate"


_S = TradeStatus
_A = TradeAction
_REFUNDING: Final = (_A.REFUND, _A.REQUEST_REFUND, _A.AGREE_REFUND, _A.REFUSE_REFUND, _A.WITHDRAW_REQUEST, _A.ARBITRATE)

#: For each status, the legal actions and the status each leads to. The refund
#: actions keep the status, except that a refund of everything left closes the trade.
LEGAL_ACTIONS: Final[Mapping[TradeStatus, Mapping[TradeAction, TradeStatus]]] = {
    _S.WAIT_BUYER_PAY: {_A.PAY: _S.WAIT_SELLER_SEND_GOODS, _A.CANCEL: _S.TRADE_CLOSED, _A.TIMEOUT: _S.TRADE_CLOSED},
    _S.WAIT_SELLER_SEND_GOODS: {_A.SHIP: _S.WAIT_BUYER_CONFIRM_GOODS}
    | dict.fromkeys(_REFUNDING, _S.WAIT_SELLER_SEND_GOODS),
    _S.WAIT_BUYER_CONFIRM_GOODS: {
        _A.CONFIRM: _S.TRADE_SUCCESS,
        _A.AUTO_CONFIRM: _S.TRADE_SUCCESS,
        _A.EXTEND: _S.WAIT_BUYER_CONFIRM_GOODS,
    }
    | dict.fromkeys(_REFUNDING, _S.WAIT_BUYER_CONFIRM_GOODS),
    _S.TRADE_SUCCESS: {_A.FINISH: _S.TRADE_FINISHED} | dict.fromkeys(_REFUNDING, _S.TRADE_SUCCESS),
    _S.TRADE_FINISHED: {},
    _S.TRADE_CLOSED: {},
}


def _auto_confirm_defaults() -> tuple[tuple[GoodsType, timedelta], ...]:
    return (
        (GoodsType.PHYSICAL_EXPRESS, timedelta(days=10)),
        (GoodsType.ORDINARY_MAIL, timedelta(days=30)),
        (GoodsType.VIRTUAL, timedelta(days=3)),
        (GoodsType.AUTO_DELIVERY, timedelta(hours=24)),
    )


def _auto_confirm(
    value: Mapping[GoodsType, timedelta] | tuple[tuple[GoodsType, timedelta], ...],
) -> tuple[tuple[GoodsType, timedelta], ...]:
    pairs = dict(value.items() if isinstance(value, Mapping) else value)
    missing = [goods.value for goods in GoodsType if goods not in pairs]
    if missing:
        raise InvalidTimeError(f"auto_confirm must give a period for every goods type; missing {', '.join(missing)}")
    for goods, period in pairs.items():
        if not isinstance(period, timedelta) or period <= timedelta(0):
            raise InvalidTimeError(
                f"auto_confirm period for {goods.value} must be a positive timedelta, got {period!r}"
            )
    return tuple((goods, pairs[goods]) for goods in GoodsType)


def _window(_instance: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise InvalidTimeError(f"refund_window_months must be a non-negative int, got {value!r}")


@attrs.frozen
class EscrowPolicy:
    """The escrow contract's parameters (cfg).

    Defaults: auto-confirm 10 days after shipping for express/physical goods, 30
    days for ordinary mail, 3 days for virtual goods, 24 hours for auto-delivery
    (Taobao's confirmation rules); refunds allowed for 3 months after success
    (Alipay's default refund window); the default acquiring fee schedule; and
    the acquiring fee is *not* returned on refunds (a contract setting).

    >>> policy = EscrowPolicy(refund_returns_fee=True)
    >>> policy.auto_confirm_period(GoodsType.ORDINARY_MAIL), policy.refund_window_months
    (datetime.timedelta(days=30), 3)

    .. versionadded:: 0.1.0
    """

    auto_confirm: tuple[tuple[GoodsType, timedelta], ...] = attrs.field(
        factory=_auto_confirm_defaults, converter=_auto_confirm
    )
    refund_window_months: int = attrs.field(default=3, validator=_window)
    acquiring_fees: AcquiringFeeSchedule = DEFAULT_ACQUIRING_FEES
    refund_returns_fee: bool = False

    def auto_confirm_period(self, goods: GoodsType) -> timedelta:
        """How long after shipping receipt is confirmed automatically.

        >>> EscrowPolicy().auto_confirm_period(GoodsType.AUTO_DELIVERY)
        datetime.timedelta(days=1)
        """
        return dict(self.auto_confirm)[goods]


@attrs.frozen
class Transition:
    """One recorded step of a trade: when, what, from which status to which.

    >>> from antfin.calendar import shanghai
    >>> Transition(shanghai(2024, 5, 1), TradeAction.PAY, TradeStatus.WAIT_BUYER_PAY,
    ...            TradeStatus.WAIT_SELLER_SEND_GOODS).to_status.value
    'WAIT_SELLER_SEND_GOODS'

    .. versionadded:: 0.1.0
    """

    at: datetime
    action: TradeAction
    from_status: TradeStatus
    to_status: TradeStatus
    detail: str = ""


@attrs.frozen
class Release:
    """Funds released to the seller on confirmation: what Huabei and others listen for.

    >>> from antfin.calendar import shanghai
    >>> r = Release("T1", "buyer", "shop", CNY("100.00"), CNY("0.60"), shanghai(2024, 5, 4), False, ("E1", "E2"))
    >>> r.net
    Money('99.40', 'CNY')

    Attributes:
        out_trade_no: the trade.
        buyer_id: the buyer's account id.
        seller_id: the seller's account id.
        amount: released (paid minus refunds before release).
        fee: acquiring fee booked from the seller.
        at: when.
        automatic: confirmed by the clock rather than the buyer.
        entry_ids: the release entry and the fee entry.

    .. versionadded:: 0.1.0
    """

    out_trade_no: str
    buyer_id: str
    seller_id: str
    amount: Money
    fee: Money
    at: datetime
    automatic: bool
    entry_ids: tuple[str, ...]

    @property
    def net(self) -> Money:
        """What the seller keeps, amount minus fee.

        >>> from antfin.calendar import shanghai
        >>> Release("T", "b", "s", CNY("10"), CNY("0.06"), shanghai(2024, 1, 1), True, ()).net
        Money('9.94', 'CNY')
        """
        return self.amount - self.fee


#: A callable told about each release, inside the same atomic ledger block
#: (raise to refuse the release: nothing is committed).
ReleaseListener = Callable[[Release], object]


@attrs.frozen
class _State:
    status: TradeStatus = TradeStatus.WAIT_BUYER_PAY
    hold_id: str | None = None
    hold_seq: int = 0
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    released_at: datetime | None = None
    released: Money = _ZERO
    fee: Money = _ZERO
    fee_returned: Money = _ZERO
    refunded_before: Money = _ZERO
    refunded_after: Money = _ZERO
    extension: timedelta = timedelta(0)
    paused: timedelta = timedelta(0)
    request: RefundRequest | None = None
    funded_by: str | None = None


def _half_up_ratio(total: int, numerator: int, denominator: int) -> int:
    """round-half-up(total × numerator / denominator) for non-negative integers, exactly."""
    return (2 * total * numerator + denominator) // (2 * denominator)


@attrs.define(eq=False)
class EscrowTrade:
    """An escrow trade between a buyer and a seller; create it with :meth:`EscrowDesk.create`.

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import Ledger
    >>> ledger = Ledger()
    >>> buyer = Account.open(ledger, "b", opened_at=shanghai(2024, 1, 1))
    >>> seller = Account.open(ledger, "s", opened_at=shanghai(2024, 1, 1))
    >>> trade = EscrowDesk(ledger).create("T1", buyer=buyer, seller=seller, amount=CNY("9.90"),
    ...                                   goods=GoodsType.VIRTUAL, timeout="1c", at=shanghai(2024, 1, 1, 22))
    >>> trade.pay_deadline.isoformat()
    '2024-01-02T00:00:00+08:00'
    >>> trade.advance_to(shanghai(2024, 1, 2))[0].action
    <TradeAction.TIMEOUT: 'timeout'>
    >>> trade.status
    <TradeStatus.TRADE_CLOSED: 'TRADE_CLOSED'>

    .. versionadded:: 0.1.0
    """

    ledger: Ledger
    out_trade_no: str
    buyer: Account
    seller: Account
    amount: Money
    goods: GoodsType
    timeout: PaymentTimeout
    created_at: datetime
    policy: EscrowPolicy
    subject: str = ""
    _listeners: list[ReleaseListener] = attrs.field(factory=list)
    _clock: datetime | None = None
    _state: _State = attrs.field(factory=_State, init=False)
    _transitions: list[Transition] = attrs.field(factory=list, init=False)
    _refunds: dict[str, Refund] = attrs.field(factory=dict, init=False)
    _requests: dict[str, RefundRequest] = attrs.field(factory=dict, init=False)

    # -- the one state-changing method ---------------------------------------------------

    def _apply(
        self,
        action: TradeAction,
        at: datetime,
        state: _State,
        *,
        detail: str = "",
        refund: Refund | None = None,
        settled: RefundRequest | None = None,
    ) -> Transition:
        """The one method that changes a trade: check ``action``, swap in ``state``, record the step.

        ``refund`` is an executed refund to file; ``settled`` a refund request
        leaving the open states; ``state.request`` the (new) open request.
        """
        current = self._state.status
        target = self._target(action)
        if state.status is not target and not (action in _REFUNDING and state.status is TradeStatus.TRADE_CLOSED):
            raise InvalidTransitionError(
                f"{action.value} cannot lead trade {self.out_trade_no!r} from {current.value} to {state.status.value}"
            )
        transition = Transition(at, action, current, state.status, detail)
        if settled is not None:
            self._requests[settled.out_request_no] = settled
        if state.request is not None:
            self._requests[state.request.out_request_no] = state.request
        if refund is not None:
            self._refunds[refund.out_request_no] = refund
        self._state = state
        self._transitions.append(transition)
        return transition

    def _target(self, action: TradeAction) -> TradeStatus:
        status = self._state.status
        target = LEGAL_ACTIONS[status].get(action)
        if target is None:
            raise InvalidTransitionError(
                f"cannot {action.value.replace('_', ' ')} trade {self.out_trade_no!r} in status {status.value}"
            )
        return target

    def _begin(self, at: datetime) -> datetime:
        when = ensure_aware(at)
        self.advance_to(when)
        return when

    # -- invariants -----------------------------------------------------------------------

    def check_invariants(self) -> None:
        """Raise unless the trade's state is one the API can reach; with a ledger, check its escrow hold too.

        Run on every loaded trade (:mod:`antfin.serialization`): statuses agree with
        the amounts, amounts are non-negative and within what was paid, the refunds
        on file add up, and the pending escrow hold exists in the ledger for exactly
        what is in escrow, from the funding account to the seller.

        >>> _demo_trade().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.

        .. versionadded:: 0.2.0
        """
        state = self._state

        def fail(rule: str) -> NoReturn:
            raise InvariantViolationError(f"trade {self.out_trade_no!r} ({state.status.value}): {rule}")

        if self.buyer.account_id == self.seller.account_id:
            fail("the buyer is the seller")
        if not _ZERO < self.amount <= _MAX_AMOUNT:
            fail(f"amount {self.amount} is outside 0.01 .. {_MAX_AMOUNT}")
        amounts = (state.released, state.fee, state.fee_returned, state.refunded_before, state.refunded_after)
        if any(value.currency != CNY or value.is_negative() for value in amounts):
            fail("amounts must be non-negative CNY")
        if state.extension < timedelta(0) or state.paused < timedelta(0):
            fail("the confirmation clock may only be extended or paused, never shortened")
        paid = self.paid
        if state.paid_at is None and (
            state.status not in (TradeStatus.WAIT_BUYER_PAY, TradeStatus.TRADE_CLOSED) or any(amounts)
        ):
            fail("an unpaid trade has moved money or left the unpaid states")
        if (state.status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS) and state.shipped_at is None:
            fail("a shipped trade needs a shipping time")
        released = state.status in (TradeStatus.TRADE_SUCCESS, TradeStatus.TRADE_FINISHED)
        if state.status is not TradeStatus.TRADE_CLOSED and released != (state.released_at is not None):
            fail("released_at disagrees with the status")
        if state.released_at is None and (state.released or state.fee or state.refunded_after):
            fail("money was released or refunded after release without a release")
        if state.released + state.refunded_before > paid or state.refunded_after > state.released:
            fail(f"released {state.released} and refunded {self.refunded} exceed what was paid ({paid})")
        if state.fee > state.released or state.fee_returned > state.fee:
            fail("the fee exceeds what was released, or more fee was returned than charged")
        if sum((refund.amount for refund in self._refunds.values()), _ZERO) != self.refunded:
            fail("the refunds on file do not add up to the refunded total")
        if self._clock is not None and self._clock < self.created_at:
            fail("its clock is before its creation")
        self._deadline_of(state)  # within the calendar's range
        escrow = self.in_escrow
        if escrow.is_negative() or (state.hold_id is None) != escrow.is_zero():
            fail(f"{escrow} is in escrow but the hold is {state.hold_id!r}")
        if state.funded_by is not None and state.funded_by in (self.buyer.wallet_id, self.seller.wallet_id):
            fail("funded by a wallet of one of the parties")
        if isinstance(self.ledger, Ledger) and state.hold_id is not None:
            self._check_hold(state.hold_id, escrow, fail)

    def _check_hold(self, hold_id: str, escrow: Money, fail: Callable[[str], NoReturn]) -> None:
        try:
            hold = self.ledger.get_hold(hold_id)
        except NotFoundError:
            fail(f"escrow hold {hold_id!r} is not in the ledger")
        source = self._state.funded_by or self.buyer.wallet_id
        if (hold.status, hold.amount, hold.debit, hold.credit) != (
            HoldStatus.PENDING,
            escrow,
            source,
            self.seller.wallet_id,
        ):
            fail(
                f"escrow hold {hold_id!r} is {hold.status.value} {hold.amount} from {hold.debit} to {hold.credit}; "
                f"expected pending {escrow} from {source} to {self.seller.wallet_id}"
            )

    # -- queries --------------------------------------------------------------------------

    @property
    def status(self) -> TradeStatus:
        """The current status.

        >>> _demo_trade().status
        <TradeStatus.WAIT_BUYER_PAY: 'WAIT_BUYER_PAY'>
        """
        return self._state.status

    @property
    def transitions(self) -> tuple[Transition, ...]:
        """Every recorded step, in order (creation is the first, from and to ``WAIT_BUYER_PAY``).

        >>> [t.action.value for t in _demo_trade().transitions]
        []
        """
        return tuple(self._transitions)

    @property
    def paid(self) -> Money:
        """What the buyer paid into escrow (zero before payment).

        >>> _demo_trade().paid
        Money('0.00', 'CNY')
        """
        return self.amount if self._state.paid_at is not None else self.amount.currency.zero()

    @property
    def refunded(self) -> Money:
        """Total refunded so far, before and after release.

        >>> _demo_trade().refunded
        Money('0.00', 'CNY')
        """
        return self._state.refunded_before + self._state.refunded_after

    @property
    def refundable(self) -> Money:
        """What can still be refunded, paid minus refunded.

        >>> _demo_trade().refundable
        Money('0.00', 'CNY')
        """
        return self.paid - self.refunded

    @property
    def released(self) -> Money:
        """What was released to the seller on confirmation (gross of the fee).

        >>> _demo_trade().released
        Money('0.00', 'CNY')
        """
        return self._state.released

    @property
    def in_escrow(self) -> Money:
        """Money held for the seller right now, paid − released − refunded before release.

        >>> _demo_trade().in_escrow
        Money('0.00', 'CNY')
        """
        return self.paid - self._state.released - self._state.refunded_before

    @property
    def fee(self) -> Money:
        """The acquiring fee booked on release, minus any fee returned on refunds.

        >>> _demo_trade().fee
        Money('0.00', 'CNY')
        """
        return self._state.fee - self._state.fee_returned

    @property
    def funded_by(self) -> str | None:
        """The ledger account that funds the escrow instead of the buyer's wallet (a Huabei line), if any.

        >>> _demo_trade().funded_by is None
        True
        """
        return self._state.funded_by

    @property
    def hold_id(self) -> str | None:
        """The ledger id of the pending escrow hold, if money is in escrow.

        >>> _demo_trade().hold_id is None
        True
        """
        return self._state.hold_id

    @property
    def refunds(self) -> tuple[Refund, ...]:
        """Executed refunds, in order.

        >>> _demo_trade().refunds
        ()
        """
        return tuple(self._refunds.values())

    @property
    def refund_requests(self) -> tuple[RefundRequest, ...]:
        """Every refund request in its latest state, in order of opening.

        >>> _demo_trade().refund_requests
        ()
        """
        return tuple(self._requests.values())

    @property
    def open_request(self) -> RefundRequest | None:
        """The unresolved refund request, if any (it pauses the auto-confirm clock).

        >>> _demo_trade().open_request is None
        True
        """
        return self._state.request

    @property
    def pay_deadline(self) -> datetime:
        """When an unpaid trade closes (at that instant).

        >>> _demo_trade().pay_deadline.isoformat()
        '2024-05-01T10:15:00+08:00'
        """
        return self.timeout.deadline(self.created_at)

    @property
    def confirm_deadline(self) -> datetime | None:
        """When receipt is confirmed automatically; ``None`` before shipping or while a request is open.

        Shipping time + the goods type's period + the seller's extensions + the
        time refund requests were open after shipping.

        >>> _demo_trade().confirm_deadline is None
        True
        """
        return self._deadline_of(self._state)

    def _deadline_of(self, state: _State) -> datetime | None:
        if state.shipped_at is None or state.request is not None:
            return None
        span = self.policy.auto_confirm_period(self.goods) + state.extension + state.paused
        if span > timedelta(days=366 * 1200) or state.shipped_at + span > _LATEST_INSTANT:  # no overflow possible
            raise InvalidTimeError(f"trade {self.out_trade_no!r}: its confirm deadline lies past {LATEST_DATE}")
        return state.shipped_at + span

    @property
    def refund_deadline(self) -> datetime | None:
        """When the refund window ends and the trade finishes; ``None`` before release.

        >>> _demo_trade().refund_deadline is None
        True
        """
        released_at = self._state.released_at
        if released_at is None:
            return None
        local = released_at.astimezone(SHANGHAI)
        end: datetime = local + relativedelta(months=self.policy.refund_window_months)
        return end

    # -- time ---------------------------------------------------------------------------

    @_all_or_nothing
    def advance_to(self, at: datetime) -> tuple[Transition, ...]:
        """Bring the trade to ``at``: apply every timeout due by then, at its own instant.

        Due means the deadline is at or before ``at``: an unpaid trade closes at
        its payment deadline; a shipped trade with no open refund request is
        confirmed (and released) at its confirm deadline; a successful trade with
        no open request finishes when its refund window ends.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade()
        >>> trade.advance_to(shanghai(2024, 5, 1, 10, 14, 59))
        ()
        >>> [t.action.value for t in trade.advance_to(shanghai(2024, 5, 1, 10, 15))]
        ['timeout']

        Returns:
            The transitions applied, oldest first.

        Raises:
            antfin.errors.InvalidTimeError: for a naive ``at`` or one before the trade's last instant.
        """
        when = ensure_aware(at)
        if self._clock is not None and when < self._clock:
            raise InvalidTimeError(
                f"at {when.isoformat()} is before trade {self.out_trade_no!r}'s last instant "
                f"{self._clock.isoformat()}; time may not go backwards"
            )
        self._clock = when
        applied: list[Transition] = []
        while True:
            state = self._state
            if state.status is TradeStatus.WAIT_BUYER_PAY and self.pay_deadline <= when:
                applied.append(
                    self._apply(
                        TradeAction.TIMEOUT,
                        self.pay_deadline,
                        attrs.evolve(state, status=TradeStatus.TRADE_CLOSED),
                        detail=f"unpaid after {self.timeout}",
                    )
                )
                continue
            confirm_at = self.confirm_deadline
            if state.status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS and confirm_at is not None and confirm_at <= when:
                self._release(confirm_at, automatic=True)
                applied.append(self._transitions[-1])
                continue
            finish_at = self.refund_deadline
            if (
                state.status is TradeStatus.TRADE_SUCCESS
                and state.request is None
                and finish_at is not None
                and finish_at <= when
            ):
                finish_at = max(finish_at, self._transitions[-1].at)
                applied.append(
                    self._apply(
                        TradeAction.FINISH,
                        finish_at,
                        attrs.evolve(state, status=TradeStatus.TRADE_FINISHED),
                        detail="refund window over",
                    )
                )
                continue
            return tuple(applied)

    # -- payment ----------------------------------------------------------------------------

    def _ledger_key(self, *parts: str) -> str:
        return ":".join(("escrow", self.out_trade_no, *parts))

    def _metadata(self, operation: str) -> dict[str, str]:
        return {"product": "alipay", "operation": operation, "out_trade_no": self.out_trade_no}

    @_all_or_nothing
    def pay(self, *, at: datetime, funded_by: EscrowFunding | None = None) -> Hold:
        """The buyer pays: a hold from the buyer's wallet to the seller's, counted toward the buyer's class limit.

        With ``funded_by``, the hold is taken from the account of that credit
        product instead (the buyer's own Huabei line: see
        :meth:`antfin.credit.HuabeiAccount.pay_escrow`; a bare account id is
        refused with a ``TypeError``); such a payment is not a
        balance payment, so it does not count toward the class limit. What is
        refunded before release stays in (or returns to) the funding account;
        refunds after release go to the buyer's wallet.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(funded=True)
        >>> trade.pay(at=shanghai(2024, 5, 1, 10, 1)).amount
        Money('100.00', 'CNY')
        >>> trade.status, trade.in_escrow
        (<TradeStatus.WAIT_SELLER_SEND_GOODS: 'WAIT_SELLER_SEND_GOODS'>, Money('100.00', 'CNY'))

        Raises:
            antfin.errors.InvalidTransitionError: not awaiting payment (or the timeout has passed: closed).
            antfin.errors.LimitExceededError: over the buyer's class limit.
            antfin.errors.InsufficientFundsError: the buyer's available balance is short.
            antfin.errors.PolicyViolationError: ``funded_by`` does not lend to this trade's buyer.
        """
        source = None if funded_by is None else self._funding_account(funded_by)
        when = self._begin(at)
        target = self._target(TradeAction.PAY)
        if source is None:
            self.buyer.require_payment(self.amount, at=when)
        seq = self._state.hold_seq + 1
        hold_key = self._ledger_key("hold", str(seq))
        with self.ledger.atomic():
            hold = self.ledger.hold(
                hold_key,
                debit=self.buyer.wallet_id if source is None else source,
                credit=self.seller.wallet_id,
                amount=self.amount,
                at=when,
                memo=f"escrow {self.out_trade_no}",
                metadata=self._metadata("escrow_hold"),
            )
            if funded_by is not None:
                funded_by.escrow_funded(self, when)
            if source is None:
                self.buyer.count_payment(
                    self._ledger_key("pay"), self.amount, at=when, counterparty=self.seller.account_id
                )
        self._apply(
            TradeAction.PAY,
            when,
            attrs.evolve(self._state, status=target, hold_id=hold.id, hold_seq=seq, paid_at=when, funded_by=source),
            detail=f"{self.amount} held as {hold.id}",
        )
        return hold

    @_all_or_nothing
    def _funding_account(self, funding: object) -> str:
        """The ledger account a credit product lends from for this buyer, checked before anything moves."""
        if not isinstance(funding, EscrowFunding):
            raise TypeError(
                f"funded_by must be the buyer's credit product (see HuabeiAccount.pay_escrow), "
                f"not {type(funding).__name__}"
            )
        source = funding.escrow_funding_account(self)
        account = self.ledger.account(source)  # NotFoundError before anything moves
        if account.kind is not AccountKind.ASSET or account.owner != self.buyer.account_id:
            raise PolicyViolationError(
                f"funded_by: {source!r} is not a credit line of buyer {self.buyer.account_id!r} "
                f"(an asset account the buyer owns)"
            )
        return source

    def cancel(self, *, at: datetime) -> None:
        """Cancel an unpaid trade (it closes; nothing moves).

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade()
        >>> trade.cancel(at=shanghai(2024, 5, 1, 10, 1))
        >>> trade.status.value
        'TRADE_CLOSED'

        Raises:
            antfin.errors.InvalidTransitionError: the trade is not awaiting payment.
        """
        when = self._begin(at)
        target = self._target(TradeAction.CANCEL)
        self._apply(TradeAction.CANCEL, when, attrs.evolve(self._state, status=target))

    @_all_or_nothing
    def ship(self, *, at: datetime, tracking_no: str = "") -> None:
        """The seller ships; the auto-confirm clock starts.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2, 9), tracking_no="SF123")
        >>> trade.confirm_deadline.isoformat()
        '2024-05-12T09:00:00+08:00'

        Raises:
            antfin.errors.InvalidTransitionError: the trade is not awaiting shipment.
        """
        if not isinstance(tracking_no, str):
            raise TypeError(f"tracking_no must be a str, not {type(tracking_no).__name__}")
        when = self._begin(at)
        target = self._target(TradeAction.SHIP)
        self._apply(
            TradeAction.SHIP,
            when,
            attrs.evolve(self._state, status=target, shipped_at=when),
            detail=f"tracking {tracking_no}" if tracking_no else "",
        )

    @_all_or_nothing
    def extend_confirmation(self, by: timedelta, *, at: datetime) -> datetime | None:
        """The seller extends the buyer's time to confirm receipt; returns the new deadline.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2, 9))
        >>> trade.extend_confirmation(timedelta(days=3), at=shanghai(2024, 5, 5)).isoformat()
        '2024-05-15T09:00:00+08:00'

        Raises:
            antfin.errors.InvalidTimeError: ``by`` is not a positive timedelta.
            antfin.errors.InvalidTransitionError: the trade is not awaiting confirmation.
        """
        if not isinstance(by, timedelta) or by <= timedelta(0):
            raise InvalidTimeError(f"by must be a positive timedelta, got {by!r}")
        if by > MAX_EXTENSION:
            raise InvalidTimeError(f"by must be at most {MAX_EXTENSION.days} days, got {by}")
        when = self._begin(at)
        target = self._target(TradeAction.EXTEND)
        extended = attrs.evolve(self._state, status=target, extension=self._state.extension + by)
        self._deadline_of(extended)  # raises if the new deadline would pass LATEST_DATE
        self._apply(
            TradeAction.EXTEND,
            when,
            extended,
            detail=f"confirmation extended by {by}",
        )
        return self.confirm_deadline

    @_all_or_nothing
    def confirm(self, *, at: datetime) -> Release:
        """The buyer confirms receipt: the hold is posted to the seller and the acquiring fee booked.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2))
        >>> release = trade.confirm(at=shanghai(2024, 5, 3))
        >>> release.amount, release.fee, release.automatic
        (Money('100.00', 'CNY'), Money('0.60', 'CNY'), False)

        Raises:
            antfin.errors.InvalidTransitionError: not awaiting confirmation, or a refund request is open.
        """
        when = self._begin(at)
        return self._release(when, automatic=False)

    def _release(self, when: datetime, *, automatic: bool) -> Release:
        action = TradeAction.AUTO_CONFIRM if automatic else TradeAction.CONFIRM
        target = self._target(action)
        state = self._state
        if state.request is not None:
            raise InvalidTransitionError(
                f"cannot confirm trade {self.out_trade_no!r} in status {state.status.value} while refund request "
                f"{state.request.out_request_no!r} is open; resolve or withdraw it first"
            )
        if state.hold_id is None:  # pragma: no cover - a paid, unreleased trade always has a hold
            raise InvalidTransitionError(f"trade {self.out_trade_no!r} has no escrow hold to release")
        amount = self.in_escrow
        fee = self.policy.acquiring_fees.fee(amount, self.seller.merchant_category, on=local_date(when))
        with self.ledger.atomic():
            entry = self.ledger.post_hold(self._ledger_key("release"), state.hold_id, at=when)
            entry_ids = [entry.id]
            if fee.is_positive():
                fee_entry = self.ledger.transfer(
                    self._ledger_key("fee"),
                    debit=self.seller.wallet_id,
                    credit=revenue_account(self.ledger, ProfitPoint.ALIPAY_ACQUIRING_COMMISSION),
                    amount=fee,
                    at=when,
                    memo=f"acquiring fee on escrow {self.out_trade_no}",
                    metadata=self._metadata("acquiring_fee"),
                )
                entry_ids.append(fee_entry.id)
            release = Release(
                self.out_trade_no,
                self.buyer.account_id,
                self.seller.account_id,
                amount,
                fee,
                when,
                automatic,
                tuple(entry_ids),
            )
            for listener in self._listeners:
                listener(release)
        self._apply(
            action,
            when,
            attrs.evolve(state, status=target, hold_id=None, released_at=when, released=amount, fee=fee),
            detail=f"released {amount}, fee {fee}",
        )
        return release

    # -- refunds ---------------------------------------------------------------------------

    @_all_or_nothing
    def refund(self, out_request_no: str, amount: Money, *, at: datetime, reason: str = "") -> Refund:
        """Refund the buyer (the merchant's refund API); repeated and partial refunds are fine.

        Keyed by ``out_request_no``: the same key and amount return the first
        refund; the same key with another amount raises. Before release the
        refund comes out of escrow; after release, out of the seller's wallet
        (with the proportional acquiring fee given back when the policy says so).
        Refunding everything left closes the trade.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.refund("R1", CNY("30.00"), at=shanghai(2024, 5, 1, 11)).stage
        <RefundStage.FROM_ESCROW: 'from_escrow'>
        >>> trade.in_escrow, trade.refundable
        (Money('70.00', 'CNY'), Money('70.00', 'CNY'))
        >>> _ = trade.refund("R2", CNY("70.00"), at=shanghai(2024, 5, 1, 12))
        >>> trade.status.value
        'TRADE_CLOSED'

        Raises:
            antfin.errors.InvalidTransitionError: the trade is unpaid, finished or closed.
            antfin.errors.InvalidAmountError: not positive, or more than is refundable.
            antfin.errors.InsufficientFundsError: after release, the seller cannot cover it.
            antfin.errors.IdempotencyConflictError: the key was used with another amount.
        """
        key = _check_request_no(out_request_no)
        previous = self._replayed_refund(key, amount)
        if previous is not None:
            return previous
        if key in self._requests:
            raise IdempotencyConflictError(
                f"out_request_no {key!r} belongs to a refund request of trade {self.out_trade_no!r}; "
                f"use agree_refund or arbitrate to settle it"
            )
        if not isinstance(reason, str):
            raise TypeError(f"reason must be a str, not {type(reason).__name__}")
        _check_amount(amount, "amount")
        when = self._begin(at)
        return self._refund(key, amount, when, reason, TradeAction.REFUND, None)

    def _replayed_refund(self, key: str, amount: Money) -> Refund | None:
        previous = self._refunds.get(key)
        if previous is None:
            return None
        what = f"out_request_no of trade {self.out_trade_no!r}"
        same_request(
            key, request_fingerprint("refund", previous.amount), request_fingerprint("refund", amount), what=what
        )
        return previous

    def _refund(
        self,
        key: str,
        amount: Money,
        when: datetime,
        reason: str,
        action: TradeAction,
        request: RefundRequest | None,
    ) -> Refund:
        """Move a refund's money and apply ``action`` once (``request`` is the open request it settles)."""
        target = self._target(action)
        _check_amount(amount, "amount")
        refundable = self.refundable
        if amount > refundable:
            raise InvalidAmountError(
                f"refund {amount} exceeds what trade {self.out_trade_no!r} can still refund: {refundable} "
                f"(paid {self.paid}, refunded {self.refunded})"
            )
        state = self._state
        full = amount == refundable
        if state.released_at is None:
            refund, state = self._refund_from_escrow(key, amount, when, reason, state)
        else:
            refund, state = self._refund_from_seller(key, amount, when, reason, state)
        settled: RefundRequest | None = None
        if request is not None:  # this refund settles the open request
            settled = attrs.evolve(request, status=_settled_status(action), resolved_at=when)
        elif full and state.request is not None:  # the trade closes under an open request
            settled = attrs.evolve(state.request, status=RequestStatus.CLOSED, resolved_at=when)
        if settled is not None:
            state = attrs.evolve(self._resumed(state, settled, when), request=None)
        state = attrs.evolve(state, status=TradeStatus.TRADE_CLOSED if full else target)
        self._apply(
            action, when, state, detail=f"refund {key} {amount} {refund.stage.value}", refund=refund, settled=settled
        )
        return refund

    def _refund_from_escrow(
        self, key: str, amount: Money, when: datetime, reason: str, state: _State
    ) -> tuple[Refund, _State]:
        if state.hold_id is None:  # pragma: no cover - paid and unreleased means a pending hold
            raise InvalidTransitionError(f"trade {self.out_trade_no!r} has no escrow hold to refund from")
        rest = self.in_escrow - amount
        ids = [state.hold_id]
        seq = state.hold_seq
        hold_id: str | None = None
        with self.ledger.atomic():
            self.ledger.void_hold(self._ledger_key("refund", key, "void"), state.hold_id, at=when)
            if rest.is_positive():
                seq += 1
                hold = self.ledger.hold(
                    self._ledger_key("hold", str(seq)),
                    debit=state.funded_by or self.buyer.wallet_id,
                    credit=self.seller.wallet_id,
                    amount=rest,
                    at=when,
                    memo=f"escrow {self.out_trade_no} after refund {key}",
                    metadata=self._metadata("escrow_hold"),
                )
                hold_id = hold.id
                ids.append(hold.id)
        refund = Refund(key, amount, when, RefundStage.FROM_ESCROW, amount.currency.zero(), tuple(ids), reason)
        return refund, attrs.evolve(
            state, hold_id=hold_id, hold_seq=seq, refunded_before=state.refunded_before + amount
        )

    def _refund_from_seller(
        self, key: str, amount: Money, when: datetime, reason: str, state: _State
    ) -> tuple[Refund, _State]:
        fee_back = amount.currency.zero()
        if self.policy.refund_returns_fee and state.fee.is_positive():
            after_total = state.refunded_after + amount
            returned_total = _half_up_ratio(state.fee.minor_units, after_total.minor_units, state.released.minor_units)
            fee_back = Money.from_minor_units(returned_total, amount.currency) - state.fee_returned
        needed = amount - fee_back
        available = self.ledger.available(self.seller.wallet_id)
        if available < needed:
            raise InsufficientFundsError(
                f"seller wallet {self.seller.wallet_id!r} has {available} available and cannot cover refund "
                f"{key!r} of {amount} (fee returned {fee_back}) on trade {self.out_trade_no!r}"
            )
        ids = []
        with self.ledger.atomic():
            if fee_back.is_positive():
                entry = self.ledger.transfer(
                    self._ledger_key("refund", key, "fee"),
                    debit=revenue_account(self.ledger, ProfitPoint.ALIPAY_ACQUIRING_COMMISSION),
                    credit=self.seller.wallet_id,
                    amount=fee_back,
                    at=when,
                    memo=f"acquiring fee returned on refund {key}",
                    metadata=self._metadata("acquiring_fee_return"),
                )
                ids.append(entry.id)
            entry = self.ledger.transfer(
                self._ledger_key("refund", key),
                debit=self.seller.wallet_id,
                credit=self.buyer.wallet_id,
                amount=amount,
                at=when,
                memo=f"refund {key} of escrow {self.out_trade_no}",
                metadata=self._metadata("refund"),
            )
            ids.append(entry.id)
        refund = Refund(key, amount, when, RefundStage.FROM_SELLER, fee_back, tuple(ids), reason)
        return refund, attrs.evolve(
            state, refunded_after=state.refunded_after + amount, fee_returned=state.fee_returned + fee_back
        )

    # -- refund requests and disputes ---------------------------------------------------------

    def _resumed(self, state: _State, request: RefundRequest, when: datetime) -> _State:
        """Add the time ``request`` paused the auto-confirm clock (only the part after shipping)."""
        if state.shipped_at is None or state.released_at is not None:
            return state
        start = max(request.opened_at, state.shipped_at)
        if when <= start:
            return state
        return attrs.evolve(state, paused=state.paused + (when - start))

    @_all_or_nothing
    def request_refund(
        self, out_request_no: str, amount: Money, *, reason: RefundReason, at: datetime
    ) -> RefundRequest:
        """The buyer asks for a refund; until it is resolved the auto-confirm clock stops.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> trade.ship(at=shanghai(2024, 5, 2))
        >>> trade.request_refund("R1", CNY("100.00"), reason=RefundReason.GOODS_NOT_RECEIVED,
        ...                      at=shanghai(2024, 5, 5)).status
        <RequestStatus.OPEN: 'open'>
        >>> trade.confirm_deadline is None
        True

        Raises:
            antfin.errors.InvalidTransitionError: another request is open, or the trade cannot be refunded.
            antfin.errors.InvalidAmountError: not positive, or more than is refundable.
            antfin.errors.IdempotencyConflictError: ``out_request_no`` was already used on this trade.
        """
        key = _check_request_no(out_request_no)
        if not isinstance(reason, RefundReason):
            raise TypeError(f"reason must be a RefundReason, not {type(reason).__name__}")
        existing = self._requests.get(key)
        if existing is not None:
            asked = request_fingerprint("request_refund", amount, reason)
            recorded = request_fingerprint("request_refund", existing.amount, existing.reason)
            same_request(key, recorded, asked, what=f"out_request_no of trade {self.out_trade_no!r}")
            return existing
        if key in self._refunds:
            raise IdempotencyConflictError(
                f"out_request_no {key!r} of trade {self.out_trade_no!r} was already refunded"
            )
        _check_amount(amount, "amount")
        when = self._begin(at)
        target = self._target(TradeAction.REQUEST_REFUND)
        if self._state.request is not None:
            raise InvalidTransitionError(
                f"cannot request a refund on trade {self.out_trade_no!r}: request "
                f"{self._state.request.out_request_no!r} is still open"
            )
        _check_amount(amount, "amount")
        if amount > self.refundable:
            raise InvalidAmountError(
                f"refund request {amount} exceeds what trade {self.out_trade_no!r} can still refund: {self.refundable}"
            )
        request = RefundRequest(key, amount, reason, when)
        self._apply(
            TradeAction.REQUEST_REFUND,
            when,
            attrs.evolve(self._state, status=target, request=request),
            detail=f"request {key} {amount} ({reason.value})",
        )
        return request

    def _open_request(self, action: TradeAction, *statuses: RequestStatus) -> RefundRequest:
        request = self._state.request
        if request is None:
            raise InvalidTransitionError(
                f"cannot {action.value.replace('_', ' ')} on trade {self.out_trade_no!r} "
                f"in status {self._state.status.value}: no refund request is open"
            )
        if request.status not in statuses:
            raise InvalidTransitionError(
                f"cannot {action.value.replace('_', ' ')} refund request {request.out_request_no!r}: "
                f"it is {request.status.value}"
            )
        return request

    @_all_or_nothing
    def agree_refund(self, *, at: datetime) -> Refund:
        """The seller agrees to the open request: the requested amount is refunded.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("40.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
        >>> trade.agree_refund(at=shanghai(2024, 5, 3)).amount, trade.refund_requests[0].status.value
        (Money('40.00', 'CNY'), 'agreed')

        Raises:
            antfin.errors.InvalidTransitionError: no request is open, or the trade cannot be refunded.
        """
        when = self._begin(at)
        self._target(TradeAction.AGREE_REFUND)
        request = self._open_request(TradeAction.AGREE_REFUND, RequestStatus.OPEN, RequestStatus.ARBITRATION)
        amount = min(request.amount, self.refundable)
        return self._refund(
            request.out_request_no, amount, when, request.reason.value, TradeAction.AGREE_REFUND, request
        )

    @_all_or_nothing
    def refuse_refund(self, *, at: datetime) -> RefundRequest:
        """The seller refuses the open request: it becomes a dispute for platform arbitration.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("40.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
        >>> trade.refuse_refund(at=shanghai(2024, 5, 3)).status.value
        'arbitration'

        Raises:
            antfin.errors.InvalidTransitionError: no request is open (or it is already in arbitration).
        """
        when = self._begin(at)
        target = self._target(TradeAction.REFUSE_REFUND)
        request = self._open_request(TradeAction.REFUSE_REFUND, RequestStatus.OPEN)
        escalated = attrs.evolve(request, status=RequestStatus.ARBITRATION)
        self._apply(
            TradeAction.REFUSE_REFUND,
            when,
            attrs.evolve(self._state, status=target, request=escalated),
            detail=f"request {request.out_request_no} refused; to arbitration",
        )
        return escalated

    @_all_or_nothing
    def withdraw_refund_request(self, *, at: datetime) -> RefundRequest:
        """The buyer withdraws the open request; the auto-confirm clock resumes.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("1.00"), reason=RefundReason.OTHER, at=shanghai(2024, 5, 2))
        >>> trade.withdraw_refund_request(at=shanghai(2024, 5, 3)).status.value
        'withdrawn'

        Raises:
            antfin.errors.InvalidTransitionError: no request is open.
        """
        when = self._begin(at)
        target = self._target(TradeAction.WITHDRAW_REQUEST)
        request = self._open_request(TradeAction.WITHDRAW_REQUEST, RequestStatus.OPEN, RequestStatus.ARBITRATION)
        closed = attrs.evolve(request, status=RequestStatus.WITHDRAWN, resolved_at=when)
        state = self._resumed(self._state, request, when)
        self._apply(
            TradeAction.WITHDRAW_REQUEST,
            when,
            attrs.evolve(state, status=target, request=None),
            detail=f"request {request.out_request_no} withdrawn",
            settled=closed,
        )
        return closed

    @_all_or_nothing
    def arbitrate(self, *, at: datetime, buyer: AmountLike = 1, seller: AmountLike = 1) -> Arbitration:
        """The platform decides a dispute: the disputed amount is split buyer:seller, exactly to the fen.

        The buyer's part is refunded (keyed by the request's ``out_request_no``);
        the seller keeps the rest. The split uses largest-remainder allocation,
        so the parts always add up to the disputed amount.

        >>> from antfin.calendar import shanghai
        >>> trade = _demo_trade(paid=True)
        >>> _ = trade.request_refund("R1", CNY("100.00"), reason=RefundReason.NOT_AS_DESCRIBED, at=shanghai(2024, 5, 2))
        >>> _ = trade.refuse_refund(at=shanghai(2024, 5, 3))
        >>> result = trade.arbitrate(at=shanghai(2024, 5, 6), buyer=2, seller=1)
        >>> result.buyer_amount, result.seller_amount
        (Money('66.67', 'CNY'), Money('33.33', 'CNY'))

        Args:
            at: when the platform decides.
            buyer: the buyer's weight (int, Decimal or decimal string; not a float).
            seller: the seller's weight.

        Raises:
            antfin.errors.InvalidTransitionError: no request is in arbitration.
            antfin.errors.InvalidAmountError: negative or all-zero weights.
        """
        CNY("1.00").allocate([buyer, seller])  # the weights, checked before anything is applied
        when = self._begin(at)
        target = self._target(TradeAction.ARBITRATE)
        request = self._open_request(TradeAction.ARBITRATE, RequestStatus.ARBITRATION)
        disputed = min(request.amount, self.refundable)
        buyer_part, seller_part = disputed.allocate([buyer, seller])
        refund: Refund | None = None
        if buyer_part.is_positive():
            refund = self._refund(
                request.out_request_no, buyer_part, when, request.reason.value, TradeAction.ARBITRATE, request
            )
        else:
            closed = attrs.evolve(request, status=RequestStatus.ARBITRATED, resolved_at=when)
            state = self._resumed(self._state, request, when)
            self._apply(
                TradeAction.ARBITRATE,
                when,
                attrs.evolve(state, status=target, request=None),
                detail=f"request {request.out_request_no}: seller keeps {seller_part}",
                settled=closed,
            )
        return Arbitration(request.out_request_no, disputed, buyer_part, seller_part, when, refund)


def _settled_status(action: TradeAction) -> RequestStatus:
    return RequestStatus.ARBITRATED if action is TradeAction.ARBITRATE else RequestStatus.AGREED


def _check_request_no(value: object, field: str = "out_request_no") -> str:
    if not isinstance(value, str):
        raise TypeError(f"{field} must be a str, not {type(value).__name__}")
    if not _TRADE_NO.fullmatch(value):
        raise InvalidAmountError(f"{field} must be 1-64 letters, digits, '_' or '-', got {value!r}")
    return value


def _check_amount(amount: object, field: str) -> Money:
    if not isinstance(amount, Money):
        raise TypeError(f"{field} must be Money, not {type(amount).__name__}")
    if amount.currency != CNY:
        raise InvalidAmountError(f"{field} must be in CNY, got {amount.currency.code}")
    if not amount.is_positive():
        raise InvalidAmountError(f"{field} must be positive, got {amount}")
    return amount


@attrs.frozen
class _Terms:
    buyer: str
    seller: str
    amount: Money
    goods: GoodsType
    timeout: PaymentTimeout
    subject: str


class EscrowDesk:
    """The registry of escrow trades on one ledger: it keeps ``out_trade_no`` unique forever.

    An ``out_trade_no`` is never reused, even after its trade closed: creating
    it again with the same terms returns the existing trade, with other terms
    raises. Use one desk per ledger (the trades' ledger keys are prefixed
    ``escrow:<out_trade_no>:``, so two desks on one ledger could collide).

    >>> from antfin.calendar import shanghai
    >>> from antfin.ledger import Ledger
    >>> ledger = Ledger()
    >>> b = Account.open(ledger, "b", opened_at=shanghai(2024, 1, 1))
    >>> s = Account.open(ledger, "s", opened_at=shanghai(2024, 1, 1))
    >>> desk = EscrowDesk(ledger)
    >>> t = desk.create("T1", buyer=b, seller=s, amount=CNY("5.00"), goods=GoodsType.VIRTUAL, at=shanghai(2024, 1, 1))
    >>> desk.create("T1", buyer=b, seller=s, amount=CNY("5.00"), goods=GoodsType.VIRTUAL, at=shanghai(2024, 1, 1)) is t
    True
    >>> desk.create("T1", buyer=b, seller=s, amount=CNY("6.00"), goods=GoodsType.VIRTUAL, at=shanghai(2024, 1, 1))
    Traceback (most recent call last):
    ...
    antfin.errors.IdempotencyConflictError: out_trade_no (of a trade in WAIT_BUYER_PAY) 'T1' was already used for ...

    Args:
        ledger: where the money moves.
        policy: the default escrow contract (cfg).

    .. versionadded:: 0.1.0
    """

    def __init__(self, ledger: Ledger, policy: EscrowPolicy | None = None) -> None:
        if not isinstance(ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(ledger).__name__}")
        self.ledger = ledger
        self.policy = EscrowPolicy() if policy is None else policy
        self._trades: dict[str, tuple[_Terms, EscrowTrade]] = {}
        self._listeners: list[ReleaseListener] = []

    def on_release(self, listener: ReleaseListener) -> None:
        """Call ``listener(release)`` whenever a trade of this desk releases funds (confirmed or auto-confirmed).

        It runs inside the release's atomic ledger block, so its own ledger
        operations commit with the release; raising refuses the release.

        >>> from antfin.ledger import Ledger
        >>> EscrowDesk(Ledger()).on_release(print)
        """
        if not callable(listener):
            raise TypeError(f"listener must be callable, not {type(listener).__name__}")
        self._listeners.append(listener)

    def create(
        self,
        out_trade_no: str,
        *,
        buyer: Account,
        seller: Account,
        amount: Money,
        goods: GoodsType,
        at: datetime,
        timeout: str | PaymentTimeout = "15m",
        subject: str = "",
        policy: EscrowPolicy | None = None,
    ) -> EscrowTrade:
        """Create a trade awaiting payment (``WAIT_BUYER_PAY``).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> ledger = Ledger()
        >>> b = Account.open(ledger, "b", opened_at=shanghai(2024, 1, 1))
        >>> s = Account.open(ledger, "s", opened_at=shanghai(2024, 1, 1))
        >>> EscrowDesk(ledger).create("T-9", buyer=b, seller=s, amount=CNY("1.00"), goods=GoodsType.AUTO_DELIVERY,
        ...                           timeout="2h", at=shanghai(2024, 1, 1, 8)).pay_deadline.hour
        10

        Args:
            out_trade_no: the merchant's trade number: 1-64 letters, digits, ``_`` or ``-``; never reused.
            buyer: the paying account.
            seller: the receiving account (its ``merchant_category`` prices the acquiring fee).
            amount: 0.01 to 100,000,000.00 CNY.
            goods: how the goods are delivered.
            at: creation instant (aware).
            timeout: payment timeout, Alipay style (``15m``, ``2h``, ``3d``, ``1c``); default 15 minutes.
            subject: free text.
            policy: this trade's contract, if not the desk's.

        Raises:
            antfin.errors.IdempotencyConflictError: ``out_trade_no`` is taken with other terms.
            antfin.errors.InvalidAmountError: a malformed number, an amount out of range, buyer = seller.
            antfin.errors.InvalidTimeError: a bad timeout or a naive ``at``.
        """
        no = _check_request_no(out_trade_no, "out_trade_no")
        if not isinstance(buyer, Account) or not isinstance(seller, Account):
            raise TypeError("buyer and seller must be Account objects")
        if buyer.ledger is not self.ledger or seller.ledger is not self.ledger:
            raise InvalidAmountError("buyer and seller must have their wallets in this desk's ledger")
        if buyer.wallet_id == seller.wallet_id:
            raise InvalidAmountError(f"buyer and seller must differ, both are {buyer.account_id!r}")
        _check_amount(amount, "amount")
        if amount > _MAX_AMOUNT:
            raise InvalidAmountError(f"amount must be at most {_MAX_AMOUNT}, got {amount}")
        if not isinstance(goods, GoodsType):
            raise TypeError(f"goods must be a GoodsType, not {type(goods).__name__}")
        if not isinstance(subject, str):
            raise TypeError(f"subject must be a str, not {type(subject).__name__}")
        parsed = PaymentTimeout.parse(timeout)
        when = ensure_aware(at)
        terms = _Terms(buyer.account_id, seller.account_id, amount, goods, parsed, subject)
        existing = self._trades.get(no)
        if existing is not None:
            # An out_trade_no is never reused, even after its trade closed.
            what = f"out_trade_no (of a trade in {existing[1].status.value})"
            same_request(
                no, request_fingerprint("create", existing[0]), request_fingerprint("create", terms), what=what
            )
            return existing[1]
        trade = EscrowTrade(
            ledger=self.ledger,
            out_trade_no=no,
            buyer=buyer,
            seller=seller,
            amount=amount,
            goods=goods,
            timeout=parsed,
            created_at=when,
            policy=self.policy if policy is None else policy,
            subject=subject,
            listeners=self._listeners,
            clock=when,
        )
        self._trades[no] = (terms, trade)
        return trade

    def get(self, out_trade_no: str) -> EscrowTrade:
        """The trade with this number.

        >>> from antfin.ledger import Ledger
        >>> EscrowDesk(Ledger()).get("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no escrow trade with out_trade_no 'nope'

        Raises:
            antfin.errors.NotFoundError: for an unknown number.
        """
        found = self._trades.get(out_trade_no)
        if found is None:
            raise NotFoundError(f"no escrow trade with out_trade_no {out_trade_no!r}")
        return found[1]

    def trades(self) -> tuple[EscrowTrade, ...]:
        """Every trade, in creation order.

        >>> from antfin.ledger import Ledger
        >>> EscrowDesk(Ledger()).trades()
        ()
        """
        return tuple(trade for _, trade in self._trades.values())

    def advance_to(self, at: datetime) -> tuple[Transition, ...]:
        """Bring every trade not yet at ``at`` to ``at`` (see :meth:`EscrowTrade.advance_to`).

        >>> from antfin.calendar import shanghai
        >>> from antfin.ledger import Ledger
        >>> EscrowDesk(Ledger()).advance_to(shanghai(2024, 1, 1))
        ()
        """
        when = ensure_aware(at)
        applied: list[Transition] = []
        for trade in self.trades():
            if not trade.status.is_final:
                applied.extend(trade.advance_to(when))
        return tuple(applied)


def _demo_trade(*, funded: bool = False, paid: bool = False) -> EscrowTrade:
    """A fresh 100.00 CNY trade created 2024-05-01 10:00 with a 15m timeout, for the examples."""
    from antfin.calendar import shanghai

    ledger = Ledger()
    buyer = Account.open(ledger, "buyer", opened_at=shanghai(2024, 5, 1))
    seller = Account.open(ledger, "seller", opened_at=shanghai(2024, 5, 1))
    trade = EscrowDesk(ledger).create(
        "T1",
        buyer=buyer,
        seller=seller,
        amount=CNY("100.00"),
        goods=GoodsType.PHYSICAL_EXPRESS,
        at=shanghai(2024, 5, 1, 10),
    )
    if funded or paid:
        buyer.link_card("C1", at=shanghai(2024, 5, 1))
        buyer.top_up("t", card="C1", amount=CNY("100.00"), at=shanghai(2024, 5, 1))
    if paid:
        trade.pay(at=shanghai(2024, 5, 1, 10, 1))
    return trade

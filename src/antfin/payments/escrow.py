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
import re
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Final, NoReturn, ParamSpec, Protocol, TypeVar, runtime_checkable

import attrs

from antfin.calendar import LATEST_DATE, SHANGHAI, add_months_at, ensure_aware
from antfin.errors import (
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
    InvariantViolationError,
    NotFoundError,
)
from antfin.ledger import HoldStatus, Ledger
from antfin.money import CNY, Money
from antfin.payments.account import Account
from antfin.payments.escrow_refunds import _EscrowRefunds
from antfin.payments.fees import DEFAULT_ACQUIRING_FEES, AcquiringFeeSchedule
from antfin.payments.refunds import Refund, RefundRequest, RequestStatus
from antfin.payments.timeouts import PaymentTimeout
from antfin.validators import check_str

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
class EscrowTrade(_EscrowRefunds):
    """An escrow trade between a buyer and a seller; create it with :meth:`.EscrowDesk.create`.

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
        return add_months_at(released_at, self.policy.refund_window_months)

    # -- time ---------------------------------------------------------------------------

    # -- payment ----------------------------------------------------------------------------

    def _ledger_key(self, *parts: str) -> str:
        return ":".join(("escrow", self.out_trade_no, *parts))

    def _metadata(self, operation: str) -> dict[str, str]:
        return {"product": "alipay", "operation": operation, "out_trade_no": self.out_trade_no}

    # -- refunds ---------------------------------------------------------------------------

    # -- refund requests and disputes ---------------------------------------------------------


def _settled_status(action: TradeAction) -> RequestStatus:
    return RequestStatus.ARBITRATED if action is TradeAction.ARBITRATE else RequestStatus.AGREED


def _check_request_no(value: object, field: str = "out_request_no") -> str:
    text = check_str(value, field)
    if not _TRADE_NO.fullmatch(text):
        raise InvalidAmountError(f"{field} must be 1-64 letters, digits, '_' or '-', got {text!r}")
    return text


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


# The desk builds on EscrowTrade: imported last, and re-exported from here.
from antfin.payments.escrow_desk import EscrowDesk  # noqa: E402

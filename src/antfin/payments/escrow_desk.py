"""The escrow desk: the registry that opens escrow trades under one policy and ledger, by ``out_trade_no``.

:class:`EscrowDesk` is re-exported by :mod:`antfin.payments.escrow` and ``antfin.payments``.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from datetime import datetime

import attrs

from antfin.calendar import ensure_aware
from antfin.errors import (
    IdempotencyConflictError,
    InvalidAmountError,
    NotFoundError,
)
from antfin.idempotency import fingerprint as request_fingerprint
from antfin.idempotency import same_request
from antfin.ledger import Ledger
from antfin.money import CNY, Money
from antfin.payments.account import Account
from antfin.payments.escrow import (
    _MAX_AMOUNT,
    EscrowPolicy,
    EscrowTrade,
    GoodsType,
    ReleaseListener,
    Transition,
    _check_request_no,
)
from antfin.payments.timeouts import PaymentTimeout
from antfin.validators import check_positive, check_str

__all__ = ["EscrowDesk"]


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

    >>> from antfin.payments.escrow import CNY
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

        >>> from antfin.payments.escrow import CNY
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
        check_positive(amount, currency=CNY)
        if amount > _MAX_AMOUNT:
            raise InvalidAmountError(f"amount must be at most {_MAX_AMOUNT}, got {amount}")
        if not isinstance(goods, GoodsType):
            raise TypeError(f"goods must be a GoodsType, not {type(goods).__name__}")
        check_str(subject, "subject")
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

    def adopt(self, trade: EscrowTrade) -> EscrowTrade:
        """Register a trade made elsewhere (loaded from the books) with this desk.

        The desk then keeps its number taken, replays :meth:`create` with the
        same terms, and calls its release listeners for it too.

        >>> from antfin.payments.escrow import _demo_trade
        >>> from antfin.ledger import Ledger
        >>> trade = _demo_trade()
        >>> desk = EscrowDesk(trade.ledger)
        >>> desk.adopt(trade) is desk.get("T1")
        True

        Raises:
            TypeError: for something other than an :class:`~antfin.payments.escrow.EscrowTrade`.
            antfin.errors.InvalidAmountError: a trade on another ledger.
            antfin.errors.IdempotencyConflictError: the desk has another trade of that number.

        .. versionadded:: 0.2.0
        """
        if not isinstance(trade, EscrowTrade):
            raise TypeError(f"trade must be an EscrowTrade, not {type(trade).__name__}")
        if trade.ledger is not self.ledger:
            raise InvalidAmountError(f"trade {trade.out_trade_no!r} is on another ledger than this desk's")
        existing = self._trades.get(trade.out_trade_no)
        if existing is not None and existing[1] is not trade:
            raise IdempotencyConflictError(f"this desk already has another trade {trade.out_trade_no!r}")
        terms = _Terms(
            trade.buyer.account_id, trade.seller.account_id, trade.amount, trade.goods, trade.timeout, trade.subject
        )
        trade._listeners = self._listeners
        self._trades[trade.out_trade_no] = (terms, trade)
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

    def forget(self, out_trade_no: str) -> None:
        """Stop keeping a trade (the books drop a trade read only to be checked); its number is free here again.

        >>> from antfin.payments.escrow import _demo_trade
        >>> trade = _demo_trade()
        >>> desk = EscrowDesk(trade.ledger)
        >>> _ = desk.adopt(trade)
        >>> desk.forget("T1"); desk.trades()
        ()

        .. versionadded:: 0.2.0
        """
        self._trades.pop(out_trade_no, None)

    def trades(self) -> tuple[EscrowTrade, ...]:
        """Every trade, in creation order.

        >>> from antfin.ledger import Ledger
        >>> EscrowDesk(Ledger()).trades()
        ()
        """
        return tuple(trade for _, trade in self._trades.values())

    def advance_to(self, at: datetime) -> tuple[Transition, ...]:
        """Bring every trade not yet at ``at`` to ``at`` (see :meth:`~antfin.payments.escrow.EscrowTrade.advance_to`).

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

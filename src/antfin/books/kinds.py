"""What the books store of each aggregate: its id, status, due time, data and checks.

One :class:`Kind` per stored aggregate (an Alipay account, an escrow trade, a
fund, the Zhaocaibao platform, a loan, a Huabei account, an Ant Dake offer, a
credit profile). The books write each as a document (JSON through
:mod:`antfin.serialization`) with its status and due time as indexed columns,
and check it, as the API would, every time it is loaded.

>>> from antfin.books.kinds import KINDS
>>> sorted(KINDS)
['account', 'escrow', 'fund', 'huabei', 'loan', 'offer', 'profile', 'zhaocaibao']

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Callable, Mapping
from datetime import datetime, time
from typing import Any, Final, Generic, TypeVar

import attrs

from antfin.books.references import REFERENCES
from antfin.calendar import SHANGHAI, ChinaExchangeCalendar
from antfin.credit import CreditProfile, Loan
from antfin.credit.huabei import HuabeiAccount, HuabeiConfig
from antfin.credit.products import JIEBEI, MYBANK
from antfin.credit.profile import DEFAULT_WEIGHTS, FICO, SESAME
from antfin.crowdfunding import CrowdfundOffer
from antfin.crowdfunding.offer import OfferStatus
from antfin.errors import AntfinError, InvariantViolationError
from antfin.idempotency import IdempotencyRecord
from antfin.ledger import Ledger
from antfin.payments import Account, AccountClassPolicy, EscrowPolicy, EscrowTrade, TradeStatus, WithdrawalFeePolicy
from antfin.serialization import from_data, named, to_data
from antfin.wealth import MoneyFund
from antfin.wealth.fund_model import MoneyFundConfig
from antfin.wealth.zhaocaibao import GuarantorClaim, Holding, Product, Reservation, Zhaocaibao
from antfin.wealth.zhaocaibao.platform import ZhaocaibaoConfig

__all__ = ["KINDS", "NAMED", "REFUND_REQUESTED", "Archived", "Kind"]

T = TypeVar("T")

#: The constants documents name instead of holding their fields (see :func:`antfin.serialization.named`):
#: the default configurations of accounts (class limits, withdrawal fees), Huabei, Yu'ebao and Zhaocaibao, the
#: escrow policy, the loan products, the SSE calendar, and the credit scales and dimension weights of profiles. A
#: published name never changes its value: a new default gets a new name, and documents that hold the old one keep
#: loading it.
NAMED: Final[Mapping[str, object]] = {
    name: named(name, value)
    for name, value in (
        ("account-class-policy/pboc-2015", AccountClassPolicy()),
        ("withdrawal-fee-policy/alipay-2016", WithdrawalFeePolicy()),
        ("huabei-config/1", HuabeiConfig()),
        ("escrow-policy/1", EscrowPolicy()),
        ("loan-product/jiebei/1", JIEBEI),
        ("loan-product/mybank/1", MYBANK),
        ("calendar/sse/1999-2026", ChinaExchangeCalendar.sse()),
        ("fund-config/1", MoneyFundConfig()),
        ("zhaocaibao-config/1", ZhaocaibaoConfig()),
        ("credit-scale/sesame/1", SESAME),
        ("credit-scale/fico/1", FICO),
        ("dimension-weights/sesame/1", DEFAULT_WEIGHTS),
    )
}


def _status(value: object) -> str:
    return value.name if isinstance(value, enum.Enum) else str(value)


def _no_due(_entity: object) -> datetime | None:
    return None


def _no_more_checks(_entity: object, _ledger: Ledger) -> None:
    """Nothing beyond what loading already checks (attrs validators and the aggregate's ``check_invariants``)."""


@attrs.frozen
class Archived:
    """One :class:`~antfin.archive.Archive` field of an aggregate, stored one row per record.

    The rows are documents of their own kind (``"fund/orders"``), with the id
    ``["<aggregate id>", <key>]`` as JSON text, written once: the aggregate's
    document carries none of them, and a record is read only when its key is
    asked for.

    >>> Archived("_history", "orders", str, int).kind_of(KINDS["fund"])
    'fund/orders'

    Attributes:
        field: the aggregate's attribute holding the archive (a dotted path for a nested one).
        name: the rows' name under the aggregate's kind.
        key: the type of the archive's keys.
        value: the type of its records.

    .. versionadded:: 0.2.0
    """

    field: str
    name: str
    key: Any
    value: Any

    @classmethod
    def of(cls, owner: type, field: str, name: str) -> Archived:
        """The archive ``field`` of ``owner``, its key and record types read from the field's annotation.

        >>> from antfin.wealth import MoneyFund
        >>> Archived.of(MoneyFund, "_done", "orders").value.__name__
        'FundOrder'

        .. versionadded:: 0.2.0
        """
        key, value = typing.get_args(typing.get_type_hints(owner)[field])
        return cls(field, name, key, value)

    def kind_of(self, kind: Kind[Any]) -> str:
        """The document kind of this archive's rows under ``kind``."""
        return f"{kind.name}/{self.name}"


@attrs.frozen
class Kind(Generic[T]):
    """How the books store one kind of aggregate.

    >>> KINDS["escrow"].cls.__name__
    'EscrowTrade'

    Attributes:
        name: the kind's name in the ``documents`` table.
        cls: the aggregate's class.
        id_of: its business id (an ``out_trade_no``, a loan id …).
        status_of: its status, as indexed text.
        due_of: when something next falls due on it (a timeout), or ``None``.
        dump: its state as JSON-compatible data.
        load: the aggregate rebuilt from that data on a ledger; references to
            other aggregates are found through the mapping it is given.
        archives: its archive fields, stored one row per record (:class:`Archived`).
        check: what a loaded aggregate must pass against the ledger beyond what loading
            checks (:func:`antfin.serialization.from_data` runs its validators and
            ``check_invariants()``).
        audit: what the full check (:meth:`antfin.books.Books.check`) also checks of it: rules
            whose cost grows with more than the aggregate itself (the fund's units against
            every holder's position), too costly for every load.

    .. versionadded:: 0.2.0
    """

    name: str
    cls: type[T]
    id_of: Callable[[T], str]
    status_of: Callable[[T], str]
    due_of: Callable[[T], datetime | None] = _no_due
    dump: Callable[[T], Any] = attrs.field(default=None)
    load: Callable[[Any, Ledger, Mapping[type, Callable[[str], Any]]], T] = attrs.field(default=None)
    check: Callable[[T, Ledger], None] = _no_more_checks
    audit: Callable[[T, Ledger], None] = _no_more_checks
    archives: tuple[Archived, ...] = ()

    def __attrs_post_init__(self) -> None:
        cls = self.cls
        if self.dump is None:
            object.__setattr__(self, "dump", lambda entity: to_data(entity, references=REFERENCES))
        if self.load is None:
            object.__setattr__(
                self, "load", lambda data, ledger, refs: from_data(cls, data, ledger=ledger, references=refs)
            )


#: The index status of an escrow trade while a refund request is open on it (退款中), whatever its trade status:
#: a program finds the requests waiting for an answer without reading every trade awaiting confirmation.
REFUND_REQUESTED: Final = "REFUND_REQUESTED"


def _trade_status(trade: EscrowTrade) -> str:
    return REFUND_REQUESTED if trade.open_request is not None else _status(trade.status)


def _trade_due(trade: EscrowTrade) -> datetime | None:
    status = trade.status
    if status is TradeStatus.WAIT_BUYER_PAY:
        return trade.pay_deadline
    if status is TradeStatus.WAIT_BUYER_CONFIRM_GOODS:
        return trade.confirm_deadline
    if status is TradeStatus.TRADE_SUCCESS and trade.open_request is None:
        return trade.refund_deadline
    return None


def _check_account(account: Account, ledger: Ledger) -> None:
    try:
        wallet = ledger.account(account.wallet_id)
    except AntfinError as error:
        raise InvariantViolationError(f"account {account.account_id!r} has no wallet in the ledger") from error
    if not wallet.non_negative:
        raise InvariantViolationError(f"the wallet of {account.account_id!r} may go negative")


def _loan_due(loan: Loan) -> datetime | None:
    due = loan.next_due
    return None if due is None else datetime.combine(due, time(0), tzinfo=SHANGHAI)


def _load_platform(data: Any, ledger: Ledger, _refs: Mapping[type, Callable[[str], Any]]) -> Zhaocaibao:
    return Zhaocaibao.from_data(ledger, data)


def _offer_due(offer: CrowdfundOffer) -> datetime | None:
    return offer.closes_at if offer.status is OfferStatus.OPEN else None


#: Every kind the books store, by name.
KINDS: Final[Mapping[str, Kind[Any]]] = {
    kind.name: kind
    for kind in (
        Kind(
            "account",
            Account,
            lambda a: a.account_id,
            lambda a: _status(a.account_type),
            check=_check_account,
            archives=(
                Archived.of(Account, "_payments", "payments"),
                Archived.of(Account, "_withdrawals", "withdrawals"),
            ),
        ),
        Kind("escrow", EscrowTrade, lambda t: t.out_trade_no, _trade_status, _trade_due),
        Kind(
            "fund",
            MoneyFund,
            lambda f: f.fund_id,
            lambda _f: "OPEN",
            audit=lambda fund, _ledger: fund.check_positions(),
            archives=(
                Archived.of(MoneyFund, "_done", "orders"),
                Archived.of(MoneyFund, "_fast_closed", "fast_redemptions"),
                Archived.of(MoneyFund, "_closed", "days"),
            ),
        ),
        Kind(
            "zhaocaibao",
            Zhaocaibao,
            lambda _z: "zhaocaibao",
            lambda _z: "OPEN",
            dump=lambda platform: platform.to_data(),
            load=_load_platform,  # Zhaocaibao.from_data checks the platform against the ledger
            archives=(
                Archived("_state.keys", "keys", str, IdempotencyRecord[str]),
                Archived("_state.done_products", "products", str, Product),
                Archived("_state.done_holdings", "holdings", str, Holding),
                Archived("_state.done_reservations", "reservations", str, Reservation),
                Archived("_state.done_claims", "claims", str, GuarantorClaim),
            ),
        ),
        Kind(
            "loan",
            Loan,
            lambda loan: loan.loan_id,
            lambda loan: _status(loan.status),
            _loan_due,
            archives=(
                Archived.of(Loan, "_receipts", "receipts"),
                Archived.of(Loan, "_event_log", "events"),
            ),
        ),
        Kind(
            "huabei",
            HuabeiAccount,
            lambda h: h.user,
            lambda _h: "OPEN",
            lambda h: h.due_at(),  # a bill to issue, or an open bill's due date
            archives=(
                Archived.of(HuabeiAccount, "_requests", "requests"),
                Archived.of(HuabeiAccount, "_event_log", "events"),
                Archived.of(HuabeiAccount, "_purchase_log", "purchases"),
                Archived.of(HuabeiAccount, "_refund_log", "refunds"),
                Archived.of(HuabeiAccount, "_bill_log", "bills"),
                Archived.of(HuabeiAccount, "_plan_log", "plans"),
            ),
        ),
        Kind("offer", CrowdfundOffer, lambda o: o.offer_id, lambda o: _status(o.status), _offer_due),
        Kind("profile", CreditProfile, lambda p: p.subject, lambda _p: "OPEN"),
    )
}

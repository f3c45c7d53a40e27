"""The Zhaocaibao platform on the ledger: listings, subscriptions, 变现, 预约, maturity and claims.

Products never move money themselves: :class:`Zhaocaibao` decides, then posts
to a :class:`~antfin.ledger.Ledger`. Accounts it uses:

* ``wallet:<party>``: investors', issuers' and guarantors' wallets (liability
  accounts the caller opens, investors' with ``non_negative=True``);
* ``zcb:escrow:<product_id>``: money subscribed to a product until it issues
  (opened by the platform);
* ``zcb:reservations``: a clearing account reservation holds post through
  (always back to zero after each operation);
* the revenue account of ``ProfitPoint.ZHAOCAIBAO_TRANSFER_FEE`` for the 0.2% fee.

>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> from antfin.rates import Rate
>>> from antfin.wealth.zhaocaibao import ProductKind, ProductTerms, Zhaocaibao
>>> ledger = Ledger()
>>> _ = ledger.open_account("asset:bank_settlement", AccountKind.ASSET)
>>> for party in ("alice", "bank", "insurer"):
...     _ = ledger.open_account(f"wallet:{party}", AccountKind.LIABILITY, non_negative=True)
>>> _ = ledger.transfer("top-up:alice", debit="asset:bank_settlement", credit="wallet:alice",
...                     amount=CNY("20000.00"), at=shanghai(2024, 3, 1))
>>> zcb = Zhaocaibao(ledger)
>>> product = zcb.list_product(ProductTerms(
...     product_id="ZCB-90", issuer="bank", guarantor="insurer", kind=ProductKind.BANK,
...     amount=CNY("10000.00"), term_days=90, annual_yield=Rate.percent("4.5"),
...     sale_start=shanghai(2024, 3, 1), sale_end=shanghai(2024, 3, 8)), at=shanghai(2024, 3, 1))
>>> holding = zcb.subscribe("order-1", "ZCB-90", "alice", CNY("10000.00"), at=shanghai(2024, 3, 1, 10))
>>> zcb.product("ZCB-90").status.value, str(zcb.product("ZCB-90").maturity_date)
('issued', '2024-05-31')
>>> ledger.balance("wallet:bank"), ledger.balance("wallet:alice")
(Money('10000.00', 'CNY'), Money('10000.00', 'CNY'))

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from antfin.calendar import shanghai
from antfin.chart import BANK_SETTLEMENT, wallet, zhaocaibao_escrow
from antfin.errors import (
    InvariantViolationError,
    NotFoundError,
    SerializationError,
)
from antfin.ledger import AccountKind, Ledger
from antfin.money import CNY, Money
from antfin.rates import Rate
from antfin.validators import attribute, check_int
from antfin.wealth.zhaocaibao.claims import DEFAULT_CLAIM_POLICY, ClaimPolicy, GuarantorClaim
from antfin.wealth.zhaocaibao.fees import DEFAULT_TRANSFER_FEE_POLICY, TransferFeePolicy
from antfin.wealth.zhaocaibao.platform_liquidity import _Liquidity
from antfin.wealth.zhaocaibao.platform_maturity import _Maturity
from antfin.wealth.zhaocaibao.platform_reservations import _Reservations
from antfin.wealth.zhaocaibao.platform_sales import _Sales
from antfin.wealth.zhaocaibao.platform_state import _Journal, _State, is_final
from antfin.wealth.zhaocaibao.products import (
    Holding,
    Product,
    ProductKind,
    ProductTerms,
    UnsoldPolicy,
)
from antfin.wealth.zhaocaibao.reservations import (
    Reservation,
)

__all__ = ["Payout", "PayoutLine", "SettlementReport", "Zhaocaibao", "ZhaocaibaoConfig"]


def _kinds(value: Any) -> frozenset[ProductKind]:
    kinds = frozenset(value)
    for kind in kinds:
        if not isinstance(kind, ProductKind):
            raise TypeError(f"fee_payer_kinds must contain ProductKind members, not {type(kind).__name__}")
    return kinds


def _check_type(kind: type) -> Any:
    def check(_instance: Any, attribute: Any, value: Any) -> None:
        if not isinstance(value, kind):
            raise TypeError(f"{attribute.name} must be a {kind.__name__}, not {type(value).__name__}")

    return check


@attrs.frozen
class ZhaocaibaoConfig:
    """Platform settings (every field is cfg, with the case study's numbers as defaults).

    >>> config = ZhaocaibaoConfig()
    >>> str(config.fee.rate), sorted(kind.value for kind in config.fee_payer_kinds)
    ('0.2%', ['pledged_loan', 'sme_loan', 'transfer'])
    >>> config.reservation_months, config.transfer_sale_days, config.partial_liquidation
    (1, 3, True)

    Args:
        fee: the 0.2% fee policy (rate and rounding).
        fee_payer_kinds: issuers of these kinds pay the fee on what they raise,
            when the product issues: borrowers (SME loans and 变现 borrowings,
            借款人) and transferors (变现 transfers, 转让人), as the case study says.
        claim: the guarantor's deadlines (30 days to confirm, 3 to pay).
        reservation_months: how long a reservation stays open (one month).
        partial_liquidation: whether a holder may cash out part of a holding.
        transfer_sale_days: the sale window of a transfer product, in days
            (shortened so the sale closes before the day ahead of maturity).
        transfer_unsold: what happens to an unsold transfer product at the end of its window.

    Raises:
        TypeError: for a field of the wrong type.
        antfin.errors.InvalidAmountError: for a period below one.

    .. versionadded:: 0.1.0
    """

    fee: TransferFeePolicy = attrs.field(default=DEFAULT_TRANSFER_FEE_POLICY, validator=_check_type(TransferFeePolicy))
    fee_payer_kinds: frozenset[ProductKind] = attrs.field(
        default=frozenset({ProductKind.SME_LOAN, ProductKind.TRANSFER, ProductKind.PLEDGED_LOAN}), converter=_kinds
    )
    claim: ClaimPolicy = attrs.field(default=DEFAULT_CLAIM_POLICY, validator=_check_type(ClaimPolicy))
    reservation_months: int = attrs.field(default=1, validator=attribute(check_int, at_least=1))
    partial_liquidation: bool = attrs.field(default=True, validator=_check_type(bool))
    transfer_sale_days: int = attrs.field(default=3, validator=attribute(check_int, at_least=1))
    transfer_unsold: UnsoldPolicy = attrs.field(default=UnsoldPolicy.ISSUE_SOLD, validator=_check_type(UnsoldPolicy))


@attrs.frozen
class PayoutLine:
    """What one holding receives at maturity (or from the guarantor).

    A seller who cashed out part of a holding gets a line with zero principal
    and the interest its transferred part earned beyond what the buyers get.

    >>> PayoutLine("h1", "alice", CNY("5000.00"), CNY("55.47")).total
    Money('5055.47', 'CNY')

    .. versionadded:: 0.1.0
    """

    holding_id: str
    investor: str
    principal: Money
    interest: Money

    @property
    def total(self) -> Money:
        """Principal plus interest.

        >>> PayoutLine("h", "a", CNY("1.00"), CNY("0.01")).total
        Money('1.01', 'CNY')
        """
        return self.principal + self.interest


@attrs.frozen
class Payout:
    """A product's repayment: who paid and every holder's line; the lines sum to the payment.

    >>> from antfin.calendar import shanghai
    >>> payout = Payout("ZCB-1", "bank", shanghai(2024, 6, 7), (PayoutLine("h1", "a", CNY("100.00"), CNY("1.10")),))
    >>> payout.total, payout.interest
    (Money('101.10', 'CNY'), Money('1.10', 'CNY'))

    .. versionadded:: 0.1.0
    """

    product_id: str
    payer: str
    at: datetime
    lines: tuple[PayoutLine, ...]

    @property
    def principal(self) -> Money:
        """Principal repaid.

        >>> from antfin.calendar import shanghai
        >>> Payout("P", "bank", shanghai(2024, 1, 1), (PayoutLine("h", "a", CNY("2.00"), CNY("0")),)).principal
        Money('2.00', 'CNY')
        """
        return sum((line.principal for line in self.lines[1:]), self.lines[0].principal)

    @property
    def interest(self) -> Money:
        """Interest paid.

        >>> from antfin.calendar import shanghai
        >>> Payout("P", "bank", shanghai(2024, 1, 1), (PayoutLine("h", "a", CNY("2.00"), CNY("0.02")),)).interest
        Money('0.02', 'CNY')
        """
        return sum((line.interest for line in self.lines[1:]), self.lines[0].interest)

    @property
    def total(self) -> Money:
        """What the payer paid: principal plus interest.

        >>> from antfin.calendar import shanghai
        >>> Payout("P", "bank", shanghai(2024, 1, 1), (PayoutLine("h", "a", CNY("2.00"), CNY("0.02")),)).total
        Money('2.02', 'CNY')
        """
        return self.principal + self.interest


@attrs.frozen
class SettlementReport:
    """What :meth:`Zhaocaibao.settle_due` did.

    >>> SettlementReport(expired=("r1",), closed=("ZCB-1",)).closed
    ('ZCB-1',)

    .. versionadded:: 0.1.0
    """

    expired: tuple[str, ...]
    closed: tuple[str, ...]


class Zhaocaibao(_Sales, _Reservations, _Liquidity, _Maturity):
    """The Zhaocaibao platform: every money movement is a ledger entry or hold.

    Every operation is atomic: it either completes, with its ledger entries and
    state changes, or raises and changes nothing (ledger and platform state
    alike). After each one the platform checks its invariants (escrow balances
    equal what is sold, the clearing account is empty, each open reservation
    holds exactly its remainder).

    >>> from antfin.ledger import Ledger
    >>> Zhaocaibao(Ledger()).config.fee.rounding.name
    'HALF_UP'

    Args:
        ledger: the ledger money moves through.
        config: the platform settings (cfg).

    .. versionadded:: 0.1.0
    """

    def __init__(self, ledger: Ledger, config: ZhaocaibaoConfig | None = None) -> None:
        if not isinstance(ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, not {type(ledger).__name__}")
        if config is not None and not isinstance(config, ZhaocaibaoConfig):
            raise TypeError(f"config must be a ZhaocaibaoConfig, not {type(config).__name__}")
        self._ledger: Ledger = ledger
        self._config: ZhaocaibaoConfig = config if config is not None else ZhaocaibaoConfig()
        self._state: _State = _State()
        self._journal: _Journal | None = None

    # -- plumbing -------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        """The ledger this platform posts to.

        >>> from antfin.ledger import Ledger
        >>> ledger = Ledger()
        >>> Zhaocaibao(ledger).ledger is ledger
        True
        """
        return self._ledger

    @property
    def config(self) -> ZhaocaibaoConfig:
        """The platform settings.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).config.reservation_months
        1
        """
        return self._config

    @staticmethod
    def wallet(party: str) -> str:
        """The wallet account id of a party: ``wallet:<party>``.

        >>> Zhaocaibao.wallet("alice")
        'wallet:alice'
        """
        return wallet(party)

    @staticmethod
    def escrow(product_id: str) -> str:
        """The escrow account id of a product: ``zcb:escrow:<product_id>``.

        >>> Zhaocaibao.escrow("ZCB-1")
        'zcb:escrow:ZCB-1'
        """
        return zhaocaibao_escrow(product_id)

    def _need_wallet(self, party: str, field: str) -> str:
        account = self.wallet(party)
        if not self._ledger.has_account(account):
            raise NotFoundError(f"{field} {party!r} has no wallet account {account!r}; open it in the ledger first")
        return account

    # -- queries --------------------------------------------------------------------

    def product(self, product_id: str) -> Product:
        """A listed product by id.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).product("nope")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Zhaocaibao product 'nope'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.
        """
        found = self._find_product(product_id)
        if found is None:
            raise NotFoundError(f"no Zhaocaibao product {product_id!r}")
        return found

    def holding(self, holding_id: str) -> Holding:
        """A holding by id.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).holding("h")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Zhaocaibao holding 'h'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.
        """
        found = self._find_holding(holding_id)
        if found is None:
            raise NotFoundError(f"no Zhaocaibao holding {holding_id!r}")
        return found

    def reservation(self, reservation_id: str) -> Reservation:
        """A reservation by id.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).reservation("r")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no Zhaocaibao reservation 'r'

        Raises:
            antfin.errors.NotFoundError: for an unknown id.
        """
        found = self._find_reservation(reservation_id)
        if found is None:
            raise NotFoundError(f"no Zhaocaibao reservation {reservation_id!r}")
        return found

    def claim(self, product_id: str) -> GuarantorClaim:
        """The guarantor claim on a defaulted product.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).claim("P")
        Traceback (most recent call last):
        ...
        antfin.errors.NotFoundError: no guarantor claim on product 'P'

        Raises:
            antfin.errors.NotFoundError: when the product has no claim.
        """
        found = self._find_claim(product_id)
        if found is None:
            raise NotFoundError(f"no guarantor claim on product {product_id!r}")
        return found

    def products(self, *, include_final: bool = True) -> tuple[Product, ...]:
        """Every product, in listing order; with ``include_final=False`` only the live ones (open, issued, defaulted).

        Matured, cancelled and guarantee-paid products are kept in an archive:
        listing them is a scan of the history (in the books, a read of every
        archived row), so daily work asks for the live ones only.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).products(), Zhaocaibao(Ledger()).products(include_final=False)
        ((), ())

        .. versionchanged:: 0.2.0
           ``include_final``.
        """
        live = tuple(self._state.products.values())
        if not include_final:
            return live
        return tuple(sorted((*self._state.done_products.values(), *live), key=lambda p: p.listed_at))

    def holdings(self, investor: str | None = None, *, include_final: bool = True) -> tuple[Holding, ...]:
        """Every holding, or one investor's, in subscription order; ``include_final=False``: not paid or refunded.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).holdings("alice"), Zhaocaibao(Ledger()).holdings(include_final=False)
        ((), ())

        .. versionchanged:: 0.2.0
           ``include_final``.
        """
        found = [h for h in self._state.holdings.values() if investor is None or h.investor == investor]
        if not include_final:
            return tuple(found)
        found += [h for h in self._state.done_holdings.values() if investor is None or h.investor == investor]
        return tuple(sorted(found, key=lambda h: h.subscribed_at))

    def reservations(self, investor: str | None = None, *, include_final: bool = True) -> tuple[Reservation, ...]:
        """Every reservation, or one investor's, in reservation order; ``include_final=False``: the open ones.

        >>> from antfin.ledger import Ledger
        >>> Zhaocaibao(Ledger()).reservations(), Zhaocaibao(Ledger()).reservations(include_final=False)
        ((), ())

        .. versionchanged:: 0.2.0
           ``include_final``.
        """
        found = [r for r in self._state.reservations.values() if investor is None or r.investor == investor]
        if not include_final:
            return tuple(found)
        found += [r for r in self._state.done_reservations.values() if investor is None or r.investor == investor]
        return tuple(sorted(found, key=lambda r: r.reserved_at))

    # -- listing and subscribing ----------------------------------------------------

    # -- reservations ---------------------------------------------------------------

    # -- liquidation (变现) -----------------------------------------------------------

    # -- maturity, default and the guarantor ----------------------------------------------

    # -- housekeeping ------------------------------------------------------------------

    def check_invariants(self) -> None:
        """Raise if the platform and the ledger disagree.

        Checked: each open product's escrow holds exactly what it sold and every
        other escrow is empty; the reservation clearing account is empty; each
        open reservation has a pending hold of exactly its remainder; each
        product's holdings add up to what it sold.

        >>> _example_platform().check_invariants()

        Raises:
            antfin.errors.InvariantViolationError: naming the broken rule.
        """
        state = self._state
        for product in (*state.products.values(), *state.done_products.values()):
            self._check_product(product)
        self._check_clearing()
        for reservation in state.reservations.values():
            self._check_reservation(reservation)
        for archive in (state.done_products, state.done_holdings, state.done_reservations, state.done_claims):
            for key in archive:
                record = archive[key]
                if not is_final(record):
                    raise InvariantViolationError(f"archived record {key!r} is {record.status.value}, not final")

    def to_data(self) -> dict[str, Any]:
        """The platform's settings and state as JSON-compatible data (how the books store it).

        >>> from antfin.ledger import Ledger
        >>> sorted(Zhaocaibao(Ledger()).to_data())
        ['config', 'state']

        .. versionadded:: 0.2.0
        """
        from antfin.serialization import to_data

        return {"config": to_data(self._config), "state": to_data(self._state)}

    @classmethod
    def from_data(cls, ledger: Ledger, data: Any) -> Zhaocaibao:
        """A platform rebuilt from :meth:`to_data` output, checked against ``ledger`` before it is returned.

        >>> platform = _example_platform()
        >>> again = Zhaocaibao.from_data(platform.ledger, platform.to_data())
        >>> [p.product_id for p in again.products()] == [p.product_id for p in platform.products()]
        True

        Raises:
            antfin.errors.SerializationError: malformed data.
            antfin.errors.InvariantViolationError: state that disagrees with the ledger.

        .. versionadded:: 0.2.0
        """
        from antfin.serialization import from_data

        if not isinstance(data, dict) or set(data) != {"config", "state"}:
            raise SerializationError("$: expected an object with the platform's config and state")
        platform = cls(ledger, from_data(ZhaocaibaoConfig, data["config"]))
        platform._state = from_data(_State, data["state"])
        platform.check_invariants()
        return platform


def _example_platform() -> Zhaocaibao:
    """A ledger with alice (20,000 yuan), a bank issuer and an insurer, and one open 90-day product."""
    ledger = Ledger()
    ledger.open_account(BANK_SETTLEMENT, AccountKind.ASSET)
    for party in ("alice", "bob", "bank", "insurer"):
        ledger.open_account(wallet(party), AccountKind.LIABILITY, non_negative=True)
    ledger.transfer(
        "top-up:alice",
        debit=BANK_SETTLEMENT,
        credit=wallet("alice"),
        amount=CNY("20000.00"),
        at=shanghai(2024, 1, 1),
    )
    platform = Zhaocaibao(ledger)
    platform.list_product(
        ProductTerms(
            product_id="ZCB-90",
            issuer="bank",
            guarantor="insurer",
            kind=ProductKind.BANK,
            amount=CNY("10000.00"),
            term_days=90,
            annual_yield=Rate.percent("4.5"),
            sale_start=shanghai(2024, 3, 1),
            sale_end=shanghai(2024, 3, 8),
        ),
        at=shanghai(2024, 3, 1),
    )
    return platform

"""Yu'ebao's daily close: settle the orders due, accrue the fees and distribute the day's income, checked in
full before anything is booked; the first close is anchored to the fund's orders.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

from collections import ChainMap
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Final

import attrs

from antfin.archive import Archive
from antfin.calendar import (
    ensure_aware,
    ensure_date,
    local_date,
)
from antfin.errors import (
    InvalidAmountError,
    InvalidTimeError,
    InvalidTransitionError,
)
from antfin.idempotency import DerivedRecords, fingerprint, remember, replay
from antfin.ledger import Ledger, Posting
from antfin.money import CNY, Money
from antfin.validators import check_money
from antfin.wealth import fund as _fund
from antfin.wealth.fees import FeeAccrual, FundParty
from antfin.wealth.income import distribute_income, income_per_10k

#: Closed days kept live: the 7-day yield reads the last seven; older ones are archived.
_KEEP_DAYS: Final = timedelta(days=7)


class _DailyClose:
    """The daily close of :class:`~antfin.wealth.fund.MoneyFund`."""

    if not TYPE_CHECKING:
        __slots__ = ()

    if TYPE_CHECKING:

        def _holdings(self) -> tuple[list[str], list[int]]: ...
        def _check_total(self, positions: int) -> None: ...

        _total: int

        _incomes: dict[date, _fund.DailyIncome]
        _closed: Archive[date, _fund.DailyIncome]

        def _income(self, day: date) -> _fund.DailyIncome | None: ...

        _last_closed: date | None

        def _ledger_key(self, order: _fund.FundOrder) -> str: ...
        def _archive(self, order: _fund.FundOrder) -> None: ...

        _done: Archive[str, _fund.FundOrder]
        _fast_used: dict[tuple[str, date], int]
        _fast_closed: Archive[tuple[str, date], int]

        def _open_party(self, party: FundParty) -> str: ...

        _orders: dict[str, _fund.FundOrder]

        @property
        def assets_account(self) -> str: ...

        config: _fund.MoneyFundConfig
        fund_id: str
        ledger: Ledger

        def position_account(self, investor: str) -> str: ...

    def _close_records(self) -> DerivedRecords[date, _fund.DailyIncome]:
        days = ChainMap(self._incomes, self._closed)  # a retried close is found wherever its day is now
        return DerivedRecords(days, date.fromisoformat, date.isoformat, _fund._close_fingerprint)

    def close_day(self, day: date, *, gross_income: Money | None = None, at: datetime) -> _fund.DailyIncome:
        """Close calendar day ``day``: settle the orders due, accrue fees, distribute the income.

        In one atomic ledger block: purchases whose confirmation day is
        ``day`` (or earlier) are posted and their units created; normal
        redemptions due are paid and their units removed; then the fees
        accrue on the units earning that day and ``gross_income - fees`` is
        split over the holders with :func:`~antfin.wealth.distribute_income`
        and added to their units (a negative day takes units away). Without
        ``gross_income`` the day's income is what the portfolio earns
        (``config.portfolio``: the units earning that day on the target
        allocation at that day's yields). Entries: debit the portfolio with the
        gross income, credit each fee to its party's account
        (:meth:`party_account`) and each holder's position.

        Days close one after another with no gaps (weekends and holidays
        included). The first close anchors that sequence, so it must fit the
        orders: not before the day the fund's first order was placed, and not
        after the first day an order takes effect; a fund with no orders yet
        starts on its booking day or within the week before. Closing a closed
        day again with the same income (or none) returns the recorded result
        (keyed by the day, with :mod:`antfin.idempotency`).

        Check, then act: the income, fees, each holder's share and the income
        per 10,000 units are computed and checked before anything is booked; a
        refusal changes neither the ledger nor the fund.

        >>> from antfin.wealth.fund import _demo_fund_with_units, shanghai
        >>> fund, ledger = _demo_fund_with_units()
        >>> result = fund.close_day(date(2024, 6, 13), gross_income=CNY("0.01"), at=shanghai(2024, 6, 13, 23))
        >>> result.fees, result.distributable, result.per_10k
        (Money('0.00', 'CNY'), Money('0.01', 'CNY'), Decimal('1.0000'))
        >>> fund.close_day(date(2024, 6, 14), at=shanghai(2024, 6, 14, 23)).gross   # from the portfolio
        Money('0.00', 'CNY')

        Args:
            day: the calendar day to close.
            gross_income: the portfolio's income that day, before fees (may be negative);
                ``None`` computes it from ``config.portfolio``.
            at: when the close is booked (aware, on or after ``day``).

        Returns:
            The day's :class:`DailyIncome`.

        Raises:
            antfin.errors.InvalidTransitionError: for a day that is not the next to close.
            antfin.errors.IdempotencyConflictError: when a closed day is closed again with other income.
            antfin.errors.InvalidTimeError: for a naive ``at`` or one before ``day``, or a first
                close that the orders (or, with none, the booking day) do not support.
            antfin.errors.InvalidAmountError: for nonzero income with no units to earn it, or an
                income whose fees, shares or income per 10,000 units are out of range.
            antfin.errors.InvariantViolationError: when the holders' positions no longer sum to the
                fund's units (see :meth:`check_positions`).

        .. versionadded:: 0.1.0
        """
        closing = ensure_date(day, "day")
        if gross_income is not None:
            check_money(gross_income, "gross_income", currency=CNY)
        booked_at = ensure_aware(at)
        records = self._close_records()
        recorded = self._income(closing)
        if recorded is not None:
            # Closing a closed day again replays it: without an income, or with the same one.
            asked = fingerprint("close_day", closing, recorded.gross if gross_income is None else gross_income)
            replayed = replay(records, closing.isoformat(), asked, what=f"{self.fund_id} close of day")
            if replayed is not None:
                return replayed
        if self._last_closed is not None and closing != self._last_closed + _fund._ONE_DAY:
            raise InvalidTransitionError(
                f"cannot close {closing}: the next day to close is {self._last_closed + _fund._ONE_DAY}"
            )
        if local_date(booked_at) < closing:
            raise InvalidTimeError(f"at {booked_at.isoformat()} is before the day it closes ({closing})")
        if self._last_closed is None:
            self._check_first_close(closing, booked_at)
        due = [
            order
            for order in self._orders.values()
            if order.status is _fund.OrderStatus.PENDING and order.effective_day <= closing
        ]
        changes: dict[str, int] = {}
        for order in due:
            sign = 1 if order.kind is _fund.OrderKind.PURCHASE else -1
            changes[order.investor] = changes.get(order.investor, 0) + sign * order.amount.minor_units
        holders, units = self._holdings()
        self._check_total(sum(units))  # a position moved behind the fund's back stops the close
        held = set(holders)
        new = [investor for investor in changes if investor not in held]
        holders.extend(new)
        units.extend(0 for _ in new)
        earning = [fen + changes.get(investor, 0) for investor, fen in zip(holders, units, strict=True)]
        # Check, then act: the income, fees, shares and the day's result are computed and checked
        # before anything is booked; a refusal changes neither the ledger nor the fund.
        result, fees, shares = self._day_income(closing, gross_income, earning)
        gross_income, distributable = result.gross, result.distributable
        with self.ledger.atomic():
            for order in due:
                self.ledger.post_hold(f"{self._ledger_key(order)}:settle", self._ledger_key(order), at=booked_at)
            postings = self._income_postings(gross_income, fees, holders, shares)
            if postings:
                entry = self.ledger.post_entry(
                    f"{self.fund_id}:income:{closing.isoformat()}",
                    postings,
                    at=booked_at,
                    memo=f"{self.fund_id} income for {closing}",
                    metadata={"day": closing.isoformat(), "distributable": str(distributable.amount)},
                )
                result = attrs.evolve(result, entry_id=entry.id)
        # The ledger accepted everything: apply it to our own state.
        for order in due:
            order.transition(_fund.OrderStatus.DONE, booked_at)
            self._archive(order)
        self._total += sum(changes.values()) + sum(shares)
        remember(records, closing.isoformat(), _fund._close_fingerprint(result), result)
        self._last_closed = closing
        for used in [used for used in self._fast_used if used[1] <= closing]:  # no more fast redemptions on those days
            self._fast_closed[used] = self._fast_used.pop(used)
        for old in [old for old in self._incomes if old <= closing - _KEEP_DAYS]:
            self._closed[old] = self._incomes.pop(old)
        return result

    def _check_first_close(self, closing: date, booked_at: datetime) -> None:
        """The first close anchors the fund's days: refuse one that no order (or the booking day) supports.

        With orders, the first day closed must not be before the day the first
        order was placed (Asia/Shanghai) and not after the first day an order
        takes effect (so no earning day of a due order is skipped). Without
        orders, it must be within a week before the day it is booked.
        """
        orders = [*self._orders.values(), *self._done.values()]  # once, at the first close: history is short
        if not orders:
            earliest = local_date(booked_at) - _fund._FIRST_CLOSE_WINDOW
            if closing < earliest:
                raise InvalidTimeError(
                    f"cannot close {closing} first: a fund with no orders starts closing on the day it is booked "
                    f"({local_date(booked_at)}) or within {_fund._FIRST_CLOSE_WINDOW.days} days before, "
                    f"not before {earliest}"
                )
            return
        placed = min(local_date(order.placed_at) for order in orders)
        effective = min(order.effective_day for order in orders)
        if closing < placed:
            raise InvalidTimeError(
                f"cannot close {closing} first: it is before the fund's first order was placed ({placed}); "
                f"expected a day from {placed} to {effective}"
            )
        if closing > effective:
            raise InvalidTimeError(
                f"cannot close {closing} first: an order takes effect on {effective} and its days would never "
                f"be closed; expected a day from {placed} to {effective}"
            )

    def _day_income(
        self, closing: date, gross_income: Money | None, earning: list[int]
    ) -> tuple[_fund.DailyIncome, FeeAccrual, list[int]]:
        """The day's result (without its entry), its fees and each holder's share, checked; nothing is booked."""
        total = sum(earning)
        try:
            earning_assets = Money.from_minor_units(total, CNY)
            gross = (
                self.config.portfolio.gross_income(earning_assets, closing) if gross_income is None else gross_income
            )
            if total == 0 and not gross.is_zero():
                raise InvalidAmountError(
                    f"gross_income on {closing} is {gross} but no units earn that day; expected 0.00"
                )
            fees = self.config.fees.accrue(earning_assets, on=closing)
            distributable = gross - fees.total
            shares = distribute_income(distributable.minor_units, earning) if total else [0] * len(earning)
            units = Decimal(total).scaleb(-2)
            per_10k = (
                income_per_10k(distributable, units, rounding=self.config.per_10k_rounding)
                if total
                else Decimal("0.0000")
            )
            result = _fund.DailyIncome(closing, gross, fees.total, distributable, units, per_10k, None)
        except ArithmeticError as error:  # decimal.InvalidOperation, Overflow: an absurd income
            raise InvalidAmountError(
                f"cannot close {closing} with gross income {gross_income}: the day's income, fees or income "
                f"per 10,000 units are out of range ({type(error).__name__})"
            ) from None
        amounts = [gross.minor_units, *(fee.minor_units for _, fee in fees.by_party()), *shares]
        if any(abs(amount) > _fund._MAX_MINOR for amount in amounts):
            raise InvalidAmountError(
                f"gross income {gross} on {closing} is out of range: every amount booked must be below 2**63 fen"
            )
        return result, fees, shares

    def _income_postings(self, gross: Money, fees: FeeAccrual, holders: list[str], shares: list[int]) -> list[Posting]:
        postings: list[Posting] = []
        if not gross.is_zero():
            postings.append(Posting(self.assets_account, gross))
        for party, fee in fees.by_party():
            if not fee.is_zero():
                postings.append(Posting(self._open_party(party), -fee))
        for investor, share in zip(holders, shares, strict=True):
            if share:
                postings.append(Posting(self.position_account(investor), Money.from_minor_units(-share, CNY)))
        return postings

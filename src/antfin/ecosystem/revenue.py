"""The income statement by product and profit point, derived from the ledger's postings.

Nothing here keeps a tally of its own: every figure is summed from the journal
entries posted to the revenue accounts of :class:`~antfin.ecosystem.ProfitPoint`.

>>> from antfin import CNY
>>> from antfin.calendar import shanghai
>>> from antfin.ledger import AccountKind, Ledger
>>> from antfin.ecosystem import ProfitPoint, income_statement, revenue_account
>>> ledger = Ledger()
>>> _ = ledger.open_account("wallet:shop", AccountKind.LIABILITY)
>>> fee = revenue_account(ledger, ProfitPoint.ALIPAY_ACQUIRING_COMMISSION)
>>> _ = ledger.transfer("fee:1", debit="wallet:shop", credit=fee, amount=CNY("0.60"), at=shanghai(2024, 5, 1))
>>> statement = income_statement(ledger)
>>> statement.total
Money('0.60', 'CNY')
>>> print(statement.to_text(locale="en_US"))
Income statement (all time)
Alipay                                                 CN¥0.60
  Acquiring commission                                 CN¥0.60
Total                                                  CN¥0.60

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

from antfin.calendar import ensure_aware
from antfin.chart import Basis, Product, ProfitPoint, Segment
from antfin.errors import InvalidAmountError, InvalidTimeError
from antfin.ledger import Ledger
from antfin.money import CNY, Currency, Money, format_money

__all__ = ["IncomeLine", "IncomeStatement", "income_statement"]

_WIDTH = 62


@attrs.frozen
class IncomeLine:
    """Revenue of one profit point over the statement's period.

    >>> IncomeLine(ProfitPoint.DAKE_SERVICE_FEE, CNY("300.00")).product
    <Product.DAKE: ...>

    .. versionadded:: 0.1.0
    """

    point: ProfitPoint
    amount: Money

    @property
    def product(self) -> Product:
        """The product line of this profit point."""
        return self.point.product

    @property
    def segment(self) -> Segment:
        """The 2020 segment of this profit point.

        >>> IncomeLine(ProfitPoint.DAKE_SERVICE_FEE, CNY("1")).segment.name_zh
        '创新业务及其他'

        .. versionadded:: 0.2.0
        """
        return self.point.segment

    @property
    def basis(self) -> Basis:
        """Whether the case study states this profit point or it is assumed.

        >>> IncomeLine(ProfitPoint.DAKE_SERVICE_FEE, CNY("1")).basis
        <Basis.ASSUMED: 'assumed'>

        .. versionadded:: 0.2.0
        """
        return self.point.facts.basis


@attrs.frozen
class IncomeStatement:
    """Revenue by product (or 2020 segment) and profit point for ``[start, end)``.

    >>> statement = IncomeStatement(None, None, (IncomeLine(ProfitPoint.HUABEI_INSTALMENT_FEE, CNY("440.00")),))
    >>> statement.by_product()[Product.HUABEI]
    Money('440.00', 'CNY')

    Attributes:
        start: first instant included, or ``None`` for the beginning.
        end: first instant excluded, or ``None`` for no end.
        lines: one line per profit point, in the order of :class:`~antfin.chart.ProfitPoint`,
            zero lines included so the statement always has the same shape.
        currency: the statement's currency.

    .. versionadded:: 0.1.0
    """

    start: datetime | None
    end: datetime | None
    lines: tuple[IncomeLine, ...]
    currency: Currency = CNY

    @property
    def total(self) -> Money:
        """All revenue in the period."""
        return sum((line.amount for line in self.lines), self.currency.zero())

    def by_product(self) -> dict[Product, Money]:
        """Revenue per product line, in the order of :class:`~antfin.chart.Product`.

        >>> IncomeStatement(None, None, ()).by_product()[Product.ALIPAY]
        Money('0.00', 'CNY')
        """
        totals = {product: self.currency.zero() for product in Product}
        for line in self.lines:
            totals[line.product] += line.amount
        return totals

    def by_segment(self) -> dict[Segment, Money]:
        """Revenue per 2020 segment, in the order of :class:`~antfin.chart.Segment`.

        >>> lines = (IncomeLine(ProfitPoint.HUABEI_INSTALMENT_FEE, CNY("440")),
        ...          IncomeLine(ProfitPoint.ALIPAY_ACQUIRING_COMMISSION, CNY("6")))
        >>> totals = IncomeStatement(None, None, lines).by_segment()
        >>> {segment.code: str(amount.amount) for segment, amount in totals.items()}
        {'payments': '6.00', 'digital_finance': '440.00', 'innovation': '0.00'}

        .. versionadded:: 0.2.0
        """
        totals = {segment: self.currency.zero() for segment in Segment}
        for line in self.lines:
            totals[line.segment] += line.amount
        return totals

    def by_basis(self) -> dict[Basis, Money]:
        """Revenue from profit points the case study states, and from assumed ones.

        >>> lines = (IncomeLine(ProfitPoint.HUABEI_INSTALMENT_FEE, CNY("440")),
        ...          IncomeLine(ProfitPoint.CLOUD_TECH_SERVICE_FEE, CNY("100")))
        >>> IncomeStatement(None, None, lines).by_basis()[Basis.ASSUMED]
        Money('100.00', 'CNY')

        .. versionadded:: 0.2.0
        """
        totals = {basis: self.currency.zero() for basis in Basis}
        for line in self.lines:
            totals[line.basis] += line.amount
        return totals

    def amount(self, point: ProfitPoint) -> Money:
        """Revenue of one profit point.

        >>> IncomeStatement(None, None, ()).amount(ProfitPoint.ALIPAY_FLOAT_INTEREST)
        Money('0.00', 'CNY')
        """
        for line in self.lines:
            if line.point is point:
                return line.amount
        return self.currency.zero()

    def _period(self, zh: bool) -> str:
        if self.start is None and self.end is None:
            return "全部期间" if zh else "all time"
        start = "…" if self.start is None else self.start.isoformat()
        end = "…" if self.end is None else self.end.isoformat()
        return f"{start} – {end}"

    def to_text(
        self,
        locale: str = "zh_CN",
        *,
        include_zero: bool = False,
        view: Literal["product", "segment"] = "product",
        by_basis: bool = False,
    ) -> str:
        """A plain-text table: products (or segments), their profit points, and the total.

        >>> statement = IncomeStatement(None, None, (IncomeLine(ProfitPoint.DAKE_SERVICE_FEE, CNY("300")),))
        >>> print(statement.to_text())
        利润表（全部期间）
        蚂蚁达客                                                    ¥300.00
          融资服务费                                                 ¥300.00
        合计                                                      ¥300.00

        Read by the 2020 segments, in two parts (what the case study states, then what is assumed):

        >>> lines = (IncomeLine(ProfitPoint.ALIPAY_ACQUIRING_COMMISSION, CNY("6")),
        ...          IncomeLine(ProfitPoint.CLOUD_TECH_SERVICE_FEE, CNY("100")))
        >>> print(IncomeStatement(None, None, lines).to_text("en_US", view="segment", by_basis=True))
        Income statement (all time)
        Stated by the case study                               CN¥6.00
          Digital payments and merchant services               CN¥6.00
            Alipay: Acquiring commission                       CN¥6.00
        Assumed                                              CN¥100.00
          Innovation initiatives and others                  CN¥100.00
            Ant Financial Cloud: Technology service fees     CN¥100.00
        Total                                                CN¥106.00

        Args:
            locale: ``"zh_CN"`` or ``"en_US"`` (any Babel locale formats the amounts;
                names are Chinese for ``zh*`` locales and English otherwise).
            include_zero: also list profit points that earned nothing.
            view: group the profit points by ``"product"`` or by 2020 ``"segment"``.
            by_basis: print two labelled parts, profit points the case study states
                and then assumed ones (see :data:`~antfin.chart.POINT_FACTS`).

        Raises:
            TypeError: when ``view`` is not a string.
            antfin.errors.InvalidAmountError: for an unknown ``view`` (the same error as an unknown rounding mode).

        .. versionchanged:: 0.2.0
           ``view`` and ``by_basis``.
        """
        if not isinstance(view, str):
            raise TypeError(f"view must be a str, not {type(view).__name__}")
        if view not in ("product", "segment"):
            raise InvalidAmountError(f"unknown view {view!r}; expected 'product' or 'segment'")
        zh = locale.lower().startswith("zh")
        title = "利润表" if zh else "Income statement"
        out = [f"{title}（{self._period(zh)}）" if zh else f"{title} ({self._period(zh)})"]
        if by_basis:
            for basis in Basis:
                part = [line for line in self.lines if line.basis is basis]
                if not include_zero and not any(line.amount for line in part):
                    continue
                subtotal = sum((line.amount for line in part), self.currency.zero())
                out.append(_row(basis.label_zh if zh else basis.label_en, format_money(subtotal, locale)))
                out.extend(self._groups(part, view, locale, zh, include_zero, indent="  "))
        else:
            out.extend(self._groups(list(self.lines), view, locale, zh, include_zero, indent=""))
        out.append(_row("合计" if zh else "Total", format_money(self.total, locale)))
        return "\n".join(out)

    def _groups(
        self, lines: list[IncomeLine], view: str, locale: str, zh: bool, include_zero: bool, indent: str
    ) -> list[str]:
        groups: tuple[Product | Segment, ...] = tuple(Product) if view == "product" else tuple(Segment)
        out: list[str] = []
        for group in groups:
            members = [
                line
                for line in lines
                if (line.product if view == "product" else line.segment) is group and (include_zero or line.amount)
            ]
            if not members and not include_zero:
                continue
            subtotal = sum((line.amount for line in members), self.currency.zero())
            out.append(_row(indent + (group.name_zh if zh else group.name_en), format_money(subtotal, locale)))
            for line in members:
                name = line.point.name_zh if zh else line.point.name_en
                if view == "segment":  # a segment mixes products: say whose the line is
                    product = line.product.name_zh if zh else line.product.name_en
                    name = f"{product}{'：' if zh else ': '}{name}"
                out.append(_row(indent + "  " + name, format_money(line.amount, locale)))
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-compatible data: amounts as strings with their currency.

        >>> data = IncomeStatement(None, None, (IncomeLine(ProfitPoint.DAKE_SERVICE_FEE, CNY("300")),)).to_json()
        >>> data["total"], data["lines"][0]["profit_point"]
        ({'amount': '300.00', 'currency': 'CNY'}, 'DAKE_SERVICE_FEE')
        """
        return {
            "start": None if self.start is None else self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
            "currency": self.currency.code,
            "lines": [
                {
                    "product": line.product.name,
                    "segment": line.segment.name,
                    "basis": line.basis.value,
                    "note": line.point.facts.note,
                    "profit_point": line.point.name,
                    "name_zh": line.point.name_zh,
                    "name_en": line.point.name_en,
                    "amount": _money_json(line.amount),
                }
                for line in self.lines
            ],
            "by_product": {product.name: _money_json(amount) for product, amount in self.by_product().items()},
            "by_segment": {segment.name: _money_json(amount) for segment, amount in self.by_segment().items()},
            "by_basis": {basis.value: _money_json(amount) for basis, amount in self.by_basis().items()},
            "total": _money_json(self.total),
        }


def _money_json(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency.code}


def _display_width(text: str) -> int:
    # CJK characters take two columns in a terminal.
    return sum(2 if ord(char) > 0x2E80 else 1 for char in text)


def _row(label: str, value: str) -> str:
    gap = max(1, _WIDTH - _display_width(label) - _display_width(value))
    return f"{label}{' ' * gap}{value}"


def income_statement(
    ledger: Ledger,
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    currency: Currency = CNY,
) -> IncomeStatement:
    """Sum the revenue accounts' postings over ``[start, end)`` into an :class:`IncomeStatement`.

    Revenue accounts are credit-normal, so a credit adds revenue and a debit
    (a refunded fee, a reversal) takes it back.

    >>> from antfin.ledger import Ledger
    >>> income_statement(Ledger()).total
    Money('0.00', 'CNY')

    Raises:
        antfin.errors.InvalidTimeError: naive bounds, or ``end`` before ``start``.

    .. versionadded:: 0.1.0
    """
    if start is not None:
        start = ensure_aware(start, "start")
    if end is not None:
        end = ensure_aware(end, "end")
    if start is not None and end is not None and end < start:
        raise InvalidTimeError(f"end {end.isoformat()} is before start {start.isoformat()}")
    by_account: Mapping[str, ProfitPoint] = {point.account_id: point for point in ProfitPoint}
    sums = dict.fromkeys(ProfitPoint, 0)
    if start is None and end is None:
        # The whole history: each revenue account's running balance is the sum of its postings (the ledger's
        # check holds them equal), read without walking the entries.
        for account_id, balance in ledger.balances(by_account).items():
            if balance.currency == currency:
                sums[by_account[account_id]] = balance.minor_units
    else:
        for entry in ledger.iter_entries():  # a batch at a time: a long history is not held in memory
            if (start is not None and entry.at < start) or (end is not None and entry.at >= end):
                continue
            for posting in entry.postings:
                point = by_account.get(posting.account)
                if point is not None and posting.amount.currency == currency:
                    sums[point] -= posting.amount.minor_units
    lines = tuple(IncomeLine(point, Money.from_minor_units(minor, currency)) for point, minor in sums.items())
    return IncomeStatement(start, end, lines, currency)

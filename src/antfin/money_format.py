"""Money for people: format an amount with Babel's CLDR data, and parse it back.

Both functions are re-exported by :mod:`antfin.money`.

>>> from antfin.money import CNY, format_money, parse_money
>>> format_money(CNY("1234.5"), locale="en_US")
'CN¥1,234.50'
>>> parse_money("CN¥1,234.50", locale="en_US")
Money('1234.50', 'CNY')

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.numbers import NumberFormatError, format_currency, get_currency_symbol, parse_decimal

from antfin.errors import InvalidAmountError

if TYPE_CHECKING:
    from antfin.money import Currency, Money

__all__ = ["format_money", "parse_money"]


def format_money(money: Money, locale: str = "zh_CN") -> str:
    """Format an amount for display with Babel's CLDR data.

    >>> from antfin import CNY, format_money
    >>> format_money(CNY("1234.5"))
    '¥1,234.50'
    >>> format_money(CNY("1234.5"), locale="en_US")
    'CN¥1,234.50'
    >>> format_money(-CNY("3"), locale="en_US")
    '-CN¥3.00'

    Args:
        money: the amount.
        locale: a Babel locale identifier such as ``"zh_CN"`` or ``"en_US"``.

    Raises:
        TypeError: when ``money`` is not :class:`~antfin.money.Money`.
        antfin.errors.InvalidAmountError: for an unknown locale.

    .. versionadded:: 0.1.0
    """
    from antfin.money import Money  # money builds on this module: imported when called

    if not isinstance(money, Money):
        raise TypeError(f"format_money takes Money, not {type(money).__name__}")
    return format_currency(money.amount, money.currency.code, locale=_locale(locale), currency_digits=True)


def parse_money(text: str, currency: Currency | str = "CNY", locale: str = "zh_CN") -> Money:
    """Parse a formatted amount back into :class:`~antfin.money.Money` (inverse of :func:`format_money`).

    >>> from antfin import CNY
    >>> parse_money("¥1,234.50")
    Money('1234.50', 'CNY')
    >>> parse_money("CN¥1,234.50", locale="en_US")
    Money('1234.50', 'CNY')
    >>> parse_money(format_money(-CNY("0.05"), "en_US"), locale="en_US")
    Money('-0.05', 'CNY')

    Raises:
        antfin.errors.InvalidAmountError: when the text is not an amount in this
            locale, or has more decimals than the currency.

    .. versionadded:: 0.1.0
    """
    from antfin.money import Currency, Money  # money builds on this module: imported when called

    if not isinstance(text, str):
        raise TypeError(f"text must be a str, not {type(text).__name__}")
    cur = Currency.of(currency)
    loc = _locale(locale)
    symbol = get_currency_symbol(cur.code, locale=loc)
    body = text.replace("\u00a0", " ").replace("\u2212", "-").strip()
    negative = body.startswith("-")
    if negative:
        body = body[1:].lstrip()
    for token in sorted({symbol, cur.code}, key=len, reverse=True):
        if body.startswith(token):
            body = body[len(token) :]
            break
        if body.endswith(token):
            body = body[: -len(token)]
            break
    body = body.strip()
    try:
        if not body or body.startswith(("-", "+")):
            raise NumberFormatError(body)
        value = parse_decimal(body, locale=loc, strict=True)
    except NumberFormatError:
        example = format_money(Money(1234, cur), loc)
        raise InvalidAmountError(
            f"{text!r} is not a {cur.code} amount in locale {loc}; expected one like {example!r}"
        ) from None
    if negative:
        value = -value
    return Money(value, cur)


def _locale(locale: str) -> str:
    if not isinstance(locale, str):
        raise TypeError(f"locale must be a str such as 'zh_CN', not {type(locale).__name__}")
    try:
        Locale.parse(locale)
    except (ValueError, UnknownLocaleError):
        raise InvalidAmountError(f"unknown locale {locale!r}; expected one such as 'zh_CN' or 'en_US'") from None
    return locale

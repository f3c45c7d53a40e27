"""Chinese and English texts for qualification decisions shown in a UI.

>>> from antfin.crowdfunding.texts import format_value, language
>>> language("zh_CN"), language("en_US")
('zh', 'en')
>>> format_value(CNY("1000000"), "en_US")
'CN¥1,000,000.00'
>>> format_value(Decimal("2"), "zh_CN")
'2年'

.. versionadded:: 0.1.0
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final, Literal

from antfin.errors import NotFoundError
from antfin.money import Money, format_money

__all__ = ["LOCALES", "format_value", "language"]

#: The locales every text is written in.
LOCALES: Final = ("zh_CN", "en_US")


def language(locale: str) -> Literal["zh", "en"]:
    """The text language of a locale: ``"zh"`` or ``"en"``.

    >>> from antfin.crowdfunding.texts import language
    >>> language("zh_Hans_CN"), language("en")
    ('zh', 'en')
    >>> language("fr_FR")
    Traceback (most recent call last):
    ...
    antfin.errors.NotFoundError: no crowdfunding texts for locale 'fr_FR'; expected a zh or en locale such as ...

    Args:
        locale: a locale identifier such as ``"zh_CN"``.

    Raises:
        antfin.errors.NotFoundError: for a locale in neither language.
        TypeError: when ``locale`` is not a string.

    .. versionadded:: 0.1.0
    """
    if not isinstance(locale, str):
        raise TypeError(f"locale must be a string such as 'zh_CN', not {type(locale).__name__}")
    prefix = locale.replace("-", "_").split("_", 1)[0].lower()
    if prefix == "zh":
        return "zh"
    if prefix == "en":
        return "en"
    raise NotFoundError(
        f"no crowdfunding texts for locale {locale!r}; expected a zh or en locale such as {', '.join(LOCALES)}"
    )


def format_value(value: Money | Decimal, locale: str) -> str:
    """Format an amount (with Babel) or a number of years for ``locale``.

    >>> from antfin.crowdfunding.texts import format_value
    >>> format_value(Decimal("1.50"), "en_US")
    '1.5 years'
    >>> format_value(Decimal("1"), "en_US")
    '1 year'

    Args:
        value: an amount or a number of years.
        locale: a zh or en locale.

    Raises:
        antfin.errors.NotFoundError: for a locale in neither language.

    .. versionadded:: 0.1.0
    """
    lang = language(locale)
    if isinstance(value, Money):
        return format_money(value, locale="zh_CN" if lang == "zh" else "en_US")
    text = format(value.normalize(), "f") if value != 0 else "0"
    if lang == "zh":
        return f"{text}年"
    return f"{text} year" if value == 1 else f"{text} years"

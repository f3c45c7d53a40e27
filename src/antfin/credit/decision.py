"""Decisions of the credit products: the project's one :class:`~antfin.decisions.Decision` type.

>>> from antfin.credit.decision import Decision, Reason
>>> Decision.of("jiebei", (Reason("score >= 600", "600", "612", True),)).approved
True

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Re-exports :mod:`antfin.decisions`, where the type now lives.
"""

from __future__ import annotations

from antfin.decisions import Decision, Reason

__all__ = ["Decision", "Reason"]

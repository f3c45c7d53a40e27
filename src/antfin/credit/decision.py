"""Deprecated: the credit products' decisions are the project's one :class:`~antfin.decisions.Decision`.

Import :class:`~antfin.decisions.Decision` and :class:`~antfin.decisions.Reason`
from :mod:`antfin.decisions`; this module re-exports the same classes for one
more release.

>>> from antfin.credit.decision import Decision
>>> import antfin.decisions
>>> Decision is antfin.decisions.Decision
True

.. versionadded:: 0.1.0
.. versionchanged:: 0.2.0
   Re-exports :mod:`antfin.decisions`, where the type now lives.
.. deprecated:: 0.3.0
   Import from :mod:`antfin.decisions`; this module will be removed in the next release.
"""

from __future__ import annotations

from antfin.decisions import Decision, Reason

__all__ = ["Decision", "Reason"]

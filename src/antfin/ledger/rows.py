"""How the SQL stores (SQLite and PostgreSQL) write the ledger's values into columns and read them back.

One definition for both stores, so a row means the same thing in either:
metadata as sorted JSON text (``"{}"`` when empty), a due time as
microseconds since the epoch (for the index) beside its ISO text with the
offset, and a journal entry rebuilt from its row and postings with the same
checks.

>>> from antfin.calendar import shanghai
>>> due_columns(shanghai(1970, 1, 1, 8))
(0, '1970-01-01T08:00:00+08:00')
>>> metadata_value(metadata_text({"b": 1, "a": 2}))
{'a': 2, 'b': 1}

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from antfin.errors import InvariantViolationError
from antfin.ledger.model import _EMPTY_METADATA, JournalEntry, Posting, _make_entry, frozen_metadata

__all__ = ["ENTRY_COLUMNS", "due_columns", "entry_from_row", "metadata_text", "metadata_value", "parse_due"]

#: The columns of the ``entries`` table, in the order :func:`entry_from_row` reads them.
ENTRY_COLUMNS: Final = "seq, id, key, fingerprint, at, memo, metadata, reverses, hold_id"

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


def metadata_text(metadata: Any) -> str:
    """Metadata as stored: sorted JSON text, ``"{}"`` when there is none.

    >>> metadata_text(None)
    '{}'
    """
    if metadata is _EMPTY_METADATA or not metadata:
        return "{}"
    return json.dumps(dict(metadata), ensure_ascii=False, sort_keys=True)


def metadata_value(text: str) -> Any:
    """Stored metadata text back as a value (``None`` for ``"{}"``).

    >>> metadata_value("{}") is None
    True
    """
    return None if text == "{}" else json.loads(text)


def due_columns(at: datetime | None) -> tuple[int | None, str | None]:
    """A due time as (microseconds since the epoch, for the index; ISO text with its offset).

    >>> due_columns(None)
    (None, None)
    """
    if at is None:
        return None, None
    delta = at - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds, at.isoformat()


def parse_due(text: str, kind: str, id: str) -> datetime:
    """A stored due time back as an aware instant; a malformed or naive one is an invariant violation.

    >>> parse_due("2024-03-01T09:00:00+08:00", "escrow", "T1").hour
    9

    Raises:
        antfin.errors.InvariantViolationError: the text is not an aware ISO instant.
    """
    try:
        due = datetime.fromisoformat(text)
    except ValueError as error:
        raise InvariantViolationError(f"{kind} {id!r} has a malformed due time {text!r} in the store") from error
    if due.tzinfo is None:
        raise InvariantViolationError(f"{kind} {id!r} has a naive due time {text!r} in the store")
    return due


def entry_from_row(row: Sequence[Any], postings: Iterable[Posting]) -> JournalEntry:
    """A journal entry from its row (:data:`ENTRY_COLUMNS`) and its postings, checked.

    >>> from antfin import CNY
    >>> lines = (Posting.debit("a", CNY("1")), Posting.credit("b", CNY("1")))
    >>> entry_from_row((1, "E1", "k", "", "2024-03-01T09:00:00+08:00", "", "{}", None, None), lines).id
    'E1'

    Raises:
        antfin.errors.InvariantViolationError: unreadable postings or time.
    """
    lines = tuple(postings)
    if len(lines) < 2 or any(not isinstance(p.account, str) for p in lines):
        raise InvariantViolationError(f"entry {row[1]!r} has unreadable postings: {lines!r}")
    try:
        at = datetime.fromisoformat(row[4])
    except (TypeError, ValueError) as error:
        raise InvariantViolationError(f"entry {row[1]!r} has an unreadable time {row[4]!r}: {error}") from None
    return _make_entry(row[1], row[2], at, lines, row[5], frozen_metadata(metadata_value(row[6])), row[7], row[8])

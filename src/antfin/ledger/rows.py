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
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Final

from antfin.errors import InvariantViolationError, SchemaError
from antfin.ledger.model import (
    _EMPTY_METADATA,
    Hold,
    JournalEntry,
    LedgerAccount,
    Posting,
    _make_entry,
    _make_posting,
    frozen_metadata,
)
from antfin.ledger.store import AccountRow, KeyRecord, StoreState
from antfin.money import Currency, Money

__all__ = [
    "ENTRY_COLUMNS",
    "account_from_row",
    "due_columns",
    "entries_from_rows",
    "entry_from_row",
    "hold_from_text",
    "key_from_row",
    "metadata_text",
    "metadata_value",
    "movements_from_rows",
    "parse_due",
    "postings_by_entry",
    "split_keys",
    "state_from_rows",
    "sum_until",
]

#: The columns of the ``entries`` table, in the order :func:`entry_from_row` reads them.
ENTRY_COLUMNS: Final = "seq, id, key, fingerprint, at, memo, metadata, reverses, hold_id"

_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)

# The currencies of stored postings, by code (a code is looked up once per process).
_CURRENCIES: dict[str, Currency] = {}


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


def prefix_end(prefix: str) -> str | None:
    """The least text after every text that starts with ``prefix`` (``None`` if there is none).

    In code point order, which is UTF-8's byte order (SQLite's ``BINARY``
    collation): the texts starting with ``prefix`` are those ``>= prefix`` and
    ``< prefix_end(prefix)``.

    >>> prefix_end("fund:yuebao:position:")
    'fund:yuebao:position;'
    >>> prefix_end("a\U0010ffff"), prefix_end("\U0010ffff") is None
    ('b', True)
    """
    for end in range(len(prefix) - 1, -1, -1):
        point = ord(prefix[end]) + 1
        if point <= 0x10FFFF:
            return prefix[:end] + chr(0xE000 if 0xD800 <= point <= 0xDFFF else point)
    return None


def is_unicode(text: str) -> bool:
    """Whether ``text`` is Unicode a database can store (a lone surrogate is not: such text was never stored).

    >>> is_unicode("钱包:张三"), is_unicode("wallet:" + chr(0xD800))
    (True, False)
    """
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def id_range(prefix: str, mark: str = "?") -> tuple[str, tuple[str, ...]]:
    """The condition on ``id`` (and its parameters) that finds the ids starting with ``prefix`` in a range of an index.

    A range, not a function of the column, so a B-tree index on ids in code
    point order (SQLite's ``BINARY``, PostgreSQL's ``COLLATE "C"``) answers it
    by reading only the ids found. ``mark`` is the driver's placeholder.

    >>> id_range("fund:yuebao:position:")
    ('id >= ? AND id < ?', ('fund:yuebao:position:', 'fund:yuebao:position;'))
    >>> id_range("\U0010ffff", "%s")
    ('id >= %s', ('\U0010ffff',))
    """
    end = prefix_end(prefix)
    return (f"id >= {mark}", (prefix,)) if end is None else (f"id >= {mark} AND id < {mark}", (prefix, end))


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


def postings_by_entry(rows: Iterable[Sequence[Any]]) -> dict[int, list[Posting]]:
    """(entry seq, account, minor units, currency code) rows as each entry's postings, in row order.

    >>> postings_by_entry([(1, "a", 100, "CNY"), (1, "b", -100, "CNY")])[1][1]
    Posting(account='b', amount=Money('-1.00', 'CNY'))

    Raises:
        antfin.errors.InvalidAmountError: an unknown currency code.
    """
    currencies = _CURRENCIES
    lines: dict[int, list[Posting]] = {}
    for seq, account, minor, code in rows:
        currency = currencies.get(code)
        if currency is None:
            currency = currencies[code] = Currency.of(code)
        posting = _make_posting(account, Money._from_minor(minor, currency))
        found = lines.get(seq)
        if found is None:
            lines[seq] = [posting]
        else:
            found.append(posting)
    return lines


def entries_from_rows(
    entry_rows: Iterable[Sequence[Any]], posting_rows: Iterable[Sequence[Any]]
) -> tuple[JournalEntry, ...]:
    """Journal entries from their rows (:data:`ENTRY_COLUMNS`) and their postings' rows, checked.

    >>> row = (1, "E1", "k", "", "2024-03-01T09:00:00+08:00", "", "{}", None, None)
    >>> entries_from_rows([row], [(1, "a", 100, "CNY"), (1, "b", -100, "CNY")])[0].id
    'E1'

    Raises:
        antfin.errors.InvariantViolationError: unreadable postings or time.
    """
    lines = postings_by_entry(posting_rows)
    return tuple(entry_from_row(row, lines.get(row[0], ())) for row in entry_rows)


def state_from_rows(
    account_rows: Iterable[Sequence[Any]],
    entry_rows: Sequence[Sequence[Any]],
    posting_rows: Iterable[Sequence[Any]],
    hold_rows: Iterable[Sequence[Any]],
    key_rows: Iterable[Sequence[Any]],
    version: int,
) -> StoreState:
    """A store's export (``load()``) from its rows: accounts, entries and postings, holds, keys.

    An entry whose row has a fingerprint contributes its key; the key rows are
    (key, fingerprint, kind, ref, hold JSON or ``None``).

    >>> state_from_rows([], [], [], [], [("k", "fp", "hold", "h1", None)], 3).keys[0].ref
    'h1'
    """
    accounts = tuple(account_from_row(row)[0] for row in account_rows)
    entries: list[JournalEntry] = []
    keys: list[KeyRecord] = []
    if entry_rows:
        for row, entry in zip(entry_rows, entries_from_rows(entry_rows, posting_rows), strict=True):
            entries.append(entry)
            if row[3]:
                keys.append(KeyRecord(entry.key, row[3], "entry", entry.id))
    holds = tuple(Hold.from_record(json.loads(row[0])) for row in hold_rows)
    keys.extend(
        KeyRecord(row[0], row[1], row[2], row[3], None if row[4] is None else Hold.from_record(json.loads(row[4])))
        for row in key_rows
    )
    return StoreState(accounts, tuple(entries), holds, tuple(keys), version)


def account_from_row(row: Sequence[Any]) -> AccountRow:
    """An account and its running totals from its row, checked: stored state is untrusted until then.

    The columns: id, kind, currency, non_negative, owner, purpose, metadata,
    closed, debits, credits, debits pending, credits pending.

    >>> account, totals = account_from_row(("wallet:a", "liability", "CNY", 1, None, "", "{}", 0, 0, 500, 0, 0))
    >>> account.non_negative, totals
    (True, (0, 500, 0, 0))
    >>> account_from_row(("wallet:a", "liability", "XXQ", 1, None, "", "{}", 0, 0, 500, 0, 0))
    Traceback (most recent call last):
    ...
    antfin.errors.SchemaError: account 'wallet:a' has an unreadable row in the store: ...

    Raises:
        antfin.errors.SchemaError: a value of the wrong type, an unknown kind or currency,
            unreadable metadata, or a negative total.
    """
    try:
        if len(row) != 12:
            raise ValueError(f"{len(row)} columns")
        totals = tuple(row[8:12])
        for value in totals:
            if value.__class__ is not int or value < 0:
                raise ValueError(f"running totals must be non-negative integers, got {totals!r}")
        for flag in (row[3], row[7]):
            if flag not in (0, 1) or flag.__class__ not in (int, bool):
                raise ValueError(f"a flag must be 0 or 1, got {flag!r}")
        if not isinstance(row[0], str) or not isinstance(row[1], str) or not isinstance(row[2], str):
            raise ValueError("id, kind and currency must be text")
        account = LedgerAccount(
            row[0],
            row[1],
            row[2],
            non_negative=bool(row[3]),
            owner=row[4],
            purpose=row[5],
            metadata=metadata_value(row[6]),
            closed=bool(row[7]),
        )
    except (ValueError, TypeError, KeyError, AttributeError) as error:  # the model's typed errors are ValueErrors
        raise SchemaError(f"account {row[0] if row else None!r} has an unreadable row in the store: {error}") from None
    return account, (totals[0], totals[1], totals[2], totals[3])


def hold_from_text(text: str) -> Hold:
    """A hold from its stored JSON record, checked.

    >>> from antfin import CNY
    >>> from antfin.calendar import shanghai
    >>> hold = Hold("h1", "wallet:a", "wallet:b", CNY("1.00"), shanghai(2024, 1, 1))
    >>> hold_from_text(json.dumps(hold.to_record())) == hold
    True

    Raises:
        antfin.errors.SchemaError: unreadable JSON or fields.
        antfin.errors.InvariantViolationError: a hold whose status disagrees with its resolution.
    """
    try:
        hold = Hold.from_record(json.loads(text))
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        raise SchemaError(f"a stored hold is unreadable: {error}") from None
    hold.check_invariants()
    return hold


def key_from_row(row: Sequence[Any]) -> KeyRecord:
    """An idempotency key's record from (key, fingerprint, kind, ref, hold JSON or ``None``).

    >>> key_from_row(("k", "fp", "entry", "E1", None)).ref
    'E1'
    """
    return KeyRecord(row[0], row[1], row[2], row[3], None if row[4] is None else hold_from_text(row[4]))


def split_keys(keys: Iterable[KeyRecord]) -> tuple[dict[str, str], list[KeyRecord]]:
    """A commit's keys as stored: each entry's fingerprint by entry id (kept on the entry's row), and the rest.

    >>> split_keys([KeyRecord("k", "fp", "entry", "E1", None), KeyRecord("h", "fp2", "hold", "H1", None)])[0]
    {'E1': 'fp'}
    """
    fingerprints: dict[str, str] = {}
    other_keys: list[KeyRecord] = []
    for record in keys:
        if record.kind == "entry" and record.ref not in fingerprints:
            fingerprints[record.ref] = record.fingerprint
        else:
            other_keys.append(record)
    return fingerprints, other_keys


def _posting_time(text: object, account: str) -> datetime:
    """A stored entry instant (ISO text with its offset) back as an aware datetime, or an invariant violation."""
    try:
        when = datetime.fromisoformat(text)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise InvariantViolationError(f"a posting on {account!r} has an unreadable time {text!r}: {error}") from None
    if when.tzinfo is None:
        raise InvariantViolationError(f"a posting on {account!r} has a naive time {text!r}")
    return when


def movements_from_rows(
    rows: Iterable[Sequence[Any]], accounts: Collection[str]
) -> tuple[tuple[str, datetime, int], ...]:
    """(account, instant, minor units) of the (account, instant as ISO text, minor) rows on ``accounts``, checked.

    >>> movements_from_rows([("a", "2024-01-01T09:00:00+08:00", 5), ("b", "2024-01-01T09:00:00+08:00", -5)], {"a"})
    (('a', datetime.datetime(2024, 1, 1, 9, 0, tzinfo=datetime.timezone(datetime.timedelta(seconds=28800))), 5),)

    Raises:
        antfin.errors.InvariantViolationError: an unreadable time or amount.
    """
    wanted = accounts if isinstance(accounts, (set, frozenset, dict)) else frozenset(accounts)
    parsed: dict[str, datetime] = {}
    found = []
    for account, text, minor in rows:
        if account not in wanted:
            continue
        when = parsed.get(text)
        if when is None:
            when = parsed[text] = _posting_time(text, account)
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise InvariantViolationError(f"a posting on {account!r} has an unreadable amount {minor!r}")
        found.append((account, when, minor))
    return tuple(found)


def sum_until(rows: Iterable[Sequence[Any]], at: datetime, account_id: str) -> int:
    """The sum of (minor units, entry instant as ISO text) rows whose instant is at or before ``at``.

    Entries may be booked at any instant, not in time order, so a running
    balance per posting would not answer "as of ``at``": the account's
    postings are summed (found through an index by account on PostgreSQL, a chain on SQLite).

    >>> from antfin.calendar import shanghai
    >>> sum_until([(5, "2024-01-01T09:00:00+08:00"), (7, "2024-01-03T09:00:00+08:00")], shanghai(2024, 1, 2), "a")
    5
    """
    net = 0
    parsed: dict[str, datetime] = {}
    for minor, text in rows:
        when = parsed.get(text)
        if when is None:
            when = parsed[text] = _posting_time(text, account_id)
        if when <= at:
            net += int(minor)
    return net

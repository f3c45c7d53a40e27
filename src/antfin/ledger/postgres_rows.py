"""What a PostgreSQL commit sends: a change set's rows as statement parameters, checked first.

Part of :class:`~antfin.ledger.postgres.PostgresStore`, documented there. Every
value is checked against what PostgreSQL holds (text without U+0000 or lone
surrogates, amounts within ``BIGINT``) before anything is sent, so a refused
commit sends nothing.

.. versionadded:: 0.2.0
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Final

from antfin.errors import InvalidAmountError, InvariantViolationError
from antfin.ledger.model import _EMPTY_METADATA, Hold
from antfin.ledger.postgres_schema import _check_rows
from antfin.ledger.rows import due_columns, metadata_text, split_keys
from antfin.ledger.store import ChangeSet, _entry_index

__all__ = ["BIGINT_MAX", "BIGINT_MIN"]

#: The smallest and largest amount (in minor units) a ``BIGINT`` column holds.
BIGINT_MIN: Final = -(2**63)
BIGINT_MAX: Final = 2**63 - 1


def _check_amount(minor: int, what: str) -> None:
    if not BIGINT_MIN <= minor <= BIGINT_MAX:
        raise InvalidAmountError(
            f"{what}: {minor} minor units is beyond what the database stores "
            f"(a BIGINT, {BIGINT_MIN} to {BIGINT_MAX}); nothing was written"
        )


def _totals_rows(rows: Iterable[tuple[str, int, int, int, int]]) -> list[tuple[Any, ...]]:
    """The accounts' new running totals as UPDATE parameters (totals first, then the id), checked."""
    out: list[tuple[Any, ...]] = []
    for account_id, *totals in rows:
        for minor in totals:
            _check_amount(minor, f"the running totals of {account_id!r}")
        out.append((*totals, account_id))
    return out


def _hold_rows(holds: Iterable[Hold]) -> list[tuple[Any, ...]]:
    """Holds as (id, JSON record, status, expiry in microseconds) rows, amounts checked."""
    rows: list[tuple[Any, ...]] = []
    for hold in holds:
        _check_amount(hold.amount.minor_units, f"hold {hold.id!r}")
        record = json.dumps(hold.to_record(), ensure_ascii=False)
        rows.append((hold.id, record, hold.status.value, due_columns(hold.expires_at)[0]))
    _check_rows(rows, "hold")
    return rows


def _entry_seq(entry_id: str) -> int:
    """An entry's seq: the number of its id ``E{n}``."""
    seq = _entry_index(entry_id) + 1
    if seq <= 0:
        raise InvariantViolationError(f"entry id {entry_id!r} is not E followed by its number")
    return seq


def _statements(changes: ChangeSet) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """The rows of ``changes``, checked, as (statement, rows) in writing order (version and seq filled later)."""
    out: list[tuple[str, list[tuple[Any, ...]]]] = []
    rows: list[tuple[Any, ...]]
    if changes.accounts:
        rows = [
            (
                account.id,
                account.kind.value,
                account.currency.code,
                account.non_negative,
                account.owner,
                account.purpose,
                metadata_text(account.metadata),
                account.closed,
            )
            for account in changes.accounts
        ]
        _check_rows(rows, "account text")
        out.append(("accounts", rows))
    fingerprints, other_keys = split_keys(changes.keys)
    if changes.entries:
        stored = 0
        entries: list[tuple[Any, ...]] = []
        lines: list[tuple[Any, ...]] = []
        for entry in changes.entries:
            offset = _entry_seq(entry.id)
            fingerprint = fingerprints.get(entry.id)
            if fingerprint is None:
                fingerprint = ""
            else:
                stored += 1
            entries.append(
                (
                    offset,
                    entry.id,
                    entry.key,
                    fingerprint,
                    entry.at.isoformat(),
                    entry.memo,
                    "{}" if entry.metadata is _EMPTY_METADATA else metadata_text(entry.metadata),
                    entry.reverses,
                    entry.hold_id,
                    due_columns(entry.at)[0],
                )
            )
            for line, posting in enumerate(entry.postings):
                amount = posting.amount
                minor = amount._minor
                if not BIGINT_MIN <= minor <= BIGINT_MAX:
                    _check_amount(minor, f"entry {entry.key!r}, posting to {posting.account!r}")
                lines.append((offset, line, posting.account, minor, amount._currency.code))
        if stored != len(fingerprints):  # an entry key whose entry is not in this commit
            written = {entry.id for entry in changes.entries}
            other_keys = [r for r in changes.keys if r.kind != "entry" or r.ref not in written]
        _check_rows(entries, "entry text")
        _check_rows(lines, "posting account")
        out.append(("entries", entries))
        out.append(("postings", lines))
    elif fingerprints:
        other_keys = list(changes.keys)
    if changes.holds:
        out.append(("holds", _hold_rows(changes.holds)))
    if other_keys:
        rows = [
            (
                record.key,
                record.fingerprint,
                record.kind,
                record.ref,
                None if record.hold is None else json.dumps(record.hold.to_record(), ensure_ascii=False),
            )
            for record in other_keys
        ]
        _check_rows(rows, "idempotency key")
        out.append(("keys", rows))
    if changes.totals:
        out.append(("totals", _totals_rows(changes.totals)))
    if changes.documents:
        rows = [
            (document.kind, document.id, document.status, due_columns(document.due_at)[1])
            for document in changes.documents
        ]
        _check_rows(rows, "document")
        _check_rows(((document.body,) for document in changes.documents), "document body")
    return out

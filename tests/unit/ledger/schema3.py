"""A ledger file of schema version 3, written with raw SQL as antfin 0.2 (main before 0.3) wrote it.

Used to test the migrations 3 -> 4 (running totals on accounts) and 2 -> 3 -> 4.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from antfin import CNY
from antfin.calendar import shanghai
from antfin.idempotency import fingerprint
from antfin.ledger import Hold, HoldStatus

SCHEMA_3 = """
CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE commits (version INTEGER PRIMARY KEY, last_entry INTEGER NOT NULL);
CREATE TABLE accounts (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, kind TEXT NOT NULL, currency TEXT NOT NULL,
    non_negative INTEGER NOT NULL, owner TEXT, purpose TEXT NOT NULL, metadata TEXT NOT NULL,
    closed INTEGER NOT NULL, version INTEGER NOT NULL
);
CREATE INDEX accounts_version ON accounts (version);
CREATE TABLE entries (
    seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, key TEXT NOT NULL UNIQUE, fingerprint TEXT NOT NULL,
    at TEXT NOT NULL, memo TEXT NOT NULL, metadata TEXT NOT NULL, reverses TEXT, hold_id TEXT
);
CREATE UNIQUE INDEX entries_hold_id ON entries (hold_id) WHERE hold_id IS NOT NULL;
CREATE TABLE postings (
    entry_seq INTEGER NOT NULL REFERENCES entries (seq), line INTEGER NOT NULL, account TEXT NOT NULL,
    minor INTEGER NOT NULL, currency TEXT NOT NULL, PRIMARY KEY (entry_seq, line)
) WITHOUT ROWID;
CREATE TABLE holds (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, record TEXT NOT NULL, version INTEGER NOT NULL
);
CREATE INDEX holds_version ON holds (version);
CREATE TABLE keys (
    key TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, kind TEXT NOT NULL, ref TEXT NOT NULL, hold TEXT,
    version INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX keys_version ON keys (version);
CREATE TABLE documents (
    kind TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, status TEXT NOT NULL, due_us INTEGER,
    due_at TEXT, body TEXT NOT NULL, PRIMARY KEY (kind, id)
) WITHOUT ROWID;
CREATE INDEX documents_due ON documents (kind, due_us) WHERE due_us IS NOT NULL;
CREATE INDEX documents_status ON documents (kind, status)
"""

AT = shanghai(2024, 1, 1, 9)


def write_schema3_file(path: Path, *, version: int = 3) -> None:
    """Accounts bank/a/b, entries E1 (bank -> a 100.00), E2 (a -> b 30.00, posting hold h1),
    a pending hold h2 (a -> b 20.00, expiring), a voided hold h3, and their keys."""
    h1 = Hold(
        "h1",
        "wallet:a",
        "wallet:b",
        CNY("30.00"),
        AT,
        status=HoldStatus.POSTED,
        posted_amount=CNY("30.00"),
        resolved_at=shanghai(2024, 1, 2),
        entry_id="E2",
    )
    h2 = Hold("h2", "wallet:a", "wallet:b", CNY("20.00"), AT, expires_at=shanghai(2024, 1, 5))
    h3 = Hold("h3", "wallet:a", "wallet:b", CNY("5.00"), AT, status=HoldStatus.VOIDED, resolved_at=AT)
    conn = sqlite3.connect(path)
    for statement in SCHEMA_3.split(";\n"):
        conn.execute(statement)
    if version == 2:
        conn.execute("DROP TABLE documents")
    conn.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(version),))
    conn.execute(f"PRAGMA application_id = {int.from_bytes(b'antf', 'big')}")
    for account_id, kind, non_negative in (
        ("asset:bank", "asset", 0),
        ("wallet:a", "liability", 1),
        ("wallet:b", "liability", 1),
    ):
        conn.execute(
            "INSERT INTO accounts (id, kind, currency, non_negative, owner, purpose, metadata, closed, version) "
            "VALUES (?, ?, 'CNY', ?, NULL, '', '{}', 0, 1)",
            (account_id, kind, non_negative),
        )
    conn.execute(
        "INSERT INTO entries VALUES (1, 'E1', 'fund', ?, ?, '', '{}', NULL, NULL)",
        (fingerprint("transfer", "asset:bank", "wallet:a", CNY("100.00")), AT.isoformat()),
    )
    conn.execute("INSERT INTO postings VALUES (1, 0, 'asset:bank', 10000, 'CNY'), (1, 1, 'wallet:a', -10000, 'CNY')")
    conn.execute(
        "INSERT INTO entries VALUES (2, 'E2', 'h1:post', 'fp-post', ?, '', '{}', NULL, 'h1')",
        (shanghai(2024, 1, 2).isoformat(),),
    )
    conn.execute("INSERT INTO postings VALUES (2, 0, 'wallet:a', 3000, 'CNY'), (2, 1, 'wallet:b', -3000, 'CNY')")
    for seq, hold in enumerate((h1, h2, h3), 1):
        conn.execute(
            "INSERT INTO holds (id, record, version) VALUES (?, ?, ?)", (hold.id, json.dumps(hold.to_record()), seq + 1)
        )
        conn.execute(
            "INSERT INTO keys VALUES (?, 'fp-hold', 'hold', ?, ?, ?)",
            (hold.id, hold.id, json.dumps(hold.to_record()), seq + 1),
        )
    conn.execute("INSERT INTO commits VALUES (1, 1), (2, 1), (3, 1), (4, 2)")
    conn.commit()
    conn.close()

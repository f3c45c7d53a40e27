"""The command line: help lists the commands; the money tour shows both locales; the demo runs on SQLite."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from antfin.cli import COMMANDS, build_parser, main


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    printed = capsys.readouterr().out
    for name, command in COMMANDS.items():
        assert name in printed
        assert command.help in printed


def test_no_command_prints_help_and_fails() -> None:
    out = io.StringIO()
    assert main([], out=out) == 2
    assert "demo" in out.getvalue()


def test_money_tour_shows_both_locales_by_default() -> None:
    out = io.StringIO()
    assert main(["money"], out=out) == 0
    text = out.getvalue()
    assert "¥33.34, ¥33.33, ¥33.33" in text
    assert "CN¥1,234.50" in text
    assert "¥1,234.50" in text.split("locale en_US")[0]


@pytest.mark.parametrize(("locale", "shown", "absent"), [("zh_CN", "¥100.00", "CN¥"), ("en_US", "CN¥100.00", "zh_CN")])
def test_money_tour_single_locale(locale: str, shown: str, absent: str) -> None:
    out = io.StringIO()
    assert main(["money", "--locale", locale], out=out) == 0
    assert shown in out.getvalue()
    assert absent not in out.getvalue()


def test_unknown_locale_or_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["money", "--locale", "fr_FR"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["nonsense"])
    assert "invalid choice" in capsys.readouterr().err


def test_python_dash_m_antfin_money_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "antfin", "money", "--locale", "en_US"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "CN¥33.34" in result.stdout


def test_python_dash_m_antfin_demo_runs_and_continues(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    command = [sys.executable, "-m", "antfin", "demo", "--db", str(db), "--days", "3", "--users", "12"]
    first = subprocess.run([*command, "--locale", "en_US"], capture_output=True, text=True, check=False, timeout=120)
    assert first.returncode == 0, first.stderr
    assert f"created {db}" in first.stdout
    assert "All checks passed" in first.stdout
    second = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)
    assert second.returncode == 0, second.stderr
    assert "continuing" in second.stdout
    assert "模拟 6 天" in second.stdout
    assert "检查通过" in second.stdout


def test_demo_rejects_bad_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    for bad in (["--days", "0"], ["--users", "-3"], ["--days", "1.5"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["demo", *bad])
        assert exit_info.value.code == 2
    assert "expected" in capsys.readouterr().err


def _run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "antfin", *args], capture_output=True, text=True, check=False, timeout=300, cwd=cwd
    )


@pytest.mark.parametrize(
    ("setup", "args", "message"),
    [
        ("not-a-database", ["demo", "--db", "{dir}/notes.db", "--days", "1", "--users", "5"], "not an SQLite database"),
        ("", ["demo", "--db", "{dir}/no/such/folder/x.db", "--days", "1", "--users", "5"], "cannot open"),
        ("foreign", ["demo", "--db", "{dir}/shop.db", "--days", "1", "--users", "5"], "not an antfin database"),
        ("", ["report", "--db", "{dir}/missing.db"], "does not exist"),
        ("", ["check", "--db", "{dir}/missing.db"], "does not exist"),
        ("ledger-only", ["report", "--db", "{dir}/ledger.db"], "no demo world"),
    ],
)
def test_every_failure_is_one_line_and_a_nonzero_exit(
    tmp_path: Path, setup: str, args: list[str], message: str
) -> None:
    if setup == "not-a-database":
        (tmp_path / "notes.db").write_text("hello " * 1000)
    elif setup == "foreign":
        with sqlite3.connect(tmp_path / "shop.db") as conn:
            conn.execute("CREATE TABLE orders (id INTEGER)")
        conn.close()
    elif setup == "ledger-only":
        from antfin.ledger import Ledger, SQLiteStore

        Ledger(SQLiteStore(tmp_path / "ledger.db")).close()
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    result = _run(*(arg.format(dir=tmp_path) for arg in args))
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("python -m antfin: error: ")
    assert message in lines[0]
    for name, content in before.items():  # nothing was written to a file that was refused
        if setup in {"not-a-database", "foreign"}:
            assert (tmp_path / name).read_bytes() == content


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    result = _run("--debug", "report", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 1
    assert "Traceback" in result.stderr


def test_a_closed_pipe_stops_quietly(tmp_path: Path) -> None:
    command = f"{sys.executable} -m antfin demo --db {tmp_path / 'p.db'} --days 2 --users 8 --locale en_US | head -1"
    result = subprocess.run(command, shell=True, capture_output=True, text=True, check=False, timeout=300)
    assert "Traceback" not in result.stderr
    assert result.stdout.startswith("created")


def test_report_formats_and_check(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    assert main(["demo", "--db", db, "--days", "3", "--users", "10", "--quiet"], out=io.StringIO()) == 0
    out = io.StringIO()
    assert main(["report", "--db", db, "--format", "json"], out=out) == 0
    data = json.loads(out.getvalue())
    assert data["day"] == 3
    assert data["balanced"] is True
    out = io.StringIO()
    assert main(["report", "--db", db, "--format", "csv"], out=out) == 0
    assert out.getvalue().splitlines()[0] == "section,product,item,count,amount,currency"
    out = io.StringIO()
    assert main(["report", "--db", db, "--locale", "zh_CN"], out=out) == 0
    text = out.getvalue()
    assert "检查通过" in text
    assert "CURRENT" not in text
    out = io.StringIO()
    assert main(["check", "--db", db, "--locale", "en_US"], out=out) == 0
    assert out.getvalue().splitlines()[-1] == "All checks passed"


def test_the_usage_line_names_the_program_as_invoked() -> None:
    assert build_parser(prog="antfin").format_usage().startswith("usage: antfin ")
    assert _run("--help").stdout.startswith("usage: python -m antfin ")


def test_quiet_prints_nothing(tmp_path: Path) -> None:
    result = _run("demo", "--db", str(tmp_path / "q.db"), "--days", "1", "--users", "5", "--quiet")
    assert result.returncode == 0
    assert result.stdout == ""

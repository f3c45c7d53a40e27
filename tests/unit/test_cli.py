"""The command line: help lists the commands; the money tour shows both locales; the demo runs on SQLite."""

from __future__ import annotations

import io
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

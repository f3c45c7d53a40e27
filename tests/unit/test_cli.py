"""The command line: help lists the commands; demo shows both locales."""

from __future__ import annotations

import io
import subprocess
import sys

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


def test_demo_shows_both_locales_by_default() -> None:
    out = io.StringIO()
    assert main(["demo"], out=out) == 0
    text = out.getvalue()
    assert "¥33.34, ¥33.33, ¥33.33" in text
    assert "CN¥1,234.50" in text
    assert "¥1,234.50" in text.split("locale en_US")[0]


@pytest.mark.parametrize(("locale", "shown", "absent"), [("zh_CN", "¥100.00", "CN¥"), ("en_US", "CN¥100.00", "zh_CN")])
def test_demo_single_locale(locale: str, shown: str, absent: str) -> None:
    out = io.StringIO()
    assert main(["demo", "--locale", locale], out=out) == 0
    assert shown in out.getvalue()
    assert absent not in out.getvalue()


def test_unknown_locale_or_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["demo", "--locale", "fr_FR"])
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit):
        build_parser().parse_args(["nonsense"])
    assert "invalid choice" in capsys.readouterr().err


def test_python_dash_m_antfin_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "antfin", "demo", "--locale", "en_US"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "CN¥33.34" in result.stdout

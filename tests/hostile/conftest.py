"""Hostile-input tests: make the shared helper module ``hostile_values`` importable.

With ``--import-mode=importlib`` pytest puts no test directory on ``sys.path``;
the test modules here import their shared strategies and checks from
``hostile_values.py`` beside this file, so this conftest (loaded first) adds
this directory to the path.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

_HERE = str(Path(__file__).resolve().parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the hostile census (calls, refusals, clean refusals) when hostile calls were counted."""
    from census import CENSUS, summary

    if CENSUS:
        terminalreporter.write_line(summary())

"""The README's examples run as shown (a reader pastes them first)."""

from __future__ import annotations

import doctest
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_examples_run() -> None:
    # Markdown fences end an example's expected output, as a blank line would.
    lines = ["" if line.startswith("```") else line for line in README.read_text(encoding="utf-8").splitlines()]
    test = doctest.DocTestParser().get_doctest("\n".join(lines), {}, "README.md", str(README), 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    result = runner.run(test)
    assert result.attempted >= 10
    assert result.failed == 0


def test_the_quick_start_has_exactly_two_commands() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Quick start")
    block = text[
        text.index("```console", start) + len("```console") : text.index("```", text.index("```console", start) + 3)
    ]
    commands = [line for line in block.splitlines() if line.strip()]
    assert commands == [
        "python -m pip install . && python -m antfin demo",
        'python -m pip install ".[test]" && python -m pytest',
    ]

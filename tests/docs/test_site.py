"""The documentation site, built once as CI builds it (``sphinx-build -W -n -b html``).

Checks that the pages that should have pictures have them (drawn at build time by
docs/_ext/antfin_figures.py, present in the build and non-empty SVG), that the
formulas are rendered as images, that no page loads anything from the network,
and that no internal link or image is broken (every local href/src resolves to a
file of the build and every #fragment to an id on the target page).
"""

from __future__ import annotations

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("sphinx", reason="the docs extra is not installed")
pytest.importorskip("matplotlib", reason="the docs extra is not installed")

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]

#: Pages (relative to the build) and the pictures each must show.
PICTURES: dict[str, set[str]] = {
    "index.html": {"ecosystem-flow"},
    "quickstart.html": {"amortization"},
    "tutorials/index.html": {"ecosystem-flow"},
    "tutorials/escrow.html": {"escrow-states"},
    "tutorials/yuebao.html": {"yuebao-income"},
    "tutorials/credit.html": {"amortization"},
    "tutorials/huabei.html": {"huabei-timeline"},
    "reference/ecosystem.html": {"revenue-by-profit-point"},
    "guides/architecture.html": {"architecture-floors", "transaction-path"},
}
#: Pages whose formulas must be typeset (as SVG images drawn by matplotlib's mathtext).
MATHS = ("tutorials/credit.html", "reference/credit.html", "reference/yuebao.html")
#: The tutorials in the order of the story.
TUTORIALS = (
    "ledger",
    "books",
    "escrow",
    "yuebao",
    "zhaocaibao",
    "credit",
    "joint-lending",
    "huabei",
    "insurance",
    "crowdfunding",
)
_EXTERNAL = ("http", "https", "mailto", "data", "javascript", "tel")


class _Page(HTMLParser):
    """Collects a page's ids, links (href, src) and tags with their attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[tuple[str, str]] = []
        self.tags: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.append((tag, values))
        for name in ("id", "name"):
            if values.get(name):
                self.ids.add(values[name])
        for name in ("href", "src"):
            if name in values:
                self.links.append((tag, values[name]))


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the HTML site once, warnings as errors, into a temporary directory."""
    out = tmp_path_factory.mktemp("docs")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "sphinx", "-W", "-n", "-q", "-b", "html"]
    command += ["-d", str(out / "doctrees"), str(ROOT / "docs"), str(out / "html")]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=900, check=False)
    assert result.returncode == 0, f"sphinx-build failed:\n{result.stdout}\n{result.stderr}"
    return out / "html"


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, _Page]:
    """Every HTML page of the build, parsed, by its path relative to the build."""
    return {path.relative_to(site).as_posix(): _parse(path) for path in sorted(site.rglob("*.html"))}


@pytest.mark.parametrize(("page", "pictures"), sorted(PICTURES.items()))
def test_page_shows_its_pictures(site: Path, pages: dict[str, _Page], page: str, pictures: set[str]) -> None:
    images = [attrs for tag, attrs in pages[page].tags if tag == "img" and "antfin-figure" in attrs.get("class", "")]
    shown = {PurePosixPath(attrs["src"]).stem for attrs in images}
    assert pictures <= shown, f"{page} shows {sorted(shown)}, expected {sorted(pictures)}"
    for attrs in images:
        assert attrs.get("alt"), f"{page}: a picture without alt text"
        svg = (site / page).parent / unquote(attrs["src"])
        assert svg.is_file(), f"{page}: {attrs['src']} is not in the build"
        text = svg.read_text(encoding="utf-8")
        assert "<svg" in text, f"{svg.name} is not an SVG"
        assert len(text) > 5_000, f"{svg.name} is nearly empty"


def test_every_picture_is_used(pages: dict[str, _Page]) -> None:
    drawn = {
        PurePosixPath(attrs["src"]).stem
        for page in pages.values()
        for tag, attrs in page.tags
        if tag == "img" and "antfin-figure" in attrs.get("class", "")
    }
    assert drawn == set().union(*PICTURES.values())


@pytest.mark.parametrize("page", MATHS)
def test_formulas_are_typeset_offline(site: Path, pages: dict[str, _Page], page: str) -> None:
    maths = [attrs for tag, attrs in pages[page].tags if tag == "img" and "math" in attrs.get("class", "").split()]
    assert maths, f"{page} has no typeset formula"
    for attrs in maths:
        assert ((site / page).parent / unquote(attrs["src"])).is_file()
        assert attrs.get("alt"), "a formula keeps its TeX source as alt text"


def test_nothing_is_loaded_from_the_network(pages: dict[str, _Page]) -> None:
    remote = [
        (name, tag, link)
        for name, page in pages.items()
        for tag, link in page.links
        if tag in {"script", "img", "link", "iframe", "source"}
        and (urlsplit(link).scheme in {"http", "https"} or link.startswith("//"))
    ]
    assert remote == []
    assert not any("mathjax" in link.lower() for page in pages.values() for _, link in page.links)


def test_copy_button_and_wrapping_css(site: Path, pages: dict[str, _Page]) -> None:
    links = {urlsplit(link).path for _, link in pages["quickstart.html"].links}
    assert "_static/copybutton.js" in links
    assert "_static/antfin.css" in links
    assert "pre-wrap" in (site / "_static" / "antfin.css").read_text(encoding="utf-8")


def test_tutorials_are_in_the_order_of_the_story(pages: dict[str, _Page]) -> None:
    index = pages["tutorials/index.html"]
    order = [
        PurePosixPath(link).stem
        for tag, link in index.links
        if tag == "a" and PurePosixPath(urlsplit(link).path).stem in TUTORIALS and not urlsplit(link).fragment
    ]
    # The body's toctree lists them in order (the sidebar lists them too, in the same order).
    first = [name for position, name in enumerate(order) if name not in order[:position]]
    assert first == list(TUTORIALS)


def test_no_internal_link_is_broken(site: Path, pages: dict[str, _Page]) -> None:
    broken: list[str] = []
    for name, page in pages.items():
        here = (site / name).parent
        for tag, link in page.links:
            parts = urlsplit(link)
            if parts.scheme in _EXTERNAL or link.startswith("//") or not (parts.path or parts.fragment):
                continue
            target = (here / unquote(parts.path)).resolve() if parts.path else (site / name).resolve()
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append(f"{name}: <{tag}> {link} (no such file)")
                continue
            if parts.fragment and target.suffix == ".html":
                key = target.relative_to(site.resolve()).as_posix()
                ids = pages[key].ids if key in pages else _parse(target).ids
                if unquote(parts.fragment) not in ids:
                    broken.append(f"{name}: <{tag}> {link} (no id {parts.fragment!r})")
    assert broken == [], "\n".join(broken[:50])

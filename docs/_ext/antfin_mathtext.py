"""Render the pages' maths to SVG at build time with matplotlib's mathtext: no network, no LaTeX.

Sphinx's default renderer, MathJax, loads its script from a CDN, and ``imgmath``
needs a LaTeX installation. matplotlib (already used for the pictures) typesets
the TeX subset that our formulas need (fractions, sums, sub- and superscripts,
Greek letters) with its own fonts, so the site shows real maths offline.

Write ``$...$`` inline and ``$$...$$`` on their own lines (MyST's ``dollarmath``)
or ``{math}`` roles and directives. A display block may hold several lines
separated by ``\\\\``; each is drawn on its own row. A formula mathtext cannot
parse is a build warning (an error under ``-W``).
"""

from __future__ import annotations

import hashlib
import html
import re
import warnings
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

from docutils import nodes
from matplotlib.font_manager import FontProperties
from matplotlib.mathtext import math_to_image
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Point size of inline maths (the body text is about 12 pt) and of display maths.
INLINE_SIZE, DISPLAY_SIZE = 12.5, 13.5


def render(latex: str, directory: Path, size: float) -> tuple[str, float]:
    """Draw ``$latex$`` into ``directory`` as SVG; return the file name and its depth below the baseline (pt)."""
    digest = hashlib.sha256(f"{size}:{latex}".encode()).hexdigest()[:16]
    name = f"{digest}.svg"
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    with warnings.catch_warnings(), matplotlib.rc_context({"mathtext.fontset": "cm", "svg.hashsalt": digest}):
        warnings.simplefilter("error")
        depth = math_to_image(f"${latex}$", str(path), prop=FontProperties(size=size), dpi=72, format="svg")
    return name, float(depth)


def _img(translator: Any, latex: str, size: float, css: str) -> str | None:
    directory = Path(translator.builder.outdir) / "_images" / "math"
    try:
        name, depth = render(" ".join(latex.split()), directory, size)
    except (ValueError, UserWarning) as error:
        logger.warning("mathtext cannot render %r: %s", latex, error, location=translator.builder.current_docname)
        return None
    alt = html.escape(latex, quote=True)
    return (
        f'<img class="{css}" src="{translator.builder.imgpath}/math/{name}" alt="{alt}" '
        f'style="vertical-align: {-depth:.2f}pt" />'
    )


def _visit_inline(translator: Any, node: nodes.math) -> None:
    img = _img(translator, node.astext(), INLINE_SIZE, "math")
    translator.body.append(img or f'<span class="math">{translator.encode(node.astext())}</span>')
    raise nodes.SkipNode


def _visit_block(translator: Any, node: nodes.math_block) -> None:
    translator.body.append(translator.starttag(node, "div", CLASS="math"))
    for line in node.astext().split("\\\\"):
        if line.strip():
            # Display maths sets its fractions full size, as TeX's display style does.
            latex = re.sub(r"(?<![a-z])\\frac\b", r"\\dfrac", line.strip())
            img = _img(translator, latex, DISPLAY_SIZE, "math display")
            translator.body.append(f"<p>{img or translator.encode(line)}</p>")
    translator.body.append("</div>\n")
    raise nodes.SkipNode


def setup(app: Any) -> dict[str, Any]:
    """Register the ``antfin_mathtext`` HTML maths renderer (select it with ``html_math_renderer``)."""
    app.add_html_math_renderer(
        "antfin_mathtext", inline_renderers=(_visit_inline, None), block_renderers=(_visit_block, None)
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}

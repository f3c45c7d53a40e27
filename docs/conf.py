"""Sphinx configuration for the antfin documentation (built offline, warnings as errors).

Build with::

    sphinx-build -W -n -b html docs docs/_build/html
    sphinx-build -W -n -b doctest docs docs/_build/doctest
"""

from __future__ import annotations

import doctest
import importlib
import sys
from pathlib import Path
from typing import Any

from sphinx.ext.napoleon.docstring import GoogleDocstring

import antfin

# The project's own Sphinx extensions (pictures and maths drawn at build time) live in docs/_ext.
sys.path.insert(0, str(Path(__file__).parent / "_ext"))

project = "antfin"
author = "The antfin developers"
copyright = "2026, The antfin developers"
release = antfin.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.doctest",
    "sphinx.ext.viewcode",
    # A "copy" button on every code block that copies the Python lines without the
    # ">>> " and "... " prompts, so an example pastes straight into an interpreter.
    "sphinx_copybutton",
    # Pictures drawn from antfin's own code with matplotlib when the site is built.
    "antfin_figures",
    # Formulas typeset to SVG with matplotlib's mathtext: real maths with no network.
    "antfin_mathtext",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
language = "en"

# -- MyST ---------------------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "dollarmath"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

# -- autodoc and napoleon -------------------------------------------------------------
# Each module is documented once, by an ``automodule`` block on its docs/reference/ page.
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False


def _attribute_docstring_without_inline_type(self: GoogleDocstring) -> tuple[str, list[str]]:
    """Read an attribute's or property's docstring as prose.

    antfin writes them as sentences ("The smallest amount, as a Decimal exponent: ..."),
    never as napoleon's ``type: description`` form, which would turn the words before the
    first colon into a broken type cross-reference. autodoc still shows the annotated type.
    """
    lines = [self._lines.next(), *self._dedent(self._consume_to_end())]
    return "", self.__class__(lines, self._config).lines()


GoogleDocstring._consume_inline_attribute = _attribute_docstring_without_inline_type  # type: ignore[method-assign]

# -- intersphinx ------------------------------------------------------------------------
# The build must work offline, so no inventory is fetched: the mapping is empty and the
# standard library's names are listed in nitpick_ignore_regex below instead.
intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
intersphinx_disabled_reftypes = ["*"]

# -- nitpicky mode ------------------------------------------------------------------------
nitpicky = True
_STDLIB_MODULES = (
    "abc|argparse|builtins|collections|collections\\.abc|contextlib|dataclasses|datetime|decimal|enum|"
    "fractions|functools|io|itertools|json|numbers|os|pathlib|random|re|sqlite3|threading|types|typing|typing_extensions|uuid"
)
_BUILTINS = (
    "None|True|False|Ellipsis|NotImplemented|object|type|bool|int|float|complex|str|bytes|bytearray|list|tuple|"
    "dict|set|frozenset|range|slice|memoryview|callable|"
    "BaseException|Exception|ArithmeticError|AttributeError|KeyError|LookupError|IndexError|OSError|"
    "RuntimeError|TypeError|ValueError|ZeroDivisionError|NotImplementedError|StopIteration|Warning"
)
nitpick_ignore_regex = [
    # Built-ins and the standard library (no intersphinx inventory offline).
    (r"py:.*", rf"({_BUILTINS})"),
    (r"py:.*", rf"({_STDLIB_MODULES})(\..*)?"),
    (
        r"py:.*",
        r"(Any|Callable|ClassVar|Final|Iterable|Iterator|Literal|Mapping|MutableMapping|Protocol|Self|"
        r"Sequence|TextIO|TypeAlias|TypeVar|Generator|Hashable|Collection|Container|Optional|Union|NamedTuple|"
        r"Decimal|date|datetime|time|timedelta|timezone|tzinfo|Fraction|Path|Connection|Cursor|Lock|RLock)",
    ),
    # Private helpers (a documented class may inherit from one); they are not part of the API.
    (r"py:.*", r"antfin(\.\w+)*\._\w+(\..*)?"),
    # Third-party runtime dependencies, documented on their own sites.
    (r"py:.*", r"(attrs|attr|dateutil|babel)(\..*)?"),
    (r"py:.*", r"(relativedelta|Attribute|Locale)"),
    # The optional batch extra (antfin.wealth.vectorized, antfin.wealth.partitioned).
    (r"py:.*", r"(numpy|dask|distributed|pyarrow)(\..*)?"),
    # Type variables of generic helpers.
    (r"py:(class|obj)", r"(antfin(\.\w+)*\.)?(T|K|V|V_co)"),
]

# -- doctest ------------------------------------------------------------------------------------
# Docstring examples are run by pytest (--doctest-modules), with their module's globals.
# The Sphinx doctest builder runs the guides' and tutorials' {doctest} blocks, top to bottom,
# with no global setup: each page imports what it uses in its own examples, so that a
# page pasted into a fresh interpreter runs as it is shown.
doctest_global_setup = ""
doctest_test_doctest_blocks = ""
doctest_default_flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE | doctest.DONT_ACCEPT_TRUE_FOR_1

# -- HTML -----------------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"antfin {release}"
html_static_path = ["_static"]
html_css_files = ["antfin.css"]
html_show_sourcelink = False
html_math_renderer = "antfin_mathtext"

# -- copy button -----------------------------------------------------------------------------------
# Copy only the lines after a prompt, without it: the Python of a ">>>" example, or
# the command of a "$" console line. Output lines are left out.
copybutton_prompt_text = r">>> |\.\.\. |\$ "
copybutton_prompt_is_regexp = True
copybutton_only_copy_prompt_lines = True


# -- re-exported names ----------------------------------------------------------------------------
# Packages re-export their main names (``antfin.ledger.Ledger`` is defined in
# ``antfin.ledger.ledger``), and each object is documented once, under its defining module.
# A cross-reference written with the re-export path is retried with the defining path.


def _import_target(target: str) -> object | None:
    parts = target.split(".")
    for split in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:split]))
        except ImportError:
            continue
        try:
            for name in parts[split:]:
                obj = getattr(obj, name)
        except AttributeError:
            return None
        return obj
    return None


def _resolve_reexport(app: Any, env: Any, node: Any, contnode: Any) -> Any:
    target = node.get("reftarget", "")
    if node.get("refdomain") != "py" or not target.startswith("antfin."):
        return None
    owner_path, _, attribute = target.rpartition(".")
    owner = _import_target(owner_path)
    if isinstance(owner, type) and hasattr(owner, attribute):
        # A class's member is documented on the class (inherited members too): retry with the class's path.
        defined = f"{owner.__module__}.{owner.__qualname__}.{attribute}"
    else:
        obj = _import_target(target)
        module = getattr(obj, "__module__", None)
        qualname = getattr(obj, "__qualname__", None)
        if not isinstance(module, str) or not isinstance(qualname, str):
            return None
        defined = f"{module}.{qualname}"
    if defined == target:
        return None
    retry = node.deepcopy()
    retry["reftarget"] = defined
    domain = env.get_domain("py")
    return domain.resolve_xref(env, node["refdoc"], app.builder, node["reftype"], defined, retry, contnode)


# -- private bases ------------------------------------------------------------------------------
# Large classes are assembled from private per-concern bases (``Ledger`` from ``_LedgerHolds``, ...);
# their methods are documented on the public class (``:inherited-members:``), so the bases are not shown.


def _public_bases(app: Any, name: str, obj: object, options: Any, bases: list[type]) -> None:
    public = [base for base in bases if not base.__name__.startswith("_")]
    bases[:] = public or [object]


def setup(app: Any) -> dict[str, Any]:
    app.connect("missing-reference", _resolve_reexport)
    app.connect("autodoc-process-bases", _public_bases)
    return {"parallel_read_safe": True}

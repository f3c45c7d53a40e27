"""Screenshot a few pages of a built site with headless Chromium, to look at them (optional, manual).

Not part of the test command: it needs a Chromium binary (``apt-get install chromium``).
Build the site first, then::

    python tests/docs/browser_check.py docs/_build/html /tmp/shots

and open the PNG files. The pages are the ones with pictures and formulas.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

PAGES = (
    "index.html",
    "quickstart.html",
    "tutorials/escrow.html",
    "tutorials/yuebao.html",
    "tutorials/credit.html",
    "tutorials/huabei.html",
    "reference/ecosystem.html",
    "reference/yuebao.html",
)


def main(argv: list[str] | None = None) -> int:
    """Write one screenshot per page; return 0 when every one was written."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="the built HTML site, e.g. docs/_build/html")
    parser.add_argument("out", type=Path, help="where to write the screenshots")
    parser.add_argument("--width", type=int, default=1200)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args(argv)
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if browser is None:
        print("no Chromium found: apt-get install chromium", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    failed = 0
    for page in PAGES:
        source = (args.site / page).resolve()
        shot = args.out / (page.replace("/", "_").removesuffix(".html") + ".png")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
        command += [f"--window-size={args.width},{args.height}", f"--screenshot={shot}", source.as_uri()]
        subprocess.run(command, capture_output=True, timeout=120, check=False)
        ok = shot.is_file() and shot.stat().st_size > 0
        failed += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {page} -> {shot}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

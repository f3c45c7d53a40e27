"""``python -m antfin``: runs :func:`antfin.cli.main` (see :mod:`antfin.cli`).

>>> import antfin.__main__, antfin.cli
>>> antfin.__main__.main is antfin.cli.main
True

.. versionadded:: 0.1.0
"""

from __future__ import annotations

import sys

from antfin.cli import main

if __name__ == "__main__":
    sys.exit(main())

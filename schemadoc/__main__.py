"""``python -m schemadoc``."""

import os
import sys

# ``python -m`` puts the working directory first on the import path. When that is a scanned
# (untrusted) checkout, a ``sqlglot.py`` or ``libcst.py`` there must not be imported instead
# of the real library: schemadoc and its dependencies come from the installation.
sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]

from .cli import main  # noqa: E402

sys.exit(main())

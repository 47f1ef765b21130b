"""``python -m schemadoc``."""

import sys

from .cli import main

sys.exit(main())

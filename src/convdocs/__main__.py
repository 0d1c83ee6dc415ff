"""`python -m convdocs build` and `python -m convdocs list`: see :mod:`convdocs.figures.cli`."""

import sys

from .figures.cli import main

sys.exit(main())

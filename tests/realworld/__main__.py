"""``python -m tests.realworld``: see :mod:`tests.realworld.harness`."""

import sys

from .harness import main

sys.exit(main(sys.argv[1:]))

"""``python -m survey.cli``."""

import sys

from . import main

sys.exit(main())

"""``python -m survey_core.cli``."""

import sys

from survey_core.cli import main

sys.exit(main())

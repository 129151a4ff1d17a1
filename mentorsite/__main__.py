"""`python -m mentorsite` runs the command line."""

import sys

from mentorsite.cli import main

sys.exit(main())

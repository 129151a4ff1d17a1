"""`python -m mentorsite` runs the command line."""

from mentorsite.commands.cli import run

run()

"""mentorsite: a static-site generator for mentorship program handbooks."""

__version__ = "0.1.0"

"""The output steps: each reads the site and the theme and returns files."""

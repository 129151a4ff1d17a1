"""Reading the project: site.yml, the content files, the theme."""

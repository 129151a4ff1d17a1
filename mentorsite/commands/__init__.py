"""The commands: build, serve, check, new, packs, deploy."""

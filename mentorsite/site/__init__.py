"""The site model: the program's data as frozen dataclasses, assembled into a Site."""

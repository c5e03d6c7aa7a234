"""A province to try the project on: Liaoning's cities and districts generated as files, checked whole and loaded in bulk."""

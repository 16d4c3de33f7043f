"""Awareness site and social publisher for the TPPO prevention programme of Bengkulu Tengah."""

__version__ = "0.1.0"

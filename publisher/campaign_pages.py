"""Pelican plugin part: campaign pages (/kampanye/). Filled in by issue 4."""


def register() -> None:
    pass

"""Pelican plugin part: feeds/syndication.json for the publisher. Filled in by issue 5."""


def register() -> None:
    pass

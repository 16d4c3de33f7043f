"""Client libraries imported on first use, not when the registry lists the platforms.

atproto takes about 0.9 s to import, Mastodon.py and tweepy about 0.2 s each; `publisher
check` and a tick that posts nothing must not pay for them. Python keeps imported modules in
sys.modules, so after the first use an attribute costs one dictionary lookup more.
"""

from __future__ import annotations

import importlib
from typing import Any


class LazyModule:
    """Stands for a module; the module is imported when one of its names is first read."""

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attribute: str) -> Any:
        return getattr(importlib.import_module(self._name), attribute)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}>"


def lazy(name: str) -> Any:
    return LazyModule(name)

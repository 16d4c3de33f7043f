"""What a local platform server says of its posts' engagement (the adapters' `metrics` reads).

Counts only, as the platforms give them for one's own posts. A post's counts grow with its
age on the server's clock, so readings an hour, a day and a week after a send differ;
`engage(post_id, likes=...)` fixes some of them from then on. Each server also refuses the
endpoints that list who engaged (likers, boosters, reposters): a test that sees one asked
for knows the publisher read personal data.
"""

from __future__ import annotations

import math
from typing import Any

COUNTS = ("reposts", "likes", "replies", "quotes", "views")
WEEK_HOURS = 7 * 24.0


class Engagement:
    """Mixed into PlatformServer (which has `lock`, `now` and `posts`)."""

    lock: Any
    posts: list[dict[str, Any]]

    def now(self) -> float:
        raise NotImplementedError

    def _engagement(self) -> dict[str, dict[str, int]]:
        if not hasattr(self, "_engaged"):
            self._engaged: dict[str, dict[str, int]] = {}
        return self._engaged

    def engage(self, post_id: str, **counts: int) -> None:
        """Fix some of a post's counts (reposts, likes, replies, quotes, views) from now on."""
        assert set(counts) <= set(COUNTS), counts
        with self.lock:
            fixed = self._engagement()
            fixed[post_id] = {**fixed.get(post_id, {}), **counts}

    def counts_at(self, post_id: str, created: float, at: float) -> dict[str, int]:
        """The counts of a post made at `created` (server seconds), as of `at`."""
        hours = min(max(at - created, 0.0) / 3600, WEEK_HOURS)
        seed = sum(map(ord, post_id)) % 7 + 1
        grown = {
            "reposts": int(seed * math.sqrt(hours)),
            "likes": int(3 * seed * math.sqrt(hours)),
            "replies": int(seed * hours**0.25),
            "quotes": int(seed * hours**0.2 / 2),
            "views": int(120 * seed * math.sqrt(hours)),
        }
        return {**grown, **self._engagement().get(post_id, {})}

    def counts_now(self, post: dict[str, Any], post_id: str) -> dict[str, int]:
        return self.counts_at(post_id, post.get("_created", self.now()), self.now())

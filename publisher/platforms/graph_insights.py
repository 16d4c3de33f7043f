"""Engagement of our own Instagram and Threads posts: Meta's media insights, the `metrics`
capability (publisher.platforms.metrics) of the two-step adapters.

Both platforms answer `GET /{media-id}/insights?metric=a,b` with the same shape (parsed by
`metrics.from_insights`): Instagram (Instagram Media Insights, needs `instagram_manage_insights`)
and Threads (Threads Insights API, Media Insights, needs `threads_manage_insights`). Each asks
for the metrics that have a counterpart among our counts, named in the subclass's INSIGHTS.
There is one request per post: Meta documents no batch form of this endpoint. A post Meta no
longer knows (code 100, subcode 33: "Object with ID ... does not exist") is left out of the
answer, which makes it gone; any other refusal fails the whole read, so no post is taken for
gone by mistake. (Its own module: graph_containers.py is at its size limit.)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import requests

from publisher.platforms.common import network_failure
from publisher.platforms.graph_containers import ContainerAdapter
from publisher.platforms.metrics import Counts, Metrics, from_insights

GONE = (100, 33)  # Graph's code/subcode for an object that does not exist


class InsightsAdapter(ContainerAdapter):
    # The platform's insight metric -> our count (publisher.platforms.metrics.COUNTS); the
    # SPEC's `metrics` lists the same counts.
    INSIGHTS: ClassVar[dict[str, str]] = {}

    def metrics(self, remote_ids: Sequence[str]) -> Metrics:
        """Lifetime counts of our posts, one insights request a post."""
        params = {"metric": ",".join(self.INSIGHTS)}
        counts: dict[str, Counts] = {}
        for remote_id in remote_ids:
            try:
                answer = self._call("GET", self._url(remote_id, "insights"), params=params)
            except requests.RequestException as exc:
                return Metrics(failure=network_failure(self.spec, exc, {}, posting=False))
            body = _json(answer)
            if answer.status_code == 200:
                counts[remote_id] = from_insights(body, self.INSIGHTS)
            elif not _gone(body):
                return Metrics(failure=self._refused(answer, {}, posting=False))
        return Metrics(counts)


def _gone(body: dict[str, Any]) -> bool:
    error = body.get("error")
    return isinstance(error, dict) and (error.get("code"), error.get("error_subcode")) == GONE


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}

"""Link cards from our own Open Graph data (Bluesky makes none for us).

The page is our own: read from the build output folder when the link is on our site and the
page is there (one machine, no network), else fetched from the site without its UTM
parameters (a card fetch is not a visit). A card that cannot be read is left out, never an
error: the link itself is still in the post and clickable.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from publisher.platforms.media import sniff
from publisher.platforms.transport import TIMEOUT, deadline_session

MAX_PAGE_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class LinkCard:
    uri: str  # the link as posted (with its UTM parameters)
    title: str
    description: str
    image_url: str = ""
    thumb: bytes | None = None
    thumb_mime: str = ""


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "meta":
            return
        values = dict(attrs)
        name = values.get("property") or values.get("name") or ""
        if name.startswith("og:") and name not in self.found:
            self.found[name] = values.get("content") or ""


def open_graph(html: str) -> dict[str, str]:
    parser = _Meta()
    parser.feed(html)
    return parser.found


def without_utm(url: str) -> str:
    scheme, netloc, path, query, fragment = urlsplit(url)
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not k.startswith("utm_")]
    return urlunsplit((scheme, netloc, path, urlencode(kept), fragment))


class OpenGraphReader:
    def __init__(
        self,
        site_url: str = "",
        folder: Path | None = None,
        *,
        max_thumb_bytes: int = 1_000_000,
        timeout: tuple[float, float] = TIMEOUT,
        session: requests.Session | None = None,
    ) -> None:
        self.site_url = site_url.rstrip("/")
        self.folder = folder
        self.max_thumb_bytes = max_thumb_bytes
        self.timeout = timeout
        # Our own site, but still a network: an overall deadline and a cap on what is read.
        cap = max(MAX_PAGE_BYTES, max_thumb_bytes) + 1
        self.session = session or deadline_session(timeout, deadline=20.0, max_body=cap)

    def __call__(self, link: str, *, with_thumb: bool = True) -> LinkCard | None:
        page = without_utm(link)
        raw = self._read(page, MAX_PAGE_BYTES)
        if raw is None:
            return None
        tags = open_graph(raw.decode("utf-8", errors="replace"))
        title = tags.get("og:title", "").strip()
        if not title:
            return None
        image_url = urljoin(page, tags["og:image"]) if tags.get("og:image") else ""
        thumb = self._read(image_url, self.max_thumb_bytes) if image_url and with_thumb else None
        mime = sniff(thumb) if thumb else None
        return LinkCard(
            uri=link,
            title=title,
            description=tags.get("og:description", "").strip(),
            image_url=image_url,
            thumb=thumb if mime else None,  # a thumbnail that is not an image is left out
            thumb_mime=mime or "",
        )

    def _local(self, url: str) -> Path | None:
        if self.folder is None or not self.site_url or not url.startswith(self.site_url + "/"):
            return None
        relative = urlsplit(url[len(self.site_url) :]).path.lstrip("/")
        path = (self.folder / relative).resolve()
        if self.folder.resolve() not in path.parents and path != self.folder.resolve():
            return None  # `..` in a link never reads outside the output folder
        return path / "index.html" if path.is_dir() or not relative else path

    def _read(self, url: str, limit: int) -> bytes | None:
        local = self._local(url)
        if local is not None and local.is_file():
            data = local.read_bytes()
            return data if len(data) <= limit else None
        try:
            answer = self.session.get(url, timeout=self.timeout)
        except requests.RequestException:  # includes an answer over the cap
            return None
        if answer.status_code != 200:
            return None
        data = answer.content
        return data if len(data) <= limit else None

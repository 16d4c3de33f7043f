"""Images for a post: read from the build or fetched from our own site, checked to be an
image that fits, whatever the file name says."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from pathlib import Path

import requests

from publisher.core.errors import PublisherError
from publisher.platforms.draft import DraftPart, Media
from publisher.platforms.transport import TIMEOUT, AnswerTooLarge, deadline_session

_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


@dataclass(frozen=True)
class MediaFile:
    name: str
    data: bytes
    mime: str
    alt: str


class MediaProblem(PublisherError):
    """The image cannot be sent. `retryable` when our own site did not answer."""

    def __init__(self, message: str, retryable: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable


def sniff(data: bytes) -> str | None:
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def is_url(path_or_url: str) -> bool:
    return path_or_url.startswith(("http://", "https://"))


def load_media(
    media: Media,
    max_bytes: int,
    session: requests.Session | None = None,
    timeout: tuple[float, float] = TIMEOUT,
) -> MediaFile:
    """The image's bytes, from a local file or our own site; checked to be an image that fits."""
    where = media.path_or_url
    if is_url(where):
        # The deadline session caps the answer too: a bigger one ends the read early.
        session = session or deadline_session(timeout, max_body=max_bytes + 1)
        try:
            answer = session.get(where, timeout=timeout)
            answer.raise_for_status()
            data = answer.content
        except AnswerTooLarge:
            data = b"\0" * (max_bytes + 1)  # refused below, as a file that is too large
        except requests.RequestException as exc:
            raise MediaProblem(f"the image {where} could not be fetched ({exc})", True) from None
        name = Path(where.split("?", 1)[0]).name or "image"
    else:
        path = Path(where)
        try:
            with path.open("rb") as handle:
                data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise MediaProblem(f"the image {where} cannot be read ({exc.strerror})") from None
        name = path.name
    if len(data) > max_bytes:
        raise MediaProblem(f"the image {where} is larger than {max_bytes:,} bytes")
    mime = sniff(data)
    if mime is None:
        raise MediaProblem(f"{where} is not a PNG, JPEG, GIF or WebP image")
    if "." not in name:
        name += mimetypes.guess_extension(mime) or ""
    return MediaFile(name, data, mime, media.alt.strip())


def media_request(part: DraftPart) -> list[dict[str, str]]:
    return [{"path_or_url": m.path_or_url, "alt": m.alt} for m in part.media]

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


VARIANTS_FOLDER = "social"  # where the build writes images shaped for a platform


def variant_path(src: str, aspect: str) -> str:
    """Where the build puts `src` (a site path such as images/poster.png) made into `aspect`
    ("4:5"): social/4x5/images/poster.png.jpg. Fixed by the names alone, so a calendar
    post's image, which is not in syndication.json, is found the same way."""
    shape = aspect.replace(":", "x")
    return f"{VARIANTS_FOLDER}/{shape}/{src.lstrip('/')}.jpg"


# A platform that fetches our image is asked to only once the image answers: a short look.
LIVE_TIMEOUT = (3.0, 5.0)
LIVE_DEADLINE = 8.0


def media_answers(url: str, session: requests.Session | None = None) -> bool:
    """Does `url` answer 200 now (HEAD, or GET where HEAD is not allowed)? A platform that
    fetches the image from our site (Meta) fails the post when it does not."""
    if not is_url(url):
        return False
    session = session or deadline_session(LIVE_TIMEOUT, LIVE_DEADLINE, max_body=64 * 1024)
    try:
        answer = session.head(url, timeout=LIVE_TIMEOUT, allow_redirects=False)
        if answer.status_code in (405, 501):
            answer = session.get(url, timeout=LIVE_TIMEOUT, allow_redirects=False)
    except AnswerTooLarge as exc:  # the GET's body is the image itself: it answered
        return exc.response is not None and exc.response.status_code == 200
    except requests.RequestException:
        return False
    return answer.status_code == 200


def media_request(part: DraftPart) -> list[dict[str, str]]:
    return [{"path_or_url": m.path_or_url, "alt": m.alt} for m in part.media]

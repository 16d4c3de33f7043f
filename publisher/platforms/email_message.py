"""One e-mail as it goes out, and the adapter's delivery journal.

The ledger row of an e-mail holds the message as the engine composed it (publisher/engine/
press/message.py): a JSON object with `subject`, `text` and `html`, its attachments as the
row's media, the release's address as its link. What makes it one person's e-mail is added
here, at the moment of sending, and never stored: the address (`To:`), and the
`List-Unsubscribe` header with the recipient's pseudonymous id. The `Message-ID` is a digest
of the ledger key (release, kind and recipient): every attempt of one row sends the same
id, so a mail store that already has it can keep one copy.

SMTP cannot be read back, so the adapter keeps a journal of its own (one small file per
ledger key, no address in it): `started` is written before the message is handed over
(the DATA command), `accepted` after the server's 250, `refused` after a refusal. After a
crash it tells the engine what happened: nothing written (never handed over: send it),
`accepted` (sent), `started` alone (handed over, answer lost: only a person can say).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import mimetypes
import os
import re
from collections.abc import Callable, Collection
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Any
from urllib.parse import quote

from publisher.core.timeutil import utc_now
from publisher.platforms.base import BaseAdapter
from publisher.platforms.common import permanent
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.spec import PlatformSpec

STARTED, ACCEPTED, REFUSED = "started", "accepted", "refused"
OUTBOX_SENDER = "Siaran Pers <press@outbox.invalid>"  # RFC 2606: a name that reaches no one
# The Message-ID's local part: 32 hex digits of the key's digest.
ID_PATTERN = re.compile(r"[0-9a-f]{32}@[A-Za-z0-9.-]{1,200}")


class MessageProblem(ValueError):
    """The stored message cannot be made into an e-mail (a broken row)."""


def file_stem(key: str) -> str:
    """`mail:sp-1:release:r1` -> `mail+sp-1+release+r1`, as the outbox names its files
    (publisher/platforms/outbox.py, not imported: it imports the catalog, which imports us)."""
    return quote(key, safe="-_").replace("%3A", "+")


def domain_of(sender: str) -> str:
    address = parseaddr(sender)[1]
    domain = address.rpartition("@")[2].strip().lower()
    return domain if re.fullmatch(r"[a-z0-9.-]{1,200}", domain or "") else "localhost"


def message_id(key: str, domain: str) -> str:
    """The stable Message-ID of a ledger key (without the angle brackets)."""
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{domain}"


def stored(part: DraftPart) -> dict[str, str]:
    try:
        data = json.loads(part.text)
    except ValueError:
        raise MessageProblem("the stored message is not JSON") from None
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("subject", "text")
    ):
        raise MessageProblem("the stored message has no subject or text")
    return {k: str(v) for k, v in data.items() if isinstance(v, str)}


def _header_safe(value: str) -> str:
    return " ".join(value.split())  # no newline can start another header


def build(
    part: DraftPart,
    sender: str,
    now: dt.datetime,
    reply_to: str = "",
    unsubscribe: str = "",
) -> EmailMessage:
    """The e-mail of one row for its recipient: plain text and HTML, the attachments."""
    data = stored(part)
    if not part.recipient:
        raise MessageProblem("no recipient address was given")
    domain = domain_of(sender)
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = part.recipient
    mail["Subject"] = _header_safe(data["subject"])
    mail["Date"] = format_datetime(now.astimezone(dt.UTC))
    mail["Message-ID"] = f"<{message_id(part.key, domain)}>"
    if reply_to:
        mail["Reply-To"] = reply_to
    mail["List-Id"] = f"Siaran pers <press.{domain}>"
    target = unsubscribe or parseaddr(sender)[1]
    subject = quote(f"unsubscribe {part.recipient_id}".strip())
    mail["List-Unsubscribe"] = f"<mailto:{target}?subject={subject}>"
    mail.set_content(data["text"], cte="quoted-printable")
    if data.get("html"):
        mail.add_alternative(data["html"], subtype="html", cte="quoted-printable")
    for media in part.media:
        path = Path(media.path_or_url)
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise MessageProblem(
                f"the attachment {path.name} cannot be read ({exc.strerror})"
            ) from None
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        maintype, _, subtype = mime.partition("/")
        mail.add_attachment(
            content, maintype=maintype, subtype=subtype, filename=media.alt or path.name
        )
    mail["Content-Language"] = part.language  # after the parts: set_content clears Content-*
    return mail


def clean(text: str, part: DraftPart) -> str:
    """A server's words without the recipient's address (it would reach logs and the
    ledger): the pseudonymous id stands in for it."""
    if part.recipient:
        text = re.sub(
            re.escape(part.recipient),
            part.recipient_id or "the recipient",
            text,
            flags=re.IGNORECASE,
        )
    return text


class Journal:
    """The adapter's record of what it handed to the mail server, one file per key."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, key: str) -> Path:
        return self.folder / f"{file_stem(key)}.state.json"

    def write(self, key: str, state: str, now: dt.datetime, **extra: Any) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        target = self.path(key)
        temp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        record = {"state": state, "at": now.astimezone(dt.UTC).isoformat(), **extra}
        with temp.open("w", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the server gets the message
        os.replace(temp, target)

    def read(self, key: str) -> dict[str, Any] | None:
        try:
            found = json.loads(self.path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None


class EmailOutbox(BaseAdapter):
    """Each e-mail as an .eml file under outbox/email/, so `make run` needs no mail server.
    Written atomically (temp file + rename): a file that exists was "sent"."""

    mode = "outbox"

    def __init__(
        self,
        spec: PlatformSpec,
        limits: PlatformLimits,
        directory: Path,
        clock: Callable[[], dt.datetime] = utc_now,
    ) -> None:
        self.spec = spec
        super().__init__(limits)
        self.directory = directory / limits.name
        self.clock = clock

    def path_for(self, key: str) -> Path:
        return self.directory / f"{file_stem(key)}.eml"

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        mid = message_id(key, domain_of(OUTBOX_SENDER))
        request = {"endpoint": "outbox", "to": part.recipient_id, "message_id": mid}
        if preview:
            return PostResult(ok=True, request=request)
        path = self.path_for(key)
        if path.exists():
            return PostResult(ok=True, remote_id=mid, request=request)
        try:
            mail = build(part, OUTBOX_SENDER, self.clock())
        except MessageProblem as exc:
            return permanent(self.spec, str(exc), request)
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(mail.as_bytes())
        temp.chmod(0o600)  # it holds an address
        temp.replace(path)
        return PostResult(ok=True, remote_id=mid, request=request)

    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        if self.path_for(part.key).exists():
            return PostResult(ok=True, remote_id=message_id(part.key, domain_of(OUTBOX_SENDER)))
        return PostResult(ok=False, error="not in the outbox")

"""E-mail to the press list over SMTP (the standard library's smtplib), and its outbox.

A fan-out channel (SPEC.fanout): the engine plans one ledger row per release and recipient
(publisher/engine/press/), resolves the recipient's address just before each send and hands
it over in the DraftPart; this module makes the e-mail (email_message.build) and delivers it.

Transport: port 465 is TLS from the start; any other port must offer STARTTLS, which is then
always used. Only a server on this machine (localhost, 127.0.0.0/8, ::1) may be spoken to
without it: press mail (embargoed releases, addresses) never crosses a network in clear.
The server's answers decide the row, as RFC 5321 numbers them:

    250 after the message                 -> sent (remote id: its Message-ID)
    4xx (mailbox busy, greylisting...)    -> failed, retried with the engine's backoff
    421, no connection, a timeout before the message was handed over
                                          -> the server is down: every row waits (outage)
    5xx for the recipient or the message  -> dead for that recipient, with the server's reason
    5xx for the sender, refused login or TLS
                                          -> the account: the channel is parked
    the connection lost after the message was handed over
                                          -> unknown, for a person (SMTP cannot be asked)

Server answers are cleaned of the recipient's address before they reach a log or the ledger.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import smtplib
import ssl
import threading
import time
from collections.abc import Callable, Collection
from email import policy
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from publisher.core.environment import Environment
from publisher.core.timeutil import utc_now
from publisher.platforms.base import AdapterContext, BaseAdapter
from publisher.platforms.common import (
    Stop,
    accepted,
    credentials,
    guard_logs,
    outage,
    permanent,
    retryable,
    scrub,
    unknown,
    verified,
)
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.draft import DraftPart, PostResult
from publisher.platforms.email_message import (
    ACCEPTED,
    ID_PATTERN,
    REFUSED,
    STARTED,
    EmailOutbox,
    Journal,
    MessageProblem,
    build,
    clean,
    domain_of,
    message_id,
    stored,
)
from publisher.platforms.spec import PlatformSpec

DOCS = "docs/press.md"
TIMEOUT = 30.0  # seconds for each SMTP exchange
REUSE_SECONDS = 20.0  # a connection idle longer than this is not trusted: a new one is made

SPEC = PlatformSpec(
    name="email",
    label="E-mail",
    # No length limit worth the name; up to 4 attachments (the release PDF is one) of 10 MB.
    # 20 messages per tick: 1,200 an hour with 60 s ticks, under what small providers allow.
    limits=PlatformLimits("email", 1_000_000, None, None, 4, 10 * 1024 * 1024, False, 20),
    credentials=("SMTP_HOST", "SMTP_FROM"),
    secrets=("SMTP_PASSWORD", "PRESS_ID_KEY"),
    optional=(
        "SMTP_PORT",
        "SMTP_USER",
        "SMTP_PASSWORD",
        "SMTP_REPLY_TO",
        "SMTP_UNSUBSCRIBE",
        "SMTP_CA_FILE",
        "PRESS_ID_KEY",
    ),
    fanout=True,
    can_lookup=True,
    lookup_reads="the publisher's own delivery journal (var/mail/journal): SMTP cannot be read back",
    visible_within=dt.timedelta(0),
    lookup_window=dt.timedelta(0),
    read_after_write=True,  # the journal is written before the send returns
    id_format=ID_PATTERN,
    alt_text=False,
    docs=DOCS,
)


def is_local(host: str) -> bool:
    """A server on this machine, the only one spoken to without TLS."""
    if host.strip().lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class EmailAdapter(BaseAdapter):
    spec = SPEC

    @classmethod
    def from_environment(cls, env: Environment, context: AdapterContext) -> EmailAdapter:
        journal = context.cache_dir.parent / "mail" / "journal" if context.cache_dir else None
        return cls(
            env.get("SMTP_HOST"),
            env.get("SMTP_FROM"),
            port=env.get("SMTP_PORT"),
            user=env.get("SMTP_USER"),
            password=env.get("SMTP_PASSWORD"),
            reply_to=env.get("SMTP_REPLY_TO"),
            unsubscribe=env.get("SMTP_UNSUBSCRIBE"),
            ca_file=env.get("SMTP_CA_FILE"),
            limits=context.limits,
            journal=journal,
            clock=context.clock,
        )

    @classmethod
    def outbox(
        cls, limits: PlatformLimits, directory: Path, clock: Callable[[], dt.datetime] = utc_now
    ) -> EmailOutbox:
        return EmailOutbox(SPEC, limits, directory, clock)

    def __init__(
        self,
        host: str,
        sender: str,
        *,
        port: str | int = "",
        user: str = "",
        password: str = "",
        reply_to: str = "",
        unsubscribe: str = "",
        ca_file: str = "",
        limits: PlatformLimits | None = None,
        journal: Path | None = None,
        clock: Callable[[], dt.datetime] = utc_now,
        require_tls: bool | None = None,
        timeout: float = TIMEOUT,
    ) -> None:
        super().__init__(limits)
        self.host, self.sender, self.user = host.strip(), sender.strip(), user
        self._password = password
        guard_logs([password] if password else [])
        self.port_text = str(port or "").strip()
        self.reply_to, self.unsubscribe, self.ca_file = reply_to, unsubscribe, ca_file
        self.journal = Journal(journal) if journal is not None else None
        self.clock = clock
        self.require_tls = not is_local(self.host) if require_tls is None else require_tls
        self.timeout = timeout
        self._conn: smtplib.SMTP | None = None
        self._used = 0.0
        self._lock = threading.Lock()

    @property
    def can_lookup(self) -> bool:
        return self.journal is not None

    @property
    def port(self) -> int:
        if not self.port_text:
            return 587
        if not self.port_text.isdigit():
            raise Stop(credentials(SPEC, "SMTP_PORT is not a port number", ["SMTP_PORT"], {}))
        return int(self.port_text)

    def _clean(self, text: str, part: DraftPart | None = None) -> str:
        text = scrub(text, [self._password] if self._password else [])
        return clean(text, part) if part is not None else text

    # --- the connection ---------------------------------------------------------------
    def _context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file or None)

    def _open(self) -> smtplib.SMTP:
        port = self.port
        try:
            if port == 465:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    self.host, port, timeout=self.timeout, context=self._context()
                )
            else:
                conn = smtplib.SMTP(self.host, port, timeout=self.timeout)
            conn.ehlo()
            if port != 465 and conn.has_extn("starttls"):
                conn.starttls(context=self._context())
                conn.ehlo()
            elif port != 465 and self.require_tls:
                conn.close()
                fix = "use the provider's submission port with STARTTLS (587) or TLS (465) in SMTP_PORT"
                raise Stop(credentials(SPEC, f"{self.host} does not offer STARTTLS, and press mail "
                                       "never crosses a network unencrypted", [], {}, fix))  # fmt: skip
            if self.user:
                conn.login(self.user, self._password)
        except ssl.SSLError as exc:
            fix = "check the server's certificate (SMTP_HOST must be its name) or SMTP_CA_FILE"
            raise Stop(
                credentials(SPEC, f"TLS failed ({exc.reason or exc})", [], {}, fix)
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            why = f"login refused ({exc.smtp_code})"
            raise Stop(credentials(SPEC, why, ["SMTP_USER", "SMTP_PASSWORD"], {})) from None
        except smtplib.SMTPNotSupportedError:
            fix = (
                "the server offers no login here: leave SMTP_USER empty, or use its submission port"
            )
            raise Stop(credentials(SPEC, "no AUTH", [], {}, fix)) from None
        except (OSError, smtplib.SMTPException) as exc:
            why = f"cannot reach the mail server {self.host}:{port} ({type(exc).__name__})"
            raise Stop(outage(SPEC, self._clean(why), {})) from None
        return conn

    def _connection(self) -> smtplib.SMTP:
        if self._conn is not None and time.monotonic() - self._used < REUSE_SECONDS:
            try:
                if self._conn.noop()[0] == 250:
                    return self._conn
            except (OSError, smtplib.SMTPException):
                pass
        self._drop()
        self._conn = self._open()
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(OSError):
                self._conn.close()
        self._conn = None

    # --- sending ----------------------------------------------------------------------
    def _request(self, part: DraftPart, key: str) -> dict[str, Any]:
        try:
            subject = stored(part)["subject"]
        except MessageProblem:
            subject = ""
        return {
            "endpoint": f"SMTP {self.host}",
            "to": part.recipient_id,  # never the address
            "subject": subject,
            "message_id": message_id(key, domain_of(self.sender)),
            "attachments": [m.alt for m in part.media],
        }

    def _send(self, part: DraftPart, key: str, reply_to: str | None, preview: bool) -> PostResult:
        request = self._request(part, key)
        if preview:
            return PostResult(ok=True, request=request)
        try:
            mail = build(part, self.sender, self.clock(), self.reply_to, self.unsubscribe)
        except MessageProblem as exc:
            return permanent(SPEC, str(exc), request)
        with self._lock:
            try:
                # CRLF line ends: smtplib sends bytes as they are (RFC 5321 wants CRLF).
                return self._deliver(part, key, mail.as_bytes(policy=policy.SMTP), request)
            except Stop as stop:
                self._drop()
                return stop.result

    def _deliver(
        self, part: DraftPart, key: str, data: bytes, request: dict[str, Any]
    ) -> PostResult:
        conn = self._connection()
        envelope = parseaddr(self.sender)[1]
        try:
            code, reply = conn.mail(envelope)
            if code != 250:
                conn.rset()
                return self._refused("sender", code, reply, part, request)
            code, reply = conn.rcpt(part.recipient)
            if code not in (250, 251):
                conn.rset()
                return self._refused("recipient", code, reply, part, request)
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()  # nothing was handed over: the server waits, and so do we
            return outage(
                SPEC,
                self._clean(f"the mail server stopped answering ({type(exc).__name__})"),
                request,
            )
        mid = request["message_id"]
        journal = self.journal
        if journal is not None:
            journal.write(key, STARTED, self.clock(), message_id=mid)
        try:
            code, reply = conn.data(data)
        except smtplib.SMTPDataError as exc:  # refused before the message was sent
            code, reply = exc.smtp_code, exc.smtp_error
        except (OSError, smtplib.SMTPException) as exc:
            self._drop()
            why = f"the connection ended after the message was sent, before the server's answer ({type(exc).__name__})"
            return unknown(SPEC, self._clean(why), request)
        self._used = time.monotonic()
        if code == 250:
            if journal is not None:
                journal.write(key, ACCEPTED, self.clock(), message_id=mid)
            return accepted(SPEC, mid, None, request, url_required=False)
        if journal is not None:
            journal.write(key, REFUSED, self.clock(), message_id=mid, code=code)
        return self._refused("message", code, reply, part, request)

    def _refused(self, stage: str, code: int, reply: bytes | str, part: DraftPart,
                 request: dict[str, Any]) -> PostResult:  # fmt: skip
        words = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        answer = self._clean(f"{code} {' '.join(words.split())}", part)
        if code == 421 or (stage == "sender" and 400 <= code < 500):
            self._drop()
            return outage(SPEC, f"the mail server is not taking mail now ({answer})", request)
        if stage == "sender":
            return credentials(SPEC, f"the sender was refused ({answer})", ["SMTP_FROM"], request)
        if 400 <= code < 500:
            return retryable(SPEC, f"temporary refusal of the {stage} ({answer})", request)
        return permanent(SPEC, f"the mail server refused the {stage} ({answer})", request)

    # --- what happened ----------------------------------------------------------------
    def lookup(self, part: DraftPart, taken: Collection[str] = ()) -> PostResult | None:
        if self.journal is None:
            return None
        entry = self.journal.read(part.key)
        state = entry.get("state") if entry else None
        if state == ACCEPTED:
            return PostResult(ok=True, remote_id=str(entry.get("message_id")))  # type: ignore[union-attr]
        if state == STARTED:
            return PostResult(
                ok=False, unknown=True, undecidable=True,
                error=f"E-mail: handed to the mail server at {entry.get('at')}, but its answer "  # type: ignore[union-attr]
                "was lost, and SMTP cannot be asked whether it kept the message",
            )  # fmt: skip
        return PostResult(ok=False, error="never handed to the mail server")

    def verify(self) -> PostResult:
        try:
            with self._lock:
                self._drop()
                conn = self._open()
                with contextlib.suppress(OSError, smtplib.SMTPException):
                    conn.quit()
        except Stop as stop:
            return stop.result
        return verified(parseaddr(self.sender)[1], None)


ADAPTER = EmailAdapter

"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives and answers as
scripted: a mail server for the e-mail channel's tests.

    server = SmtpServer().start()          # server.port, server.messages
    server.answer_rcpt("a@example.org", "450 4.2.1 Mailbox busy", times=2)
    server.answer_rcpt("b@example.org", "550 5.1.1 No such user")
    server.answer_data("451 4.3.0 Try later")   # the next message, after its DATA
    server.drop_after_data()               # the next message is kept, its answer never sent
    server.hold_answers(5.0)               # the next message is kept, its answer 5 s late
    server.stop()

`messages` are (recipients, EmailMessage) in the order accepted. With `tls=(cert, key)` it
offers STARTTLS.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Received:
    recipients: list[str]
    message: EmailMessage
    raw: bytes


@dataclass
class _Handler:
    messages: list[Received] = field(default_factory=list)
    rcpt: dict[str, list[str]] = field(default_factory=dict)
    data: list[str] = field(default_factory=list)
    drops: int = 0
    holds: list[float] = field(default_factory=list)  # seconds before the answer to a message
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        with self.lock:
            scripted = self.rcpt.get(address.lower())
            answer = scripted.pop(0) if scripted else ""
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        raw = envelope.original_content or envelope.content
        with self.lock:
            if self.data:
                return self.data.pop(0)
            parsed = BytesParser(policy=policy.default).parsebytes(raw)
            self.messages.append(Received(list(envelope.rcpt_tos), parsed, raw))  # type: ignore[arg-type]
            number = len(self.messages)
            if self.drops:
                self.drops -= 1
                server.transport.close()  # kept, but the client never hears the 250
                return "250 OK"
            hold = self.holds.pop(0) if self.holds else 0.0
        if hold:
            await asyncio.sleep(hold)  # kept; the answer comes late (a kill lands here)
        return f"250 2.0.0 OK queued as Q{number:06d}"


class SmtpServer:
    def __init__(self, tls: tuple[Path, Path] | None = None) -> None:
        self.handler = _Handler()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(tls[0]), str(tls[1]))
            kwargs = {"tls_context": context, "require_starttls": True}
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port, **kwargs)

    def start(self) -> SmtpServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller._thread is not None:  # stopping twice is fine
            self.controller.stop()

    @property
    def messages(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.messages)

    def answer_rcpt(self, address: str, answer: str, times: int = 1) -> None:
        with self.handler.lock:
            self.handler.rcpt.setdefault(address.lower(), []).extend([answer] * times)

    def answer_data(self, answer: str, times: int = 1) -> None:
        with self.handler.lock:
            self.handler.data.extend([answer] * times)

    def drop_after_data(self, times: int = 1) -> None:
        with self.handler.lock:
            self.handler.drops += times

    def hold_answers(self, seconds: float, times: int = 1) -> None:
        """The next messages are kept at once, their 250 sent `seconds` later."""
        with self.handler.lock:
            self.handler.holds.extend([seconds] * times)

    def to(self, address: str) -> list[EmailMessage]:
        """Messages received for `address`."""
        wanted = address.lower()
        return [r.message for r in self.messages if wanted in (a.lower() for a in r.recipients)]

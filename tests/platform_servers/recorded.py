"""One request as a local platform server received it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qs


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # names in lower case
    body: bytes
    query_string: str = ""

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """URL-encoded or multipart text fields (the last value of each name)."""
        if "multipart/form-data" in self.content_type:
            return {k: v for k, v in self._parts().items() if isinstance(v, str)}
        fields = parse_qs(self.body.decode("utf-8"), keep_blank_values=True)
        return {k: v[-1] for k, v in fields.items()}

    def form_list(self, name: str) -> list[str]:
        """Every value of a repeated URL-encoded field (`media_ids[]=1&media_ids[]=2`)."""
        return parse_qs(self.body.decode("utf-8"), keep_blank_values=True).get(name, [])

    def files(self) -> dict[str, Upload]:
        return {k: v for k, v in self._parts().items() if isinstance(v, Upload)}

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else None

    def _parts(self) -> dict[str, str | Upload]:
        head = f"Content-Type: {self.content_type}\r\n\r\n".encode()
        message = BytesParser(policy=HTTP).parsebytes(head + self.body)
        parts: dict[str, str | Upload] = {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            data = part.get_payload(decode=True) or b""
            filename = part.get_filename()
            if filename is not None:
                parts[name] = Upload(filename, part.get_content_type(), data)
            else:
                parts[name] = data.decode("utf-8")
        return parts

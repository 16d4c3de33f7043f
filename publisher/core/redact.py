"""One redactor for every secret, in every form it can take in a text we log or store.

A credential rarely appears as typed: a library may JSON-escape it in an error body,
URL-encode it in a query (`quote` or `quote_plus`, either case of hex digits), put it in an
HTML page, or base64-encode it with a user name for HTTP Basic auth. `Redactor` finds each
of those forms, and also blanks the value of every `Authorization` header whatever it holds
(a session token we never configured, such as Bluesky's access JWT, is still a credential).

Written here rather than taken from a library: the ones we found redact by key name
(dictionaries of headers) or by entropy, not by the known values and their encodings.
"""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MASK = "[secret]"
MIN_LENGTH = 4  # shorter values would match ordinary words
# Base64 pieces shorter than this are too short to say which secret they came from.
MIN_BASE64 = 8

# `Authorization: Bearer x`, `'Authorization': 'OAuth a="b", c="d"'`, `"authorization":"x"`,
# in a header dump, a dict's repr or JSON: the scheme stays, the credential goes.
_QUOTED_HEADER = re.compile(
    r"""(?P<name>["']?(?:proxy-)?authorization["']?\s*[:=]\s*)"""
    r"""(?P<quote>["'])(?P<value>(?:\\.|(?!(?P=quote)).)*)(?P=quote)""",
    re.IGNORECASE,
)
_LINE_HEADER = re.compile(
    r"(?P<name>(?:proxy-)?authorization\s*:\s*)(?P<value>[^\r\n]+)",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"^(Bearer|Basic|OAuth|Bot|Digest|DPoP|Token)\b\s*", re.IGNORECASE)
# A bare credential after `Authorization:` (no scheme): one long token-like word. Anything
# else there is prose ("Authorization: you have reached your daily limit") and stays.
_BARE_TOKEN = re.compile(r"[A-Za-z0-9._~+/=:-]{16,}")


def _masked_header_value(value: str) -> str:
    scheme = _SCHEME.match(value)
    return f"{scheme.group(1)} {MASK}" if scheme else MASK


def _percent_pattern(encoded: str) -> str:
    """A pattern for a URL-encoded form that accepts either case of the hex digits."""
    out, index = [], 0
    while index < len(encoded):
        if encoded[index] == "%" and index + 2 < len(encoded):
            pair = encoded[index + 1 : index + 3]
            out.append("%" + "".join(f"[{c.upper()}{c.lower()}]" for c in pair))
            index += 3
        else:
            out.append(re.escape(encoded[index]))
            index += 1
    return "".join(out)


def _base64_cores(secret: bytes) -> set[str]:
    """The parts of any base64 text that must hold `secret` wherever it sits in the encoded
    bytes (three alignments), in the standard and the URL-safe alphabet. Characters that
    also depend on the neighbouring bytes are left out, so `user:secret` is found too."""
    cores = set()
    for offset in range(3):
        data = b"\0" * offset + secret
        first = -(-offset // 3)  # the first 3-byte group made of secret bytes only
        last = len(data) // 3  # groups after this one hold padding
        if last - first < 1:
            continue
        encoded = base64.b64encode(data).decode("ascii")[4 * first : 4 * last]
        if len(encoded) >= MIN_BASE64:
            cores.add(encoded)
            cores.add(encoded.replace("+", "-").replace("/", "_"))
    return cores


def encoded_forms(secret: str) -> set[str]:
    """Regular-expression pieces for `secret` as written, JSON-escaped, HTML-escaped and
    URL-encoded, and for the base64 cores that can hold it."""
    literal = {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
        html.escape(secret, quote=False),
        secret.encode("unicode_escape").decode("ascii"),  # escapes of odd characters
        repr(secret)[1:-1],  # Python's repr, as in a dict or an exception's text
    }
    percent = {quote(secret, safe=""), quote(secret), quote_plus(secret)}
    pieces = {re.escape(form) for form in literal}
    pieces |= {_percent_pattern(form) for form in percent}
    pieces |= {re.escape(core) for core in _base64_cores(secret.encode("utf-8"))}
    return pieces


class Redactor:
    """Replaces every known secret (in each encoded form) and every `Authorization` header
    value with `[secret]`. Immutable: `with_secrets` gives a new one with more values."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self.secrets: frozenset[str] = frozenset(
            s for s in (str(v).strip() for v in secrets) if len(s) >= MIN_LENGTH
        )
        pieces: set[str] = set()
        for secret in self.secrets:
            pieces |= encoded_forms(secret)
        # Longest first, so a secret that contains another is replaced whole.
        ordered = sorted(pieces, key=len, reverse=True)
        self._pattern = re.compile("|".join(ordered)) if ordered else None

    def with_secrets(self, secrets: Iterable[str]) -> Redactor:
        return Redactor(self.secrets | set(secrets))

    def __call__(self, text: str) -> str:
        if not text:
            return text
        if self._pattern is not None:
            text = self._pattern.sub(MASK, text)
        text = _QUOTED_HEADER.sub(
            lambda m: f"{m['name']}{m['quote']}{_masked_header_value(m['value'])}{m['quote']}",
            text,
        )
        return _LINE_HEADER.sub(self._line_header, text)

    @staticmethod
    def _line_header(match: re.Match[str]) -> str:
        value = match["value"].strip()
        if value.startswith(("'", '"')):  # a quoted value: done by _QUOTED_HEADER
            return match.group(0)
        if not _SCHEME.match(value) and not _BARE_TOKEN.fullmatch(value):
            return match.group(0)
        return f"{match['name']}{_masked_header_value(value)}"

    def __repr__(self) -> str:  # never the values
        return f"Redactor({len(self.secrets)} secrets)"


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` without `secrets` (for a one-off; keep a Redactor when reusing the same ones)."""
    return Redactor(secrets)(text)

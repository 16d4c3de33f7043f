"""One redactor for every credential, in each form a library or a platform may write it."""

from __future__ import annotations

import base64
import html
import json
import logging
import re
from urllib.parse import quote, quote_plus, urlencode

import pytest

from publisher.core.redact import MASK, Redactor, redact
from publisher.platforms.common import guard_logs, scrub

# Characters that every encoding changes: '/', '+', '=', '&', ':', '"', '\\', a space, 'é'.
TOKEN = 'EAAt0k/en+wi=th&all:"odd"\\ parts é 0123'
BOT = "7000000001:AAHtestTokenForTheLocalBotApi_0123456"
SECRETS = [TOKEN, BOT]


def lower_hex(text: str) -> str:
    return re.sub(r"%[0-9A-F]{2}", lambda m: m.group().lower(), text)


FORMS = {
    "as typed": lambda s: s,
    "JSON": lambda s: json.dumps({"access_token": s}),
    "JSON, ASCII only": lambda s: json.dumps({"t": s}, ensure_ascii=True),
    "JSON, as is": lambda s: json.dumps({"t": s}, ensure_ascii=False),
    "quote": lambda s: f"https://graph.example/me?x={quote(s, safe='')}",
    "quote, lower-case hex": lambda s: lower_hex(quote(s, safe="")),
    "quote keeping /": lambda s: quote(s),
    "quote_plus": lambda s: urlencode({"access_token": s}),
    "quote_plus direct": lambda s: quote_plus(s),
    "repr": lambda s: repr({"token": s}),
    "Basic auth header": lambda s: (
        "Authorization: Basic " + base64.b64encode(f"tppo:{s}".encode()).decode()
    ),
    "Basic auth, anywhere": lambda s: "creds=" + base64.b64encode(f"x:{s}".encode()).decode() + ";",
    "Basic auth, other alignment": lambda s: base64.b64encode(f"ab{s}".encode()).decode(),
    "URL-safe base64": lambda s: base64.urlsafe_b64encode(s.encode()).decode(),
    "HTML": lambda s: "<p>token: " + html.escape(s) + "</p>",
}


@pytest.mark.parametrize("secret", SECRETS, ids=["odd characters", "bot token"])
@pytest.mark.parametrize("form", list(FORMS))
def test_every_encoded_form_of_a_secret_is_redacted(secret: str, form: str) -> None:
    text = f"before\n{FORMS[form](secret)}\nafter"  # a header is a line of its own
    out = Redactor(SECRETS)(text)

    assert MASK in out and out.startswith("before\n") and out.endswith("\nafter")
    # Nothing of the secret is left that is longer than a few characters
    for piece in re.findall(r"[A-Za-z0-9]{8,}", secret):
        assert piece not in out, (form, out)
    if "base64" in form.lower() or "basic" in form.lower():
        assert base64.b64encode(secret.encode()).decode()[4:16] not in out


@pytest.mark.parametrize(
    "text",
    [
        "Authorization: Bearer eyJhbGciOiJFUzI1NksifQ.eyJzY29wZSI6ImNvbS5hdHByb3RvIn0.sig",
        'Authorization: OAuth oauth_consumer_key="k", oauth_token="t-123", oauth_signature="s%3D"',
        "{'Authorization': 'Bearer eyJhbGciOiJFUzI1NksifQ.payload.sig', 'Accept': '*/*'}",
        '{"authorization": "Bearer eyJhbGciOiJFUzI1NksifQ.payload.sig", "accept": "*/*"}',
        "proxy-authorization: Basic dXNlcjpwYXNzd29yZA==",
        "Authorization: abcdefghijklmnopqrstuvwxyz0123456789",
    ],
)
def test_authorization_values_are_redacted_even_when_they_are_not_a_known_secret(
    text: str,
) -> None:
    out = Redactor()(text)
    assert MASK in out
    assert "eyJhbGciOiJFUzI1NksifQ" not in out and "t-123" not in out
    assert "dXNlcjpwYXNzd29yZA" not in out and "abcdefghijklmnop" not in out
    assert "'Accept': '*/*'" in out or '"accept": "*/*"' in out or "Accept" not in text


def test_prose_after_the_word_authorization_stays() -> None:
    text = "Authorization: You have reached your daily limit for sending posts."
    assert Redactor(SECRETS)(text) == text


def test_short_values_and_other_text_are_left_alone() -> None:
    redactor = Redactor(["abc", "", "   ", "tppo_bteng_secret"])
    assert redactor("abc tppo public @tppo_bteng") == "abc tppo public @tppo_bteng"
    assert redactor("x tppo_bteng_secret y") == f"x {MASK} y"
    assert "tppo_bteng_secret" not in repr(redactor)


def test_a_secret_inside_a_longer_one_is_replaced_whole() -> None:
    out = Redactor(["secret-1234", "secret-1234-and-more"])("[secret-1234-and-more]")
    assert out == f"[{MASK}]"


def test_scrub_is_the_same_redactor_and_also_cuts_a_huge_text() -> None:
    assert scrub(f"a {quote(TOKEN, safe='')} b", [TOKEN]) == f"a {MASK} b"
    assert redact(f"a {TOKEN} b", [TOKEN]) == f"a {MASK} b"
    huge = "x" * 5_000_000
    assert len(scrub(huge, [TOKEN])) < 100_000


def test_library_logs_never_show_a_secret_in_any_form(caplog: pytest.LogCaptureFixture) -> None:
    guard_logs([TOKEN])
    logger = logging.getLogger("urllib3.connectionpool")
    with caplog.at_level(logging.DEBUG, logger="urllib3.connectionpool"):
        logger.debug("GET /me?access_token=%s", quote_plus(TOKEN))
        logger.debug("body %s", json.dumps({"token": TOKEN}))
        logger.debug("headers {'Authorization': 'Bearer %s'}", "eyJ.session.jwt")
    text = caplog.text
    assert text.count(MASK) == 3
    assert quote_plus(TOKEN) not in text and "eyJ.session.jwt" not in text

"""A seeded corpus of post texts for the counter parity tests (tests/platforms/test_counters_parity.py).

`corpus()` gives the same texts on every run: Latin and Indonesian sentences, CJK, Arabic and
Hebrew with domains glued to their letters, URLs with and without a scheme, emoji of every
kind (ZWJ sequences, keycaps, flags, skin tones, and emoji newer than twitter-text's table),
(c) (r) (tm) with and without a variation selector, combining marks, Indic conjuncts, control
and invisible characters, mentions, and texts near X's 280 limit.

Every character comes from Unicode 16.0 or older, so that Python's `regex` (Unicode 17.0),
Node 20's ICU (78, Unicode 17.0) and the `unicodedata` of Python 3.11 (Unicode 14.0, used
for NFC) agree on what each one is; the one exception, NEW_EMOJI_17, is only ever an emoji
on its own (an unassigned pictograph code point is Extended_Pictographic in every version,
and nothing composes with it under NFC).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

SEED = 20271130
SIZE = 5000


def _words(text: str) -> list[str]:
    return text.split()


LATIN = _words(
    "Stop human trafficking. Know the signs, call the hotline. Jobs abroad that promise "
    "too much are a trap; check the agency, keep your passport, tell your family where."
)
INDONESIAN = _words(
    "Waspadai tawaran kerja ke luar negeri yang tidak jelas. Laporkan calo dan perekrut "
    "ilegal ke Dinas Tenaga Kerja Kabupaten Bengkulu Tengah. Jangan serahkan paspor anda!"
)
ACCENTED = ["café", "São", "naïve", "Ærø", "Łódź", "Ñandú", "Œuvre", "Straße", "İstanbul"]
CJK = [
    "人身売買",
    "防止",
    "求人",
    "詐欺",
    "注意",
    "中国語",
    "これは日本語です",
    "한국어",
    "인신매매",
]
ARABIC = ["مرحبا", "الاتجار", "بالبشر", "جريمة", "اتصل"]
HEBREW = ["שלום", "סחר", "בבני", "אדם", "התקשרו"]
INDIC = [
    "श्री",  # Devanagari conjunct: one grapheme (Unicode 15.1 rules, InCB)
    "क्षत्रिय",
    "स्त्री",
    "प्रधानमंत्री",
    "मानव तस्करी",
    "ক্ষমা",  # Bengali conjunct
    "ஸ்ரீ",  # Tamil
    "ક્ષ",  # Gujarati conjunct
    "ಕ್ಷ",  # Kannada
    "क्\u200dष",  # virama + ZWJ
]
THAI_HANGUL = ["สวัสดี", "ค้ามนุษย์", "\u1100\u1161\u11a8", "\u1112\u1161\u11ab"]
COMBINING = ["e\u0301", "a\u0308\u0301", "o\u0302\u0323", "W\u0300", "n\u0303", "A\u030a"]
CONTROLS = [
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\x00",
    "\x07",
    "\x7f",
    "\u0085",
    "\u200b",
    "\u200c",
    "\u200d",
    "\u200e",
    "\u200f",
    "\u202a",
    "\u2066",
    "\u061c",
    "\u00ad",
    "\ufeff",
    "\ufffe",
    "\uffff",
    "\u3000",
    "\u00a0",
]
SYMBOLS = ["\u00a9", "\u00ae", "\u2122", "\u00a9\ufe0f", "\u00ae\ufe0f", "\u2122\ufe0f"]
SYMBOLS_TEXT = ["\u00a9\ufe0e", "\u2122\ufe0e", "\u263a\ufe0e", "\u2764\ufe0e"]
PUNCT = [".", ",", "!", "?", ":", ";", "(", ")", "\u2026", "\u2014", "\u201c", "\u201d", "-", "/"]

# Emoji in twemoji-parser 11's table (twitter-text 3.1): each weighs 2 there.
KNOWN_EMOJI = [
    "\U0001f600",
    "\U0001f602",
    "\U0001f64f",
    "\U0001f44d",
    "\U0001f44d\U0001f3fd",
    "\u2764\ufe0f",
    "\u2764",
    "\u26a0\ufe0f",
    "\u263a\ufe0f",
    "\u270c\ufe0f",
    "\u270c\U0001f3ff",
    "\U0001f1ee\U0001f1e9",
    "\U0001f1f2\U0001f1fe",
    "\U0001f3f3\ufe0f\u200d\U0001f308",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f469\U0001f3fe\u200d\U0001f4bb",
    "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f",
    "#\ufe0f\u20e3",
    "1\ufe0f\u20e3",
    "*\ufe0f\u20e3",
    "\U0001f9d5",
    "\U0001f97a",
    "\U0001f6a8",
    "\U0001f4de",
]
# Keycaps and selectors twitter-text does not read as one emoji.
ODD_KEYCAPS = ["1\u20e3", "#\u20e3", "1\ufe0f\ufe0f\u20e3", "5\ufe0e\u20e3", "9\u20e3\ufe0f"]
# Emoji newer than that table (Emoji 12.1 to 16.0): X counts each as 2, twitter-text more.
NEW_EMOJI = [
    "\U0001fae0",  # melting face, 14.0
    "\U0001faf6\U0001f3fd",  # heart hands, skin tone, 14.0
    "\u2764\ufe0f\u200d\U0001f525",  # heart on fire, 13.1
    "\U0001f426\u200d\U0001f525",  # phoenix, 15.1
    "\U0001f972",  # smiling face with tear, 13.0
    "\U0001faf1\U0001f3fd\u200d\U0001faf2\U0001f3fb",  # handshake, two skin tones, 14.0
    "\U0001f642\u200d\u2194\ufe0f",  # head shaking horizontally, 15.1
    "\U0001f3c3\u200d\u27a1\ufe0f",  # person running facing right, 15.1
    "\U0001f9d1\u200d\U0001f9d1\u200d\U0001f9d2",  # family: adult, adult, child, 15.1
    "\U0001fae9",  # face with bags under eyes, 16.0
    "\U0001fac6",  # fingerprint, 16.0
    "\U0001f1e8\U0001f1f6",  # flag of Sark, 16.0
    "\U0001f9d1\U0001f3fd\u200d\U0001f9b0",  # person, red hair, 12.1
    "\U0001fabf",  # goose, 15.0
]
# Emoji 17.0 pictographs (unassigned before 17.0, Extended_Pictographic all along).
NEW_EMOJI_17 = ["\U0001faea", "\U0001fa8a"]

GTLDS = ["com", "org", "net", "id", "go.id", "co.id", "or.id", "info", "social", "xn--p1ai"]
HOSTS = ["example", "bengkulutengahkab", "kemnaker", "bp2mi", "wa", "t", "stop-tppo", "a1"]
PATH_PARTS = ["kampanye", "hari-anti-tppo", "2027", "Primer_(film)", "~user", "a%20b", "@budi"]
QUERIES = ["?utm_source=x&utm_medium=social", "?q=tppo", "?a=1&b=2#top", "?x=(1)"]
MENTIONS = ["@budi", "@budi@mastodon.social", "@tppo_bengkulu", "@x@-bad.example", "a=@b@c.id"]


@dataclass(frozen=True)
class Sample:
    text: str
    new_emoji: bool  # holds an emoji newer than twitter-text's table


def _url(rng: random.Random) -> str:
    host = rng.choice(HOSTS)
    if rng.random() < 0.3:
        host = rng.choice(HOSTS) + "." + host
    url = f"{host}.{rng.choice(GTLDS)}"
    if host == "t" and rng.random() < 0.5:
        url = "t.co"
    if rng.random() < 0.25:
        url = url.upper() if rng.random() < 0.3 else url
    scheme = rng.random()
    if scheme < 0.4:
        url = "https://" + url
    elif scheme < 0.55:
        url = "http://" + url
    elif scheme < 0.6:
        url = "HTTPS://" + url
    if rng.random() < 0.5:
        url += "/" + "/".join(rng.choice(PATH_PARTS) for _ in range(rng.randint(1, 3)))
        if rng.random() < 0.2:
            url += rng.choice(["/", ".", ",", ")", "é", "\u00e9t\u00e9", "ж", "/\U0001f42a"])
    if rng.random() < 0.3:
        url += rng.choice(QUERIES)
    if rng.random() < 0.05:
        url += "/" + "x" * rng.randint(30, 80)
    return url


def _token(rng: random.Random, flags: dict[str, bool]) -> str:
    kind = rng.random()
    if kind < 0.18:
        return rng.choice(LATIN)
    if kind < 0.36:
        return rng.choice(INDONESIAN)
    if kind < 0.40:
        return rng.choice(ACCENTED)
    if kind < 0.45:
        return rng.choice(CJK)
    if kind < 0.50:
        word = rng.choice(ARABIC + HEBREW)
        if rng.random() < 0.5:  # a bare domain right after Arabic or Hebrew letters
            return word + _url(rng).split("://")[-1]
        return word
    if kind < 0.55:
        return rng.choice(INDIC + THAI_HANGUL)
    if kind < 0.60:
        return rng.choice(COMBINING) + rng.choice(LATIN)
    if kind < 0.68:
        return _url(rng)
    if kind < 0.76:
        return rng.choice(KNOWN_EMOJI)
    if kind < 0.79:
        flags["new_emoji"] = True
        if rng.random() < 0.2:
            return rng.choice(NEW_EMOJI_17)
        return rng.choice(NEW_EMOJI)
    if kind < 0.82:
        return rng.choice(ODD_KEYCAPS)
    if kind < 0.86:
        return rng.choice(SYMBOLS + SYMBOLS_TEXT)
    if kind < 0.90:
        return rng.choice(CONTROLS)
    if kind < 0.93:
        return rng.choice(MENTIONS)
    if kind < 0.96:
        return "#" + rng.choice(INDONESIAN).strip(".,!")
    return rng.choice(PUNCT)


def _text(rng: random.Random) -> Sample:
    flags = {"new_emoji": False}
    shape = rng.random()
    if shape < 0.3:
        count = rng.randint(1, 4)
    elif shape < 0.8:
        count = rng.randint(5, 30)
    else:
        count = rng.randint(40, 75)  # long texts, many of them near 280
    pieces = []
    for _ in range(count):
        pieces.append(_token(rng, flags))
        pieces.append(rng.choice(["", " ", " ", " ", " ", "\n"]))
    text = "".join(pieces).strip(" ")
    if shape >= 0.8 and rng.random() < 0.5:  # pad or cut to land right around 280
        target = rng.randint(270, 290)
        text = (text + " " + "a" * 300)[:target] if len(text) < target else text[:target]
    return Sample(text or "a", flags["new_emoji"])


def corpus(size: int = SIZE, seed: int = SEED) -> list[Sample]:
    rng = random.Random(seed)
    samples = [_text(rng) for _ in range(size)]
    # Cutting a long text may split an emoji sequence: a text that lost its new emoji keeps
    # the flag, which only loosens the check for that text.
    return samples

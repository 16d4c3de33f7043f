"""A copy of the project whose writers typed markup into every field (tests/content/test_markup.py, tests/site/test_markup_*.py).

Each of the three hostile strings of issue 15 is the title of an article, and goes into every
other field a writer fills: summaries, tags, image alt text, captions, credits, corrections,
attachment titles, a media contact's name, a page's menu label, and a campaign's title,
summary, call to action, events and posts. The site must build, stay whole, and show the
strings as text.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from publisher.core.timeutil import parse_time

# `<!--` would open a comment, `</title>` end the title early, `">` leave an attribute.
HOSTILE = ["<!--", "</title><script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
SLUGS = ["judul-komentar", "judul-skrip", "judul-atribut"]
# Inside the campaign, after its posts: everything is live and due.
NOW = parse_time("2027-01-10 12:00")


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def article(number: int, text: str) -> str:
    return f"""---
id: markup-{number}
title: {_q(text)}
slug: {SLUGS[number]}
date: 2027-01-0{number + 2} 09:00
summary: {_q(text + " ringkasan")}
tags: [{_q(text)}, berita]
image:
  src: images/og-default.png
  alt: {_q(text + " alt")}
  caption: {_q(text + " keterangan")}
  credit: {_q(text + " kredit")}
---

Paragraf biasa tentang kegiatan desa.
"""


def release(text: str) -> str:
    return f"""---
id: sp-markup
title: {_q(text + " siaran")}
slug: siaran-markup
date: 2027-01-05 09:00
modified: 2027-01-06 09:00
summary: {_q(text + " ringkasan siaran")}
correction: {_q(text + " koreksi")}
tags: [{_q(text)}]
contacts: [markup]
images:
  - src: images/siaran-pers.svg
    alt: {_q(text + " alt foto")}
    caption: {_q(text + " keterangan foto")}
    credit: {_q(text + " kredit foto")}
attachments:
  - file: files/lembar-fakta-tppo.pdf
    title: {_q(text + " lampiran")}
---

Isi siaran pers.
"""


def page(text: str) -> str:
    return f"""---
title: {_q(text + " halaman")}
slug: halaman-markup
summary: {_q(text + " ringkasan halaman")}
menu: {_q(text + " menu")}
order: 9
---

Isi halaman.
"""


def campaign(text: str) -> str:
    return f"""---
title: {_q(text + " kampanye")}
slug: kampanye-markup
start: 2027-01-01 00:00
end: 2027-01-31
summary: {_q(text + " ringkasan kampanye")}
hashtags: [CegahTPPO]
platforms: [mastodon]
image:
  src: images/kampanye/hari-dunia-anti-perdagangan-orang-2027.png
  alt: {_q(text + " alt kampanye")}
cta:
  text: {_q(text + " ajakan")}
  link: bantuan
events:
  - at: 2027-01-20 09:00
    title: {_q(text + " acara")}
    place: {_q(text + " tempat")}
    summary: {_q(text + " ringkasan acara")}
posts:
  - id: pesan-satu
    at: 2027-01-05 09:00
    text: {_q(text + " pesan")}
    image:
      src: images/kampanye/hari-dunia-anti-perdagangan-orang-2027.png
      alt: {_q(text + " alt pesan")}
---

Isi kampanye.
"""


def make_hostile_project(root: Path, source: Path) -> Path:
    """The project at `source` copied to `root`, with the hostile files added."""
    for name in ("content", "campaigns", "data", "theme"):
        shutil.copytree(source / name, root / name)
    shutil.copy(source / "pelicanconf.py", root / "pelicanconf.py")
    berita = root / "content" / "berita"
    for number, text in enumerate(HOSTILE):
        (berita / f"markup-{number}.md").write_text(article(number, text), encoding="utf-8")
    text = HOSTILE[1]
    (root / "content" / "siaran-pers" / "markup.md").write_text(release(text), encoding="utf-8")
    (root / "content" / "pages" / "markup.md").write_text(page(HOSTILE[2]), encoding="utf-8")
    (root / "campaigns" / "kampanye-markup.md").write_text(campaign(HOSTILE[0]), encoding="utf-8")
    press = root / "data" / "press.yaml"
    contact = (
        f"  - id: markup\n    status: publish\n    name: {_q(HOSTILE[2] + ' humas')}\n"
        f"    role: {{id: {_q(HOSTILE[0] + ' peran')}, en: {_q(HOSTILE[1] + ' role')}}}\n"
        '    phone: ""\n    email: ""\n'
    )
    press.write_text(
        press.read_text(encoding="utf-8").replace("contacts:\n", "contacts:\n" + contact, 1),
        encoding="utf-8",
    )
    return root

"""`publisher new post|release|campaign "Judul"`: start a file with every field filled in.

The file is a draft with a comment on each field, times at the next full hour in WIB, and
values that already pass `publisher check`, so a half-written draft never blocks a build.
It refuses to overwrite a file and prints the new file's path.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from publisher.content.campaigns import SLUG_RE
from publisher.content.slugs import slugify
from publisher.core.errors import PublisherError, display_path
from publisher.core.timeutil import to_wib, utc_now

FOLDERS = {"post": "content/berita", "release": "content/siaran-pers", "campaign": "campaigns"}
ID_PREFIX = {"post": "berita", "release": "sp"}
# Words of the templates below that a writer must replace: `publisher check` refuses a
# published item or campaign that still holds one (check_build_rules.placeholder_problems).
SUMMARY = "Tulis ringkasan satu atau dua kalimat di sini."
BODY = "Tulis isi di sini."
CAMPAIGN_SUMMARY = "Tulis ringkasan kampanye dalam satu atau dua kalimat."
CAMPAIGN_BODY = "Tulis isi halaman kampanye di sini."
POST_TEXT = "Tulis pesan di sini."
IMAGE_SRC = "images/nama-gambar.png"
IMAGE_ALT = "Apa yang terlihat di gambar"
CAMPAIGN_ALT = "Ilustrasi tiga orang yang saling terhubung di samping baris teks."
PLACEHOLDERS = (SUMMARY, BODY, CAMPAIGN_SUMMARY, CAMPAIGN_BODY, POST_TEXT, IMAGE_SRC, IMAGE_ALT,
                CAMPAIGN_ALT)  # fmt: skip


class NewFileError(PublisherError):
    """Shown as one `path:line: error: message` line, like every other staff-facing error."""


def next_round_time(now: dt.datetime) -> dt.datetime:
    """The next full hour after `now`, in WIB."""
    local = to_wib(now).replace(minute=0, second=0, microsecond=0)
    return local + dt.timedelta(hours=1)


def slug_for(title: str) -> str:
    return slugify(title)


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML), safe for ':' and '#'."""
    return json.dumps(text, ensure_ascii=False)


def _wib(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def article_text(kind: str, title: str, slug: str, when: dt.datetime) -> str:
    uid = f"{ID_PREFIX[kind]}-{when.year}-{slug}"
    lines = [
        "---",
        f"# A new {'press release' if kind == 'release' else 'news post'}. Lines starting with '#' are notes;",
        "# the site ignores them. Times are WIB (Asia/Jakarta). Run `publisher check` when done.",
        f"id: {uid}  # the publisher knows the item by this: never change it",
        f"title: {_q(title)}  # the headline",
        f"slug: {slug}  # the web address: /berita/{when.year}/{slug}/",
        f"date: {_wib(when)}  # when it is published (WIB); it stays hidden until then",
        "status: draft  # draft while you write; change to 'published' when it may go live",
        "lang: id  # id (Indonesian) or en (English)",
        "translation: false  # true when this is the other-language version of an item with the same slug",
        f"summary: {_q(SUMMARY)}  # for lists, search and sharing",
        "author: ''  # optional: who wrote it",
        "tags: []  # e.g. [sosialisasi, desa]",
        "# image:  # optional: remove the '# ' of these three lines to add a picture",
        f"#   src: {IMAGE_SRC}  # the file goes in content/images/",
        f"#   alt: {IMAGE_ALT}  # for people who cannot see it",
        "campaign: ''  # optional: the slug of a campaign in campaigns/",
        "platforms: []  # where the publisher posts it: x, mastodon, bluesky, facebook, telegram",
        "social: ''  # the text posted there (the link is added after it); or one text per platform",
        "syndicate_at: ''  # optional: when to post it on social media (WIB); empty means at 'date'",
        "modified: ''  # optional: when it was last changed (WIB)",
    ]
    if kind == "release":
        lines += [
            "embargo: ''  # optional: not published before this time (WIB)",
            "contacts: []  # media contacts, e.g. ['Nama, Dinas Sosial, email@example.go.id']",
            "images: []  # pictures for the press, each with src and alt (and caption, credit)",
            "attachments: []  # files for the press, each with file and title",
            "topics: []  # press topics of data/press.yaml: who on the press list gets it",
            "corrections: []  # later: each correction with date and text (docs/writing.md)",
        ]
    lines += ["---", "", BODY, ""]
    return "\n".join(lines)


def campaign_text(title: str, slug: str, when: dt.datetime) -> str:
    end = (when + dt.timedelta(days=14)).strftime("%Y-%m-%d")
    first = when + dt.timedelta(hours=1)
    lines = [
        "---",
        "# A new campaign: its landing page (the text below the second '---') and its posting",
        "# calendar (posts). Lines starting with '#' are notes. Times are WIB (Asia/Jakarta).",
        f"title: {_q(title)}  # the campaign's name",
        f"slug: {slug}  # the web address /kampanye/{slug}/; must be the file name",
        f"start: {_wib(when)}  # the campaign begins (WIB)",
        f"end: {end}  # the campaign ends; a date alone means the end of that day",
        f"summary: {_q(CAMPAIGN_SUMMARY)}  # for lists and sharing",
        "hashtags: [CegahTPPO]  # without '#'; they are not added to posts: write them in the text",
        "platforms: [x, mastodon, bluesky, facebook, telegram]  # where its posts may go",
        "image:  # shown when the campaign page is shared: PNG or JPEG, 1200 x 630",
        "  src: images/og-default.png  # replace with the campaign's own image in content/images/kampanye/",
        f"  alt: {_q(CAMPAIGN_ALT)}",
        "cta:  # the call to action on the landing page",
        f"  text: {_q('Butuh bantuan? Lihat saluran pengaduan resmi')}",
        "  link: bantuan  # slug of a page, article or campaign",
        "status: draft  # draft: not on the site, nothing posted; 'published' when ready",
        "lang: id",
        "events: []  # optional offline events: - {at: ..., title: ..., place: ..., summary: ...}",
        "posts:  # the posting calendar; copy a post block for each new post",
        "  - id: pos-01  # never change an id once the post may have gone out",
        f"    at: {_wib(first)}  # when it is posted (WIB), inside start..end",
        "    platforms: [x, mastodon, bluesky]  # optional: default is the campaign's platforms",
        "    text: |  # what is posted; keep the text indented under 'text: |'",
        f"      {POST_TEXT} #CegahTPPO",
        "    # wording:  # optional: other words for one platform, e.g.",
        "    #   x: Teks yang lebih pendek untuk X. #CegahTPPO",
        "    # image:  # optional: PNG or JPEG with alt text",
        "    #   src: images/kampanye/nama-gambar.png",
        f"    #   alt: {IMAGE_ALT}",
        "    link: bantuan  # optional: slug of a page or article; its address is added to the text",
        "    thread: false  # true: a text too long for X, Mastodon or Bluesky becomes a thread",
        "---",
        "",
        CAMPAIGN_BODY,
        "",
    ]
    return "\n".join(lines)


def create(
    kind: str, title: str, root: Path, now: dt.datetime | None = None, slug: str | None = None
) -> Path:
    """Write the new file under `root`; raise NewFileError if it cannot."""
    slug = slug or slug_for(title)
    if not title.strip() or not SLUG_RE.match(slug):
        where = display_path(root / FOLDERS[kind])
        raise NewFileError(
            f"{where}:1: error: cannot make a file name from '{slug or title}'; "
            "give --slug with a-z, 0-9 and '-'"
        )
    when = next_round_time(now or utc_now())
    path = root / FOLDERS[kind] / f"{slug}.md"
    if path.exists():
        raise NewFileError(
            f"{display_path(path)}:1: error: this file already exists and is kept as it is; "
            "choose another title or give --slug"
        )
    text = (
        campaign_text(title, slug, when)
        if kind == "campaign"
        else article_text(kind, title, slug, when)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return path

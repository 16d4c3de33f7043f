"""One media release as a document outside the site: for its e-mail and its printable PDF.

The e-mail (publisher/engine/press/message.py) and the PDF (publisher/site/release_pdf.py)
show the same things, taken from the release's file by the same rules as its page: the
Markdown body through the guarded renderer, every link made absolute on the site's address
(Pelican does that for the page; here `{filename}`, `{static}` and `{attach}` links are
resolved by the same URL patterns as `publisher check` uses), the gallery with credits, the
attachments, the published contacts only, the boilerplate, and the published hotlines the
site shows on every page (data/hotlines.yaml's `strip` rows). No Pelican, no network.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

from babel.messages.pofile import read_po

from publisher.content import frontmatter, hotlines, press
from publisher.content.fields import ContentMeta, Correction, kind_of, parse_content_meta
from publisher.content.markdown_guard import Renderer, markdown_config
from publisher.content.slugs import slugify
from publisher.core.project import Layout, Project
from publisher.core.timeutil import WIB

RELEASE_FOLDERS = {"id": "siaran-pers", "en": "en/press-releases"}
_LINK = re.compile(r'\b(href|src)="([^"]*)"')


def release_folder(uid: str, lang: str) -> str:
    """Where a release's page is, relative to the site's root (publisher/site/reader.py)."""
    return f"{RELEASE_FOLDERS.get(lang, RELEASE_FOLDERS['id'])}/{uid}/"


def pdf_path(uid: str, lang: str) -> str:
    return f"{release_folder(uid, lang)}{uid}.pdf"


@dataclass(frozen=True)
class DocImage:
    url: str
    alt: str
    caption: str
    credit: str
    hires_url: str = ""


@dataclass(frozen=True)
class DocFile:
    url: str
    title: str
    size: str
    mime: str


@dataclass(frozen=True)
class DocLine:
    """A published hotline as the document shows it."""

    service: str
    number: str


@dataclass(frozen=True)
class ReleaseDoc:
    uid: str
    lang: str
    title: str
    summary: str
    date: dt.datetime
    embargo: dt.datetime | None
    url: str  # the release's page
    pdf_url: str
    body_html: str  # sanitised, links absolute
    body_text: str
    site_name: str
    org: str
    source: Path
    contacts: tuple[press.Contact, ...] = ()
    images: tuple[DocImage, ...] = ()
    files: tuple[DocFile, ...] = ()
    boilerplate: str = ""
    hotlines: tuple[DocLine, ...] = ()
    corrections: tuple[Correction, ...] = ()
    topics: tuple[str, ...] = ()
    campaign: str = ""

    @property
    def pdf_name(self) -> str:
        return f"{self.uid}.pdf" if self.lang == "id" else f"{self.uid}-{self.lang}.pdf"

    def texts(self) -> list[str]:
        """Everything the document shows, for the hotline guard."""
        people = [f"{c.name} {c.phone} {c.whatsapp} {c.email}" for c in self.contacts]
        shown = [self.title, self.summary, self.body_text, self.boilerplate, *people]
        shown += [f"{i.caption} {i.credit}" for i in self.images]
        shown += [f.title for f in self.files] + [c.text for c in self.corrections]
        return shown

    def digest(self) -> str:
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


@dataclass
class DocContext:
    """What documents of one project need, read once and shared by its releases."""

    layout: Layout
    site_url: str
    press: press.PressData
    names: dict[str, tuple[str, str]]  # lang -> (site name, organisation)
    renderer: Renderer
    lines: tuple[hotlines.Hotline, ...] = ()
    _urls: dict[str, str | None] = field(default_factory=dict)

    def absolute(self, path: str) -> str:
        return f"{self.site_url.rstrip('/')}/{path.lstrip('/')}"

    def item_url(self, relative: str) -> str | None:
        """The page of a content file (`pages/bantuan.md`), as check's index_content says."""
        if relative not in self._urls:
            self._urls[relative] = self._item_url(relative)
        return self._urls[relative]

    def _item_url(self, relative: str) -> str | None:
        content = self.layout.content
        path = content / relative
        try:
            kind = kind_of(path, content, self.layout.page_dirs, self.layout.release_dirs)
            meta = parse_content_meta(frontmatter.parse(path), kind)
        except Exception:  # a broken or missing target: the link is left out, not the release
            return None
        prefix = "en/" if meta.lang == "en" else ""
        slug = meta.slug or slugify(meta.title)
        if kind == "page":
            return self.absolute(f"{prefix}{slug}/")
        if kind == "release":
            return self.absolute(release_folder(meta.uid or "", meta.lang))
        year = (meta.date or dt.datetime.now(dt.UTC)).astimezone(WIB).year
        return self.absolute(f"{prefix}{'news' if prefix else 'berita'}/{year}/{slug}/")


def resolve_links(body: str, ctx: DocContext, page: str, source_dir: str) -> str:
    """Every href and src of a rendered body, absolute (a link that leads nowhere: dropped)."""

    def one(match: re.Match[str]) -> str:
        attribute, target = match.group(1), html.unescape(match.group(2))
        url = resolve(target, ctx, page, source_dir)
        return f'{attribute}="{html.escape(url, quote=True)}"' if url else ""

    return _LINK.sub(one, body)


def resolve(target: str, ctx: DocContext, page: str, source_dir: str) -> str | None:
    if target.startswith(("http://", "https://", "mailto:", "tel:")):
        return target
    if target.startswith("#"):
        return page + target
    for prefix in ("{static}", "{attach}", "{filename}"):
        if target.startswith(prefix):
            rest, _, anchor = target[len(prefix) :].partition("#")
            relative = (
                rest.lstrip("/") if rest.startswith("/") else f"{source_dir}/{rest}".lstrip("/")
            )
            if prefix == "{filename}" and relative.endswith(".md"):
                url = ctx.item_url(relative)
                return f"{url}#{anchor}" if url and anchor else url
            return ctx.absolute(relative)
    return ctx.absolute(target) if target and not target.startswith("//") else None


class _Text(HTMLParser):
    """The body as plain text for the e-mail's text part: paragraphs, list items, and each
    link's address after its words."""

    BLOCKS: ClassVar[set[str]] = {
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "table",
        "tr",
        "ul",
        "ol",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str | None] = []
        self.words: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.out.append("\n\n")
        elif tag == "li":
            self.out.append("\n- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
            self.words.append(len(self.out))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.href:
            href, start = self.href.pop(), self.words.pop()
            shown = "".join(self.out[start:]).strip()
            if href and href != shown and not href.startswith("mailto:"):
                self.out.append(f" ({href})")
        elif tag in self.BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        words = " ".join(data.split())
        if words and data[0].isspace():
            words = " " + words
        if words and data[-1].isspace():
            words += " "
        self.out.append(words or (" " if data else ""))


def html_to_text(body: str) -> str:
    parser = _Text()
    parser.feed(body)
    parser.close()
    text = re.sub(r"[ \t]+\n", "\n", "".join(parser.out))
    text = re.sub(r"\n{3,}", "\n\n", text)
    return "\n".join(line.strip() for line in text.strip().split("\n"))


def build_doc(ctx: DocContext, path: Path, meta: ContentMeta | None = None) -> ReleaseDoc:
    """The document of the release in `path` (its translation is a document of its own)."""
    fm = frontmatter.parse(path)
    content = ctx.layout.content
    if meta is None:
        meta = parse_content_meta(
            fm, kind_of(path, content, ctx.layout.page_dirs, ctx.layout.release_dirs)
        )
    uid, lang = meta.uid or path.stem, meta.lang
    page = ctx.absolute(release_folder(uid, lang))
    where = path.parent.relative_to(content).as_posix()
    body = resolve_links(ctx.renderer.render(fm.body), ctx, page, "" if where == "." else where)
    data = ctx.press
    images = tuple(
        DocImage(ctx.absolute(press.static_path(i.src)), i.alt, i.caption, i.credit,
                 ctx.absolute(press.static_path(i.hires)) if i.hires else "")
        for i in meta.images
    )  # fmt: skip
    files = []
    for item in meta.attachments:
        found = press.download(content, press.static_path(str(item["file"])), str(item["title"]))
        files.append(
            DocFile(ctx.absolute(found.path), found.title, found.size_text(lang), found.mime_type)
        )
    contacts = tuple(
        c
        for c in (data.contacts.get(name) for name in meta.contacts)
        if c and c.status == "publish"
    )
    shown = tuple(
        DocLine(r.text("service", lang), r.number) for r in ctx.lines if r.strip and r.number
    )
    name, org = ctx.names.get(lang) or ctx.names.get("id") or ("", "")
    assert meta.date is not None  # a release's date is required (fields.py)
    return ReleaseDoc(
        uid=uid, lang=lang, title=meta.title, summary=meta.summary, date=meta.date,
        embargo=meta.embargo, url=page, pdf_url=ctx.absolute(pdf_path(uid, lang)),
        body_html=body, body_text=html_to_text(body), site_name=name, org=org, source=path,
        contacts=contacts, images=images, files=tuple(files),
        boilerplate=data.boilerplate.get(lang) or data.boilerplate.get("id", ""),
        hotlines=shown, corrections=tuple(meta.corrections), topics=tuple(meta.topics),
        campaign=meta.campaign or "",
    )  # fmt: skip


def site_names(conf: dict[str, object], theme: Path) -> dict[str, tuple[str, str]]:
    """(site name, organisation) per language: the settings' for Indonesian, their entries
    in the theme's English catalogue (theme/translations/en) for English."""
    name, org = (
        str(conf.get("SITENAME") or ""),
        str(conf.get("SITE_ORG") or conf.get("SITENAME") or ""),
    )
    english: dict[str, str] = {}
    catalog = theme / "translations" / "en" / "LC_MESSAGES" / "messages.po"
    if catalog.is_file():
        with catalog.open("rb") as handle:
            english = {
                str(m.id): str(m.string)
                for m in read_po(handle)
                if m.id and isinstance(m.string, str) and m.string
            }
    return {"id": (name, org), "en": (english.get(name, name), english.get(org, org))}


def doc_context(project: Project, site_url: str) -> DocContext:
    """The documents' context of a project: its press data, hotlines, names and renderer."""
    conf = project.conf() if project.settings_file.is_file() else {}
    layout = project.layout
    data = press.load(layout.press_file) if layout.press_file.is_file() else press.PressData({}, {})
    lines = hotlines.published(layout.hotlines_file) if layout.hotlines_file.is_file() else ()
    renderer = Renderer(markdown_config(dict(conf.get("MARKDOWN") or {})))
    return DocContext(layout, site_url, data, site_names(conf, layout.theme), renderer, lines)

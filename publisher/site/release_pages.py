"""Pelican plugin part: the press room's releases by language, topic and campaign, each with
its own Atom feed (as GOV.UK offers one per filter); every live release's printable PDF
beside its page; a vCard for each published press contact.

- Filters: `siaran-pers/` and `en/press-releases/` (all releases in one language, with the
  existing feeds/siaran-pers.atom.xml and en/feeds/siaran-pers.atom.xml), one page and one
  feed per topic of data/press.yaml and per campaign that has releases. English pages and
  feeds carry English titles. The templates see them as RELEASE_FILTERS[lang].
- PDFs: `siaran-pers/<id>/<id>.pdf` (English: `en/press-releases/<id>/<id>.pdf`), rendered by
  publisher/site/release_pdf.py only for releases the build publishes (so never before
  go-live), kept in var/cache/press-pdf by the document's digest; `article.release_pdf`.
- vCards: `ruang-media/kontak/<contact id>.vcf`, for `status: publish` contacts only; the
  hotline guard reads them like every published file (publisher/site/guard.py).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from publisher.content.press import Contact, Download
from publisher.content.release_doc import build_doc, doc_context, pdf_path
from publisher.core.errors import ContentError
from publisher.site import run
from publisher.site.feeds import AtomFeed, english, entry, write_xml
from publisher.site.i18n import Translations
from publisher.site.lang_pages import articles_in
from publisher.site.release_pdf import printer_for

CONTEXT_KEY = "RELEASE_FILTERS"
VCARD_PATH = "ruang-media/kontak/{id}.vcf"
PATHS = {
    "id": {"all": "siaran-pers/", "topic": "siaran-pers/topik/{slug}/",
           "campaign": "siaran-pers/kampanye/{slug}/",
           "feed_topic": "feeds/siaran-pers/topik/{slug}.atom.xml",
           "feed_campaign": "feeds/siaran-pers/kampanye/{slug}.atom.xml",
           "feed_all": "feeds/siaran-pers.atom.xml"},
    "en": {"all": "en/press-releases/", "topic": "en/press-releases/topic/{slug}/",
           "campaign": "en/press-releases/campaign/{slug}/",
           "feed_topic": "en/feeds/press-releases/topic/{slug}.atom.xml",
           "feed_campaign": "en/feeds/press-releases/campaign/{slug}.atom.xml",
           "feed_all": "en/feeds/siaran-pers.atom.xml"},
}  # fmt: skip
WORDS = {
    "id": {"all": "Semua siaran pers", "topic": "Topik", "campaign": "Kampanye",
           "feed": "siaran pers"},
    "en": {"all": "All press releases", "topic": "Topic", "campaign": "Campaign",
           "feed": "press releases"},
}  # fmt: skip


@dataclass
class ReleaseFilter:
    kind: str  # "all" | "topic" | "campaign"
    slug: str
    lang: str
    title: str  # "Topik: Pencegahan", in the filter's language
    url: str
    feed_url: str
    releases: list[Any] = field(default_factory=list)

    @property
    def twin(self) -> str:
        """The same filter in the other language (its page)."""
        other = "en" if self.lang == "id" else "id"
        return PATHS[other][self.kind].format(slug=self.slug)


def vcard(contact: Contact, org: str) -> str:
    """A vCard 3.0 of one contact (RFC 2426): written here, six properties do not need a
    library. Values escaped, lines ended with CRLF."""

    def esc(value: str) -> str:
        return (
            value.replace("\\", "\\\\").replace(",", "\\,").replace(";", "\\;").replace("\n", "\\n")
        )

    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{esc(contact.name)}", f"N:{esc(contact.name)};;;;",
             f"ORG:{esc(org)}", f"TITLE:{esc(contact.role.get('id', ''))}"]  # fmt: skip
    if contact.phone:
        lines.append(f"TEL;TYPE=WORK,VOICE:{esc(contact.phone)}")
    if contact.whatsapp:
        lines.append(f"TEL;TYPE=CELL,MSG:{esc(contact.whatsapp)}")
        lines.append(f"URL:{contact.whatsapp_link}")
    if contact.email:
        lines.append(f"EMAIL;TYPE=INTERNET,WORK:{esc(contact.email)}")
    lines.append("END:VCARD")
    return "\r\n".join(lines) + "\r\n"


def site_origin(settings: dict[str, Any]) -> str:
    """The absolute origin documents name: this build's SITEURL when absolute, else the
    site's canonical origin (SITE_ORIGIN)."""
    own = str(settings.get("SITEURL") or "")
    if own.startswith(("https://", "http://")) and not settings.get("RELATIVE_URLS"):
        return own.rstrip("/")
    return str(settings.get("SITE_ORIGIN") or "").rstrip("/")


def _releases(context: dict[str, Any], lang: str) -> list[Any]:
    return [a for a in articles_in(context, lang) if a.meta.kind == "release"]


def make_filters(
    context: dict[str, Any], settings: dict[str, Any]
) -> dict[str, list[ReleaseFilter]]:
    press = settings["PRESS"]
    titles = {v.campaign.slug: v.title for v in context.get("campaigns", [])}
    out: dict[str, list[ReleaseFilter]] = {}
    for lang in ("id", "en"):
        paths, words = PATHS[lang], WORDS[lang]
        releases = _releases(context, lang)
        found = [
            ReleaseFilter("all", "", lang, words["all"], paths["all"], paths["feed_all"], releases)
        ]
        for slug, names in press.topics.items():
            chosen = [a for a in releases if slug in a.meta.topics]
            found.append(ReleaseFilter("topic", slug, lang, f"{words['topic']}: {names[lang]}",
                                       paths["topic"].format(slug=slug),
                                       paths["feed_topic"].format(slug=slug), chosen))  # fmt: skip
        for slug in sorted({a.meta.campaign for a in _releases(context, "id") if a.meta.campaign}):
            chosen = [a for a in releases if a.meta.campaign == slug]
            found.append(ReleaseFilter("campaign", slug, lang, f"{words['campaign']}: {titles.get(slug, slug)}",
                                       paths["campaign"].format(slug=slug),
                                       paths["feed_campaign"].format(slug=slug), chosen))  # fmt: skip
        out[lang] = found
    return out


def prepare(generators: list[Any]) -> None:
    """After reading, before writing: the filters, the PDFs and the vCards."""
    articles = next(
        (g for g in generators if hasattr(g, "articles") and hasattr(g, "translations")), None
    )
    if articles is None:
        return
    settings, context = articles.settings, articles.context
    context[CONTEXT_KEY] = make_filters(context, settings)
    output = Path(settings["OUTPUT_PATH"])
    publish_pdfs(articles, settings, output)
    org = str(settings.get("SITE_ORG") or settings.get("SITENAME") or "")
    for contact in settings["PRESS"].published_contacts:
        target = output / VCARD_PATH.format(id=contact.id)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(vcard(contact, org).encode("utf-8"))


def publish_pdfs(generator: Any, settings: dict[str, Any], output: Path) -> None:
    build = run.of(settings)
    project = build.project
    live = [
        a
        for a in [*generator.articles, *generator.translations]
        if getattr(a, "kind", "") == "release"
    ]
    if not live:
        return
    ctx = doc_context(project, site_origin(settings))
    layout = project.layout
    printer = printer_for(
        Path(settings["THEME"]) / "templates", layout.hotlines_file, Path(settings["PATH"])
    )
    cache = project.var / "cache" / "press-pdf"
    for article in live:
        try:
            doc = build_doc(ctx, Path(article.source_path), article.meta)
            kept = cache / f"{doc.uid}-{doc.lang}-{doc.digest()[:20]}.pdf"
            if not kept.is_file():
                printer(doc, kept)
            target = output / pdf_path(doc.uid, doc.lang)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(kept, target)
        except ContentError as exc:  # the build reports it and writes no site
            build.problems.append(exc)
            continue
        titles = {"id": "Versi cetak (PDF)", "en": "Printable version (PDF)"}
        found = Download(
            pdf_path(doc.uid, doc.lang), titles[doc.lang], target.stat().st_size, "application/pdf"
        )
        article.release_pdf = found


class ReleaseFilterGenerator(Generator):
    """Writes the filter pages and their feeds (the lists are made in `prepare`)."""

    def generate_output(self, writer: Any) -> None:
        filters: dict[str, list[ReleaseFilter]] = self.context.get(CONTEXT_KEY) or {}
        template = self.get_template("press_filter")
        translations = run.of(self.settings).data.get("translations") or Translations(
            Path(self.settings["THEME"]) / "translations"
        )
        base = self.settings["FEED_DOMAIN"]
        for lang, found in filters.items():
            settings = english(self.settings, translations) if lang == "en" else self.settings
            for item in found:
                writer.write_file(
                    f"{item.url}index.html", template, self.context, self.settings["RELATIVE_URLS"],
                    page_lang=lang, release_filter=item, filters=found,
                    lang_twin={"lang": "en" if lang == "id" else "id", "url": item.twin},
                    template_name="press_filter", page_name=f"{item.url}index", url=item.url,
                )  # fmt: skip
                if item.kind == "all":
                    continue  # its feed is written by publisher/site/feeds.py
                entries = [entry(a, base) for a in item.releases]
                name = f"{WORDS[lang]['feed']}-{item.kind}-{item.slug}".replace(" ", "-")
                title = f"{WORDS[lang]['feed']}, {item.title}"
                out = Path(self.settings["OUTPUT_PATH"]) / item.feed_url
                write_xml(AtomFeed, {**settings, "DEFAULT_LANG": lang}, entries, name, title, out)


def _generators(pelican: Any) -> type:
    return ReleaseFilterGenerator


def register() -> None:
    signals.all_generators_finalized.connect(prepare)
    signals.get_generators.connect(_generators)

"""The rules `publisher check` applies to each page, article, release and campaign.

Mixed into check.Checker, which reads the files, indexes slugs and reports. Every rule adds
located problems through `self.add`; none raises for a content mistake.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from publisher.content import frontmatter
from publisher.content.campaigns import CalendarPost, Campaign
from publisher.content.check_media import image_problem
from publisher.content.check_safety import XML_FORBIDDEN, fixed_line
from publisher.content.fields import ContentMeta, ImageRef
from publisher.content.frontmatter import FrontMatter, yaml_lines
from publisher.content.sanitize import is_remote
from publisher.core.words import did_you_mean
from publisher.platforms import counters, registry
from publisher.platforms.counters import PlatformLimits
from publisher.platforms.text import whole_text

LineAt = Callable[[int], int]  # index in a text -> line in its file

UPLOADABLE = {".png", ".jpg", ".jpeg", ".gif", ".webp"}  # what every platform accepts

_MD_IMAGE = re.compile(r"!\[([^\]]*)\]\(\s*<?([^)\s>]+)")
_MD_INTERNAL = re.compile(r"\]\(\s*<?(\{(?:filename|static)\}[^)\s>]+)")


@dataclass
class Target:
    """Something a slug can point at."""

    kind: str  # "page" | "article" | "campaign"
    url: str  # site path, e.g. "bantuan/" or "berita/2027/judul/"
    draft: bool
    path: str


@dataclass
class ContentFile:
    path: Path
    fm: FrontMatter
    meta: ContentMeta
    url: str = ""  # site path, set when indexed


class Rules:
    """Checks of one item each; the state they use is set up by check.Checker."""

    content: Path
    site_url: str
    limits: dict[str, PlatformLimits]
    enabled: list[str]  # platforms of articles that name none
    utm: bool  # PUBLISHER['utm']: links carry UTM parameters (and count longer)
    published: set[str]
    held: set[str]
    targets: dict[str, Target]
    campaigns: dict[str, Campaign]
    broken: set[str]
    add: Callable[..., None]
    # From check_safety.SafetyRules (mixed into the same Checker).
    check_phones: Callable[..., None]
    check_fields: Callable[..., None]
    check_markup: Callable[..., None]

    # --- checks of pages, articles and releases ---

    def check_content(self, item: ContentFile) -> None:
        fm, meta, path = item.fm, item.meta, item.path
        for image in [meta.image, *meta.images]:
            if image is not None:
                file = self.check_image(path, image)
                if file is not None and image is meta.image:  # posted with the social text
                    self.check_image_bytes(path, image, file)
        self.check_body(path, fm.body, fm.body_line)
        known = meta.campaign in self.campaigns or meta.campaign in self.broken
        if meta.campaign and not known:
            hint = did_you_mean(meta.campaign, list(self.campaigns))
            self.add(
                path,
                fm.line_of("campaign"),
                f"there is no campaign '{meta.campaign}' in campaigns/{hint}",
            )
        self.check_fields(path, fm.meta)  # numbers and XML characters, in every field
        if meta.kind == "release" and "correction" in fm.meta:  # the older single field
            self.add(
                path,
                fm.line_of("correction"),
                "'correction:' still works, but write "
                "corrections as a list: 'corrections: [{date: ..., text: ...}]' "
                "(journalists who got the release are sent each one once)",
                "warning",
            )
        if meta.kind != "page":
            self.check_syndication(item)

    def check_syndication(self, item: ContentFile) -> None:
        """What the publisher will post for an article or release, on each of its platforms."""
        fm, meta = item.fm, item.meta
        if meta.translation:  # translations are not syndicated on their own
            return
        # Line numbers inside `social:` need the file's YAML again; most items have none.
        keys = yaml_lines(frontmatter.read_text(item.path))[0] if meta.social else {}
        url = f"{self.site_url}/{item.url}"
        campaign = self.campaigns.get(meta.campaign or "")
        hashtags = tuple(campaign.hashtags) if campaign else ()
        for platform in meta.platforms or self.enabled:
            image = meta.image or (meta.images[0] if meta.images else None)  # the one posted
            named = platform in meta.platforms
            problem = image_problem(registry.spec(platform), image, named)
            if problem:
                where = image.line if image else fm.line_of("platforms" if named else "title")
                self.add(item.path, where, *problem)
                if image is None:
                    continue
            name = platform if meta.social.get(platform) else "default"
            text = meta.social.get(platform) or meta.social.get("", "")
            line = keys.get(("social", name), fm.line_of("social"))
            if not text:  # the publisher posts the title
                text, name, line = meta.title, "title", fm.line_of("title")
            caption = meta.image is not None and platform == "telegram"
            label = f"social ({name})" if name != "title" else "title as social text"
            # The title is the publisher's fallback, shortened when needed: worth a warning.
            severity = "warning" if name == "title" else "error"
            self.check_fit(item.path, line, platform, text, url, hashtags, meta.campaign or "",
                           False, caption, label, severity)  # fmt: skip
            self.check_hashtags(item.path, text, [platform], fixed_line(line))

    # --- checks of campaigns ---

    def check_campaign(self, campaign: Campaign) -> None:
        path = campaign.path
        if campaign.image is not None:
            self.check_image(path, campaign.image)
            if Path(campaign.image.src).suffix.lower() == ".svg":
                self.add(
                    path,
                    campaign.image.line,
                    "social sites do not show SVG when a page is shared; use a PNG or JPEG campaign image",
                    "warning",
                )
        self.check_link(path, campaign.cta.line, campaign.cta.link, "cta.link")
        for index, tag in enumerate(campaign.hashtags):
            self.check_hashtags(
                path, f"#{tag}", campaign.platforms, functools.partial(_tag_line, campaign, index)
            )
        self.check_fields(path, frontmatter.parse(path).meta)  # every field, posts included
        self.check_body(path, campaign.body, campaign.body_line)
        for post in campaign.posts:
            self.check_post(campaign, post)

    def check_post(self, campaign: Campaign, post: CalendarPost) -> None:
        path = campaign.path
        url = None
        if post.link:
            target = self.check_link(path, post.lines.get("link", post.line), post.link, "link")
            url = f"{self.site_url}/{target.url}" if target else None
        if post.image is not None:
            self.check_post_image(path, post)
        texts: dict[str, list[str]] = {}
        for platform in post.platforms:
            if post.image is None and registry.spec(platform).requires_media:
                label = registry.label(platform)
                self.add(path, post.lines.get("platforms", post.line),
                         f"post '{post.id}': not posted on {label}: it takes only posts with "
                         f"an image, and this post has none; add 'image:' or take {platform} "
                         "out of 'platforms'")  # fmt: skip
                continue
            texts.setdefault(post.text_field(platform), []).append(platform)
        for name, platforms in texts.items():
            text = post.wording.get(platforms[0]) if name.startswith("wording.") else post.text
            text = text or ""

            def at(i: int, n: str = name, t: str = text) -> int:
                return post.line_in(n, t, i)

            self.check_hashtags(path, text, platforms, at)
            for platform in platforms:
                caption = post.image is not None and platform == "telegram"
                line = post.lines.get(name, post.line)
                self.check_fit(path, line, platform, text, url, (), campaign.slug, post.thread,
                               caption, f"post '{post.id}'")  # fmt: skip

    def check_post_image(self, path: Path, post: CalendarPost) -> None:
        image = post.image
        file = self.check_image(path, image) if image is not None else None
        if image is None or file is None:
            return
        if file.suffix.lower() not in UPLOADABLE:
            self.add(
                path,
                image.line,
                f"platforms cannot upload '{file.suffix}' images; use PNG or JPEG for '{image.src}'",
            )
            return
        if not self.check_image_bytes(path, image, file):
            return
        size = file.stat().st_size
        for platform in post.platforms:
            limit = self.limits[platform].max_media_bytes
            if size > limit:
                self.add(
                    path,
                    image.line,
                    f"'{image.src}' is {size // 1024} KB, more than {registry.label(platform)} accepts ({limit // 1024} KB); make it smaller",
                )

    # --- shared rules ---

    def check_fit(
        self, path: Path, line: int, platform: str, text: str, url: str | None,
        hashtags: tuple[str, ...], campaign: str, thread: bool, caption: bool, field_name: str,
        severity: str = "error",
    ) -> None:  # fmt: skip
        if XML_FORBIDDEN.search(text):
            return  # reported by check_safety; a lone surrogate cannot even be counted
        limits = self.limits[platform]
        spec = registry.spec(platform)
        full = engine_text(platform, text, url or "", hashtags, campaign, self.utm)
        tags = spec.tags_problem(full)
        if tags:
            self.add(path, line, f"{field_name}: {tags}; remove some", severity)
        if spec.fits(full, caption=caption, limits=limits):
            return
        if thread and limits.threads:
            return  # allowed to become a thread
        size = spec.count(full, limits)
        limit = spec.limit_for(caption=caption, limits=limits)
        name = spec.label
        what = f"{name} photo caption" if caption and limits.max_caption else f"{name} post"
        what = ("an " if name[:1] in "AEIOUX" else "a ") + what
        if size > limit:
            extra = " with the link" if url and spec.link_policy == "inline" else ""
            detail = f"{size}/{limit}{extra}" + (
                " and campaign hashtags" if full.count("#") > text.count("#") else ""
            )
        elif spec.max_bytes is not None and len(full.encode("utf-8")) > spec.max_bytes:
            detail = f"more than {spec.max_bytes} bytes"
        else:
            detail = spec.refusal
        if not field_name.startswith("post"):
            fix = f"give {name} its own shorter text under 'social:'"
        elif limits.threads:
            fix = f"shorten it, give {name} its own shorter wording, or set 'thread: true'"
        else:
            fix = f"shorten it or give {name} its own shorter wording ({name} has no threads)"
        self.add(
            path, line, f"{field_name}: the text is too long for {what} ({detail}); {fix}", severity
        )

    def check_link(self, path: Path, line: int, slug: str, key: str) -> Target | None:
        target = self.targets.get(slug)
        if target is None or target.kind == "id":
            hint = did_you_mean(slug, [s for s in self.targets if not s.startswith("id:")])
            self.add(path, line, f"{key}: no page, article or campaign has the slug '{slug}'{hint}")
            return None
        if target.draft:
            self.add(
                path,
                line,
                f"{key}: '{slug}' is a draft, so the link would not work; publish it or link elsewhere",
            )
        return target

    def check_body(self, path: Path, body: str, body_line: int) -> None:
        """Markdown body: images need alt text and a file of this site, {filename} links a
        target; numbers, raw HTML, bombs and XML characters (check_safety.py)."""
        for match in _MD_IMAGE.finditer(body):
            line = body_line + body[: match.start()].count("\n")
            if not match.group(1).strip():
                self.add(
                    path, line, "an image in the text has no alt text; write ![what it shows](file)"
                )
            if is_remote(match.group(2)):
                continue  # another site's image: check_markup reports it with raw <img>
            self.check_file_ref(path, line, match.group(2))
        for match in _MD_INTERNAL.finditer(body):
            self.check_file_ref(path, body_line + body[: match.start()].count("\n"), match.group(1))
        self.check_phones(path, body, lambda i: body_line + body[:i].count("\n"))
        self.check_markup(path, body, body_line)

    def check_image(self, path: Path, image: ImageRef) -> Path | None:
        if is_remote(image.src.removeprefix("{static}")):  # no fetch from another site, ever
            self.add(path, image.line, _remote_image(image.src))
            return None
        src = image.src.removeprefix("{static}").lstrip("/")
        file = self.content / src
        if not file.is_file():
            self.add(
                path,
                image.line,
                f"the image '{image.src}' does not exist; put it in content/{src} or fix 'src'",
            )
            return None
        return file

    def check_image_bytes(self, path: Path, image: ImageRef, file: Path) -> bool:
        """A picture that goes to social media must be one: a renamed text file or a broken
        export is refused by every platform at the moment of posting."""
        from publisher.platforms.common import sniff  # only when there is an image to look at

        if file.suffix.lower() not in UPLOADABLE:
            return True  # reported elsewhere by its suffix
        with file.open("rb") as handle:
            head = handle.read(16)
        if sniff(head) is None:
            self.add(
                path,
                image.line,
                f"'{image.src}' is not a PNG, JPEG, GIF or WebP image inside; export it again",
            )
            return False
        return True

    def check_file_ref(self, path: Path, line: int, ref: str) -> None:
        if "://" in ref or ref.startswith(("#", "mailto:", "tel:")):
            return
        for prefix in ("{filename}", "{static}"):
            if ref.startswith(prefix):
                rest = ref.removeprefix(prefix).split("#")[0].split("?")[0]
                file = (
                    self.content / rest.lstrip("/") if rest.startswith("/") else path.parent / rest
                )
                if not file.exists():
                    self.add(
                        path,
                        line,
                        f"the link {ref} points at a file that does not exist; fix the path",
                    )
                return
        if (
            not ref.startswith("/")
            and ref.split("#")[0]
            and not (path.parent / ref.split("#")[0]).exists()
            and not (self.content / ref).exists()
        ):
            self.add(
                path,
                line,
                f"the image '{ref}' does not exist; write it as {{static}}/images/name.png",
            )

    def check_hashtags(
        self, path: Path, text: str, platforms: Iterable[str], line_at: LineAt
    ) -> None:
        for index, tag in counters.find_hashtags(text):
            failing = [(p, m) for p in platforms if (m := registry.hashtag_problem(p, tag))]
            if failing:
                also = (
                    f" (also on {', '.join(registry.label(p) for p, _ in failing[1:])})"
                    if len(failing) > 1
                    else ""
                )
                self.add(path, line_at(index), f"hashtag: {failing[0][1]}{also}")


def _remote_image(src: str) -> str:
    what = "a data: address" if src.strip().lower().startswith("data:") else "on another site"
    return (
        f"the image '{src[:60]}' is {what}: the site, its feeds and the publisher use only "
        "their own images; put the file in content/images/ and give its path"
    )


def engine_text(
    platform: str, body: str, link: str, hashtags: tuple[str, ...], campaign: str,
    utm: bool = False,
) -> str:  # fmt: skip
    """The text the publisher sends when it fits (publisher.platforms.text's one layout)."""
    spec = registry.spec(platform)
    return whole_text(spec.link_policy, platform, body, link, hashtags, campaign, utm,
                      spec.max_hashtags)  # fmt: skip


def _tag_line(campaign: Campaign, index: int, _at: int) -> int:
    return _item_line(campaign, index)


def _item_line(campaign: Campaign, index: int) -> int:
    keys, _ = yaml_lines(frontmatter.read_text(campaign.path))
    return keys.get(("hashtags", index), campaign.line_of("hashtags"))

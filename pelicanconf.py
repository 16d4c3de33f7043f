"""Pelican settings for the TPPO awareness site (development: relative URLs, no deploy)."""

from pathlib import Path

_ROOT = Path(__file__).resolve().parent


def N_(message: str) -> str:
    """Marks a theme string for extraction (babel.cfg); the theme translates it when rendering."""
    return message


SITENAME = "Cegah Perdagangan Orang — Bengkulu Tengah"
SITESUBTITLE = N_("Informasi dan saluran bantuan pencegahan TPPO")
SITE_ORG = "Pemerintah Kabupaten Bengkulu Tengah"
SITEURL = ""
RELATIVE_URLS = True
PATH = "content"
OUTPUT_PATH = "output"
THEME = "theme"
TIMEZONE = "Asia/Jakarta"
DEFAULT_LANG = "id"
DEFAULT_DATE_FORMAT = "%d %B %Y"

PLUGIN_PATHS: list[str] = []
PLUGINS = [
    "pelican.plugins.sitemap",
    "publisher.site.plugin",
    "publisher.site.feeds",
    "publisher.site.campaign_pages",
    "publisher.site.syndication_feed",
    "publisher.site.print.plugin",
    "publisher.site.release_pages",
]

# Where content lives and where it goes.
ARTICLE_PATHS = ["berita", "siaran-pers"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images", "files", "extra"]
USE_FOLDER_AS_CATEGORY = True
ARTICLE_URL = "berita/{date:%Y}/{slug}/"
ARTICLE_SAVE_AS = "berita/{date:%Y}/{slug}/index.html"
ARTICLE_LANG_URL = "en/news/{date:%Y}/{slug}/"
ARTICLE_LANG_SAVE_AS = "en/news/{date:%Y}/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
PAGE_LANG_URL = "en/{slug}/"
PAGE_LANG_SAVE_AS = "en/{slug}/index.html"
DRAFT_URL = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_URL = ""
DRAFT_PAGE_SAVE_AS = ""
# Future-dated and embargoed items are skipped by our reader, never written as drafts.
WITH_FUTURE_DATES = True

INDEX_SAVE_AS = "index.html"
DIRECT_TEMPLATES = ["index", "archives"]
ARCHIVES_SAVE_AS = "berita/index.html"
ARCHIVES_URL = "berita/"
NEWS_EN_URL = "news/"
SEARCH_URLS = {"id": "cari/", "en": "en/search/"}
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = ""
MONTH_ARCHIVE_SAVE_AS = ""
DAY_ARCHIVE_SAVE_AS = ""
DEFAULT_PAGINATION = False
SUMMARY_MAX_LENGTH = None

FEED_DOMAIN = "http://127.0.0.1:8000"
# Our own feeds (publisher/feeds.py) replace Pelican's: stable ids, full content, enclosures.
# Our feeds (publisher/feeds.py) hold the newest 100 items of their kind, in full.
FEED_MAX_ITEMS = 100
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None

SLUGIFY_SOURCE = "title"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False

MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"anchorlink": False},
        "markdown.extensions.sane_lists": {},
    },
    "output_format": "html5",
}

# Quick exit destination: a neutral, widely used page. Tests point it at a local server.
QUICK_EXIT_URL = "https://www.bmkg.go.id/"

HOTLINES_FILE = str(_ROOT / "data" / "hotlines.yaml")
PRESS_FILE = str(_ROOT / "data" / "press.yaml")
RELEASE_PATHS = ["siaran-pers"]
# Feeds every page links to, and the press room lists (path, type, title).
SITE_FEEDS = [
    ("feeds/all.atom.xml", "application/atom+xml", N_("Semua berita (Atom)")),
    ("feeds/all.json", "application/feed+json", N_("Semua berita (JSON Feed)")),
    ("feeds/siaran-pers.atom.xml", "application/atom+xml", N_("Siaran pers (Atom)")),
    ("feeds/siaran-pers.rss.xml", "application/rss+xml", N_("Siaran pers (RSS)")),
    ("feeds/siaran-pers.json", "application/feed+json", N_("Siaran pers (JSON Feed)")),
]

# Absolute origin for canonical and Open Graph URLs (publishconf.py sets the real one).
SITE_ORIGIN = "http://127.0.0.1:8000"
OG_DEFAULT_IMAGE = {
    "src": "images/og-default.png",
    "alt": N_("Kartu bertuliskan ajakan mencegah perdagangan orang di Bengkulu Tengah"),
}

# The syndication engine (publisher run/tick; see docs/publisher.md). Secrets are never here:
# they come from the environment or a git-ignored .env.
PUBLISHER = {
    "platforms": ["x", "mastodon", "bluesky", "facebook", "telegram", "email"],
    "tick_seconds": 60,
    "catch_up_hours": 6,
    "per_tick_cap": 5,
    "lease_seconds": 300,
    "backoff": {"base_seconds": 60, "max_seconds": 6 * 3600, "max_attempts": 8},
    "feed": "output",  # the build output here, or the deployed site's URL
    "ledger": "var/ledger.sqlite3",
    "outbox": "outbox",
    "deploy_command": "",
    "campaigns": "campaigns",
    # Releases by e-mail to the press list (docs/press.md).
    "press": {"list": "data/press-list.yaml", "lead_hours": 24, "window_hours": 72},
}

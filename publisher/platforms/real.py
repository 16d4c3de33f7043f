"""The real adapters, built from environment variables; None means "use the outbox".

Required, per platform (all of them, or the platform falls back to the outbox):
  x         X_API_KEY, X_API_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET
  mastodon  MASTODON_BASE_URL (e.g. https://mastodon.social), MASTODON_ACCESS_TOKEN
  bluesky   BLUESKY_HANDLE (e.g. tppo-bengkulutengah.bsky.social), BLUESKY_APP_PASSWORD
  facebook  FACEBOOK_PAGE_ID, FACEBOOK_PAGE_TOKEN
  telegram  TELEGRAM_BOT_TOKEN, TELEGRAM_CHAT_ID (@channelname or -100...)
Optional:
  BLUESKY_BASE_URL (a self-hosted PDS; default https://bsky.social),
  FACEBOOK_API_VERSION (default v23.0), and X_BASE_URL, FACEBOOK_BASE_URL,
  TELEGRAM_BASE_URL, which point the adapters at the local test servers.
How to obtain each one: docs/platforms.md. Values come from the environment or the
git-ignored `.env`; they are never logged.

The client libraries are imported only when an adapter is built: most commands never post.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from dotenv import dotenv_values

from publisher.core.settings import SECRET_VARS, PublisherSettings
from publisher.platforms import counters
from publisher.platforms.base import BaseAdapter
from publisher.platforms.counters import PlatformLimits

REQUIRED: Mapping[str, tuple[str, ...]] = SECRET_VARS
OPTIONAL: Mapping[str, tuple[str, ...]] = {
    "x": ("X_BASE_URL",),
    "mastodon": (),
    "bluesky": ("BLUESKY_BASE_URL",),
    "facebook": ("FACEBOOK_BASE_URL", "FACEBOOK_API_VERSION"),
    "telegram": ("TELEGRAM_BASE_URL",),
}
# The values that must never be shown (handles, Page and chat ids are not secret).
SECRET_NAMES = (
    "X_API_KEY",
    "X_API_SECRET",
    "X_ACCESS_TOKEN",
    "X_ACCESS_TOKEN_SECRET",
    "MASTODON_ACCESS_TOKEN",
    "BLUESKY_APP_PASSWORD",
    "FACEBOOK_PAGE_TOKEN",
    "TELEGRAM_BOT_TOKEN",
)
ALL_NAMES = tuple(n for p in REQUIRED for n in (*REQUIRED[p], *OPTIONAL.get(p, ())))

# The registry's factory shape: (settings, credentials, limits) -> adapter.
RealFactory = Callable[[PublisherSettings, dict[str, str], PlatformLimits], BaseAdapter]


def missing(platform: str, environ: Mapping[str, str]) -> list[str]:
    """The platform's required variables that are not set (names only, never values)."""
    return [name for name in REQUIRED.get(platform, ()) if not environ.get(name, "").strip()]


def environment(root: Path, environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """Our variables from `root/.env`, overridden by the real environment."""
    env = os.environ if environ is None else environ
    dotenv = root / ".env"
    values = {k: v for k, v in (dotenv_values(dotenv) if dotenv.is_file() else {}).items() if v}
    values.update({k: v for k, v in env.items() if k in ALL_NAMES and v})
    return {k: v.strip() for k, v in values.items() if k in ALL_NAMES}


def real_adapter(
    platform: str,
    settings: PublisherSettings,
    environ: Mapping[str, str],
    limits: PlatformLimits | None = None,
) -> BaseAdapter | None:
    """The platform's real adapter when all its credentials are set, else None (outbox)."""
    if platform not in REQUIRED or missing(platform, environ):
        return None
    limits = limits or counters.with_overrides(settings.limits)[platform]
    env = {k: v.strip() for k, v in environ.items() if isinstance(v, str)}
    if platform == "x":
        from publisher.platforms.x import API_HOST, XAdapter, XCredentials

        creds = XCredentials(
            env["X_API_KEY"],
            env["X_API_SECRET"],
            env["X_ACCESS_TOKEN"],
            env["X_ACCESS_TOKEN_SECRET"],
        )
        return XAdapter(creds, limits, base_url=env.get("X_BASE_URL") or API_HOST)
    if platform == "mastodon":
        from publisher.platforms.mastodon import MastodonAdapter

        return MastodonAdapter(env["MASTODON_BASE_URL"], env["MASTODON_ACCESS_TOKEN"], limits)
    if platform == "bluesky":
        from publisher.platforms.bluesky import DEFAULT_BASE_URL, BlueskyAdapter
        from publisher.platforms.opengraph import OpenGraphReader

        folder = None if settings.feed_is_url else Path(settings.feed)
        cards = OpenGraphReader(settings.site_url, folder, max_thumb_bytes=limits.max_media_bytes)
        return BlueskyAdapter(
            env["BLUESKY_HANDLE"],
            env["BLUESKY_APP_PASSWORD"],
            limits,
            base_url=env.get("BLUESKY_BASE_URL") or DEFAULT_BASE_URL,
            cards=cards,
        )
    if platform == "facebook":
        from publisher.platforms import facebook

        return facebook.FacebookAdapter(
            env["FACEBOOK_PAGE_ID"],
            env["FACEBOOK_PAGE_TOKEN"],
            limits,
            base_url=env.get("FACEBOOK_BASE_URL") or facebook.DEFAULT_BASE_URL,
            version=env.get("FACEBOOK_API_VERSION") or facebook.DEFAULT_VERSION,
        )
    from publisher.platforms import telegram

    return telegram.TelegramAdapter(
        env["TELEGRAM_BOT_TOKEN"],
        env["TELEGRAM_CHAT_ID"],
        limits,
        base_url=env.get("TELEGRAM_BASE_URL") or telegram.DEFAULT_BASE_URL,
    )


def _factory(platform: str) -> RealFactory:
    def build(
        settings: PublisherSettings, credentials: dict[str, str], limits: PlatformLimits
    ) -> BaseAdapter:
        # The registry passes only the required variables; the optional ones are read here.
        adapter = real_adapter(
            platform, settings, {**environment(settings.root), **credentials}, limits
        )
        if adapter is None:  # the registry calls us only when every credential is there
            raise ValueError(
                f"{platform}: credentials incomplete: {', '.join(missing(platform, credentials))}"
            )
        return adapter

    return build


# For the registry in publisher/adapters/__init__.py (REAL_ADAPTERS).
REAL_FACTORIES: dict[str, RealFactory] = {platform: _factory(platform) for platform in REQUIRED}

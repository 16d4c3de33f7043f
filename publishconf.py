"""Pelican settings for the live site: pelicanconf.py plus what production needs.

Used by `publisher build --production` and, through PUBLISHER_SETTINGS, by the publisher's
service. Set SITE_URL in the environment to the site's real address (docs/operations.md);
the default below is a placeholder that must never go live.
"""

import importlib.util
import os
import shlex
import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _development_settings() -> dict:
    # Loaded from the file beside this one, by path, under a private name: Pelican registers
    # every settings file it reads as sys.modules["pelicanconf"], so `from pelicanconf import *`
    # could pick up another site's pelicanconf.py read earlier in the same process.
    spec = importlib.util.spec_from_file_location("_tppo_pelicanconf", _HERE / "pelicanconf.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return {name: value for name, value in vars(module).items() if name.isupper()}


_dev = _development_settings()
globals().update(_dev)

# The site's public origin, no trailing slash. Every link, feed id and canonical URL is
# built from it, so a wrong value here is a wrong site: set SITE_URL for real deployments.
SITE_URL = os.environ.get("SITE_URL", "https://tppo.example.org").rstrip("/")
SITEURL = SITE_URL
FEED_DOMAIN = SITE_URL
SITE_ORIGIN = SITE_URL
RELATIVE_URLS = False

# Production-only build steps (publisher/fingerprint.py, publisher/precompress.py). They are
# gated by their settings, so a development build in the same process stays as it was.
PLUGINS = [*_dev["PLUGINS"], "publisher.site.fingerprint", "publisher.site.precompress"]
FINGERPRINT_ASSETS = True
PRECOMPRESS_ENABLED = True
# Explicit, so a missing `brotli` package fails the build instead of silently serving gzip.
PRECOMPRESS_BROTLI = True
PRECOMPRESS_GZIP = True
PRECOMPRESS_TEXT_EXTENSIONS = {".html", ".css", ".js", ".xml", ".json", ".txt", ".svg"}

# The custom 404 page (theme/templates/404.html) with the hotlines; nginx's error_page and
# static hosts serve /404.html. Its links must be absolute, which only this file guarantees.
DIRECT_TEMPLATES = [*_dev["DIRECT_TEMPLATES"], "404"]

# Where `publisher deploy` publishes output/ (publisher/deploy.py has the defaults): a folder
# on this machine or [user@]host:/path over rsync/SSH. DEPLOY_TARGET overrides the default.
DEPLOY = {
    "target": os.environ.get("DEPLOY_TARGET", "/srv/tppo/site"),
    "keep": 5,
}

# After a go-live rebuild the scheduler runs this, so an embargoed release appears on the
# live site on time. The same interpreter runs it, so no PATH is needed in the service unit.
PUBLISHER = {
    **_dev["PUBLISHER"],
    "deploy_command": shlex.join(
        [sys.executable, "-m", "publisher", "deploy", "--settings", str(_HERE / "publishconf.py")]
    ),
}

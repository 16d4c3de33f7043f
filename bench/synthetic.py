"""Synthetic sites for the benchmarks: N articles of Indonesian-like text in three formats.

One fixed seed and one fixed word list, so every run builds the same bytes:

- ``ours/``: the project's layout (content/berita/*.md with YAML front matter as our reader
  wants it, content/images/, data/), built by publisher.site.build.build_site with PATH overridden;
- ``pelican/``: the same articles with Pelican's own ``Key: value`` Markdown headers, for
  stock Pelican (default theme, no plugins);
- ``hugo/``: the same articles as a minimal Hugo site with a minimal theme of our own
  (list + single templates).

Run alone to look at a tree: ``.venv/bin/python bench/synthetic.py 50 /tmp/synthetic``.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import struct
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The code and site measured: a copy run_all.py takes when it starts (others edit the working
# tree during a 40-minute run, and every build must measure the same code), else the tree.
CODE = Path(os.environ.get("BENCH_CODE") or ROOT)
SEED = 20261128
# Every article is dated before this moment (WIB), so all are live when built "now".
BUILD_NOW = dt.datetime(2027, 1, 1, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
IMAGE = "images/bench.png"

# Everyday Indonesian words (no digits: the checker flags anything that looks like a phone).
_WORD_TEXT = """
dan yang di ke dari untuk dengan pada ini itu tidak akan sudah juga atau karena oleh
dalam bisa harus ada para warga desa kabupaten kota provinsi pemerintah dinas sosial
pekerja migran kerja luar negeri tawaran gaji paspor visa dokumen kontrak perusahaan
agen perekrut keluarga anak perempuan laki korban pelaku polisi imigrasi laporan
bantuan layanan informasi sosialisasi pencegahan perdagangan orang jaringan jebakan
aman resmi palsu waspada hati cek periksa tanya hubungi lapor datang pergi pulang
berangkat bekerja membayar utang biaya murah mahal cepat lambat besar kecil baru lama
sekolah guru kepala camat lurah tokoh agama masyarakat pemuda ibu bapak tetangga teman
media sosial pesan iklan lowongan pabrik kebun kapal rumah tangga restoran hotel toko
pelatihan sertifikat bahasa keterampilan tenaga penempatan perlindungan hukum hak
kewajiban undang aturan sanksi pidana penjara denda berita kegiatan acara pertemuan
balai kantor jalan pasar pelabuhan bandara terminal bus kapal laut darat udara malam
pagi siang sore hari minggu bulan tahun sekarang nanti kemarin besok selalu sering
jarang pernah belum masih lagi sangat lebih kurang semua banyak sedikit beberapa
"""
WORDS = _WORD_TEXT.split()
CATEGORIES = ["Sosialisasi", "Migrasi Aman", "Hukum", "Layanan", "Desa", "Kerja Sama"]
TAGS = [
    "sosialisasi", "desa", "migrasi aman", "lowongan kerja", "paspor", "visa", "imigrasi",
    "polri", "dinas sosial", "pekerja migran", "anak", "perempuan", "pelatihan", "kontrak",
    "agen", "media sosial", "laporan", "hukum", "perlindungan", "keluarga", "sekolah",
    "pemuda", "tokoh agama", "kapal", "perkebunan", "rumah tangga", "bandara", "pelabuhan",
    "utang", "sertifikat",
]  # fmt: skip


@dataclass
class Article:
    number: int
    slug: str
    title: str
    date: dt.datetime
    summary: str
    category: str
    tags: list[str]
    alt: str
    body: str  # Markdown without the image (each format places the image its own way)


@dataclass
class Sites:
    ours: Path  # project root: content/, data/ (what check_tree and build_site expect)
    pelican: Path  # content/ for stock Pelican
    hugo: Path  # a Hugo site: hugo.toml, content/, static/, themes/bench/
    articles: list[Article]

    @property
    def ours_content(self) -> Path:
        return self.ours / "content"


def _sentence(rng: random.Random, low: int = 6, high: int = 16) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random) -> str:
    return " ".join(_sentence(rng) for _ in range(rng.randint(3, 6)))


def _body(rng: random.Random) -> str:
    """~400 words: paragraphs, a subheading, bold, a list; what our news posts look like."""
    parts = [_paragraph(rng), _paragraph(rng)]
    parts.append("## " + _sentence(rng, 3, 6).rstrip("."))
    parts.append(_paragraph(rng).replace(" dan ", " **dan** ", 1))
    parts.append("\n".join(f"- {_sentence(rng, 4, 9)}" for _ in range(rng.randint(3, 5))))
    parts.extend(_paragraph(rng) for _ in range(rng.randint(1, 3)))
    return "\n\n".join(parts) + "\n"


def make_articles(count: int, seed: int = SEED) -> list[Article]:
    rng = random.Random(seed)
    start = dt.datetime(2020, 1, 1, 8, 0, tzinfo=BUILD_NOW.tzinfo)
    span_minutes = int((BUILD_NOW - start).total_seconds() // 60) - 60
    articles = []
    for n in range(1, count + 1):
        title = _sentence(rng, 5, 10).rstrip(".")
        minutes = rng.randrange(span_minutes)
        articles.append(
            Article(
                number=n,
                slug=f"artikel-{n:05d}",
                title=title,
                date=start + dt.timedelta(minutes=minutes),
                summary=_sentence(rng, 14, 24),
                category=rng.choice(CATEGORIES),
                tags=sorted(rng.sample(TAGS, rng.randint(2, 4))),
                alt=_sentence(rng, 5, 9),
                body=_body(rng),
            )
        )
    return articles


def png(width: int = 64, height: int = 36) -> bytes:
    """A small valid PNG (a flat colour), written without an imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    row = b"\x00" + bytes((0x1D, 0x4E, 0x89)) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * height, 9))
        + chunk(b"IEND", b"")
    )


def _yaml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wib(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")


def ours_file(article: Article) -> str:
    """Front matter as docs/writing.md describes a news post (times in WIB)."""
    tags = ", ".join(article.tags)
    return (
        "---\n"
        f"id: bench-{article.number:05d}\n"
        f"title: {_yaml_text(article.title)}\n"
        f"slug: {article.slug}\n"
        f"date: {_wib(article.date)}\n"
        f"summary: {_yaml_text(article.summary)}\n"
        f"tags: [{tags}]\n"
        "image:\n"
        f"  src: {IMAGE}\n"
        f"  alt: {_yaml_text(article.alt)}\n"
        "---\n\n" + article.body
    )


def pelican_file(article: Article) -> str:
    """Pelican's own Markdown headers; the image goes in the body (the default theme has no
    image field)."""
    return (
        f"Title: {article.title}\n"
        f"Date: {_wib(article.date)}\n"
        f"Category: {article.category}\n"
        f"Tags: {', '.join(article.tags)}\n"
        f"Slug: {article.slug}\n"
        f"Summary: {article.summary}\n\n"
        f"![{article.alt}]({{static}}/{IMAGE})\n\n" + article.body
    )


def hugo_file(article: Article) -> str:
    tags = ", ".join(_yaml_text(t) for t in article.tags)
    return (
        "---\n"
        f"title: {_yaml_text(article.title)}\n"
        f"date: {article.date.isoformat()}\n"
        f"slug: {article.slug}\n"
        f"summary: {_yaml_text(article.summary)}\n"
        f"categories: [{_yaml_text(article.category)}]\n"
        f"tags: [{tags}]\n"
        "image:\n"
        f"  src: /{IMAGE}\n"
        f"  alt: {_yaml_text(article.alt)}\n"
        "---\n\n" + article.body
    )


HUGO_CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
languageCode = "id"
title = "Bench"
theme = "bench"
disableKinds = []
[permalinks]
  posts = "/berita/:year/:slug/"
"""
HUGO_BASEOF = """\
<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>{{ .Title }} — {{ site.Title }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"""
HUGO_SINGLE = """\
{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "2 January 2006" }}</time></p>
{{ with .Params.image }}<img src="{{ .src }}" alt="{{ .alt }}">{{ end }}
{{ .Content }}
<p>{{ range .Params.tags }}<a href="{{ "tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
</article>{{ end }}
"""
HUGO_LIST = """\
{{ define "main" }}<h1>{{ .Title }}</h1><ul>
{{ range (cond .IsHome site.RegularPages .Pages) }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2 January 2006" }}</time> {{ .Summary }}</li>
{{ end }}</ul>{{ end }}
"""


def write_sites(base: Path, count: int, seed: int = SEED) -> Sites:
    """Write the three trees under `base` (emptied first)."""
    shutil.rmtree(base, ignore_errors=True)
    articles = make_articles(count, seed)
    image = png()
    sites = Sites(base / "ours", base / "pelican", base / "hugo", articles)

    # Ours: content/ plus data/, since check_tree reads data/hotlines.yaml from the root.
    (sites.ours_content / "berita").mkdir(parents=True)
    shutil.copytree(CODE / "data", sites.ours / "data")
    # The press kit of data/press.yaml and the default sharing image must exist, or the
    # build stops: the site's own images/ and files/ come along.
    shutil.copytree(CODE / "content" / "images", sites.ours_content / "images")
    shutil.copytree(CODE / "content" / "files", sites.ours_content / "files")
    (sites.ours_content / IMAGE).write_bytes(image)
    for article in articles:
        (sites.ours_content / "berita" / f"{article.slug}.md").write_text(
            ours_file(article), encoding="utf-8"
        )

    (sites.pelican / "content" / "images").mkdir(parents=True)
    (sites.pelican / "content" / IMAGE).write_bytes(image)
    for article in articles:
        (sites.pelican / "content" / f"{article.slug}.md").write_text(
            pelican_file(article), encoding="utf-8"
        )
    (sites.pelican / "pelicanconf.py").write_text(
        # Stock: Pelican's defaults (default theme, its feeds, tag/category/author pages).
        # PLUGINS = []: without it Pelican loads every installed namespace plugin (precompress,
        # sitemap), which is not "no plugins".
        'PLUGINS = []\nSITENAME = "Bench"\nSITEURL = ""\nPATH = "content"\nTIMEZONE = "Asia/Jakarta"\n'
        'DEFAULT_LANG = "id"\nSTATIC_PATHS = ["images"]\nRELATIVE_URLS = True\n'
        'FEED_DOMAIN = "http://127.0.0.1:8000"\n',
        encoding="utf-8",
    )

    theme = sites.hugo / "themes" / "bench" / "layouts" / "_default"
    theme.mkdir(parents=True)
    (theme / "baseof.html").write_text(HUGO_BASEOF, encoding="utf-8")
    (theme / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (theme / "list.html").write_text(HUGO_LIST, encoding="utf-8")
    (sites.hugo / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (sites.hugo / "static" / "images").mkdir(parents=True)
    (sites.hugo / "static" / IMAGE).write_bytes(image)
    (sites.hugo / "content" / "posts").mkdir(parents=True)
    for article in articles:
        (sites.hugo / "content" / "posts" / f"{article.slug}.md").write_text(
            hugo_file(article), encoding="utf-8"
        )
    return sites


def edit_one(sites: Sites, number: int, words: str = "Kalimat tambahan untuk uji ulang.") -> None:
    """The 'edit one article' of the rebuild benchmarks: a sentence added to one article's
    body in every format (the new mtime is what Pelican's cache looks at)."""
    slug = sites.articles[number - 1].slug
    for path in (
        sites.ours_content / "berita" / f"{slug}.md",
        sites.pelican / "content" / f"{slug}.md",
        sites.hugo / "content" / "posts" / f"{slug}.md",
    ):
        path.write_text(path.read_text(encoding="utf-8") + f"\n{words}\n", encoding="utf-8")


if __name__ == "__main__":
    made = write_sites(Path(sys.argv[2]), int(sys.argv[1]))
    print(f"{len(made.articles)} articles under {sys.argv[2]}")

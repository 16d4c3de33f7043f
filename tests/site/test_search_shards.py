"""The search index in shards (issue 21, section 2): bounded shards, a word from each shard
found in Chromium, ranking across shards as in one index, and a rebuild that indexes only
the shard whose page changed."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from bench import synthetic
from publisher.core.timeutil import parse_time
from publisher.site import search_shards
from publisher.site.build import build_site, index_for_search, refresh_search_index
from publisher.site.run import BuildMemory
from publisher.site.search_shards import PageInfo, plan, scan
from tests.support import CHROMIUM, CHROMIUM_ARGS, ROOT, serve_folder

NOW = parse_time("2026-11-28 12:00")
# Ordinary words, but not those the project's own relevance test searches for.
WORDS = [w for w in synthetic.WORDS if w not in ("paspor", "passport")]
# Each query word: one article has it in its title and throughout (the best match), five
# say it three times (good matches), a few dozen say it once. They are in every shard.
QUERIES = ("kapalnelayan", "pabrikgarmen", "kebunsawit")


def best(slot: int) -> int:
    return 10 + slot * 40


def good(slot: int) -> list[int]:
    return [n for n in range(ARTICLES) if n % 30 == slot + 1]


ARTICLES = 150


def info(path: str, words: int, lang: str = "id") -> PageInfo:
    return PageInfo(path, lang, words, path)


# --- planning ---


def test_every_shard_stays_within_the_budget_and_languages_apart() -> None:
    pages = [info(f"berita/{n}/index.html", 300 + n % 200) for n in range(2000)]
    pages += [info(f"en/news/{n}/index.html", 350, "en") for n in range(300)]
    shards, counts = plan(pages, budget=60_000)
    assert all(sum(p.words for p in members) <= 60_000 for members in shards.values())
    assert sorted(p.path for members in shards.values() for p in members) == sorted(
        p.path for p in pages
    )
    assert all(
        {p.lang for p in members} == {name.split("-")[0]} for name, members in shards.items()
    )
    assert counts["id"] >= 14 and counts["en"] >= 2  # about 800,000 and 105,000 words


def test_a_new_page_changes_one_shard_only() -> None:
    pages = [info(f"berita/{n}/index.html", 400) for n in range(1000)]
    before, counts = plan(pages, budget=100_000)
    after, _ = plan([*pages, info("berita/baru/index.html", 400)], 100_000, counts)
    changed = [n for n in after if [p.path for p in after[n]] != [p.path for p in before[n]]]
    assert len(changed) == 1 and "berita/baru/index.html" in [p.path for p in after[changed[0]]]


def test_a_site_far_smaller_than_the_budget_is_one_shard_per_language() -> None:
    pages = [info("a/index.html", 500), info("en/a/index.html", 500, "en"), info("b.html", 0, "")]
    shards, _ = plan(pages, budget=search_shards.SHARD_WORDS)
    assert sorted(shards) == ["en-0", "id-0"]


# --- a site of many articles, indexed in shards ---


def tag(number: int) -> str:
    """The number in letters: digits like 112 in a page are a hotline number to the guard."""
    return "".join("abcdefghij"[int(d)] for d in f"{number:03d}")


def article(number: int, rng: random.Random) -> str:
    body = [" ".join(rng.choice(WORDS) for _ in range(60)) for _ in range(2)]
    title = f"Berita {tag(number)}"
    for slot, word in enumerate(QUERIES):
        if number == best(slot):
            title = f"Kabar {word} dari desa"
            body = [f"{word} {p} {word}" for p in body] + [f"Tentang {word} dan {word}."]
        elif number in good(slot):
            body[0] += f" {word}, {word} dan {word}"
        elif number % 4 == slot:  # one mention
            body[1] += f" {word}"
    body.append(f"Kata khusus katakhusus{tag(number)}.")
    return (
        f"---\nid: uji-{number:03d}\ntitle: {title}\nslug: berita-{number:03d}\n"
        f"date: 2026-0{1 + number % 9}-1{number % 10} 09:00\nsummary: Ringkasan {tag(number)}.\n---\n\n"
        + "\n\n".join(body)
        + "\n"
    )


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The project's site with 150 more articles, indexed whole and in shards."""
    root = tmp_path_factory.mktemp("shards")
    shutil.copytree(ROOT / "content", root / "content")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "campaigns", root / "campaigns")
    rng = random.Random(21)
    for number in range(ARTICLES):
        path = root / "content" / "berita" / f"uji-{number:03d}.md"
        path.write_text(article(number, rng), encoding="utf-8")
    for name in ("pelicanconf.py", "publishconf.py"):  # a project of its own
        shutil.copy2(ROOT / name, root / name)
    (root / "theme").symlink_to(ROOT / "theme")
    settings = root / "pelicanconf.py"
    sites = {}
    for name in ("whole", "sharded"):
        built = build_site(settings, root / name, now=NOW, overrides={"SEARCH_INDEX": False})
        sites[name] = built.output
    total = sum(p.words for p in scan(sites["sharded"]) if p.lang == "id")
    budget = total * 2 // 5  # three Indonesian shards of about 60 pages
    index_for_search(sites["whole"], sites["whole"] / "pagefind")
    report = index_for_search(
        sites["sharded"], sites["sharded"] / "pagefind", {search_shards.SETTING: budget}
    )
    shards, _ = plan(scan(sites["sharded"]), budget)
    return {"sites": sites, "report": report, "shards": shards, "budget": budget}


def test_the_shards_are_bounded_and_only_the_first_carries_the_code(sharded: dict) -> None:
    bundle = sharded["sites"]["sharded"] / "pagefind"
    manifest = json.loads((bundle / "shards.json").read_text())
    names = manifest["languages"]["id"]
    assert len(names) >= 3 and names[0] == "id-0"
    assert sorted(sharded["report"].indexed) == sorted(sharded["shards"])
    for name, members in sharded["shards"].items():
        assert sum(p.words for p in members) <= sharded["budget"]
        assert list((bundle / name / "index").iterdir()), name
        code = (bundle / name / "pagefind.js").exists(), any((bundle / name).glob("wasm.*"))
        assert code == ((True, True) if name.endswith("-0") else (False, False)), name
    whole = json.loads((sharded["sites"]["whole"] / "pagefind" / "shards.json").read_text())
    assert whole["languages"] == {"en": ["en-0"], "id": ["id-0"]}


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def search(page: Page, base: str, word: str) -> list[str]:
    page.goto(f"{base}/cari/")
    page.fill("#q", word)
    page.press("#q", "Enter")
    page.locator("#search-status:not(:empty)").wait_for()
    page.wait_for_function(
        "() => !document.getElementById('search-status').textContent.includes('…')"
    )
    return page.locator("#search-results li a").evaluate_all("a => a.map(x => x.pathname)")


def test_a_word_from_each_shard_is_found_first(sharded: dict, browser: Browser) -> None:
    page = browser.new_page()
    with serve_folder(sharded["sites"]["sharded"]) as base:
        for name, members in sorted(sharded["shards"].items()):
            if not name.startswith("id-"):
                continue
            ours = sorted(p.path for p in members if "/berita-" in p.path)
            assert ours, name
            number = ours[0].split("berita-")[1][:3]
            found = search(page, base, f"katakhusus{tag(int(number))}")
            assert found[:1] == [f"/{ours[0].removesuffix('index.html')}"], name
    page.close()


def test_ranking_across_shards_is_that_of_one_index(sharded: dict, browser: Browser) -> None:
    page = browser.new_page()
    results = {}
    for name in ("whole", "sharded"):
        with serve_folder(sharded["sites"][name]) as base:
            results[name] = {word: search(page, base, word) for word in (*QUERIES, "paspor")}
    page.close()
    for slot, word in enumerate(QUERIES):
        for name in ("whole", "sharded"):
            found = results[name][word]
            # The best page first, the good ones next, though every shard holds weak ones.
            assert found[0].endswith(f"berita-{best(slot):03d}/"), (name, word)
            tier = {f"/berita/2026/berita-{n:03d}/" for n in good(slot)}
            assert set(found[1 : 1 + len(tier)]) == tier, (name, word)
    assert "/migrasi-aman/" in results["sharded"]["paspor"]


def index_text(bundle: Path) -> str:
    texts = []
    for path in bundle.rglob("*"):
        if path.is_file() and path.suffix in (".pf_fragment", ".pf_index"):
            texts.append(gzip.decompress(path.read_bytes()).decode("utf-8", "ignore"))
    return "\n".join(texts)


def test_a_rebuild_indexes_again_only_the_shard_of_the_edited_page(
    sharded: dict, tmp_path: Path
) -> None:
    """As `publisher serve` does on every save: a preview build, then the search refresh."""
    root = sharded["sites"]["sharded"].parent
    settings = root / "pelicanconf.py"
    overrides = {search_shards.SETTING: sharded["budget"]}
    memory = BuildMemory(lasting=True)
    site = tmp_path / "served"
    first = build_site(settings, site, now=NOW, overrides=overrides, preview=True, memory=memory)
    report = refresh_search_index(first.output, memory, first.search_settings)
    assert sorted(report.indexed) == sorted(sharded["shards"]) and report.reused == []
    inodes = {p: p.stat().st_ino for p in (site / "pagefind").rglob("*") if p.is_file()}
    edited = root / "content" / "berita" / "uji-077.md"
    original = edited.read_text(encoding="utf-8")
    try:
        edited.write_text(original + "\nKata suntingan kataperubahan.\n", encoding="utf-8")
        second = build_site(
            settings, site, now=NOW, overrides=overrides, preview=True, memory=memory
        )
        assert second.search_pending
        report = refresh_search_index(second.output, memory, second.search_settings)
    finally:
        edited.write_text(original, encoding="utf-8")
    home = next(n for n, m in sharded["shards"].items() if any("berita-077" in p.path for p in m))
    assert report.indexed == [home]
    assert sorted(report.reused) == sorted(set(sharded["shards"]) - {home})
    assert "kataperubahan" in index_text(site / "pagefind" / home)
    # The other shards are the very files of the first index (hard links), all of them.
    for name in report.reused:
        before = {p: n for p, n in inodes.items() if p.is_relative_to(site / "pagefind" / name)}
        after = {p: p.stat().st_ino for p in (site / "pagefind" / name).rglob("*") if p.is_file()}
        assert before == after and before, name

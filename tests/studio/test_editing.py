"""Writing through the studio: the form keeps the file as it is except what was edited,
`check`'s problems land beside their field, errors are never saved, a file changed on disk
is never overwritten, and every save is a commit in the person's name."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx

from publisher.content.scaffold import article_text, next_round_time
from publisher.studio import document
from tests.studio.conftest import NOW, STAFF, Running, csrf_of, git

ARTICLE = "content/berita/cara-memakai-tombol-keluar-cepat.md"


def _form(html: str) -> dict[str, str]:
    """The editor form's fields as a browser would send them."""
    import html as entities

    fields = {
        m.group(1): entities.unescape(m.group(2))
        for m in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
    }
    for m in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[m.group(1)] = entities.unescape(m.group(2))
    for m in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.search(r"<option selected>([^<]*)</option>", m.group(2))
        fields[m.group(1)] = chosen.group(1) if chosen else ""
    return fields


def test_a_form_round_trip_changes_nothing() -> None:
    text = article_text("release", "Judul: baru", "judul-baru", NOW)
    doc = document.parse(text)
    values = {f"field:{f.key}": f.value if f.simple else f.raw for f in doc.fields}
    assert document.rebuild(doc, {**values, "body": doc.body}) == text
    simple = [f.key for f in doc.fields if f.simple]
    assert {"title", "slug", "date", "status", "summary"} <= set(simple)
    assert doc.field_named("title").help == "the headline"  # the template's comment is help


def test_an_edit_changes_only_its_line() -> None:
    text = article_text("post", "Judul", "judul", NOW)
    doc = document.parse(text)
    changed = document.rebuild(doc, {"field:title": "Judul: yang baru # bukan komentar"})
    before, after = text.split("\n"), changed.split("\n")
    differ = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert differ == [
        (
            'title: "Judul"  # the headline',
            'title: "Judul: yang baru # bukan komentar"  # the headline',
        )
    ]
    assert document.scalar("2027-07-30 09:00") == "2027-07-30 09:00"
    assert document.scalar("true", "tag:yaml.org,2002:bool") == "true"
    assert document.scalar("true") == '"true"'  # text stays text


def test_a_check_error_is_shown_beside_its_field_and_not_saved(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    root = server.project.root
    client = login("writer")
    before = (root / ARTICLE).read_text()
    form = _form(client.get("/edit", params={"file": ARTICLE}).text)
    form.update({"field:date": "besok pagi", "action": "save"})
    answer = client.post("/edit", data=form)
    assert answer.status_code == 422
    assert "Belum tersimpan: 1 kesalahan" in answer.text
    field = re.search(r'<div class="field invalid">(.*?)</div>', answer.text, re.S)
    assert field and "<code>date</code>" in field.group(1)
    assert "is not a valid date and time" in field.group(1)
    assert (root / ARTICLE).read_text() == before
    assert git(root, "log", "--format=%s") == "seed\n"


def test_a_save_is_a_commit_in_the_persons_name(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    root = server.project.root
    client = login("writer")
    form = _form(client.get("/edit", params={"file": ARTICLE}).text)
    form.update({"field:summary": "Ringkasan baru untuk uji.", "action": "save"})
    form["body"] += "\nParagraf tambahan.\n"
    answer = client.post("/edit", data=form, follow_redirects=True)
    assert answer.status_code == 200
    head = git(root, "log", "-1", "--format=%h|%an|%ae|%s").strip().split("|")
    assert head[1:] == [STAFF["writer"], "wulan-penulis@studio.invalid", f"Studio: edit {ARTICLE}"]
    assert f"Commit git: {head[0]}." in answer.text
    text = (root / ARTICLE).read_text()
    assert "summary: Ringkasan baru untuk uji." in text and "Paragraf tambahan." in text
    assert git(root, "status", "--porcelain") == ""


def test_a_file_changed_on_disk_is_never_overwritten(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    root = server.project.root
    client = login("editor")
    form = _form(client.get("/edit", params={"file": ARTICLE}).text)
    meanwhile = (root / ARTICLE).read_text().replace("Keluar Cepat", "Keluar Segera", 1)
    (root / ARTICLE).write_text(meanwhile)  # someone else, or a git pull
    form.update({"field:summary": "Versi saya.", "action": "save"})
    answer = client.post("/edit", data=form)
    assert answer.status_code == 409
    assert "diubah di disk sejak Anda membukanya" in answer.text
    assert (root / ARTICLE).read_text() == meanwhile
    assert "Versi saya." in answer.text  # the person's text is still in the form


def test_checking_while_typing(server: Running, login: Callable[[str], httpx.Client]) -> None:
    client = login("writer")
    form = _form(client.get("/edit", params={"file": ARTICLE}).text)
    form["field:date"] = "kemarin"
    form["body"] = "Gambar tanpa teks: ![](images/og-default.png)\n"
    answer = client.post("/check", data=form, headers={"X-CSRF-Token": form["csrf_token"]})
    found = answer.json()
    assert next(p["message"] for p in found["fields"]["date"]).startswith("date: 'kemarin'")
    assert found["fields"]["title"] == []
    assert "<img" in found["preview"] and 'src="images/og-default.png"' in found["preview"]


def test_a_new_article_from_the_template(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    root = server.project.root
    client = login("writer")
    token = csrf_of(client.get("/new", params={"kind": "post"}).text)
    answer = client.post("/new", data={"csrf_token": token, "kind": "post", "title": "Uji baru"})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/edit?file=content%2Fberita%2Fuji-baru.md")
    text = (root / "content" / "berita" / "uji-baru.md").read_text()
    when = next_round_time(NOW)
    assert text == article_text("post", "Uji baru", "uji-baru", when)  # `publisher new`'s own
    assert git(root, "log", "-1", "--format=%an|%s") == (
        f"{STAFF['writer']}|Studio: new post content/berita/uji-baru.md\n"
    )
    again = client.post("/new", data={"csrf_token": token, "kind": "post", "title": "Uji baru"})
    assert again.status_code == 409 and "already exists" in again.text


def test_a_new_post_in_a_campaigns_calendar(
    server: Running, login: Callable[[str], httpx.Client]
) -> None:
    root = server.project.root
    rel = "campaigns/hari-dunia-anti-perdagangan-orang-2027.md"
    client = login("writer")
    page = client.get("/item", params={"file": rel}).text
    form = {
        "csrf_token": csrf_of(page),
        "file": rel,
        "base": re.search(r'name="base" value="([^"]+)"', page).group(1),
        "id": "hdapo27-13-tambahan",
        "at": "2027-08-06 09:00",  # after the campaign's end: check refuses it
        "platforms": ["x", "mastodon"],
        "text": "Baris pertama: tetap aman.\n\n#CegahTPPO",
        "link": "bantuan",
    }
    refused = client.post("/add-post", data=form)
    assert refused.status_code == 422 and "outside the campaign" in refused.text
    assert git(root, "log", "--format=%s") == "seed\n"
    form["at"] = "2027-08-04 09:00"
    answer = client.post("/add-post", data=form)
    assert answer.status_code == 303
    from publisher.content.campaign_reader import load_campaign

    post = load_campaign(root / rel).posts[-1]
    assert (post.id, post.platforms, post.link) == (
        "hdapo27-13-tambahan",
        ["x", "mastodon"],
        "bantuan",
    )
    assert post.text == "Baris pertama: tetap aman.\n\n#CegahTPPO"
    assert git(root, "log", "-1", "--format=%an|%s") == (
        f"{STAFF['writer']}|Studio: add post hdapo27-13-tambahan to {rel}\n"
    )
    assert "  # never change an id" not in (root / rel).read_text()  # nothing else rewritten
    assert git(root, "diff", "HEAD~1", "--stat").count("|") == 1


def test_with_post_makes_the_list_when_there_is_none() -> None:
    text = "---\ntitle: Uji\nposts: []  # none yet\n---\n\nIsi.\n"
    added = document.with_post(text, ["  - id: satu", "    at: 2027-07-20 10:00"])
    assert added == (
        "---\ntitle: Uji\nposts:  # none yet\n  - id: satu\n    at: 2027-07-20 10:00\n---\n\nIsi.\n"
    )
    bare = document.with_post("---\ntitle: Uji\n---\nIsi.\n", ["  - id: satu"])
    assert bare == "---\ntitle: Uji\nposts:\n  - id: satu\n---\nIsi.\n"

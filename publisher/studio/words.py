"""The studio's words: Indonesian first (as the templates are written), English on request.

The templates say `_("Kalender")`; with English chosen, `_` looks the phrase up in
ENGLISH (publisher/studio/english.py). tests/studio/test_words.py holds every phrase of the
templates to having its English. Messages from the library (check, actions) are English
already and pass through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from publisher.studio.english import ENGLISH

FORM_EXPIRED = (
    "Formulir ini tidak berlaku lagi (token keamanan hilang atau kedaluwarsa). "
    "Muat ulang halaman, lalu kirim lagi."
)
LOGIN_FIRST = "Masuk dulu: permintaan ini perlu akun studio."
BROKEN = "Ada kesalahan di studio; sudah dicatat di log server. Coba lagi, atau beri tahu admin."
ROLE_NAMES = {"writer": "penulis", "editor": "editor", "admin": "admin"}
FIELD_LABELS = {
    "__front_matter__": "Kolom (YAML)",
    "id": "ID (jangan diubah)",
    "title": "Judul",
    "slug": "Alamat (slug)",
    "date": "Tanggal terbit (WIB)",
    "status": "Status",
    "lang": "Bahasa",
    "translation": "Terjemahan",
    "summary": "Ringkasan",
    "author": "Nama penulis",
    "tags": "Tag",
    "image": "Gambar",
    "campaign": "Kampanye",
    "platforms": "Platform",
    "social": "Teks media sosial",
    "syndicate_at": "Waktu kirim ke media sosial (WIB)",
    "modified": "Diubah (WIB)",
    "embargo": "Embargo (WIB)",
    "contacts": "Kontak media",
    "images": "Gambar untuk pers",
    "attachments": "Lampiran",
    "correction": "Koreksi",
    "start": "Mulai (WIB)",
    "end": "Selesai",
    "hashtags": "Tagar",
    "cta": "Ajakan",
    "events": "Acara",
    "posts": "Kalender kiriman",
    "menu": "Menu",
    "order": "Urutan",
    "template": "Templat",
}
KIND_LABELS = {
    "article": "Berita",
    "release": "Siaran pers",
    "page": "Halaman",
    "campaign": "Kampanye",
}
ROLE_LABELS = {"writer": "Penulis", "editor": "Editor", "admin": "Admin"}
# What each state is called on the page (ledger states, and the calendar's own).
STATE_LABELS = {
    "planned": "terjadwal",
    "pending": "terjadwal",
    "new": "belum di ledger",
    "waiting": "menunggu persetujuan",
    "draft": "draf",
    "sending": "sedang dikirim",
    "claimed": "sedang dikirim",
    "sent": "terkirim",
    "live": "tayang",
    "failed": "gagal",
    "unknown": "belum pasti",
    "dead": "berhenti",
    "stale": "tidak dikirim",
    "seeded": "sudah ada sebelumnya",
    "paused": "dijeda",
    "running": "berjalan",
    "published": "terbit",
    "broken": "rusak",
    "done": "selesai",
}
# What a redirect after an action tells the person (?done=CODE&what=...).
DONE = {
    "approved": "Disetujui: {what}.",
    "approved_all": "Semua kiriman di {what} disetujui.",
    "created": "Berkas baru dibuat: {what}.",
    "saved": "Tersimpan: {what}.",
    "retried": "Dijadwalkan ulang: {what}; keluar pada tick berikutnya.",
    "resolved_sent": "Dicatat terkirim: {what}.",
    "resolved_not_sent": "Dicatat tidak terkirim: {what}; dikirim lagi pada tick berikutnya.",
    "dismissed": "Ditutup, tidak akan dikirim: {what}.",
    "paused": "Dijeda: {what}.",
    "resumed": "Dilanjutkan: {what}.",
    "settings": "Pengaturan tersimpan.",
    "publishing": "Penerbitan dimulai.",
}
DAYS = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTHS = (
    "Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
    "September", "Oktober", "November", "Desember",
)  # fmt: skip
DAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def translator(lang: str) -> Callable[..., str]:
    def translate(text: str, **values: Any) -> str:
        phrase = ENGLISH.get(text, text) if lang == "en" else text
        return phrase.format(**values) if values else phrase

    return translate


def notices(lang: str, query: Mapping[str, str]) -> list[tuple[str, str]]:
    """The messages a redirect carried in its query, in the person's language."""
    translate = translator(lang)
    found = []
    if query.get("done") in DONE:
        found.append(("good", translate(DONE[query["done"]], what=query.get("what", ""))))
    if query.get("commit"):
        found.append(("good", translate("Commit git: {commit}.", commit=query["commit"])))
    if query.get("note"):
        found.append(("info", query["note"]))
    return found


def state_label(lang: str) -> Callable[[str], str]:
    translate = translator(lang)
    return lambda state: translate(STATE_LABELS.get(state, state))


def role_needed(role: str, lang: str) -> str:
    label = role if lang == "en" else ROLE_NAMES.get(role, role)
    return translator(lang)("Hanya untuk peran {role} ke atas.", role=label)


def day_name(lang: str) -> Callable[[int], str]:
    return lambda weekday: (DAYS_EN if lang == "en" else DAYS)[weekday]


def month_name(lang: str) -> Callable[[int], str]:
    return lambda month: (MONTHS_EN if lang == "en" else MONTHS)[month - 1]

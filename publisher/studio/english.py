"""English for the studio's Indonesian phrases (publisher.studio.words).

tests/studio/test_words.py holds every phrase of the templates and of words.py to having
an entry here, with the same {placeholders}.
"""

from __future__ import annotations

ENGLISH: dict[str, str] = {
    # --- layout, login --------------------------------------------------------------------
    "Langsung ke isi": "Skip to content",
    "Menu studio": "Studio menu",
    "Ringkasan": "Overview",
    "Kalender": "Calendar",
    "Naskah": "Items",
    "Perlu tindakan": "Needs attention",
    "Pengaturan": "Settings",
    "Laporan": "Reports",
    "Laporan kampanye": "Campaign reports",
    "Laporan tiap kampanye: apa yang terkirim ke mana dan kapan, apa yang gagal dan sebabnya, kapan halaman tayang, dan angka keterlibatan dari tiap platform.": "A report for each campaign: what went out where and when, what failed and why, when its pages went live, and the engagement figures each platform gives.",
    "Unduh": "Download",
    "Belum ada kampanye.": "No campaigns yet.",
    "Halaman ini tidak ada.": "This page does not exist.",
    "Keluar": "Log out",
    "Masuk": "Log in",
    "Masuk ke studio": "Log in to the studio",
    "Nama": "Name",
    "Kata sandi": "Password",
    "Nama atau kata sandi salah.": "Wrong name or password.",
    "Terlalu banyak percobaan yang gagal. Coba lagi dalam {seconds} detik.": (
        "Too many failed attempts. Try again in {seconds} seconds."
    ),
    "Akun dibuat oleh admin dengan perintah: publisher studio adduser NAMA --role writer|editor|admin": (
        "An admin creates accounts with: publisher studio adduser NAME --role writer|editor|admin"
    ),
    "Tidak bisa": "Not possible",
    "Tidak bisa dilakukan": "This cannot be done",
    "Ke ringkasan": "To the overview",
    "Formulir ini tidak berlaku lagi (token keamanan hilang atau kedaluwarsa). Muat ulang halaman, lalu kirim lagi.": (
        "This form is no longer valid (its security token is missing or expired). "
        "Reload the page, then send it again."
    ),
    "Masuk dulu: permintaan ini perlu akun studio.": (
        "Log in first: this request needs a studio account."
    ),
    "Hanya untuk peran {role} ke atas.": "Only for the role {role} and above.",
    "Ada kesalahan di studio; sudah dicatat di log server. Coba lagi, atau beri tahu admin.": (
        "Something went wrong in the studio; it is in the server's log. Try again, or tell "
        "the admin."
    ),
    "Commit git: {commit}.": "Git commit: {commit}.",
    "Penulis": "Writer",
    "Editor": "Editor",
    "Admin": "Admin",
    # --- overview -------------------------------------------------------------------------
    "Penerbit": "Publisher",
    "Tick terakhir yang berhasil: {when}": "Last successful tick: {when}",
    "Belum ada tick yang tercatat.": "No tick recorded yet.",
    "berjalan": "running",
    "tidak berjalan?": "not running?",
    "Lihat daftar": "See the list",
    "Tayang berikutnya": "Going live next",
    "Tidak ada yang menunggu waktu tayang.": "Nothing is waiting for its time to go live.",
    "Persetujuan": "Approval",
    "Wajib: {count} naskah menunggu persetujuan editor.": (
        "Required: {count} item(s) waiting for an editor's approval."
    ),
    "Tidak wajib (Pengaturan).": "Not required (Settings).",
    "Terbitkan sekarang": "Publish now",
    "Membangun situs dengan pengaturan produksi dan memasangnya, sama seperti publisher build --production dan publisher deploy.": (
        "Builds the site with the production settings and deploys it, exactly as "
        "publisher build --production and publisher deploy do."
    ),
    "Penerbitan terakhir": "Last publish",
    "Platform": "Platform",
    "Setiap platform: ke mana kiriman pergi dan kiriman terakhir": (
        "Each platform: where its posts go, and its last posts"
    ),
    "Kirim ke": "Posts to",
    "Kiriman terakhir": "Last posts",
    "akun sungguhan": "the real account",
    "kotak keluar (tanpa kredensial)": "the outbox (no credentials)",
    "kredensial ditolak": "credentials refused",
    "dijeda": "paused",
    "belum ada": "none yet",
    "Kiriman menurut keadaan": "Posts by state",
    # --- calendar -------------------------------------------------------------------------
    "{n} entri": "{n} entries",
    "Pilih waktu": "Choose the time",
    "Minggu": "Week",
    "Bulan": "Month",
    "Sebelumnya": "Previous",
    "Hari ini": "Today",
    "Berikutnya": "Next",
    "Kampanye": "Campaign",
    "semua": "all",
    "Keadaan": "State",
    "Saring": "Filter",
    "hari ini": "today",
    "besok": "tomorrow",
    "tayang di situs": "goes live on the site",
    "kiriman kampanye": "campaign post",
    "siaran pers": "press release",
    "berita": "news",
    "menunggu persetujuan": "waiting for approval",
    "Tidak ada.": "Nothing.",
    "situs": "site",
    "{n} bagian": "{n} parts",
    "+{n} lagi": "+{n} more",
    "tayang": "live",
    "kirim": "post",
    # --- states ---------------------------------------------------------------------------
    "terjadwal": "planned",
    "belum di ledger": "not in the ledger yet",
    "draf": "draft",
    "sedang dikirim": "sending",
    "terkirim": "sent",
    "gagal": "failed",
    "belum pasti": "unknown",
    "berhenti": "dead",
    "tidak dikirim": "not sent",
    "sudah ada sebelumnya": "seeded (already live)",
    "selesai": "done",
    "terbit": "published",
    "rusak": "broken",
    # --- items and one item ---------------------------------------------------------------
    "Berita": "News",
    "Siaran pers": "Press release",
    "Halaman": "Page",
    "Berita baru": "New news post",
    "Siaran pers baru": "New press release",
    "Kampanye baru": "New campaign",
    "Jenis naskah": "Kind of item",
    "Jenis naskah ini tidak ada.": "There is no such kind of item.",
    "Semua": "All",
    "Berkas isi dan kampanye": "Content and campaign files",
    "Judul": "Title",
    "Jenis": "Kind",
    "Tayang": "Goes live",
    "{n} masalah": "{n} problem(s)",
    "disetujui": "approved",
    "Naskah ini tidak ditemukan.": "This item was not found.",
    "Kiriman {id}": "Post {id}",
    "Sunting berkas": "Edit the file",
    "Buka halaman yang sudah dibangun": "Open the built page",
    "Masalah menurut pemeriksaan": "Problems found by the check",
    "baris {line}": "line {line}",
    "oleh {by}, {when}": "by {by}, {when}",
    "Teks berubah sejak {by} menyetujuinya ({when}).": (
        "The text changed since {by} approved it ({when})."
    ),
    "Belum ada editor yang menyetujui teks ini: tidak tayang dan tidak dikirim.": (
        "No editor has approved this text: it does not go live and is not posted."
    ),
    "Persetujuan tidak wajib (Pengaturan).": "Approval is not required (Settings).",
    "Pernah disetujui oleh {by}.": "Once approved by {by}.",
    "Setujui teks ini": "Approve this text",
    "Hanya editor yang dapat menyetujui.": "Only editors can approve.",
    "Kalender kiriman": "Posting calendar",
    "Setujui semua kiriman": "Approve every post",
    "Kiriman kampanye ini": "This campaign's posts",
    "Waktu": "Time",
    "Kiriman": "Post",
    "Tidak ada sumber yang merencanakan kiriman ini lagi; ledger masih mencatatnya.": (
        "No source plans this post any more; the ledger still records it."
    ),
    "Pratinjau di setiap platform": "Preview on every platform",
    "Disusun oleh komposer dan adaptor yang sama yang akan mengirimnya.": (
        "Made by the same composer and adapters that will send it."
    ),
    "Tidak bisa disusun:": "Cannot be composed:",
    "bagian {n} dari {total}": "part {n} of {total}",
    "gambar": "image",
    "{count} dari {limit} karakter": "{count} of {limit} characters",
    "terlalu panjang": "too long",
    "Di ledger": "In the ledger",
    "Baris ledger kiriman ini": "This post's ledger rows",
    "Bagian": "Part",
    "Keterangan": "Details",
    "Jejak audit": "Audit trail",
    "Riwayat git berkas ini": "This file's git history",
    # --- writing --------------------------------------------------------------------------
    "Sunting": "Edit",
    "Berkas ini diubah di disk sejak Anda membukanya (oleh orang lain atau git). Tidak ada yang ditulis. Salin perubahan Anda dari formulir di bawah, lalu buka versi terbaru.": (
        "This file was changed on disk since you opened it (by someone else, or git). "
        "Nothing was written. Copy your changes from the form below, then open the latest "
        "version."
    ),
    "Buka versi terbaru": "Open the latest version",
    "Isi berkas di disk sekarang": "The file on disk now",
    "Belum tersimpan: {n} kesalahan. Perbaiki yang ditandai di bawah, lalu simpan lagi.": (
        "Not saved: {n} error(s). Fix what is marked below, then save again."
    ),
    "Teks ini sudah disetujui. Setelah perubahan disimpan, teks baru menunggu persetujuan editor lagi.": (
        "This text is approved. Once a change is saved, the new text waits for an editor's "
        "approval again."
    ),
    "Memeriksa…": "Checking…",
    "Diperiksa; pratinjau diperbarui.": "Checked; preview updated.",
    "Kolom": "Fields",
    "Kolom (YAML)": "Fields (YAML)",
    "Tambah kolom": "Add a field",
    "Kolom tambahan (YAML, satu per baris, misalnya embargo: 2027-07-30 09:00)": (
        "More fields (YAML, one per line, e.g. embargo: 2027-07-30 09:00)"
    ),
    "Isi (Markdown)": "Body (Markdown)",
    "Pratinjau isi": "Preview of the body",
    "Periksa dan pratinjau": "Check and preview",
    "Simpan": "Save",
    "Berkas baru dibuat dari templat yang sama dengan publisher new: setiap kolom terisi, status draf, waktu pada jam bulat berikutnya (WIB).": (
        "The new file comes from the same template as publisher new: every field filled "
        "in, status draft, times at the next full hour (WIB)."
    ),
    "Alamat (slug), boleh kosong": "Address (slug), may be empty",
    "Huruf kecil a-z, angka dan tanda hubung; kosong: dibuat dari judul.": (
        "Lowercase a-z, digits and hyphens; empty: made from the title."
    ),
    "Buat": "Create",
    "ID (jangan diubah)": "ID (never change it)",
    "Alamat (slug)": "Address (slug)",
    "Tanggal terbit (WIB)": "Publication date (WIB)",
    "Status": "Status",
    "Bahasa": "Language",
    "Terjemahan": "Translation",
    "Gambar": "Image",
    "Tag": "Tags",
    "Nama penulis": "Author",
    "Teks media sosial": "Social media text",
    "Waktu kirim ke media sosial (WIB)": "Time to post on social media (WIB)",
    "Diubah (WIB)": "Modified (WIB)",
    "Embargo (WIB)": "Embargo (WIB)",
    "Kontak media": "Media contacts",
    "Gambar untuk pers": "Images for the press",
    "Lampiran": "Attachments",
    "Koreksi": "Correction",
    "Mulai (WIB)": "Start (WIB)",
    "Selesai": "End",
    "Tagar": "Hashtags",
    "Ajakan": "Call to action",
    "Acara": "Events",
    "Menu": "Menu",
    "Urutan": "Order",
    "Templat": "Template",
    "Kiriman baru": "New post",
    "ID kiriman (jangan diubah setelah terkirim)": "Post ID (never change it once posted)",
    "Waktu (WIB)": "Time (WIB)",
    "Misalnya 2027-07-30 09:00, di antara mulai dan selesai kampanye.": (
        "For example 2027-07-30 09:00, between the campaign's start and end."
    ),
    "Teks (tagar ditulis di dalam teks)": "Text (hashtags are written in the text)",
    "Tautan: slug halaman, berita atau kampanye (boleh kosong)": (
        "Link: the slug of a page, news post or campaign (may be empty)"
    ),
    "Boleh menjadi utas bila terlalu panjang": "May become a thread when too long",
    "Tambahkan kiriman": "Add the post",
    # --- attention ------------------------------------------------------------------------
    "Hanya editor yang dapat bertindak.": "Only editors can act.",
    "Alamat kiriman di {platform}": "The post's address on {platform}",
    "Sudah terkirim": "It was sent",
    "Tidak terkirim: kirim lagi": "Not sent: send it again",
    "Coba lagi": "Retry",
    "Alasan tidak dikirim": "Why it must not be sent",
    "Tutup, jangan kirim": "Close, never send",
    "Jadwal": "Planned",
    "{n} kali dicoba": "{n} attempt(s)",
    "dicoba lagi": "retried",
    "Perintah CLI": "CLI command",
    "Lanjutkan": "Resume",
    "Alasan jeda {platform}": "Why {platform} is paused",
    "alasan": "reason",
    "Jeda": "Pause",
    "Kiriman gagal, belum pasti atau berhenti": "Failed, unknown or dead posts",
    "Tidak ada. Semua kiriman berjalan.": "None. Every post is on its way.",
    "Tidak dikirim (terakhir)": "Not sent (latest)",
    "Terlambat, ditarik dari sumbernya, atau ditutup oleh seseorang.": (
        "Too late, withdrawn from its source, or closed by a person."
    ),
    # --- settings, publishing -------------------------------------------------------------
    "Wajib disetujui editor sebelum tayang atau dikirim": (
        "An editor must approve before anything goes live or is posted"
    ),
    "Disimpan di data/approvals.yaml dan di-commit ke git. Saat dinyalakan, berita dan siaran pers yang sudah tayang disetujui atas nama Anda apa adanya, jadi situs tidak kosong; yang belum tayang dan kiriman kampanye yang akan datang menunggu editor, begitu pula setiap perubahan sesudahnya. Halaman (bantuan, hotline) tidak pernah ditahan.": (
        "Kept in data/approvals.yaml and committed to git. Switching it on approves, in "
        "your name, the news and press releases that are live now, as they are, so the "
        "site does not go empty; what is not live yet and the campaign posts to come wait "
        "for an editor, as does every change after that. Pages (help, hotlines) are never "
        "held back."
    ),
    "Git": "Git",
    "Kirim (push) setiap commit ke repositori bersama": (
        "Push every commit to the shared repository"
    ),
    "Proyek ini bukan repositori git: simpanan tidak di-commit.": (
        "This project is not a git repository: saves are not committed."
    ),
    "Repositori ini punya upstream; push dilakukan sesudah setiap commit.": (
        "This repository has an upstream; each commit is pushed after it is made."
    ),
    "Repositori ini belum punya upstream: push akan gagal sampai ada.": (
        "This repository has no upstream yet: pushing fails until it has one."
    ),
    "Pengaturan ini hanya untuk instalasi ini (var/studio/settings.json).": (
        "This setting is for this installation only (var/studio/settings.json)."
    ),
    "Simpan pengaturan": "Save the settings",
    "Akun": "Accounts",
    "Dibuat dan diubah dengan publisher studio adduser NAMA --role writer|editor|admin (kata sandi di-hash dengan argon2, berkas var/studio/users.json).": (
        "Created and changed with publisher studio adduser NAME --role "
        "writer|editor|admin (passwords hashed with argon2, in var/studio/users.json)."
    ),
    "dimulai oleh {by}, {when}": "started by {by}, {when}",
    "Muat ulang untuk melihat kemajuannya": "Reload to see its progress",
    "Belum ada penerbitan dari studio sejak ia dijalankan.": (
        "Nothing was published from the studio since it started."
    ),
    "Halaman ini tidak ada di situs yang sudah dibangun (output/).": (
        "This page is not in the built site (output/)."
    ),
    "Berkas ini tidak ada di content/.": "This file is not in content/.",
    # --- what a redirect tells --------------------------------------------------------------
    "Disetujui: {what}.": "Approved: {what}.",
    "Semua kiriman di {what} disetujui.": "Every post of {what} approved.",
    "Berkas baru dibuat: {what}.": "New file created: {what}.",
    "Tersimpan: {what}.": "Saved: {what}.",
    "Dijadwalkan ulang: {what}; keluar pada tick berikutnya.": (
        "Planned again: {what}; it goes out at the next tick."
    ),
    "Dicatat terkirim: {what}.": "Recorded as sent: {what}.",
    "Dicatat tidak terkirim: {what}; dikirim lagi pada tick berikutnya.": (
        "Recorded as not sent: {what}; sent again at the next tick."
    ),
    "Ditutup, tidak akan dikirim: {what}.": "Closed, never to be sent: {what}.",
    "Dijeda: {what}.": "Paused: {what}.",
    "Dilanjutkan: {what}.": "Resumed: {what}.",
    "Pengaturan tersimpan.": "Settings saved.",
    "Penerbitan dimulai.": "Publishing started.",
}

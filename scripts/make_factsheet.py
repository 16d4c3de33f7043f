"""Write the programme fact sheet PDF (content/files/lembar-fakta-tppo.pdf) from the data files.

The PDF's numbers come from data/hotlines.yaml like every page's, so it can never disagree
with the site; tests/site/test_press.py regenerates it and compares. Run: make factsheet
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from fpdf import FPDF

ROOT = Path(__file__).resolve().parent.parent
HOTLINES = ROOT / "data" / "hotlines.yaml"
sys.path.insert(0, str(ROOT))

from publisher.content import hotlines  # noqa: E402

OUTPUT = ROOT / "content" / "files" / "lembar-fakta-tppo.pdf"
# Fixed creation date so the same data always gives the same bytes.
CREATED = dt.datetime(2026, 11, 28, tzinfo=dt.UTC)
AREAS = [
    "Pengawasan keimigrasian yang ketat",
    "Kolaborasi antarlembaga",
    "Edukasi dan kesadaran masyarakat",
    "Dukungan untuk korban",
    "Penguatan dan penegakan hukum",
    "Kerja sama internasional (termasuk dialog dengan IOM dan UNODC)",
    "Pemantauan berkelanjutan",
    "Pelatihan untuk petugas imigrasi",
    "Peran media dalam meningkatkan kesadaran",
    "Pendekatan berbasis komunitas",
    "Penelitian dan pengembangan",
    "Pendanaan untuk program pencegahan",
]


def render() -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_creation_date(CREATED)
    pdf.set_title("Lembar fakta: Pencegahan TPPO di Kabupaten Bengkulu Tengah")
    pdf.set_author("Pemerintah Kabupaten Bengkulu Tengah")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(
        0,
        8,
        new_x="LMARGIN",
        new_y="NEXT",
        text="Lembar fakta: Pencegahan perdagangan orang (TPPO) di Kabupaten Bengkulu Tengah",
    )
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 11)
    pdf.multi_cell(
        0,
        6,
        new_x="LMARGIN",
        new_y="NEXT",
        text="Pemerintah Kabupaten Bengkulu Tengah bersama Imigrasi, Polri dan Dinas Sosial "
        "menjalankan program pencegahan perdagangan orang dalam dua belas bidang:",
    )
    for number, area in enumerate(AREAS, start=1):
        pdf.multi_cell(0, 6, new_x="LMARGIN", new_y="NEXT", text=f"{number}. {area}")
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 8, new_x="LMARGIN", new_y="NEXT", text="Saluran resmi")
    pdf.set_font("Helvetica", "", 11)
    for row in hotlines.published(HOTLINES):
        reach = ", ".join(link.label["id"] for link in row.links)
        pdf.multi_cell(
            0,
            6,
            new_x="LMARGIN",
            new_y="NEXT",
            text=f"- {row.service['id']}: {reach}. Untuk: {row.report['id']}.",
        )
    pdf.ln(2)
    pdf.multi_cell(
        0,
        6,
        new_x="LMARGIN",
        new_y="NEXT",
        text="Dalam bahaya sekarang? Telepon 110. Situs program tidak pernah meminta uang.",
    )
    return bytes(pdf.output())


if __name__ == "__main__":
    OUTPUT.write_bytes(render())
    print(f"Wrote {OUTPUT.relative_to(ROOT)} ({OUTPUT.stat().st_size} bytes)")

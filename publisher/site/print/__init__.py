"""Printable pieces of a campaign: A4 and A3 posters, an A5 flyer, a folded A4 leaflet.

From a campaign's `print:` section (publisher/content/print_section.py), the published
hotlines of data/hotlines.yaml and a QR code to the campaign page on the production site,
Jinja templates in theme/templates/print/ make HTML that WeasyPrint turns into PDF with
Debian's Noto fonts embedded. pieces.py names the pieces, job.py gathers what they show,
render.py makes the PDFs (and refuses one that spills off its page), cache.py keeps them by
content hash, plugin.py publishes them in the site's build, `publisher print` on their own.
"""

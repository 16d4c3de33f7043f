"""Files shown inside the studio: pages of the built site (output/) and pictures and files of
content/. Nothing outside those two folders is ever served (security.inside)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from publisher.studio.security import inside
from publisher.studio.web import error, studio_of

CONTENT_FILES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".pdf"}


def site_file(request: Request) -> Response:
    output = studio_of(request).project.layout.output
    path = inside(output, request.path_params["path"])
    if path is not None and path.is_dir():
        path = path / "index.html"
    if path is None or not path.is_file():
        return error(request, 404, "Halaman ini tidak ada di situs yang sudah dibangun (output/).")
    return FileResponse(path)


def content_file(request: Request) -> Response:
    content = studio_of(request).project.layout.content
    path = inside(content, request.path_params["path"])
    if path is None or not path.is_file() or path.suffix.lower() not in CONTENT_FILES:
        return error(request, 404, "Berkas ini tidak ada di content/.")
    return FileResponse(path)

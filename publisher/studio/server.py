"""Serving the studio with uvicorn (`publisher studio`): on 127.0.0.1 unless told otherwise,
trusting X-Forwarded-* only from the local reverse proxy (deploy/nginx-studio.conf)."""

from __future__ import annotations

import uvicorn

from publisher.core.project import Project
from publisher.studio.app import create_app


def serve(project: Project, host: str, port: int, secure_cookies: bool = False) -> None:
    app = create_app(project, secure_cookies=secure_cookies)
    uvicorn.run(
        app,
        host=host,
        port=port,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        server_header=False,
        log_level="info",
    )

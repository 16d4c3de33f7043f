""" "Publish now": the build and deploy of the CLI (publisher.ops.publish), in the background.

A build takes seconds and a deploy over SSH longer, so it runs in a thread and the page
shows its progress; one at a time, and whoever asked is named in the result.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from dataclasses import dataclass

from publisher.core.errors import PublisherError
from publisher.ops import publish
from publisher.studio.state import Studio

LOG = logging.getLogger("publisher.studio")
KEY = "publish"


@dataclass
class Job:
    by: str
    started: dt.datetime
    state: str = "running"  # "running" | "done" | "failed"
    message: str = ""
    finished: dt.datetime | None = None


def current(studio: Studio) -> Job | None:
    return studio.jobs.get(KEY)


def start(studio: Studio, user_name: str) -> Job:
    """Start a publish unless one is running; the running one is returned either way."""
    with studio.write_lock:
        job = current(studio)
        if job is not None and job.state == "running":
            return job
        job = Job(user_name, studio.now())
        studio.jobs[KEY] = job
    threading.Thread(target=_run, args=(studio, job), name="studio-publish", daemon=True).start()
    return job


def _run(studio: Studio, job: Job) -> None:
    try:
        done = publish.publish(studio.project, studio.folder / "publish")
        job.message = (
            f"{done.pages} pages built; live at {done.target} (release {done.release.name})"
        )
        job.state = "done"
    except PublisherError as exc:
        job.message = "\n".join(exc.lines())
        job.state = "failed"
    except Exception as exc:  # shown to the person and logged, never lost in a thread
        LOG.exception("publish failed")
        job.message = f"{type(exc).__name__}: {exc}"
        job.state = "failed"
    job.finished = studio.now()
    LOG.info("publish by %s: %s %s", job.by, job.state, job.message)

"""What a server process does besides answering requests, each in a small daemon thread:

- **reload**: every `Settings.reload_interval_s` (1 s) it asks the store for the published
  release's id (one indexed query); when that is not the release it runs, it loads it (zone
  derivation comes from the cache when the content was derived before) and installs the new
  bundle with one assignment. A release that cannot be loaded is not retried until another is
  published; the process keeps the bundle it has and `/health` says why (`reload_error`).
- **re-judging**: every few seconds it takes on an unfinished re-judging job nobody holds (a
  publish queues one; a crashed process's job is free once its lease runs out) and runs it.
- **webhooks**: every second it sends the deliveries whose time has come (`service.webhooks`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ..model.errors import HighnorthError
from .context import Service
from .rejudge import run_job
from .releases import load_release
from .webhooks import deliver_due

__all__ = ["Background", "check_for_release"]

log = logging.getLogger("highnorth.api")


def check_for_release(service: Service) -> bool:
    """Install the published release if this process does not run it; whether it changed."""
    root = service.root
    published = root.store.releases.current_id()
    if published is None or published == root.running.release_id or published == root.reload_failed_release:
        return False
    try:
        running = load_release(root, published)
    except HighnorthError as exc:
        root.reload_failed_release = published
        root.reload_error = f"release `{published}` could not be loaded; still running {root.running.hash}: {exc}"
        log.error("%s", root.reload_error)
        return False
    root.install(running)
    log.info("policy release %s installed (%s, loaded in %.2f s)", published, running.hash, running.load_seconds)
    return True


class Background:
    """The three threads of a server process; `stop` ends them."""

    def __init__(self, service: Service) -> None:
        self.service = service.root
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> Background:
        interval = self.service.settings.reload_interval_s
        for name, every, work in (
            ("reload", interval, lambda: check_for_release(self.service)),
            ("rejudge", 2.0, lambda: run_job(self.service, stop=self.stopping)),
            ("webhooks", 1.0, lambda: deliver_due(self.service)),
        ):
            thread = threading.Thread(
                target=self._loop, args=(name, every, work), name=f"highnorth-{name}", daemon=True
            )
            thread.start()
            self.threads.append(thread)
        return self

    def _loop(self, name: str, every: float, work: Callable[[], object]) -> None:
        while not self.stopping.wait(every):
            try:
                work()
            except Exception:  # a thread that dies would stop reloads or deliveries for good
                log.exception("background %s failed; trying again in %.1f s", name, every)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)

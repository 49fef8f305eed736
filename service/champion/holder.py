"""The champion's lifecycle: a `ChampionHolder` swaps in a newly promoted champion without a restart.

Requests read `holder.current` once and use that object to the end, so a swap never changes the
model under a request in flight; the swap itself is one attribute assignment (atomic in CPython).
A champion trained under a DPIA reference this deployment does not name (or reading special columns
without any) is never swapped in (`lks.service.champion.dpia`), nor one whose bundle does not match the
checksum recorded at registration (`lks.service.champion.integrity`, checked before it is unpickled): the
holder logs why, keeps it in `refused`, does not load it again, and keeps serving the model it had (if any).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from lks.service.champion import dpia
from lks.service.champion.types import Champion, ChampionRefused, ChampionSource

log = logging.getLogger(__name__)


class ChampionHolder:
    """Holds the current champion; `refresh()` swaps in a new one when the alias has moved, if this
    deployment's `dpia_reference` allows it."""

    def __init__(self, source: ChampionSource, dpia_reference: str | None = None,
                 prepare: Callable[[Champion], object] | None = None):
        self.source = source
        self.dpia_reference = dpia_reference
        # run on a champion about to be swapped in, before any request sees it (the service warms the
        # newest list's risk curves with it); a failure there is logged and never stops the swap
        self.prepare = prepare
        # run after a champion is swapped in, told whether it replaced another (the service settles its
        # heap: `lks.service.heap`)
        self.swapped: Callable[[bool], object] | None = None
        self.current: Champion | None = None
        self.refused: ChampionRefused | None = None  # the newest champion refused, while it holds the alias
        self._lock = threading.Lock()   # one load at a time; readers never wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> Champion | None:
        with self._lock:
            try:
                version = self.source.version()
                if self.refused is not None and self.refused.version != version:
                    self.refused = None  # the alias moved on from the refused model
                if self._is_new(version):
                    loaded = self.source.load()
                    if loaded is not None:
                        dpia.check(loaded, self.dpia_reference)
                        self._prepare(loaded)
                        previous, self.current, self.refused = self.current, loaded, None
                        log.info("serving model version %s", loaded.version)
                        if self.swapped is not None:
                            replaced = previous is not None
                            del previous  # the old champion's last reference here: the hook may collect it
                            self.swapped(replaced)
            except ChampionRefused as refused:
                self.refused = refused
                log.error("%s; serving %s", refused,
                          f"version {self.current.version}" if self.current else "no model")
            except Exception:  # a registry hiccup must not take the served model down
                log.exception("checking the champion failed; keeping version %s",
                              self.current.version if self.current else None)
        return self.current

    def _prepare(self, champion: Champion) -> None:
        if self.prepare is None:
            return
        try:
            self.prepare(champion)
        except Exception:
            log.exception("preparing model version %s failed; swapping it in all the same", champion.version)

    def _is_new(self, version: str | None) -> bool:
        """A version to load: not the one served, nor the one refused (the deployment's reference is fixed)."""
        if version is None or self.refused is not None:
            return False
        return self.current is None or self.current.version != version

    def start(self, every_seconds: float) -> None:
        def loop():
            while not self._stop.wait(every_seconds):
                self.refresh()

        self._thread = threading.Thread(target=loop, name="champion-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def wait_for(holder: ChampionHolder, version: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if holder.current and holder.current.version == version:
            return True
        time.sleep(0.05)
    return False

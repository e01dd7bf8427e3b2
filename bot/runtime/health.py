"""`muster health`: is the server on this machine (or in this container) working?

`muster serve` keeps a small JSON file (MUSTER_HEALTH_FILE, by default in the temp
folder) saying how it serves. In Socket Mode it rewrites the file every BEAT seconds
with whether the socket is connected; `muster health` then needs a recent beat from a
living process and a connected socket. In HTTP mode the file names the port, and
`muster health` asks the server's own /healthz. Both check the database too.

Beats are stamped with time.monotonic(), which on Linux is one clock for every
process of the machine (and of its containers): no wall clock is read."""

from __future__ import annotations

import http.client
import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bot.runtime.settings import Settings

log = logging.getLogger("muster")
BEAT = 5.0
STALE = 30.0  # a beat older than this: the server is stuck or gone
FILE_NAME = "muster-health.json"


def health_file(settings: Settings) -> Path:
    return Path(settings.muster_health_file or Path(tempfile.gettempdir()) / FILE_NAME)


def _write(path: Path, state: dict[str, Any]) -> None:
    """Replace the file whole, so that a reader never sees half of it (a name of its
    own per thread: the beacon and a socket's open or close may write at once)."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
    partial.write_text(json.dumps(state))
    partial.replace(path)


class Beacon:
    """Rewrites the health file every BEAT seconds from ``connected()``, in a daemon thread."""

    def __init__(self, path: Path, connected: Callable[[], bool]) -> None:
        self.path = path
        self.connected = connected
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="muster-health")

    def start(self) -> Beacon:
        self.beat()
        self._thread.start()
        return self

    def beat(self) -> None:
        state = {
            "mode": "socket",
            "pid": os.getpid(),
            "connected": self.connected(),
            "beat": time.monotonic(),
        }
        try:
            _write(self.path, state)
        except OSError as exc:
            log.warning("cannot write the health file %s: %s", self.path, exc)

    def _run(self) -> None:
        while not self._stop.wait(BEAT):
            self.beat()

    def stop(self) -> None:
        self._stop.set()
        forget(self.path)


def announce_http(path: Path, host: str, port: int) -> None:
    """HTTP mode: say where /healthz answers."""
    if host in ("", "0.0.0.0", "::"):  # noqa: S104 (bound to every address: ask on loopback)
        host = "127.0.0.1"
    try:
        _write(path, {"mode": "http", "pid": os.getpid(), "host": host, "port": port})
    except OSError as exc:
        log.warning("cannot write the health file %s: %s", path, exc)


def forget(path: Path) -> None:
    """Remove the file if this process wrote it."""
    try:
        if json.loads(path.read_text()).get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _alive(pid: object) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def server_state(path: Path) -> tuple[bool, str]:
    """Whether the server that wrote ``path`` is serving, and how it is, in a few words."""
    try:
        state = json.loads(path.read_text())
    except FileNotFoundError:
        return False, f"no server is running here (no {path})"
    except (OSError, ValueError) as exc:
        return False, f"cannot read {path}: {exc.__class__.__name__}"
    if not isinstance(state, dict) or not _alive(state.get("pid")):
        return False, "the server is gone (its process has ended)"
    if state.get("mode") == "http":
        return _http_health(str(state.get("host") or "127.0.0.1"), state.get("port"))
    age = time.monotonic() - float(state.get("beat") or 0)
    if age > STALE:
        return False, f"the server has not reported for {age:.0f} s"
    if not state.get("connected"):
        return False, "the Socket Mode connection is down"
    return True, "the Socket Mode connection is up"


def _http_health(host: str, port: object) -> tuple[bool, str]:
    if not isinstance(port, int):
        return False, "the health file names no port"
    conn = http.client.HTTPConnection(host, port, timeout=5)
    try:
        conn.request("GET", "/healthz")
        status = conn.getresponse().status
    except OSError as exc:
        return False, f"/healthz on port {port} does not answer ({exc.__class__.__name__})"
    finally:
        conn.close()
    if status != 200:
        return False, f"/healthz on port {port} answered {status}"
    return True, f"/healthz on port {port} answers"

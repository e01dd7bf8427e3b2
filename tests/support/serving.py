"""`muster serve` as a real process, watched from outside: its log, its CPU time, how
it stops."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.support.http import SETTING_NAMES


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far (/proc/PID/stat, utime + stime)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_until(test: Callable[[], bool], timeout: float, what: str) -> float:
    """Poll ``test`` until it holds; the seconds it took. Fails after ``timeout``."""
    start = time.monotonic()
    while not test():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(0.02)
    return time.monotonic() - start


@dataclass
class Served:
    process: subprocess.Popen[str]
    log_path: Path
    env: dict[str, str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_log(self, text: str, timeout: float = 60.0) -> None:
        def seen() -> bool:
            if self.process.poll() is not None and text not in self.log():
                raise AssertionError(f"muster serve exited before logging {text!r}:\n{self.log()}")
            return text in self.log()

        wait_until(seen, timeout, f"log line {text!r}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> tuple[int, float]:
        """Send ``sig``; the exit code and the seconds it took to exit."""
        start = time.monotonic()
        self.process.send_signal(sig)
        code = self.process.wait(timeout)
        return code, time.monotonic() - start


def serve_env(env: dict[str, str], *, shifted: bool = False) -> dict[str, str]:
    """The test's settings over a clean environment, without libfaketime unless
    ``shifted``.

    CI runs the suite a second time under libfaketime with the calendar shifted a year.
    libfaketime 0.9.10 shifts the monotonic clock too, and Python's timed lock waits
    (Event.wait(0.5)) then sleep on the real one until the shifted deadline: the Slack
    SDK's Socket Mode threads, and Muster's retries and bounds, would wait a year. These
    processes are about connections, signals and start-up, not dates: they run on the
    real clock; the test around them still runs shifted. An HTTP server is ``shifted``:
    it checks the signatures' timestamps against its clock, and waits on no timed lock
    that matters."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in SETTING_NAMES and (shifted or not k.startswith("FAKETIME"))
    }
    if shifted:
        return clean | env
    preload = [p for p in clean.pop("LD_PRELOAD", "").split() if "faketime" not in p]
    if preload:
        clean["LD_PRELOAD"] = " ".join(preload)
    return clean | env


@contextmanager
def muster_serve(
    env: dict[str, str], log: Path, *args: str, shifted: bool = False
) -> Iterator[Served]:
    """Start `muster serve ARGS` with ``env`` (the test's settings only), its log in
    ``log``; killed at the end if the test has not stopped it. ``shifted``: see serve_env."""
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.runtime.cli", "serve", *args],
            env=serve_env(env, shifted=shifted),
            stdout=output,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            yield Served(process, log, env)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(30)


def muster_command(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", *args],
        env=serve_env(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

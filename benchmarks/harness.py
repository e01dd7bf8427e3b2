"""What the benchmarks share: databases, server processes, signed requests timed
over HTTP, arrival times at the Slack stand-in, percentiles, and the memory of
processes (the serving workers', and a command's peak)."""

from __future__ import annotations

import http.client
import math
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.domain.clock import epoch_seconds
from bot.runtime.standin import Call
from storage.db import upgrade
from tests.support.http import SETTING_NAMES, HttpReply, SlackOverHttp, free_port, get

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-secret"
TOKEN = "xoxb-bench"
WORKERS, THREADS = 2, 16  # `muster serve --http`'s defaults, for Muster and the bare apps alike


# --- numbers ------------------------------------------------------------------------


@dataclass
class Series:
    """Samples of one measurement, in milliseconds."""

    samples: list[float] = field(default_factory=list)

    def add(self, ms: float) -> None:
        if not math.isnan(ms):  # a sample that never completed is counted as an error instead
            self.samples.append(ms)

    @property
    def n(self) -> int:
        return len(self.samples)

    def pct(self, p: float) -> float:
        """Nearest rank: p99 of fewer than 100 samples is their maximum or next to it."""
        if not self.samples:
            return math.nan
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    @property
    def p50(self) -> float:
        return self.pct(50)

    @property
    def p99(self) -> float:
        return self.pct(99)

    @property
    def worst(self) -> float:
        return max(self.samples) if self.samples else math.nan


# --- databases ----------------------------------------------------------------------


@contextmanager
def database(kind: str, folder: Path, admin_url: str | None, name: str) -> Iterator[str]:
    """An empty, migrated database: a SQLite file in ``folder``, or a PostgreSQL
    database created on ``admin_url``'s server and dropped afterwards."""
    if kind == "sqlite":
        url = f"sqlite:///{folder / f'{name}.db'}"
        upgrade(url)
        yield url
        return
    assert admin_url, "no PostgreSQL server"
    db = f"muster_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{db}"'))
    try:
        url = make_url(admin_url).set(database=db).render_as_string(hide_password=False)
        upgrade(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def reply_json(reply: HttpReply) -> dict[str, Any]:
    """The body of a 200 answer as JSON; {} for anything else."""
    if reply.status != 200:
        return {}
    try:
        body = reply.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def postgres_answers(admin_url: str | None) -> bool:
    if not admin_url:
        return False
    try:
        engine = create_engine(admin_url, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:  # any failure means: no PostgreSQL here
        return False


# --- servers ------------------------------------------------------------------------


class Client(SlackOverHttp):
    """Signed requests as Slack sends them, waiting up to ``timeout`` seconds for the
    answer (Slack gives up after 3; a benchmark wants the figure). A request that
    fails in the network comes back as status 599, so it counts as an error."""

    def __init__(self, port: int, response_url: str, timeout: float = 300.0) -> None:
        super().__init__(port, SECRET, response_url)
        self.timeout = timeout

    def post(self, body: str, content_type: str, **_kwargs: Any) -> HttpReply:
        ts = str(epoch_seconds())
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body) or "",
        }
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("POST", "/slack/events", body=body.encode(), headers=headers)
            response = conn.getresponse()
            return HttpReply(response.status, response.read().decode())
        except OSError as exc:
            return HttpReply(599, f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen[bytes]
    http: Client

    def workers(self) -> list[int]:
        """The pids of the gunicorn workers (the children of the master)."""
        pid = self.process.pid
        try:
            return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        except OSError:
            return []


def serve_env(url: str, api_url: str, coordinators: str = "") -> dict[str, str]:
    return {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": api_url,
        "MUSTER_COORDINATORS": coordinators,
    }


def child_env(env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    return clean | {k: v for k, v in env.items() if v} | {"PYTHONPATH": str(ROOT)}


MUSTER = ["-m", "bot.runtime.cli", "serve", "--http"]


def bare(mode: str) -> list[str]:
    return ["-m", "benchmarks.bare", "--mode", mode]


@contextmanager
def server(
    name: str, argv: list[str], env: dict[str, str], response_url: str, log: Path
) -> Iterator[Server]:
    """Start ``python <argv>`` on a free port with WORKERS x THREADS; yield once healthy."""
    port = free_port()
    args = [*argv, "--host", "127.0.0.1", "--port", str(port)]
    args += ["--workers", str(WORKERS), "--threads", str(THREADS)]
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *args], env=child_env(env), cwd=ROOT, stdout=out, stderr=out
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"{name} did not start; see {log}")
                try:
                    if get(port, "/healthz").status == 200 and _all_workers_up(process.pid):
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            yield Server(name, port, process, Client(port, response_url))
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _all_workers_up(pid: int) -> bool:
    try:
        return len(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()) >= WORKERS
    except OSError:
        return True  # no children file on this kernel: trust /healthz


def memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a live process, in MB: its resident memory now, and its peak."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields.get("VmRSS", math.nan), fields.get("VmHWM", math.nan)


def cpu_seconds(pids: list[int]) -> float:
    """CPU time (user + system) the processes have used so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15
    return total / os.sysconf("SC_CLK_TCK")


def wait_idle(
    servers: list[Server], *, busy: float = 0.05, every: float = 0.5, limit: float = 300
) -> None:
    """Wait until the servers' workers use under ``busy`` CPU seconds per ``every``
    seconds: the follow-up work of earlier requests (Home refreshes, posts) is done."""
    pids = [pid for s in servers for pid in s.workers()]
    deadline = time.monotonic() + limit
    used = cpu_seconds(pids)
    while time.monotonic() < deadline:
        time.sleep(every)
        now = cpu_seconds(pids)
        if now - used < busy:
            return
        used = now


# --- timing -------------------------------------------------------------------------


def timed(send: Callable[[], object]) -> float:
    start = time.perf_counter()
    send()
    return (time.perf_counter() - start) * 1000


@dataclass(frozen=True)
class Arrival:
    method: str
    at: float  # perf_counter()
    blocks: int  # how many Block Kit blocks the call carried
    text: str


class Arrivals:
    """When each Web API call reached the stand-in (its ``on_call`` hook)."""

    def __init__(self) -> None:
        self.log: list[Arrival] = []
        self.arrived = threading.Condition()

    def __call__(self, call: Call) -> None:
        blocks = call.args.get("blocks")
        size = len(blocks) if isinstance(blocks, list) else 0
        arrival = Arrival(call.method, time.perf_counter(), size, str(call.args.get("text", "")))
        with self.arrived:
            self.log.append(arrival)
            self.arrived.notify_all()

    def mark(self) -> int:
        with self.arrived:
            return len(self.log)

    def first(self, since: int, methods: tuple[str, ...], timeout: float) -> Arrival | None:
        """The first call to one of ``methods`` after mark ``since``."""

        def found() -> Arrival | None:
            return next((a for a in self.log[since:] if a.method in methods), None)

        with self.arrived:
            self.arrived.wait_for(lambda: found() is not None, timeout=timeout)
            return found()


@dataclass
class CliRun:
    seconds: float
    peak_mb: float
    ok: bool
    stopped: str = ""  # why it was killed: "" (it finished), or the limit it went past

    @property
    def note(self) -> str:
        return f" (stopped: {self.stopped})" if self.stopped else "" if self.ok else " (failed)"


def run_cli(
    args: list[str], env: dict[str, str], log: Path, timeout: float, max_mb: float = 1536
) -> CliRun:
    """Run `muster <args>` and measure its wall time and peak RSS. The peak is the
    process's own high-water mark (VmHWM), polled every 20 ms while it runs: wait4's
    ru_maxrss would not do, since Linux starts a child's at the RSS of the process that
    spawned it (this one, which holds the coalition it built). A run past ``timeout``
    seconds, or past ``max_mb`` of RSS (the machine is shared), is killed and reported."""
    with log.open("ab") as out:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.runtime.cli", *args],
            env=child_env(env),
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
        stopped, peak = "", 0.0
        while True:
            try:
                rss, hwm = memory_mb(process.pid)
            except OSError:  # it has just ended
                rss = hwm = math.nan
            if not math.isnan(hwm):
                peak = max(peak, hwm)
            pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                stopped = f"over {timeout:.0f} s"
            elif rss > max_mb:
                stopped = f"over {max_mb:,.0f} MB"
            if stopped:
                process.kill()
                pid, status, _usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
    return CliRun(seconds, peak, process.returncode == 0, stopped)

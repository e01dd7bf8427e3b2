"""The runtime's small parts on their own: start-up retries with backoff and a signal
that interrupts them, the shutdown steps within the bound, JSON log lines, the noise
the log drops, and what `muster health` reads from the health file."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.runtime.health import Beacon, server_state
from bot.runtime.lifecycle import Stop, Stopped, finish, retry
from bot.runtime.logs import JsonLines, guard


def unreachable(exc: Exception) -> str | None:
    return "refused" if isinstance(exc, ConnectionRefusedError) else None


def test_retry_backs_off_on_a_transient_failure_then_succeeds(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[Exception | str] = [ConnectionRefusedError(), ConnectionRefusedError(), "ok"]

    def attempt() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with caplog.at_level(logging.WARNING, logger="muster"):
        # No real delays: under libfaketime (CI's shifted calendar) a timed wait never wakes.
        result = retry("Slack", attempt, transient=unreachable, stop=Stop(), delays=(0, 0))
    assert result == "ok"
    assert [r.getMessage() for r in caplog.records] == [
        "Slack is unreachable (refused); trying again in 0 s",
        "Slack is unreachable (refused); trying again in 0 s",
    ]


def test_retry_raises_what_is_not_transient_and_stops_on_a_signal() -> None:
    def refused() -> None:
        raise ConnectionRefusedError

    def wrong() -> None:
        raise ValueError("bad token")

    with pytest.raises(ValueError, match="bad token"):
        retry("Slack", wrong, transient=unreachable, stop=Stop())
    stop = Stop()
    stop.event.set()
    with pytest.raises(Stopped):
        retry("Slack", refused, transient=unreachable, stop=stop, delays=(60.0,))


def test_shutdown_steps_share_the_bound_and_report_what_did_not_finish(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stop = Stop(at=time.monotonic())
    given: list[float] = []

    def quick(left: float) -> bool:
        given.append(left)
        return True

    def stuck(left: float) -> bool:
        given.append(left)
        return False

    with caplog.at_level(logging.WARNING, logger="muster"):
        assert finish([("quick", quick), ("stuck", stuck)], stop) is False
    assert all(0 < left <= 8.0 for left in given)
    assert "stopping: stuck did not finish within 8 s" in caplog.text
    assert "quick" not in caplog.text


def test_a_signal_sets_the_stop_and_a_second_one_ends_the_process_at_once(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from bot.runtime.lifecycle import Stop\n"
        "stop = Stop().install()\n"
        "os.kill(os.getpid(), signal.SIGTERM)\n"
        "stop.wait()\n"
        "print(stop.signal_name, round(stop.left()))\n"
        "sys.stdout.flush()\n"
        "os.kill(os.getpid(), signal.SIGINT)\n"
        "print('still here')\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.stdout == "SIGTERM 8\n"
    assert result.returncode == 128 + 2


def test_json_log_lines_carry_time_level_logger_message_and_traceback() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord(
            "muster.test", logging.ERROR, __file__, 1, "failed: %s", ("why",), sys.exc_info()
        )
    line = json.loads(JsonLines().format(record))
    assert (line["level"], line["logger"], line["message"]) == (
        "ERROR",
        "muster.test",
        "failed: why",
    )
    assert line["time"].endswith("+00:00") and "RuntimeError: boom" in line["traceback"]


def test_the_log_drops_bolts_token_warning_and_the_sdks_double_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = guard(logging.getLogger("muster.test.noise"))
    with caplog.at_level(logging.DEBUG, logger="muster.test.noise"):
        log.warning("As you gave `client` as well, `token` will be unused.")
        log.error("on_error invoked (error: ConnectionResetError, message: reset)")
        log.error("Connection to remote host was lost. - goodbye")
        log.warning("a warning that matters")
    assert [r.getMessage() for r in caplog.records] == ["a warning that matters"]


def test_health_reads_the_file_the_server_keeps(tmp_path: Path) -> None:
    path = tmp_path / "health.json"
    assert server_state(path) == (False, f"no server is running here (no {path})")
    connected = False
    beacon = Beacon(path, lambda: connected)
    beacon.beat()
    assert server_state(path) == (False, "the Socket Mode connection is down")
    connected = True
    beacon.beat()
    assert server_state(path) == (True, "the Socket Mode connection is up")
    state = json.loads(path.read_text())
    path.write_text(json.dumps(state | {"beat": time.monotonic() - 60}))
    ok, how = server_state(path)
    assert not ok and how.startswith("the server has not reported for 6")
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    path.write_text(json.dumps(state | {"pid": int(gone.stdout)}))
    assert server_state(path) == (False, "the server is gone (its process has ended)")
    path.write_text(json.dumps(state | {"pid": os.getpid()}))
    beacon.stop()  # removes the file this process wrote
    assert not path.exists()


def test_a_serving_process_switches_threads_often_and_leaves_its_start_out_of_collections() -> None:
    import gc

    from bot.runtime.lifecycle import SWITCH_INTERVAL, keep_out_of_collections, prepare_to_serve

    interval = sys.getswitchinterval()
    try:
        prepare_to_serve()
        assert sys.getswitchinterval() == SWITCH_INTERVAL < interval
        keep_out_of_collections()
        assert gc.get_freeze_count() > 0
    finally:
        sys.setswitchinterval(interval)
        gc.unfreeze()

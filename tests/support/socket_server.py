"""Slack's end of Socket Mode on loopback, written on the standard library so that a
test controls every byte: the handshake, `hello`, envelopes and their
acknowledgements, `disconnect`, and the ways a connection dies — a close frame, the
peer's FIN, an RST, or silence (no reads, no pongs).

The Web API stand-in hands out this server's URL from `apps.connections.open`
(``SlackStandIn.socket_url``), each time with a new ticket, as Slack does."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import socket
import struct
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import count
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455
TEXT, CLOSE, PING, PONG = 0x1, 0x8, 0x9, 0xA


def poll(test: Callable[[], bool], timeout: float) -> bool:
    """Whether ``test`` came true within ``timeout`` seconds. It polls with sleep(): under
    libfaketime (CI's shifted calendar) a timed lock wait would not wake up."""
    deadline = time.monotonic() + timeout
    while not test():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


class Gone(Exception):
    """The client's side of the connection is closed."""


@dataclass
class Connection:
    """One WebSocket connection from the client, after the handshake."""

    sock: socket.socket
    ticket: str
    number: int
    received: list[dict[str, Any]] = field(default_factory=list)  # the client's JSON messages
    pings: int = 0
    client_closed_with: int | None = None  # the status code of the client's close frame
    closed: threading.Event = field(default_factory=threading.Event)
    silent: threading.Event = field(default_factory=threading.Event)
    _changed: threading.Lock = field(default_factory=threading.Lock)
    _send_lock: threading.Lock = field(default_factory=threading.Lock)

    # --- what Slack sends ------------------------------------------------------

    def send(self, message: dict[str, Any]) -> None:
        self._frame(TEXT, json.dumps(message).encode())

    def hello(self) -> None:
        self.send(
            {
                "type": "hello",
                "num_connections": 1,
                "debug_info": {"host": "loopback", "approximate_connection_time": 18060},
                "connection_info": {"app_id": "A0MUSTER"},
            }
        )

    def envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        envelope_id: str | None = None,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Send an envelope as Slack does; returns its id, to wait for its acknowledgement."""
        envelope_id = envelope_id or str(uuid.uuid4())
        self.send(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": retry_reason,
            }
        )
        return envelope_id

    def disconnect(self, reason: str = "refresh_requested") -> None:
        self.send({"type": "disconnect", "reason": reason, "debug_info": {"host": "loopback"}})

    # --- how the connection ends --------------------------------------------------

    def close_frame(self, status: int = 1001) -> None:
        """End the connection properly: a close frame, then the TCP close."""
        with contextlib.suppress(OSError):
            self._frame(CLOSE, struct.pack("!H", status))
        poll(self.closed.is_set, 3)  # the client answers with its own close frame
        self.drop()

    def fin(self) -> None:
        """The peer goes away without a close frame: FIN, then nothing."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.drop()

    def rst(self) -> None:
        """The connection is reset: SO_LINGER 0 makes close() send an RST. The reader's
        recv() holds the socket open: shutting reading down (which sends nothing) wakes
        it, so that the close, and the RST, happen now."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)
        self.drop()

    def go_silent(self) -> None:
        """The network path dies with no FIN and no RST: nothing is read or answered,
        pings included, while the socket stays open."""
        self.silent.set()

    # --- what the client sent ---------------------------------------------------

    def wait_for(
        self, test: Callable[[dict[str, Any]], bool], timeout: float = 30.0
    ) -> dict[str, Any]:
        found: list[dict[str, Any]] = []

        def arrived() -> bool:
            with self._changed:
                found.extend(m for m in self.received if test(m))
            return bool(found) or self.closed.is_set()

        poll(arrived, timeout)
        if not found:
            raise AssertionError(f"no such message from the client on connection {self.number}")
        return found[0]

    def ack(self, envelope_id: str, timeout: float = 30.0) -> dict[str, Any]:
        """The client's acknowledgement of ``envelope_id`` (with its payload, if any)."""
        return self.wait_for(lambda m: m.get("envelope_id") == envelope_id, timeout)

    def acks_of(self, envelope_id: str) -> list[dict[str, Any]]:
        with self._changed:
            return [m for m in self.received if m.get("envelope_id") == envelope_id]

    # --- the wire ---------------------------------------------------------------

    def read_forever(self) -> None:
        try:
            while not self.silent.is_set():
                opcode, data = self._read_frame()
                if self.silent.is_set():
                    break
                if opcode == TEXT:
                    with self._changed:
                        self.received.append(json.loads(data))
                elif opcode == PING:
                    self.pings += 1
                    self._frame(PONG, data)
                elif opcode == CLOSE:
                    self.client_closed_with = struct.unpack("!H", data[:2])[0] if data else None
                    with contextlib.suppress(OSError):
                        self._frame(CLOSE, data[:2])
                    break
        except (Gone, OSError):
            pass
        if self.silent.is_set():
            return  # leave the socket open and unread
        self.drop()

    def _read_frame(self) -> tuple[int, bytes]:
        head = self._exactly(2)
        opcode, length = head[0] & 0x0F, head[1] & 0x7F
        if length == 126:
            length = struct.unpack("!H", self._exactly(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self._exactly(8))[0]
        mask = self._exactly(4) if head[1] & 0x80 else b"\0\0\0\0"
        data = self._exactly(length)
        return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))

    def _exactly(self, n: int) -> bytes:
        chunks = b""
        while len(chunks) < n:
            chunk = self.sock.recv(n - len(chunks))
            if not chunk:
                raise Gone
            chunks += chunk
        return chunks

    def _frame(self, opcode: int, data: bytes) -> None:
        head = bytes([0x80 | opcode])
        if len(data) < 126:
            head += bytes([len(data)])
        elif len(data) < 65536:
            head += bytes([126]) + struct.pack("!H", len(data))
        else:
            head += bytes([127]) + struct.pack("!Q", len(data))
        with self._send_lock:
            self.sock.sendall(head + data)

    def drop(self) -> None:
        self.closed.set()
        with contextlib.suppress(OSError):
            self.sock.close()


@dataclass
class SocketModeServer:
    """Run with ``with SocketModeServer() as server``; hand ``server.new_url`` to the
    Web API stand-in. ``hello=False`` leaves the greeting to the test."""

    hello: bool = True
    connections: list[Connection] = field(default_factory=list)
    _tickets: count[int] = field(default_factory=lambda: count(1))
    _changed: threading.Lock = field(default_factory=threading.Lock)
    _listener: socket.socket | None = None

    def __enter__(self) -> SocketModeServer:
        self._listener = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._accept, daemon=True, name="socket-mode-server").start()
        return self

    def __exit__(self, *_exc: object) -> None:
        if self._listener is not None:
            self._listener.close()
        for connection in list(self.connections):
            connection.silent.clear()
            connection.drop()

    @property
    def port(self) -> int:
        assert self._listener is not None
        return int(self._listener.getsockname()[1])

    def new_url(self) -> str:
        """What `apps.connections.open` answers: a URL with a ticket of its own."""
        return f"ws://127.0.0.1:{self.port}/link/?ticket=t{next(self._tickets)}&app_id=A0MUSTER"

    def wait_connection(self, number: int, timeout: float = 30.0) -> Connection:
        """The ``number``-th connection (1-based), once its handshake is done."""
        if not poll(lambda: len(self.connections) >= number, timeout):
            raise AssertionError(
                f"connection {number} did not come within {timeout} s "
                f"({len(self.connections)} so far)"
            )
        with self._changed:
            return self.connections[number - 1]

    @property
    def latest(self) -> Connection:
        with self._changed:
            return self.connections[-1]

    def _accept(self) -> None:
        assert self._listener is not None
        while True:
            try:
                sock, _address = self._listener.accept()
            except OSError:
                return  # the listener was closed
            threading.Thread(target=self._serve, args=(sock,), daemon=True).start()

    def _serve(self, sock: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = sock.recv(4096)
                if not chunk:
                    sock.close()
                    return
                request += chunk
            lines = request.decode("latin-1").split("\r\n")
            path = lines[0].split(" ")[1]
            headers = {
                k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines[1:] if h)
            }
            key = headers["sec-websocket-key"]
            accept = base64.b64encode(
                hashlib.sha1((key + GUID).encode(), usedforsecurity=False).digest()
            ).decode()
            sock.sendall(
                (
                    "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                    f"Connection: Upgrade\r\nSec-WebSocket-Accept: {accept}\r\n\r\n"
                ).encode()
            )
        except (OSError, KeyError, IndexError, ValueError):
            sock.close()
            return
        with self._changed:
            connection = Connection(
                sock, ticket=path.partition("ticket=")[2], number=len(self.connections) + 1
            )
            self.connections.append(connection)
        if self.hello:
            try:
                connection.hello()
            except OSError:
                return
        connection.read_forever()

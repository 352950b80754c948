"""Shared parts of the hostile-input corpus: where its files are, and a listener that must hear nothing."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

HOSTILE = Path(__file__).parent
SMALL = HOSTILE.parent / "data" / "validation" / "valid.ttl"
"""A small dataset that conforms to the shapes."""


class Listener:
    """A TCP listener on a free loopback port that records every connection and its first bytes."""

    def __init__(self) -> None:
        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port = int(self._socket.getsockname()[1])
        self.heard: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="hostile-listener", daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(1)
                try:
                    self.heard.append(connection.recv(200) or b"(connected)")
                except OSError:
                    self.heard.append(b"(connected)")

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._socket.close()

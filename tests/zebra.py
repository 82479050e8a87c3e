"""A stand-in Zebra printer for the tests: a real TCP server on 127.0.0.1 in a thread that
records the bytes of each connection, as a printer's raw port 9100 takes ZPL; and the QR text
of the labels in a ZPL stream."""

from __future__ import annotations

import queue
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

QR_FIELD = re.compile(rb"\^BQN,2,\d+,M\^FDMA,([^^]+)\^FS")


class Listener:
    """Accepts connections one by one; `received()` waits (bounded) for the next one's bytes."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._server.getsockname()[1]
        self._connections: queue.Queue[bytes] = queue.Queue()
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            conn, _ = self._server.accept()
            if self._stopping:
                conn.close()
                return
            with conn:
                chunks = []
                while data := conn.recv(65536):
                    chunks.append(data)
            self._connections.put(b"".join(chunks))

    def received(self, timeout: float = 10.0) -> bytes:
        """The bytes of the next connection, once the sender closed it."""
        return self._connections.get(timeout=timeout)

    def idle(self) -> bool:
        """No connection's bytes are waiting to be read."""
        return self._connections.empty()

    def close(self) -> None:
        self._stopping = True
        socket.create_connection(("127.0.0.1", self.port), timeout=5).close()  # wakes accept
        self._thread.join(timeout=10)
        self._server.close()


@contextmanager
def listening() -> Iterator[Listener]:
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def qr_texts(zpl: bytes) -> list[str]:
    """The QR text of every label in a ZPL stream, in order."""
    return [m.decode("ascii") for m in QR_FIELD.findall(zpl)]

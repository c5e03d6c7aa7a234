"""What the launcher and the pre-started process say to each other over the Unix socket.

Every message is a kind byte and a signed 32-bit number. The request alone is followed by that
many bytes of JSON and carries the launcher's standard streams as SCM_RIGHTS. Standard library
only: the launcher imports this module, and its whole point is to start fast.
"""
from __future__ import annotations

import json
import os
import socket
import struct

# Where a worker's launchers find its pre-started process. Read from the environment by the
# launcher itself rather than through core.settings: importing pydantic would cost the launcher
# more than the whole handover.
SOCKET_VARIABLE = "REFORM_PRESTART_SOCKET"

REQUEST = b"Q"  # launcher → child: the run's environment, argv, working directory, umask
READY = b"R"  # child → launcher: the child's pid; it has taken the request and waits for GO
GO = b"G"  # launcher → child: run it; from now on the launcher never falls back
SIGNAL = b"K"  # launcher → child: deliver this signal to the run
STATUS = b"X"  # pre-started process → launcher: the run has ended with this return code
#                (negative: killed by that signal, as subprocess reports it)

STREAMS = (0, 1, 2)
_FRAME = struct.Struct("!ci")


class Closed(ConnectionError):
    """The other side closed the connection."""


def send(conn: socket.socket, kind: bytes, number: int = 0) -> None:
    conn.sendall(_FRAME.pack(kind, number))


def receive(conn: socket.socket) -> tuple[bytes, int]:
    return _FRAME.unpack(_receive_exactly(conn, _FRAME.size))


def send_request(conn: socket.socket, request: dict, fds: list[int]) -> None:
    # ensure_ascii keeps undecodable bytes of the environment (surrogate escapes) intact.
    body = json.dumps(request, ensure_ascii=True).encode("ascii")
    socket.send_fds(conn, [_FRAME.pack(REQUEST, len(body))], fds)
    conn.sendall(body)


def receive_request(conn: socket.socket) -> tuple[dict, list[int]]:
    head, fds, _flags, _address = socket.recv_fds(conn, _FRAME.size, len(STREAMS))
    if not head:
        raise Closed("the launcher closed the connection before its request")
    head += _receive_exactly(conn, _FRAME.size - len(head))
    kind, length = _FRAME.unpack(head)
    if kind != REQUEST:
        raise ConnectionError(f"expected a request, got {kind!r}")
    return json.loads(_receive_exactly(conn, length)), fds


def _receive_exactly(conn: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise Closed("connection closed")
        data += chunk
    return data


def is_open(fd: int) -> bool:
    """Whether this process has file descriptor ``fd`` open: a standard stream may be closed."""
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True

"""Serve Prefect's API on a listening TCP socket inherited from the process that bound it.

    python -m core.serve_on_socket FD

uvicorn's own ``--fd`` wraps any inherited socket as a Unix socket, so asyncio does not set
TCP_NODELAY on the connections it accepts. Nagle's algorithm then holds each response's body
until the client acknowledges its headers, and the client delays that acknowledgement by up to
40 ms: most of the wall time of a flow run on an otherwise idle server. Wrapped here with the
family the kernel reports, the accepted connections are TCP and get TCP_NODELAY as usual.

Every transaction the server opens on its SQLite file takes the write lock at its start. Prefect
opens most of them DEFERRED: one that reads first (creating a flow run looks up its labels) and
then writes, while the task run recorder has written in between, fails at once with "database is
locked"; the client then backs off for two seconds and more. Taken at the start, the lock is
waited for under SQLite's busy timeout instead, for the few milliseconds the other writer holds it.
"""
from __future__ import annotations

import socket
import sys

import uvicorn
from prefect.server.database.configurations import AioSqliteConfiguration


def begin_every_transaction_immediately() -> None:
    deferred_or_not = AioSqliteConfiguration.begin_transaction

    def begin_immediately(self, session, with_for_update: bool = False):
        return deferred_or_not(self, session, with_for_update=True)

    AioSqliteConfiguration.begin_transaction = begin_immediately


def main(argv: list[str]) -> None:
    begin_every_transaction_immediately()
    listening = socket.socket(fileno=int(argv[0]))  # family and type read from the descriptor
    config = uvicorn.Config("prefect.server.api.server:create_app", factory=True, log_level="error",
                            lifespan="on")
    uvicorn.Server(config).run(sockets=[listening])


if __name__ == "__main__":
    main(sys.argv[1:])

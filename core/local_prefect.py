"""Running Prefect embedded: a temporary local server, no network, nothing reported home, and
nothing left running when the command ends, however it ends.

Prefect starts its own temporary server as a child process and stops it at exit, but a command
killed by a signal never gets to its exit hook, and each one killed left a server behind. So the
demo starts the temporary server itself: in its own process group (a Ctrl-C meant for
the command reaches the command, which stops the group), under core.die_with_parent (the kernel
kills it if the command is killed outright), with handlers for SIGTERM, SIGINT and SIGHUP.
"""
from __future__ import annotations

import atexit
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import certifi

# The temporary server logs "database is locked" retries and shutdown tracebacks under load:
# noise to a coordinator, so only its errors that matter reach the terminal.
NOISY_LOGGERS = ("prefect.server", "prefect._internal", "uvicorn", "uvicorn.error", "docket", "alembic")
STOPPING_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
_server: subprocess.Popen | None = None
_launched: LaunchedServer | None = None


def use_embedded_prefect(home: Path) -> None:
    """Point Prefect at its own home beside the registry. Call before prefect is imported."""
    home.mkdir(parents=True, exist_ok=True)
    os.environ["PREFECT_HOME"] = str(home.resolve())
    os.environ.pop("PREFECT_API_URL", None)
    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    os.environ["DO_NOT_TRACK"] = "1"
    os.environ["PREFECT_LOGGING_LEVEL"] = "WARNING"
    os.environ["PREFECT_SERVER_LOGGING_LEVEL"] = "ERROR"
    # Every flow run's client would first ask this server for a CSRF token it never issues (a 422).
    os.environ["PREFECT_CLIENT_CSRF_SUPPORT_ENABLED"] = "false"
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL)


class LaunchedServer:
    """A temporary server that is starting: its URL is known at once, and it answers after `wait`."""

    def __init__(self, server: subprocess.Popen, url: str, log: Path) -> None:
        self.server, self.url, self.log = server, url, log

    def use(self) -> None:
        """Point this process's Prefect client at the server.

        The API is plain HTTP on loopback, yet Prefect's client builds a TLS context for each flow
        run's client from the whole CA bundle, about 15 ms each time: hundreds of flow runs in the
        demo. One certificate from that same bundle serves, since no TLS connection is ever made.
        """
        os.environ["PREFECT_API_URL"] = self.url
        os.environ["PREFECT_API_SSL_CERT_FILE"] = str(_one_certificate(self.log.parent))

    def wait(self) -> str:
        timeout = float(os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120"))
        if not _wait_until_healthy(self.server, self.url, timeout):
            stop_temporary_server()
            raise RuntimeError(f"Prefect's temporary server did not answer within {timeout:g} s; see {self.log}")
        return self.url


def launch_temporary_server(home: Path) -> LaunchedServer:
    """Start the server without waiting for it: a caller can load its own data while it boots.

    Launched once per process: a second call returns the running server. The listening socket is
    bound here and handed to uvicorn, so the port cannot be taken between choosing and binding it.
    """
    global _server, _launched
    if _server is not None and _server.poll() is None and _launched is not None:
        return _launched
    log = home / "temporary-server.log"
    with socket.socket() as listening, log.open("ab") as output:
        listening.bind(("127.0.0.1", 0))
        listening.listen(128)
        port = listening.getsockname()[1]
        _server = subprocess.Popen(
            [sys.executable, "-m", "core.die_with_parent", str(os.getpid()),
             sys.executable, "-m", "core.serve_on_socket", str(listening.fileno())],
            # As Prefect runs its own temporary server: no UI, no background services.
            env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                 "PREFECT__SERVER_FINAL": "1"},
            stdin=subprocess.DEVNULL, stdout=output, stderr=output, pass_fds=(listening.fileno(),),
            start_new_session=True,
        )
    _stop_with_this_process()
    _launched = LaunchedServer(_server, f"http://127.0.0.1:{port}/api", log)
    return _launched


def _one_certificate(home: Path) -> Path:
    bundle = Path(certifi.where()).read_text(encoding="ascii")
    end = "-----END CERTIFICATE-----"
    path = home / "loopback-ca.pem"
    path.write_text(bundle[:bundle.index(end) + len(end)] + "\n", encoding="ascii")
    return path


def stop_temporary_server() -> None:
    """Stop the temporary server and anything it started: its whole process group."""
    global _server
    server, _server = _server, None
    if server is None or server.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(server.pid, sig)
        except ProcessLookupError:
            return
        try:
            server.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _stop_with_this_process() -> None:
    atexit.register(stop_temporary_server)
    for sig in STOPPING_SIGNALS:
        if signal.getsignal(sig) is not _on_stopping_signal:
            try:
                signal.signal(sig, _on_stopping_signal)
            except ValueError:
                return  # not the main thread: the exit hook and the kernel's watch remain


def _on_stopping_signal(signum, _frame) -> None:
    stop_temporary_server()
    # Then end as the signal would have ended the command, so its caller sees why it stopped.
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _wait_until_healthy(server: subprocess.Popen, url: str, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    return False

"""Run a command against a live MongoDB-protocol server: `python tools/with_mongodb.py -- CMD ...`.

With MONGODB_URI set, that server must answer (a clear error and exit 2 otherwise: never a skip).
Without it, a throw-away SecantusDB server (`secantusd-py`, installed in its own virtualenv by
`make test`, see requirements-testserver.txt) is started on a free loopback port with temporary
storage, and MONGODB_URI is set for the command, naming the replica set it announces so the driver
runs transactions. The server is stopped when the command ends, fails or is interrupted, and the
command's exit code is ours.

SecantusDB is GPL-2.0: it only ever runs here as a separate server process; nothing imports it.
Standard library and pymongo only; run it with the project's virtualenv.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pymongo import MongoClient
from pymongo.errors import PyMongoError
from pymongo.uri_parser import parse_uri

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = ROOT / ".venv-secantus" / "bin" / "secantusd-py"
DEFAULT_DATABASE = "ecommerce_analytics_test"


class LaunchError(Exception):
    """Why no server is there for the command; printed, and the launcher exits 2."""


def _say(message: str) -> None:
    print(f"with_mongodb: {message}", file=sys.stderr, flush=True)


def describe(uri: str, timeout_s: float) -> str:
    """One line naming the server at `uri`, or LaunchError when it does not answer `hello`."""
    client = MongoClient(uri, serverSelectionTimeoutMS=int(timeout_s * 1000), connectTimeoutMS=2000)
    try:
        hello = client.admin.command("hello")
        build = client.admin.command("buildInfo")
    except PyMongoError as exc:
        raise LaunchError(f"no MongoDB server answers at MONGODB_URI={uri}: {exc}") from exc
    finally:
        client.close()
    product = f"SecantusDB {build['secantusVersion']}, " if "secantusVersion" in build else ""
    topology = f"replica set {hello['setName']!r}" if hello.get("setName") else (
        "sharded cluster (mongos)" if hello.get("msg") == "isdbgrid" else "standalone (no transactions)"
    )
    return f"{product}MongoDB server version {build.get('version', '?')}, {topology}"


def _die_with_parent() -> None:
    """In the server's process, before exec: Linux sends it SIGTERM if the launcher dies (even by SIGKILL)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the finally block is the only guard


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A secantusd-py process on a free loopback port, with its storage in a temporary folder."""

    def __init__(self, executable: Path, start_timeout_s: float):
        self.executable = executable
        self.start_timeout_s = start_timeout_s
        self.workdir = Path(tempfile.mkdtemp(prefix="with-mongodb-"))
        self.log_path = self.workdir / "server.log"
        self.process: subprocess.Popen | None = None
        self.port = 0

    def start(self) -> str:
        if not self.executable.exists():
            raise LaunchError(
                f"{self.executable} is missing: run `make test` (it installs the test server's "
                f"virtualenv from requirements-testserver.txt) or set MONGODB_URI to a server"
            )
        # An empty config file: secantusd-py would otherwise pick up ./secantusd.toml or ~/.secantus/.
        config = self.workdir / "secantusd.toml"
        config.write_text("")
        self.port = _free_port()
        command = [
            str(self.executable), "--config", str(config), "--host", "127.0.0.1", "--port", str(self.port),
            "--storage-path", str(self.workdir / "data"), "--log-level", "WARNING",
        ]
        with open(self.log_path, "wb") as log:
            # Its own process group: a Ctrl-C in the terminal reaches the command, and we stop the
            # server ourselves once the command has finished with it.
            self.process = subprocess.Popen(
                command, cwd=self.workdir, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True, preexec_fn=_die_with_parent,
            )
        uri = f"mongodb://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + self.start_timeout_s
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LaunchError(f"secantusd-py exited with code {self.process.returncode} before it "
                                  f"answered on port {self.port}:\n{self._log_tail()}")
            client = MongoClient(uri, directConnection=True, serverSelectionTimeoutMS=500,
                                 connectTimeoutMS=500)
            try:
                hello = client.admin.command("hello")
                break
            except PyMongoError as exc:
                last_error = exc
            finally:
                client.close()
            time.sleep(0.2)
        else:
            raise LaunchError(f"secantusd-py did not answer `hello` on 127.0.0.1:{self.port} within "
                              f"{self.start_timeout_s:.0f} s ({last_error}):\n{self._log_tail()}")
        query = f"replicaSet={hello['setName']}" if hello.get("setName") else "directConnection=true"
        return f"mongodb://127.0.0.1:{self.port}/{DEFAULT_DATABASE}?{query}"

    def _log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                _say(f"secantusd-py (pid {self.process.pid}) did not stop within 20 s: killing it")
                self.process.kill()
                self.process.wait()
        if self.process is not None and self.process.returncode not in (0, -signal.SIGTERM):
            _say(f"secantusd-py ended with code {self.process.returncode}; last lines of its log:\n"
                 f"{self._log_tail()}")
        shutil.rmtree(self.workdir, ignore_errors=True)


def run(command: list[str], uri: str) -> int:
    """Run `command` with MONGODB_URI=uri; SIGTERM is passed on to it. Its exit code (128+N on signal N)."""
    child = subprocess.Popen(command, env={**os.environ, "MONGODB_URI": uri})

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                # The terminal sent SIGINT to the command too; wait for it to finish its teardown.
                continue
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 128 - code if code < 0 else code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     usage="%(prog)s [options] -- COMMAND [ARG ...]")
    parser.add_argument("--server", type=Path, default=Path(os.environ.get("SECANTUSD", DEFAULT_SERVER)),
                        help="secantusd-py to start when MONGODB_URI is unset (default: %(default)s)")
    parser.add_argument("--start-timeout", type=float, default=60.0,
                        help="seconds to wait for the server to answer (default: %(default)s)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given (put it after --)")

    def terminated(signum, _frame):
        raise SystemExit(128 + signum)  # runs the finally block below, which stops the server

    signal.signal(signal.SIGTERM, terminated)
    uri = os.environ.get("MONGODB_URI", "").strip()
    server = None
    try:
        if uri:
            try:
                parse_uri(uri)
            except Exception as exc:
                raise LaunchError(f"MONGODB_URI={uri} is not a valid MongoDB URI: {exc}") from exc
            where = "the server at MONGODB_URI"
        else:
            server = Server(args.server, args.start_timeout)
            uri = server.start()
            where = f"a throw-away secantusd-py on 127.0.0.1:{server.port}"
        print(f"MongoDB pass on {where}: {describe(uri, args.start_timeout)} ({uri})", flush=True)
        return run(command, uri)
    except LaunchError as exc:
        _say(f"error: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    sys.exit(main())

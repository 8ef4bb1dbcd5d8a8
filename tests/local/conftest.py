"""Starts the whole local stack (`python -m local`) on free ports, as `make run` does, and
stops it with Ctrl-C (SIGINT) afterwards, checking that it exits cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from local import template as cfn

pytestmark = pytest.mark.local_runtime


def free_port() -> int:
    """A port free a moment ago. Another process (another pytest worker, or any outgoing
    connection) can take it before the runtime binds it, so ``start_portal`` tries again on
    new ports when the runtime finds its port taken."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PortTakenError(RuntimeError):
    """The runtime's port was taken between ``free_port`` and the runtime binding it."""


STARTS = 5  # attempts, each on new ports


@dataclass
class RunningPortal:
    url: str
    emulator_url: str
    process: subprocess.Popen[str]
    output: list[str]

    def mail(self) -> list[dict[str, Any]]:
        """Every email the development mailbox holds, newest first."""
        return list(requests.get(f"{self.url}/_dev/mail.json", timeout=10).json())

    def mail_count(self) -> int:
        return len(self.mail())

    def settled_mail(self, quiet: float = 0.8, *, timeout: float = 30) -> list[dict[str, Any]]:
        """The mailbox once earlier emails have all arrived: none new for ``quiet`` seconds
        (other tests share this runtime, and the stream delivers their emails a moment later).
        Before a check that no email came, this waits for the stream rather than for a fixed
        time: at least ``quiet`` seconds, and longer while emails are still arriving."""
        mail, steady_since = self.mail(), time.monotonic()
        deadline = steady_since + timeout
        while time.monotonic() - steady_since < quiet:
            assert time.monotonic() < deadline, f"the mailbox never settled ({len(mail)} emails)"
            time.sleep(0.1)
            now = self.mail()
            if len(now) != len(mail):
                mail, steady_since = now, time.monotonic()
        return mail

    def settled_mail_count(self, quiet: float = 0.8) -> int:
        return len(self.settled_mail(quiet))

    def wait_for_mail(self, count: int) -> None:
        deadline = time.monotonic() + 15
        while self.mail_count() < count and time.monotonic() < deadline:
            time.sleep(0.1)
        assert self.mail_count() >= count, f"expected {count} email(s) in the mailbox"

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=20)


def start_portal(*, demo_data: bool = True) -> RunningPortal:
    for attempt in range(1, STARTS + 1):
        try:
            return _start_portal(port=free_port(), demo_data=demo_data)
        except PortTakenError:
            if attempt == STARTS:
                raise
    raise AssertionError("unreachable")


def _start_portal(*, port: int, demo_data: bool) -> RunningPortal:
    environment = {
        **os.environ,
        "PORT": str(port),
        # The emulator binds port 0 itself and the banner names the port it got: nothing to race.
        "EMULATOR_PORT": "0",
        "DEMO_DATA": "1" if demo_data else "0",
        "PYTHONUNBUFFERED": "1",
    }
    environment.pop("AWS_ENDPOINT_URL", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "local"],
        cwd=cfn.ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    output: list[str] = []
    ready = threading.Event()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)
            if line.startswith("READY "):
                ready.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    deadline = time.monotonic() + 60
    while not ready.wait(timeout=0.2):
        if process.poll() is not None or time.monotonic() > deadline:
            break
    if not ready.is_set():
        process.kill()
        process.wait(timeout=20)
        reader.join(timeout=5)  # the rest of what it printed
        if any("Address already in use" in line for line in output):
            raise PortTakenError(f"port {port} was taken before the runtime bound it")
        raise RuntimeError("the local runtime did not start:\n" + "".join(output))
    url = next(line.split()[1] for line in output if line.startswith("READY "))
    emulator = next(re.search(r"http://127\.0\.0\.1:\d+", line).group(0) for line in output if "AWS emulator" in line)  # type: ignore[union-attr]
    return RunningPortal(url=url, emulator_url=emulator, process=process, output=output)


@pytest.fixture(scope="session")
def portal() -> Iterator[RunningPortal]:
    running = start_portal()
    yield running
    assert running.stop() == 0, "".join(running.output)

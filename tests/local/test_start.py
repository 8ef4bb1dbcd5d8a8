"""The fixture that starts the local runtime: a port taken between choosing it and binding it
(another worker, any outgoing connection) means another try on new ports, not a failed run."""

from __future__ import annotations

import socket

import pytest

from tests.local import conftest

pytestmark = pytest.mark.local_runtime


def test_a_port_taken_before_the_runtime_binds_it_is_tried_again_on_another(monkeypatch):
    # Given the port the fixture chose is taken before the runtime can bind it
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        chosen = iter([port])
        real = conftest.free_port
        monkeypatch.setattr(conftest, "free_port", lambda: next(chosen, None) or real())
        # When the runtime is started
        running = conftest.start_portal(demo_data=False)
        try:
            # Then it runs on another port, and the emulator on the one it bound itself
            assert running.url != f"http://127.0.0.1:{port}"
            assert running.url.startswith("http://127.0.0.1:")
            assert running.emulator_url != f"http://127.0.0.1:{port}"
        finally:
            assert running.stop() == 0, "".join(running.output)

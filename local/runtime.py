"""Starts and stops the whole local stack: emulator, resources, functions, gateway, stream."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any

from local import demo_data, gateway, streams, totp
from local import emulator as emulator_fixes
from local.faults import FaultyMotoServer
from local.functions import FunctionHost
from local.stack import provision

REGION = "us-east-1"


@dataclass
class Runtime:
    port: int = 3000
    emulator_port: int = 0
    demo_data: bool = True
    retry_delay: float = 0.5
    # Off for a benchmark that hands the stream functions their records itself.
    streams: bool = True
    _stops: list[Any] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        # The emulator accepts any credentials; real ones must never be used by accident.
        os.environ.update(
            AWS_ACCESS_KEY_ID="local",
            AWS_SECRET_ACCESS_KEY="local",  # noqa: S106 - the emulator's placeholder
            AWS_DEFAULT_REGION=REGION,
        )
        os.environ.update(totp.ENV)  # moto checks authenticator-app codes only with this
        os.environ.pop("AWS_PROFILE", None)
        os.environ.pop("AWS_SESSION_TOKEN", None)
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the emulator's request lines
        emulator_fixes.apply()
        # Tests plan AWS's errors there (local.faults); nothing fails unless one does.
        emulator = FaultyMotoServer(ip_address="127.0.0.1", port=self.emulator_port, verbose=False)
        emulator.start()
        self._stops.append(emulator)
        _, emulator_port = emulator.get_host_and_port()
        self.emulator_port = emulator_port
        emulator_url = f"http://127.0.0.1:{emulator_port}"
        os.environ["AWS_ENDPOINT_URL"] = emulator_url

        self.stack = provision(region=REGION, public_url=self.url)
        functions = FunctionHost(self.stack)
        self._stops.append(functions)
        if self.demo_data:
            demo_data.seed(
                table_name=self.stack.ref("PortalTable"),
                staff_pool_id=self.stack.ref("StaffUserPool"),
                patient_pool_id=self.stack.ref("PatientUserPool"),
            )
        functions.wait_ready()
        server, _ = gateway.serve(gateway.Gateway(self.stack, functions, emulator_url), self.port)
        self.port = server.server_address[1]
        self._stops.append(server)
        if not self.streams:
            return
        for mapping in streams.stream_mappings(self.stack, functions, retry_delay=self.retry_delay):
            mapping.start()
            self._stops.append(mapping)

    def stop(self) -> None:
        for part in self._stops:  # every poller winds down at once, not one after another
            if hasattr(part, "stop_soon"):
                part.stop_soon()
        for part in reversed(self._stops):
            if hasattr(part, "shutdown"):
                part.shutdown()
                part.server_close()
            else:
                part.stop()
        self._stops.clear()

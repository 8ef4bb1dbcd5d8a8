"""Fixtures shared by every suite: fake AWS credentials, and counting AWS calls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from patientportal import aws

# The least-privilege check's figures and verdict, gathered where the run is reported (the
# xdist controller loads no conftest below this one).
pytest_plugins = ("tests.least_privilege",)


@pytest.fixture(autouse=True)
def no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test can reach a real AWS account, whatever the machine's configuration."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)


@dataclass
class AwsCalls:
    """AWS calls made through the layer's clients, seen through botocore's event hooks."""

    calls: list[tuple[str, str]] = field(default_factory=list)
    items_read: Counter[str] = field(default_factory=Counter)
    # Each call's parameters as the layer passed them, and the attribute names each item read held.
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    attributes_read: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    # What each Query or Scan read (DynamoDB's ScannedCount), in the order they were made.
    scanned: list[int] = field(default_factory=list)

    def parameters(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        self.requests.append((model.name, dict(params)))

    def before(self, model: Any, **_: Any) -> None:
        self.calls.append((model.service_model.service_name, model.name))

    def after(self, model: Any, parsed: dict[str, Any], **_: Any) -> None:
        if model.name in {"Query", "Scan"}:
            self.scanned.append(int(parsed.get("ScannedCount", 0)))
            self.items_read[model.name] += len(parsed.get("Items", []))
            self.attributes_read += [(model.name, frozenset(item)) for item in parsed.get("Items", [])]
        elif model.name == "GetItem":
            self.items_read[model.name] += 1 if parsed.get("Item") else 0

    def operations(self) -> Counter[str]:
        return Counter(operation for _, operation in self.calls)

    def parameters_of(self, operation: str) -> list[dict[str, Any]]:
        return [params for name, params in self.requests if name == operation]

    def reset(self) -> None:
        self.calls.clear()
        self.items_read.clear()
        self.requests.clear()
        self.attributes_read.clear()
        self.scanned.clear()

    def attach(self, clients: list[Any]) -> None:
        for client in clients:
            client.meta.events.register("before-parameter-build.*.*", self.parameters)
            client.meta.events.register("before-call.*.*", self.before)
            client.meta.events.register("after-call.*.*", self.after)

    def detach(self, clients: list[Any]) -> None:
        for client in clients:
            client.meta.events.unregister("before-parameter-build.*.*", self.parameters)
            client.meta.events.unregister("before-call.*.*", self.before)
            client.meta.events.unregister("after-call.*.*", self.after)


@pytest.fixture
def aws_calls() -> Iterator[AwsCalls]:
    """Counts every call the layer's clients make from here on (they are made first, so
    each one is hooked)."""
    counter = AwsCalls()
    clients = [aws.dynamodb(), aws.cognito(), aws.sesv2(), aws.eventbridge()]
    counter.attach(clients)
    yield counter
    counter.detach(clients)

"""Lambda SnapStart's runtime hooks: what a function's first request would build, built once
before Lambda takes the snapshot (docs/performance.md "SnapStart and provisioned concurrency").

Without SnapStart the portal builds its AWS clients and validators on first use, so an
import stays short (docs/performance.md "Cold requests"). With it, a cold container is a
restored snapshot of a finished init: work done before the snapshot costs a patient
nothing, so the hook does the first request's work there instead, without making one:

- the function's settings, read from its environment, and its AWS clients, through
  ``patientportal.aws`` (both land in their caches);
- the validators of every route of the function's resolver (Powertools builds each route's
  parameter, body and answer validators on the route's first request);
- every model the function's modules define (``defer_build``), whichever route uses it.

No call is made and so no connection is opened: nothing in the snapshot is stale when it
is restored, days later, in many containers at once. Credentials are not a concern either:
under SnapStart botocore takes the role's credentials from Lambda's container endpoint and
refreshes them when they expire. After a restore, ``random`` is seeded again, so restored
containers do not share the snapshot's sequence (botocore's retry jitter draws from it;
identifiers and link tokens come from the operating system's generator, ``uuid4`` and
``secrets``, which a snapshot does not repeat).

Each function registers the hooks with one line, ``priming.before_snapshot(...)``, and they
are registered only while Lambda initialises the function for a snapshot
(``AWS_LAMBDA_INITIALIZATION_TYPE`` is ``snap-start``): otherwise nothing is imported or
made, and the function starts exactly as without this module. ``snapshot_restore_py`` is
part of Lambda's Python runtimes and is not shipped in the layer (a second copy on the path
could be the one the hooks land in while the runtime reads its own); requirements/dev.txt
pins it for the tests.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from patientportal import aws
from patientportal.models.common import Model
from patientportal.observability import logger
from patientportal.settings import get_settings

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver

# What Lambda sets while it initialises a function version for its snapshot ("on-demand" and
# "provisioned-concurrency" otherwise).
INITIALIZATION_TYPE = "AWS_LAMBDA_INITIALIZATION_TYPE"
SNAPSHOT_INITIALIZATION = "snap-start"

# The clients patientportal.aws makes, by the service name it gives botocore.
CLIENTS: dict[str, Callable[[], Any]] = {
    "dynamodb": aws.dynamodb,
    "cognito-idp": aws.cognito,
    "sesv2": aws.sesv2,
    "ses": aws.ses,
    "events": aws.eventbridge,
}


def initialising_for_snapshot() -> bool:
    return os.environ.get(INITIALIZATION_TYPE) == SNAPSHOT_INITIALIZATION


def before_snapshot(*, services: Iterable[str], resolver: ApiGatewayResolver | None = None) -> bool:
    """Registers the hooks when Lambda initialises this function for a snapshot, and says
    whether it did. ``services``: the clients the function's requests use; ``resolver``: its
    API resolver, once every route is declared (the line goes after the last route)."""
    if not initialising_for_snapshot():
        return False
    names = tuple(services)
    unknown = sorted(set(names) - set(CLIENTS))
    if unknown:
        raise ValueError(f"patientportal.aws makes no client for {', '.join(unknown)}")
    # The runtime's own module, imported only here: without SnapStart it is never loaded.
    from snapshot_restore_py import register_after_restore, register_before_snapshot  # noqa: PLC0415

    register_before_snapshot(prime, names, resolver)
    register_after_restore(after_restore)
    return True


def prime(services: Iterable[str], resolver: ApiGatewayResolver | None = None) -> None:
    """The before-snapshot hook: settings and clients, then route validators, then the
    remaining models."""
    get_settings()
    for name in services:
        CLIENTS[name]()
    if resolver is not None:
        build_routes(resolver)
    unbuilt = build_models()
    if unbuilt:  # each still builds on its first use, as without SnapStart
        logger.warning("models left to build on first use", extra={"models": unbuilt})


def build_routes(resolver: ApiGatewayResolver) -> None:
    """Each route's validators, as Powertools builds them on the route's first request: its
    dependant (parameters, dependencies and the answer's field) and its body's field."""
    for route in (*resolver._static_routes, *resolver._dynamic_routes):  # Powertools lists its routes only privately
        _ = route.dependant
        _ = route.body_field


def build_models() -> list[str]:
    """Builds every deferred model loaded so far; answers the names of any that could not be."""
    unbuilt = []
    for model in _models():
        if not model.__pydantic_complete__ and not model.model_rebuild(raise_errors=False):
            unbuilt.append(model.__qualname__)
    return unbuilt


def _models() -> Iterator[type[Model]]:
    seen: set[type[Model]] = set()
    waiting: list[type[Model]] = [Model]
    while waiting:
        for model in waiting.pop().__subclasses__():
            if model not in seen:
                seen.add(model)
                waiting.append(model)
                yield model


def after_restore() -> None:
    """The after-restore hook: every restored container draws its own pseudo-random numbers."""
    random.seed()  # from the operating system's entropy, fresh in each restored container

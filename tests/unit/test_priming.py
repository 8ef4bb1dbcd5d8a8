"""SnapStart's priming hooks (patientportal.priming; docs/performance.md "SnapStart and
provisioned concurrency"). Each function registers them when Lambda initialises it for a
snapshot, and only then. Run here as the runtime runs them, in a fresh interpreter per
function: the before-snapshot hooks in the reverse order of registration, then the
after-restore hooks in order (the Python runtime hooks' documented order)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from local import template as cfn

# The AWS clients each API function's requests use, named as patientportal.aws names them:
# the services its template grants call (checked below). notify and jobs run in the
# background, never from a snapshot (docs/decisions.md 67), and register no hooks.
CLIENTS = {
    "queue": {"dynamodb", "cognito-idp", "events"},
    "patients": {"dynamodb", "cognito-idp"},
    "portal": {"dynamodb", "cognito-idp"},
    "auth": {"dynamodb", "cognito-idp"},
}

PROBE = """
import json, sys
sys.path[:0] = [{layer!r}, {root!r}]
import functions.{area}.app as app
from patientportal import aws
from patientportal.models.common import Model
from patientportal.settings import get_settings

def models():
    seen, todo = [], [Model]
    while todo:
        model = todo.pop()
        for sub in model.__subclasses__():
            if sub not in seen:
                seen.append(sub)
                todo.append(sub)
    return seen

def routes():
    resolver = getattr(app, "app", None)
    return list(resolver._static_routes + resolver._dynamic_routes) if resolver else []

state = {{
    "snapshot_module": "snapshot_restore_py" in sys.modules,
    "clients_at_import": sorted(aws._clients),
    "settings_at_import": get_settings.cache_info().currsize,
}}
if state["snapshot_module"]:
    import snapshot_restore_py as hooks
    state["before"] = len(hooks.get_before_snapshot())
    state["after"] = len(hooks.get_after_restore())
    state["unbuilt_before"] = len([m for m in models() if not m.__pydantic_complete__])
    for func, args, kwargs in reversed(hooks.get_before_snapshot()):
        func(*args, **kwargs)
    state["clients_after_snapshot"] = sorted(aws._clients)
    state["settings_after_snapshot"] = get_settings.cache_info().currsize
    state["unbuilt_after"] = [m.__qualname__ for m in models() if not m.__pydantic_complete__]
    state["routes"] = len(routes())
    state["routes_unbuilt"] = [r.rule for r in routes() if r._dependant is None]
    import random
    random.seed(0)
    drawn = random.random()
    random.seed(0)
    for func, args, kwargs in hooks.get_after_restore():
        func(*args, **kwargs)
    state["reseeded"] = random.random() != drawn
print(json.dumps(state))
"""


def probe(area: str, *, snapstart: bool) -> dict:
    environment = {
        "PATH": "/usr/bin:/bin",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "TABLE_NAME": "portal",
        "PRACTICE_NAME": "Riverbend Family Practice",
    }
    if snapstart:
        environment["AWS_LAMBDA_INITIALIZATION_TYPE"] = "snap-start"
    code = PROBE.format(layer=str(cfn.ROOT / "layers" / "common"), root=str(cfn.ROOT), area=area)
    run = subprocess.run(  # noqa: S603 - this interpreter, fixed code
        [sys.executable, "-c", code],
        cwd=cfn.ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("area", sorted(CLIENTS))
def test_without_snapstart_nothing_is_registered_and_no_client_is_made_at_import(area):
    state = probe(area, snapstart=False)
    assert state["snapshot_module"] is False  # the hooks' module is not even imported
    assert state["clients_at_import"] == []


@pytest.mark.parametrize("area", sorted(CLIENTS))
def test_under_snapstart_the_hooks_make_the_clients_and_build_every_validator(area):
    state = probe(area, snapstart=True)
    assert (state["before"], state["after"]) == (1, 1)
    assert state["clients_at_import"] == []  # registering makes nothing yet
    assert state["settings_at_import"] == 0
    assert state["settings_after_snapshot"] == 1
    assert state["unbuilt_before"] > 0  # defer_build: built by the hook, not at import
    assert set(state["clients_after_snapshot"]) == CLIENTS[area]
    assert state["unbuilt_after"] == []
    assert state["routes"] > 0
    assert state["routes_unbuilt"] == []
    assert state["reseeded"] is True  # after restore, `random` no longer repeats the snapshot's sequence


def granted_clients(function: dict) -> set[str]:
    """The clients a function's template grants call: SES's SendEmail is SES v2's client,
    the account's quota (GetSendQuota) the classic one's."""
    actions: list[str] = []
    for policy in function["Properties"]["Policies"]:
        for statement in policy["Statement"]:
            action = statement["Action"]
            actions.extend([action] if isinstance(action, str) else action)
    clients = set()
    for action in actions:
        service, operation = action.split(":")
        clients.add(("sesv2" if operation == "SendEmail" else "ses") if service == "ses" else service)
    return clients


@pytest.mark.parametrize("area", sorted(CLIENTS))
def test_each_function_primes_exactly_the_clients_its_grants_call(area):
    template = cfn.load()
    (function,) = [
        body
        for body in cfn.resources_of_type(template, "AWS::Serverless::Function").values()
        if cfn.function_area(body) == area
    ]
    assert granted_clients(function) == CLIENTS[area]


@pytest.mark.parametrize("area", ["notify", "jobs"])
def test_the_background_functions_register_no_hooks_even_under_snapstart(area):
    state = probe(area, snapstart=True)
    assert state["snapshot_module"] is False  # nothing imported the hooks' module, so nothing registered
    assert state["clients_at_import"] == []


def test_the_hook_refuses_a_client_that_patientportal_aws_does_not_make(monkeypatch):
    from patientportal import priming  # noqa: PLC0415

    monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start")
    with pytest.raises(ValueError, match="s3"):
        priming.before_snapshot(services=("dynamodb", "s3"))


def test_outside_snapstart_registering_is_a_no_op(monkeypatch):
    from patientportal import priming  # noqa: PLC0415

    for kind in ("on-demand", "provisioned-concurrency"):
        monkeypatch.setenv("AWS_LAMBDA_INITIALIZATION_TYPE", kind)
        assert priming.before_snapshot(services=("dynamodb",)) is False
    monkeypatch.delenv("AWS_LAMBDA_INITIALIZATION_TYPE")
    assert priming.before_snapshot(services=("dynamodb",)) is False

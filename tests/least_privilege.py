"""Least privilege, proven by the calls themselves (docs/security.md, "Least privilege").

During the integration suite every AWS call is seen through botocore's event hooks (every
client, the layer's and Powertools' own alike) and attributed to the function whose handler
was running; calls made outside any handler (provisioning, demo data, the tests' own
checks) belong to no function and are not checked. Each call is turned into what IAM
authorizes for it (a transaction: one action per item, on that item's table; a query of an
index: the index's ARN; a send: the identity and the configuration set) and checked
against that function's statements in ``infra/template.yaml``, resolved against the
emulated stack. A call its function may not make fails the test that made it
(``tests/integration/conftest.py``). Calls that IAM never evaluates (botocore's model says
they are unsigned: Cognito's sign-in steps and its token-authorized calls) need no grant.

Across a whole run the grants no call used are listed, with the figures, at the end. After
a complete integration run (every integration test selected, run and passed) an unused
grant fails the run unless ``UNREACHABLE`` below names it with the reason no integration
test can reach it; an entry there that a call did use, or that the template no longer
grants, fails the run too, so the list cannot quietly grow or go stale.

This module is a pytest plugin (registered in ``tests/conftest.py``) so that the xdist
controller, which collects nothing, still gathers the workers' figures (``workeroutput``).
"""

from __future__ import annotations

import contextvars
import functools
import importlib
import sys
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import botocore.session
import pytest

from local import template as cfn
from local.stack import Stack
from tests.iam_match import Grant, allowing, grants_of

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "tests" / "integration"
FUNCTIONS_DIR = str(ROOT / "functions") + "/"
HTTP_MODULE = str(ROOT / "layers" / "common" / "patientportal" / "http.py")

# Grants no integration test can reach, each with its reason. Keys are
# "<function> <action> <resource as the template writes it>".
UNREACHABLE: dict[str, str] = {}

# Resource types whose names and ARNs are shown by logical id in the figures.
NAMED_TYPES = (
    "AWS::DynamoDB::Table",
    "AWS::Cognito::UserPool",
    "AWS::Events::EventBus",
    "AWS::SES::ConfigurationSet",
    "AWS::SES::EmailIdentity",
    "AWS::SQS::Queue",
)

Authorization = tuple[str, str]  # (IAM action, resource ARN)


class UnknownCallError(LookupError):
    """A call this check cannot yet turn into what IAM authorizes."""


# ---------------------------------------------------------------------------------------
# The template: which function is which, and what each may do
# ---------------------------------------------------------------------------------------


def function_areas(template: Mapping[str, Any]) -> dict[str, str]:
    """Logical id -> area (``functions/<area>/app.py``), for every function of the template."""
    areas = {}
    for name, body in template["Resources"].items():
        if body["Type"] == "AWS::Serverless::Function":
            areas[name] = cfn.function_area(body)
        elif body["Type"] == "AWS::Lambda::Function" and isinstance(body["Properties"].get("Code"), str):
            areas[name] = Path(body["Properties"]["Code"]).name
    return areas


def _statements(template: Mapping[str, Any], function: str) -> list[dict[str, Any]]:
    """The function's inline statements as written. Managed policies (SAM's basic execution
    and tracing ones, the tokens role's) cover Lambda's own logs and traces, never a call the
    code makes, so they grant nothing here; a SAM policy template would need expanding first."""
    properties = template["Resources"][function]["Properties"]
    if "Role" in properties:
        role = properties["Role"]["Fn::GetAtt"][0]
        documents = [
            policy["PolicyDocument"] for policy in template["Resources"][role]["Properties"].get("Policies", [])
        ]
    else:
        documents = []
        for policy in properties.get("Policies", []):
            if isinstance(policy, str):
                continue  # a managed policy by name or ARN
            if "Statement" not in policy:
                raise UnknownCallError(f"{function}: SAM policy template {sorted(policy)} not expanded by this check")
            documents.append(policy)
    statements: list[dict[str, Any]] = []
    for document in documents:
        statement = document["Statement"]
        statements += statement if isinstance(statement, list) else [statement]
    return statements


def grants(stack: Stack) -> dict[str, list[Grant]]:
    """Every function's grants, resolved against this stack (cached on it)."""
    cached: dict[str, list[Grant]] | None = getattr(stack, "_least_privilege_grants", None)
    if cached is None:
        cached = {}
        for function in function_areas(stack.template):
            written = _statements(stack.template, function)
            cached[function] = grants_of(function, stack.resolver.resolve(written), written)
        stack._least_privilege_grants = cached  # type: ignore[attr-defined]
    return cached


def template_grants() -> dict[str, Grant]:
    """Every grant as the template writes it (for the keys), without an emulated stack."""
    template = cfn.load()
    found = {}
    for function in function_areas(template):
        written = _statements(template, function)
        for grant in grants_of(function, written, written):
            found[grant.key] = grant
    return found


# ---------------------------------------------------------------------------------------
# A call -> what IAM authorizes for it
# ---------------------------------------------------------------------------------------

TRANSACT_WRITE = {
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}


def _named(stack: Stack, kind: str) -> dict[str, str]:
    """Name (the resource's Ref) -> ARN, for the stack's resources of one type."""
    return {
        stack.ref(name): stack.resolver.attributes.get((name, "Arn"), "")
        for name in cfn.resources_of_type(stack.template, kind)
    }


def _table(stack: Stack, name: str) -> str:
    if name.startswith("arn:"):
        return name
    return _named(stack, "AWS::DynamoDB::Table").get(name) or stack.arn("dynamodb", f"table/{name}")


def _dynamodb(stack: Stack, operation: str, params: Mapping[str, Any]) -> list[Authorization]:
    if operation == "TransactWriteItems":
        found = []
        for item in params["TransactItems"]:
            ((kind, body),) = item.items()
            found.append((f"dynamodb:{TRANSACT_WRITE[kind]}", _table(stack, body["TableName"])))
        return found
    if operation == "TransactGetItems":
        return [("dynamodb:GetItem", _table(stack, item["Get"]["TableName"])) for item in params["TransactItems"]]
    if operation in ("BatchGetItem", "BatchWriteItem"):
        return [(f"dynamodb:{operation}", _table(stack, table)) for table in params["RequestItems"]]
    if "TableName" not in params:
        raise UnknownCallError(f"dynamodb:{operation} names no table")
    arn = _table(stack, params["TableName"])
    if params.get("IndexName"):
        arn = f"{arn}/index/{params['IndexName']}"
    return [(f"dynamodb:{operation}", arn)]


def _cognito(stack: Stack, operation: str, params: Mapping[str, Any]) -> list[Authorization]:
    if "UserPoolId" not in params:
        raise UnknownCallError(f"cognito-idp:{operation} names no user pool")
    pool = params["UserPoolId"]
    arn = _named(stack, "AWS::Cognito::UserPool").get(pool) or stack.arn("cognito-idp", f"userpool/{pool}")
    return [(f"cognito-idp:{operation}", arn)]


def _events(stack: Stack, operation: str, params: Mapping[str, Any]) -> list[Authorization]:
    if operation != "PutEvents":
        raise UnknownCallError(f"events:{operation}")
    found = []
    for entry in params["Entries"]:
        bus = entry.get("EventBusName") or "default"
        arn = bus if bus.startswith("arn:") else stack.arn("events", f"event-bus/{bus}")
        found.append(("events:PutEvents", arn))
    return found


def _ses(stack: Stack, operation: str, params: Mapping[str, Any]) -> list[Authorization]:
    """SES v2 ``SendEmail`` (raw or not) is ``ses:SendEmail`` on the sending identity (the
    address's own, or else its domain's) and on the configuration set it names."""
    if operation == "GetSendQuota":
        return [("ses:GetSendQuota", "*")]  # no resource-level permissions
    if operation != "SendEmail":
        raise UnknownCallError(f"ses:{operation}")
    sender = params.get("FromEmailAddressIdentityArn") or params.get("FromEmailAddress")
    if not sender:
        raise UnknownCallError("ses:SendEmail without FromEmailAddress")
    if not sender.startswith("arn:"):
        identities = {stack.ref(name) for name in cfn.resources_of_type(stack.template, "AWS::SES::EmailIdentity")}
        address = sender.rsplit("<", 1)[-1].rstrip(">").strip()
        domain = address.rpartition("@")[2]
        sender = stack.arn(
            "ses", f"identity/{address if address in identities or domain not in identities else domain}"
        )
    found = [("ses:SendEmail", sender)]
    if params.get("ConfigurationSetName"):
        found.append(("ses:SendEmail", stack.arn("ses", f"configuration-set/{params['ConfigurationSetName']}")))
    return found


RULES: dict[str, Callable[[Stack, str, Mapping[str, Any]], list[Authorization]]] = {
    "dynamodb": _dynamodb,
    "cognito-idp": _cognito,
    "events": _events,
    "ses": _ses,
}


def authorizations(stack: Stack, prefix: str, operation: str, params: Mapping[str, Any]) -> list[Authorization]:
    rule = RULES.get(prefix)
    if rule is None:
        raise UnknownCallError(f"{prefix}:{operation}")
    return rule(stack, operation, params)


def _names(stack: Stack) -> list[tuple[str, str]]:
    """The stack's ARNs and names (longest first) and how the template writes each."""
    cached: list[tuple[str, str]] | None = getattr(stack, "_least_privilege_names", None)
    if cached is None:
        names: dict[str, str] = {}
        for kind in NAMED_TYPES:
            for logical_id in cfn.resources_of_type(stack.template, kind):
                if (logical_id, "Arn") in stack.resolver.attributes:
                    names[stack.resolver.attributes[(logical_id, "Arn")]] = f"${{{logical_id}.Arn}}"
                names[stack.ref(logical_id)] = f"${{{logical_id}}}"
        cached = sorted(((value, name) for value, name in names.items() if value), key=lambda pair: -len(pair[0]))
        stack._least_privilege_names = cached  # type: ignore[attr-defined]
    return cached


def symbolic(stack: Stack, arn: str) -> str:
    """An ARN with the stack's names put back as the template writes them, so that the same
    resource reads the same in every emulated stack."""
    for value, name in _names(stack):
        if value in arn:
            arn = arn.replace(value, name)
    pseudo = stack.resolver.pseudo
    return (
        arn.replace(f":{pseudo['AWS::Region']}:", ":${AWS::Region}:")
        .replace(f":{pseudo['AWS::AccountId']}:", ":${AWS::AccountId}:")
        .replace("arn:aws:", "arn:${AWS::Partition}:")
    )


# ---------------------------------------------------------------------------------------
# Recording: which function made which call
# ---------------------------------------------------------------------------------------

_function: contextvars.ContextVar[str | None] = contextvars.ContextVar("least_privilege_function", default=None)


@dataclass
class Call:
    function: str | None
    prefix: str
    operation: str
    params: dict[str, Any]
    unsigned: bool


@dataclass
class Record:
    """What a whole run saw (one process: one xdist worker, or the run itself)."""

    calls: Counter[str] = field(default_factory=Counter)
    unsigned: Counter[str] = field(default_factory=Counter)
    pairs: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    used: set[str] = field(default_factory=set)
    violations: int = 0
    integration_items: int = 0
    integration_finished: int = 0
    integration_failed: int = 0
    complete_selection: bool = True

    def as_output(self) -> dict[str, Any]:
        return {
            "calls": dict(self.calls),
            "unsigned": dict(self.unsigned),
            "pairs": {function: sorted(pairs) for function, pairs in self.pairs.items()},
            "used": sorted(self.used),
            "violations": self.violations,
            "integration_items": self.integration_items,
            "complete_selection": self.complete_selection,
        }

    def merge(self, output: Mapping[str, Any]) -> None:
        self.calls.update(output["calls"])
        self.unsigned.update(output["unsigned"])
        for function, pairs in output["pairs"].items():
            self.pairs[function].update(pairs)
        self.used.update(output["used"])
        self.violations += output["violations"]
        # Every worker collects every test; each runs its share.
        self.integration_items = max(self.integration_items, output["integration_items"])
        self.complete_selection = self.complete_selection and output["complete_selection"]


@dataclass
class State:
    recording: bool = False  # while the integration session runs
    reporting: bool = True  # False on an xdist worker: the controller sees every test's reports
    pending: list[Call] = field(default_factory=list)  # calls not yet checked
    # The thread running the current integration test; calls from any other (a local runtime
    # another suite left running in this process) are not this test's.
    thread: int | None = None


RUN = Record()
STATE = State()


def _from_a_function_unseen() -> bool:
    """A call with no handler recorded as running, yet made from a function's code (a test
    that kept a handler from before the recorder wrapped it): attributing it is impossible."""
    frame = sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.startswith(FUNCTIONS_DIR) or filename == HTTP_MODULE:
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def unsigned(model: Any) -> bool:
    """Whether botocore sends the operation unsigned, so IAM never evaluates it (Cognito's
    sign-in steps and the calls a user's token or a sign-in session authorizes)."""
    auth = model.auth or ([model.auth_type] if model.auth_type else [])
    return bool(auth) and all(kind in ("none", "smithy.api#noAuth") for kind in auth)


def granted_but_never_evaluated() -> list[str]:
    """Grants of actions IAM never evaluates: dead weight whatever the tests run."""
    services = {"cognito-idp": "cognito-idp"}
    session = botocore.session.get_session()
    found = []
    for key, grant in template_grants().items():
        prefix, _, action = grant.action.partition(":")
        if prefix in services and "*" not in action and "?" not in action:
            model = session.get_service_model(services[prefix])
            if action in model.operation_names and unsigned(model.operation_model(action)):
                found.append(key)
    return sorted(found)


def _seen(params: dict[str, Any], model: Any, **_: Any) -> None:
    if not STATE.recording or STATE.thread != threading.get_ident():
        return
    function = _function.get()
    if function is None and not _from_a_function_unseen():
        return  # test setup or the test's own look: no function's
    STATE.pending.append(Call(function, model.service_model.signing_name, model.name, dict(params), unsigned(model)))


def _hooked_create_client(original: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(original)
    def create_client(self: Any, *args: Any, **kwargs: Any) -> Any:
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-parameter-build", _seen)
        return client

    return create_client


def _attributed(function: str, handler: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(handler)
    def invoke(*args: Any, **kwargs: Any) -> Any:
        token = _function.set(function)
        try:
            return handler(*args, **kwargs)
        finally:
            _function.reset(token)

    return invoke


@contextmanager
def recording() -> Iterator[None]:
    """For the whole session: every client made from now on reports its calls, and every
    function's handler marks its calls as its own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            botocore.session.Session, "create_client", _hooked_create_client(botocore.session.Session.create_client)
        )
        for function, area in function_areas(cfn.load()).items():
            module = importlib.import_module(f"functions.{area}.app")
            patch.setattr(module, "handler", _attributed(function, module.handler))
        STATE.recording = True
        try:
            yield
        finally:
            STATE.recording = False


def start_test() -> None:
    STATE.pending.clear()
    STATE.thread = threading.get_ident()


def end_test() -> None:
    STATE.pending.clear()
    STATE.thread = None


def check(
    stack: Stack | None, *, run: Record | None = None, granted: Mapping[str, list[Grant]] | None = None
) -> list[str]:
    """The calls recorded since the last check, against their functions' grants (``granted``,
    by default the template's for this stack): a message for each call its function may not
    make. Used grants and figures go into ``run`` (by default the run's own ``RUN``)."""
    run = RUN if run is None else run
    calls = list(STATE.pending)
    STATE.pending.clear()
    problems: list[str] = []
    for call in calls:
        if call.function is None:
            problems.append(
                f"{call.prefix}:{call.operation} was made by a function's code outside any handler the check "
                "saw invoked; call the handler through its module (module.handler) so the call is attributed"
            )
            continue
        run.calls[call.function] += 1
        if call.unsigned:
            run.unsigned[call.function] += 1
            run.pairs[call.function].add(f"{call.prefix}:{call.operation} (unsigned: IAM never evaluates it)")
            continue
        if stack is None:
            problems.append(f"{call.function} called {call.prefix}:{call.operation} in a test with no emulated stack")
            continue
        try:
            needed = authorizations(stack, call.prefix, call.operation, call.params)
        except UnknownCallError as error:
            problems.append(
                f"{call.function} called {call.prefix}:{call.operation}: the check does not know what IAM "
                f"authorizes for it ({error}); teach tests/least_privilege.py"
            )
            continue
        own = (granted or grants(stack))[call.function]
        for action, arn in needed:
            name = symbolic(stack, arn)
            run.pairs[call.function].add(f"{action} {name}")
            allowed = allowing(own, action, arn)
            if not allowed:
                via = "" if action.endswith(f":{call.operation}") else f" (for {call.prefix}:{call.operation})"
                problems.append(
                    f"{call.function} may not {action} on {arn} [{name}]{via}: "
                    f"no statement of {call.function} in infra/template.yaml allows it"
                )
            run.used.update(grant.key for grant in allowed)
    run.violations += len(problems)
    counted = Counter(problems)
    return [problem if times == 1 else f"{problem} ({times} calls)" for problem, times in counted.items()]


# ---------------------------------------------------------------------------------------
# The plugin: a complete run, the workers' figures gathered, the unused grants enforced
# ---------------------------------------------------------------------------------------


def _integration(nodeid: str) -> bool:
    return nodeid.startswith("tests/integration/")


def pytest_configure(config: pytest.Config) -> None:
    STATE.reporting = not _is_worker(config)


def pytest_deselected(items: list[pytest.Item]) -> None:
    if any(_integration(item.nodeid) for item in items):
        RUN.complete_selection = False


def pytest_collection_finish(session: pytest.Session) -> None:
    RUN.integration_items = sum(_integration(item.nodeid) for item in session.items)
    here = session.config.invocation_params.dir
    arguments = [(here / argument.split("::", 1)[0]).resolve() for argument in session.config.args]
    whole_directory = all("::" not in argument for argument in session.config.args) and any(
        path == INTEGRATION or path in INTEGRATION.parents for path in arguments
    )
    if not whole_directory:
        RUN.complete_selection = False


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not STATE.reporting or not _integration(report.nodeid):
        return
    if report.failed:
        RUN.integration_failed += 1
    if report.when == "teardown":
        RUN.integration_finished += 1


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    output = getattr(node, "workeroutput", {}).get("least_privilege")
    if output:
        RUN.merge(output)


def _unused_and_stale() -> tuple[list[Grant], list[str], list[str]]:
    granted = template_grants()
    unused = [grant for key, grant in sorted(granted.items()) if key not in RUN.used and grant.effect == "Allow"]
    stale_used = sorted(key for key in UNREACHABLE if key in RUN.used)
    stale_gone = sorted(key for key in UNREACHABLE if key not in granted)
    return unused, stale_used, stale_gone


def _verdict() -> tuple[bool, str]:
    if not RUN.complete_selection:
        return False, "not checked: not every integration test was selected (a path, -k, -m, --lf or --deselect)"
    if RUN.integration_finished < RUN.integration_items:
        return False, f"not checked: {RUN.integration_finished} of {RUN.integration_items} integration tests ran"
    if RUN.integration_failed:
        return False, f"not checked: {RUN.integration_failed} integration test reports failed"
    return True, ""


@pytest.hookimpl(tryfirst=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    if _is_worker(session.config):
        session.config.workeroutput["least_privilege"] = RUN.as_output()  # type: ignore[attr-defined]
        return
    if not RUN.integration_items and not RUN.calls:
        return
    complete, _ = _verdict()
    unused, stale_used, stale_gone = _unused_and_stale()
    if complete and ([grant for grant in unused if grant.key not in UNREACHABLE] or stale_used or stale_gone):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    if _is_worker(config) or (not RUN.integration_items and not RUN.calls):
        return
    write = terminalreporter.write_line
    terminalreporter.section("least privilege (docs/security.md)")
    total = sum(RUN.calls.values())
    write(f"AWS calls recorded from the functions: {total} ({sum(RUN.unsigned.values())} unsigned, not IAM's)")
    for function in sorted(RUN.calls):
        pairs = RUN.pairs[function]
        signed = [pair for pair in pairs if "(unsigned" not in pair]
        write(f"  {function}: {RUN.calls[function]} calls, {len(signed)} distinct action/resource pairs")
        for pair in sorted(pairs):
            write(f"      {pair}")
    write(f"calls refused by their function's policy: {RUN.violations}")
    unused, stale_used, stale_gone = _unused_and_stale()
    complete, why = _verdict()
    failing = [grant for grant in unused if grant.key not in UNREACHABLE]
    if not complete:
        write(f"grants no call used: {len(unused)} of {len(template_grants())}; unused grants {why}")
        return
    write(f"grants no call used: {len(unused)} ({len(unused) - len(failing)} listed in UNREACHABLE with a reason)")
    for grant in unused:
        reason = UNREACHABLE.get(grant.key)
        write(f"  {grant.key}" + (f"  -- {reason}" if reason else "  -- UNUSED: remove it, or list it with a reason"))
    for key in stale_used:
        write(f"  {key}  -- listed in UNREACHABLE but a call used it: remove the entry")
    for key in stale_gone:
        write(f"  {key}  -- listed in UNREACHABLE but the template no longer grants it: remove the entry")
    if failing or stale_used or stale_gone:
        write("FAILED: the template grants more than the integration suite uses (tests/least_privilege.py)", red=True)

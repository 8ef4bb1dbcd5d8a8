"""Every route says who may call it in its signature (patientportal.http's ``Staff``, ``Admin``
and ``Patient``), so no route can forget its check: staff routes need a member of staff, the
patient's routes the signed-in patient, the admin-only ones an admin; the public routes are
listed here, by name."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable, Iterator
from typing import Annotated, Any, get_args

import pytest
from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Depends
from aws_lambda_powertools.event_handler.depends import build_dependency_tree

import functions
from local.events import http_event
from local.functions import LambdaContext
from patientportal import http
from patientportal.auth.principal import issuer_of
from patientportal.settings import get_settings

Route = tuple[str, str]  # (method, path as registered)

PUBLIC: set[Route] = {
    ("GET", "/api/public/practice"),
    ("POST", "/api/auth/patient/login"),
    ("POST", "/api/auth/staff/login"),
    ("POST", "/api/auth/staff/challenge"),
    ("POST", "/api/auth/staff/mfa/enrol"),
    ("POST", "/api/auth/staff/mfa/enrol/confirm"),
    ("POST", "/api/auth/staff/mfa/code"),
    ("POST", "/api/auth/refresh"),
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/claim"),
    ("POST", "/api/auth/forgot"),
    ("POST", "/api/auth/link/inspect"),
    ("POST", "/api/auth/link/username"),
    ("POST", "/api/auth/link/complete"),
    ("POST", "/api/auth/register"),
}

# Practice administrators only (docs/api.md): the CSV import and a staff member's MFA reset.
ADMIN_ONLY: set[Route] = {
    ("POST", "/api/staff/patients/import"),
    ("POST", "/api/staff/staff-members/<username>/mfa-reset"),
    # The staff accounts: the list, an invitation, a role or an account off and on.
    ("GET", "/api/staff/staff-members"),
    ("POST", "/api/staff/staff-members"),
    ("PATCH", "/api/staff/staff-members/<username>"),
    # The practice's settings and saved replies: any member of staff reads them.
    ("PUT", "/api/staff/practice-settings"),
    ("POST", "/api/staff/saved-replies"),
    ("PUT", "/api/staff/saved-replies/<reply_id>"),
    ("DELETE", "/api/staff/saved-replies/<reply_id>"),
}


def dependency_of(annotated: Any) -> Callable[..., Any]:
    """The callable behind one of http.py's ``Annotated[..., Depends(...)]`` types."""
    return get_args(annotated)[1].dependency  # type: ignore[no-any-return]


STAFF = dependency_of(http.Staff)
ADMIN = dependency_of(http.Admin)
PATIENT = dependency_of(http.Patient)


def function_apps() -> dict[str, APIGatewayHttpResolver]:
    """Every function's resolver, found in the functions package (a new function is walked too)."""
    apps = {}
    for area in pkgutil.iter_modules(functions.__path__):
        module = importlib.import_module(f"functions.{area.name}.app")
        app = getattr(module, "app", None)
        if isinstance(app, APIGatewayHttpResolver):
            apps[area.name] = app
    return apps


def registered_routes() -> dict[Route, set[Callable[..., Any]]]:
    """Each route of each resolver, with the dependencies the resolver will solve before it
    runs: read the way Powertools reads them at call time (``build_dependency_tree``)."""
    routes: dict[Route, set[Callable[..., Any]]] = {}
    for app in function_apps().values():
        for route in app._static_routes + app._dynamic_routes:
            tree = build_dependency_tree(route.func)
            routes[(route.method, route.path)] = {node.depends.dependency for node in tree.dependencies}
    return routes


ROUTES = registered_routes()


def test_the_walk_finds_every_api_function_and_its_routes():
    assert set(function_apps()) == {"auth", "patients", "portal", "queue"}
    assert len(ROUTES) > 40
    assert not PUBLIC - ROUTES.keys(), "a listed public route no longer exists"
    assert not ADMIN_ONLY - ROUTES.keys(), "a listed admin route no longer exists"


@pytest.mark.parametrize(("method", "path"), sorted(ROUTES))
def test_every_route_names_who_may_call_it(method: str, path: str):
    needs = ROUTES[(method, path)]
    route = f"{method} {path}"
    if (method, path) in PUBLIC:
        assert not path.startswith(("/api/staff/", "/api/portal/")), f"{route} is listed as public"
        assert not needs & {STAFF, ADMIN, PATIENT}, f"{route} is listed as public but names a caller"
    elif path.startswith("/api/staff/"):
        assert needs & {STAFF, ADMIN}, f"{route} lacks Staff or Admin"
        assert PATIENT not in needs, f"{route} is a staff route but takes Patient"
    elif path.startswith("/api/portal/"):
        assert PATIENT in needs, f"{route} lacks Patient"
        assert not needs & {STAFF, ADMIN}, f"{route} is a patient route but takes Staff or Admin"
    else:
        pytest.fail(f"{route} is neither a staff, a patient nor a listed public route")
    if (method, path) in ADMIN_ONLY:
        assert ADMIN in needs, f"{route} is admin-only but lacks Admin"


# What the dependencies answer, through the functions' own resolvers: none of these reads AWS
# (a patient's token is refused before anything is read; a staff token would read its sign-out).

SECRET = "unit-secret"
STAFF_POOL = "us-east-1_staffpool"
PATIENT_POOL = "us-east-1_patientpool"


@pytest.fixture(autouse=True)
def settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name, value in {
        "TABLE_NAME": "unit",
        "PRACTICE_NAME": "Unit Practice",
        "ORIGIN_VERIFY_SECRET": SECRET,
        "STAFF_USER_POOL_ID": STAFF_POOL,
        "PATIENT_USER_POOL_ID": PATIENT_POOL,
        "AWS_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def patient_claims() -> dict[str, Any]:
    return {"iss": issuer_of(PATIENT_POOL), "token_use": "access", "username": "p-unit", "sub": "s", "iat": 1}


def call(
    app: APIGatewayHttpResolver,
    method: str,
    path: str,
    *,
    body: Any = None,
    claims: dict[str, Any] | None = None,
) -> tuple[int, Any]:
    event = http_event(
        method=method,
        path=path,
        route_path=path,
        headers={"content-type": "application/json", http.ORIGIN_HEADER: SECRET},
        body=json.dumps(body).encode() if body is not None else None,
        claims=claims,
    )
    answer = app.resolve(event, LambdaContext(function_name="unit"))  # type: ignore[arg-type]
    return answer["statusCode"], json.loads(answer["body"])


def test_a_patient_token_on_a_staff_route_is_refused_in_the_one_error_shape():
    apps = function_apps()
    status, body = call(apps["queue"], "GET", "/api/staff/archive", claims=patient_claims())
    assert (status, body) == (403, {"error": {"code": "forbidden", "message": "This route is for practice staff."}})
    status, body = call(apps["patients"], "GET", "/api/staff/onboarding/counts", claims=patient_claims())
    assert (status, body) == (403, {"error": {"code": "forbidden", "message": "This route is for practice staff."}})


def test_a_patient_token_on_an_admin_route_is_refused():
    status, body = call(
        function_apps()["patients"],
        "POST",
        "/api/staff/staff-members/someone/mfa-reset",
        claims=patient_claims(),
    )
    expected = {"error": {"code": "forbidden", "message": "This route is for practice administrators."}}
    assert (status, body) == (403, expected)


def test_no_token_is_refused_before_anything_is_read():
    status, body = call(function_apps()["portal"], "GET", "/api/portal/me")
    assert (status, body) == (401, {"error": {"code": "unauthorized", "message": "Sign in first."}})


def test_a_bad_body_is_answered_before_the_caller_is_checked():
    # As before the dependencies: the request is validated first, then the caller checked.
    status, body = call(
        function_apps()["queue"],
        "POST",
        "/api/staff/queue/x/dismiss",
        body={"outcome": "nonsense"},
        claims=patient_claims(),
    )
    assert status == 422, body
    assert body["error"]["code"] == "validation_error"


def test_request_id_is_api_gateways_id_for_the_request():
    app = http.build_resolver()

    @app.get("/id")
    def request_id(api_request_id: http.RequestId) -> dict[str, str]:
        return {"id": api_request_id}

    event = http_event(method="GET", path="/id", route_path="/id", headers={http.ORIGIN_HEADER: SECRET})
    answer = app.resolve(event, LambdaContext(function_name="unit"))  # type: ignore[arg-type]
    assert json.loads(answer["body"]) == {"id": event["requestContext"]["requestId"]}


def failing() -> str:
    raise RuntimeError("the table is unavailable")


# At module level: the routes' annotations are read as strings, in the module's namespace.
Failing = Annotated[str, Depends(failing)]


def test_what_no_handler_answers_leaves_the_function_as_itself_not_wrapped_by_depends():
    app = http.build_resolver()

    @app.get("/failing")
    def route(value: Failing) -> dict[str, str]:
        return {"value": value}

    event = http_event(method="GET", path="/failing", route_path="/failing", headers={http.ORIGIN_HEADER: SECRET})
    with pytest.raises(RuntimeError, match="the table is unavailable"):
        app.resolve(event, LambdaContext(function_name="unit"))  # type: ignore[arg-type]

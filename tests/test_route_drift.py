"""Every HttpApi route in the template has a handler route, and the reverse."""

from __future__ import annotations

from local import template as cfn
from local.openapi import function_apps, schema_of


def template_routes() -> dict[str, set[tuple[str, str]]]:
    routes: dict[str, set[tuple[str, str]]] = {}
    for route in cfn.http_routes(cfn.load()):
        routes.setdefault(route.function, set()).add((route.method, route.path))
    return routes


def handler_routes() -> dict[str, set[tuple[str, str]]]:
    routes: dict[str, set[tuple[str, str]]] = {}
    for function, app in function_apps().items():
        paths = schema_of(app).get("paths", {})
        found = {(method.upper(), path) for path, operations in paths.items() for method in operations}
        if found:
            routes[function] = found
    return routes


def test_template_and_handlers_declare_the_same_routes_per_function():
    assert template_routes() == handler_routes()


def test_no_route_is_served_by_two_functions():
    every = [route for routes in template_routes().values() for route in routes]
    assert len(every) == len(set(every))

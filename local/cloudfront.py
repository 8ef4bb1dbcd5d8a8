"""What the template's CloudFront distribution does to an ``/api/*`` request on its way to
API Gateway, read from the behavior's own policies and origin: it forwards only the headers
and cookies the cache and origin request policies name, writes the CloudFront headers they
ask for (the viewer's address, from the connection it accepted), and adds the origin's
custom headers (the origin secret). Each replaces any header of that name a viewer sent.

The local gateway plays CloudFront with it, and the integration tests' callers send what it
gives, so both see what a function behind the real distribution would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from local.stack import Stack

API_PATH = "/api/*"
# What every origin request carries whatever the policies say (Host: API Gateway's own name
# on AWS; the local gateway keeps the viewer's, which nothing reads).
ALWAYS = frozenset({"host", "content-length"})
CLOUDFRONT_USER_AGENT = "Amazon CloudFront"
# The CloudFront headers the local gateway can write; a policy naming another is refused.
VIEWER_ADDRESS = "cloudfront-viewer-address"


@dataclass(frozen=True)
class ApiEdge:
    headers: frozenset[str]  # viewer headers forwarded (lower case)
    cookies: frozenset[str] | None  # cookies forwarded by name; None: all of them
    query: bool  # whether the query string is forwarded
    cloudfront_headers: frozenset[str]  # headers CloudFront writes itself (lower case)
    origin_headers: Mapping[str, str]  # the origin's custom headers, resolved


def _policy(resources: Mapping[str, Any], reference: Any, kind: str) -> dict[str, Any]:
    if not (isinstance(reference, dict) and "Ref" in reference):
        raise NotImplementedError(f"the /api/* behavior names a policy the local gateway cannot read: {reference}")
    config: dict[str, Any] = resources[reference["Ref"]]["Properties"][f"{kind}Config"]
    return config


def _names(config: Mapping[str, Any], kind: str, list_key: str) -> tuple[str, Iterable[str]]:
    behavior = str(config.get(f"{kind}Behavior", "none"))
    names = config.get(list_key, []) if behavior == "whitelist" else []
    if behavior not in {"none", "whitelist", "all"}:
        raise NotImplementedError(f"{kind}Behavior {behavior} is not played locally")
    return behavior, names


def api_edge(stack: Stack) -> ApiEdge:
    resources = stack.template["Resources"]
    config = resources["Distribution"]["Properties"]["DistributionConfig"]
    behavior = next(item for item in config["CacheBehaviors"] if item["PathPattern"] == API_PATH)
    origin = next(item for item in config["Origins"] if item["Id"] == behavior["TargetOriginId"])
    policies = [
        _policy(resources, behavior["CachePolicyId"], "CachePolicy")["ParametersInCacheKeyAndForwardedToOrigin"],
        _policy(resources, behavior["OriginRequestPolicyId"], "OriginRequestPolicy"),
    ]
    headers: set[str] = set()
    cookies: set[str] | None = set()
    query = False
    for policy in policies:
        header_behavior, names = _names(policy.get("HeadersConfig", {}), "Header", "Headers")
        if header_behavior == "all":
            raise NotImplementedError("forwarding every viewer header is not played locally")
        headers.update(name.lower() for name in names)
        cookie_behavior, cookie_names = _names(policy.get("CookiesConfig", {}), "Cookie", "Cookies")
        if cookie_behavior == "all":
            cookies = None
        elif cookies is not None:
            cookies.update(cookie_names)
        query_behavior, _ = _names(policy.get("QueryStringsConfig", {}), "QueryString", "QueryStrings")
        if query_behavior == "whitelist":
            raise NotImplementedError("forwarding some query strings by name is not played locally")
        query = query or query_behavior == "all"
    written = {name for name in headers if name.startswith("cloudfront-")}
    if written - {VIEWER_ADDRESS}:
        raise NotImplementedError(f"CloudFront headers not played locally: {sorted(written - {VIEWER_ADDRESS})}")
    custom = stack.resolver.resolve(origin.get("OriginCustomHeaders", []))
    return ApiEdge(
        headers=frozenset(headers - written),
        cookies=None if cookies is None else frozenset(cookies),
        query=query,
        cloudfront_headers=frozenset(written),
        origin_headers={str(item["HeaderName"]).lower(): str(item["HeaderValue"]) for item in custom},
    )


def origin_request(edge: ApiEdge, headers: Mapping[str, str], *, viewer: str) -> dict[str, str]:
    """The headers API Gateway receives for a viewer request with ``headers``, from the viewer
    at ``viewer`` (``ip:port``, as CloudFront writes it: an IPv6 address without brackets)."""
    forwarded: dict[str, str] = {}
    for name, value in headers.items():
        lowered = name.lower()
        if lowered in ALWAYS or lowered in edge.headers:
            forwarded[lowered] = value
        elif lowered == "cookie":
            kept = [
                part.strip()
                for part in value.split(";")
                if part.strip() and (edge.cookies is None or part.split("=", 1)[0].strip() in edge.cookies)
            ]
            if kept:
                forwarded["cookie"] = "; ".join(kept)
    if "user-agent" not in edge.headers:
        forwarded["user-agent"] = CLOUDFRONT_USER_AGENT
    if VIEWER_ADDRESS in edge.cloudfront_headers:
        forwarded[VIEWER_ADDRESS] = viewer
    forwarded.update(edge.origin_headers)
    return forwarded


def origin_query(edge: ApiEdge, query: str) -> str:
    return query if edge.query else ""


class ViewerRequestFunction:
    """The default behavior's viewer-request CloudFront Function, its code run as written in
    the template (JavaScript, in Duktape through dukpy), so the local gateway rewrites a
    static path exactly as the distribution will: no second copy of the rule in Python."""

    def __init__(self, template: Mapping[str, Any]) -> None:
        import dukpy  # type: ignore[import-untyped]  # noqa: PLC0415 - the local runtime's alone

        resources = template["Resources"]
        behavior = resources["Distribution"]["Properties"]["DistributionConfig"]["DefaultCacheBehavior"]
        (association,) = [item for item in behavior["FunctionAssociations"] if item["EventType"] == "viewer-request"]
        function = association["FunctionARN"]["Fn::GetAtt"][0]
        self._interpreter = dukpy.JSInterpreter()
        self._interpreter.evaljs(resources[function]["Properties"]["FunctionCode"])
        self._lock = threading.Lock()  # one interpreter, used by the gateway's threads in turn

    def uri(self, method: str, uri: str) -> str:
        """The URI the request has after the function (it may change only the URI here)."""
        with self._lock:
            changed = self._interpreter.evaljs(
                "handler({request: {method: dukpy.method, uri: dukpy.uri, headers: {}, querystring: {}}}).uri",
                method=method,
                uri=uri,
            )
        return str(changed)

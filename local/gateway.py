"""The local stand-in for CloudFront and API Gateway, on 127.0.0.1.

``/api/...`` gets what the template's CloudFront behavior sends API Gateway (its policies'
headers and cookies, the viewer's address from the connection, the origin secret; see
``local.cloudfront``), is routed by the template's ``HttpApi`` events, checked by the JWT
authorizers, turned into a 2.0 event and handed to the function in-process; ``/staff/``
and ``/portal/`` are served from ``web/``; ``/_dev/mail`` is the development mailbox and
``/_dev/totp`` the development authenticator (the staff sign-in's code).
Every answer carries the security headers of the template's CloudFront policy.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import threading
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from local import cloudfront, mailbox, totp
from local import template as cfn
from local.authorizer import JwtAuthorizer, UnauthorizedError
from local.events import http_event
from local.functions import FunctionHost
from local.stack import Stack

WEB_ROOT = cfn.ROOT / "web"
MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


def security_headers(template: dict[str, Any]) -> dict[str, str]:
    """The response headers policy of the template's CloudFront distribution."""
    policy = template["Resources"]["SecurityHeadersPolicy"]["Properties"]["ResponseHeadersPolicyConfig"]
    security = policy["SecurityHeadersConfig"]
    hsts = security["StrictTransportSecurity"]
    headers = {
        "Content-Security-Policy": security["ContentSecurityPolicy"]["ContentSecurityPolicy"],
        "Strict-Transport-Security": f"max-age={hsts['AccessControlMaxAgeSec']}"
        + ("; includeSubDomains" if hsts.get("IncludeSubdomains") else "")
        + ("; preload" if hsts.get("Preload") else ""),
        "X-Frame-Options": security["FrameOptions"]["FrameOption"],
        "Referrer-Policy": security["ReferrerPolicy"]["ReferrerPolicy"],
        "X-Content-Type-Options": "nosniff",
    }
    for item in policy.get("CustomHeadersConfig", {}).get("Items", []):
        headers[item["Header"]] = item["Value"]
    return headers


class Gateway:
    def __init__(self, stack: Stack, host: FunctionHost, emulator_url: str) -> None:
        self.stack = stack
        self.host = host
        self.routes = cfn.http_routes(stack.template)
        self.edge = cloudfront.api_edge(stack)
        self.headers = security_headers(stack.template)
        self.rewrite = cloudfront.ViewerRequestFunction(stack.template)
        self.authorizers = {
            name: JwtAuthorizer(issuer, audience, f"{emulator_url}/{issuer.rsplit('/', 1)[-1]}/.well-known/jwks.json")
            for name, (issuer, audience) in stack.authorizers.items()
        }

    def match(self, method: str, path: str) -> tuple[cfn.Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.match(path)
            if found and route.method == method:
                return route, found.groupdict()
        return None

    def call_api(
        self, method: str, path: str, query: str, headers: dict[str, str], body: bytes, *, viewer: str
    ) -> tuple[int, dict[str, str], list[str], bytes]:
        """``viewer`` is the connection's ``ip:port``, which CloudFront names the viewer by."""
        headers = cloudfront.origin_request(self.edge, headers, viewer=viewer)
        query = cloudfront.origin_query(self.edge, query)
        matched = self.match(method, path)
        if matched is None:
            return 404, {"Content-Type": "application/json"}, [], b'{"message":"Not Found"}'
        route, parameters = matched
        claims = None
        if route.authorizer:
            try:
                claims = self.authorizers[route.authorizer].claims({k.lower(): v for k, v in headers.items()})
            except UnauthorizedError:
                return 401, {"Content-Type": "application/json"}, [], b'{"message":"Unauthorized"}'
        event = http_event(
            method=method,
            path=path,
            route_path=route.path,
            path_parameters=parameters,
            query=query,
            headers=headers,
            body=body or None,
            claims=claims,
        )
        try:
            answer = self.host.invoke(route.function, event)
        except Exception:  # noqa: BLE001 - API Gateway turns any function error into a 500
            traceback.print_exc()
            return 500, {"Content-Type": "application/json"}, [], b'{"message":"Internal Server Error"}'
        payload = answer.get("body") or ""
        data = base64.b64decode(payload) if answer.get("isBase64Encoded") else payload.encode()
        return (
            int(answer.get("statusCode", 200)),
            dict(answer.get("headers") or {}),
            list(answer.get("cookies") or []),
            data,
        )

    def static(self, method: str, path: str) -> tuple[int, dict[str, str], bytes]:
        """What the template's CloudFront function and the private S3 origin answer."""
        path = self.rewrite.uri(method, path)
        target = (WEB_ROOT / path.lstrip("/")).resolve()
        if not target.is_relative_to(WEB_ROOT.resolve()) or not target.is_file():
            # A private S3 bucket answers 403 for a missing key.
            return 403, {"Content-Type": "text/plain"}, b"Forbidden"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind in ("text/html", "text/css", "text/javascript", "application/javascript"):
            kind += "; charset=utf-8"
        return 200, {"Content-Type": kind}, target.read_bytes()


def length_refusal(declared: str | None) -> tuple[int, bytes] | None:
    """What CloudFront and API Gateway answer for a body they will not take: a length that is
    not a plain number (``read(-1)`` would wait for the client to hang up, ``int("x")`` would
    drop the connection unanswered), or one over the payload limit."""
    text = (declared or "0").strip()
    if not (text.isascii() and text.isdigit()):
        return 400, b'{"message":"Bad Request"}'
    if int(text) > MAX_BODY:
        return 413, b'{"message":"Request Entity Too Large"}'
    return None


class EveryMethod(BaseHTTPRequestHandler):
    """Any method without a ``do_`` of its own (TRACE, CONNECT, PROPFIND...) is dispatched like
    the others, where the base class would answer its own 501 HTML page: under ``/api/`` API
    Gateway has no route for it, the 404 ``{"message":"Not Found"}``."""

    def _dispatch(self) -> None:
        raise NotImplementedError

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_") and name[3:].isupper():
            return self._dispatch
        raise AttributeError(name)


def make_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(EveryMethod):
        protocol_version = "HTTP/1.1"
        server_version = "patient-portal-local"

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002, ARG002 - the base class's signature
            return  # request lines could carry ids; the functions log what matters

        def _send(self, status: int, headers: dict[str, str], body: bytes, cookies: list[str] | None = None) -> None:
            self.send_response(status)
            merged = {**gateway.headers, **headers}
            if "Cache-Control" in headers:
                merged["Cache-Control"] = headers["Cache-Control"]
            for name, value in merged.items():
                self.send_header(name, value)
            for cookie in cookies or []:
                self.send_header("Set-Cookie", cookie)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def _dispatch(self) -> None:
            url = urlsplit(self.path)
            refused = length_refusal(self.headers.get("Content-Length"))
            if refused:
                self.close_connection = True  # the unread body cannot be told from a next request
                self._send(refused[0], {"Content-Type": "application/json"}, refused[1])
                return
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if url.path.startswith("/api/"):
                headers = dict(self.headers.items())
                viewer = f"{self.client_address[0]}:{self.client_address[1]}"
                status, headers, cookies, data = gateway.call_api(
                    self.command, url.path, url.query, headers, body, viewer=viewer
                )
                self._send(status, headers, data, cookies)
            elif url.path == "/_dev/mail.json":
                emails = mailbox.sent_emails(gateway.stack.region)
                self._send(200, {"Content-Type": "application/json"}, json.dumps(emails).encode())
            elif url.path == "/_dev/mail":
                page = mailbox.page(mailbox.sent_emails(gateway.stack.region))
                self._send(200, {"Content-Type": "text/html; charset=utf-8"}, page.encode())
            elif url.path == "/_dev/totp.json":
                now = {"code": totp.code(), "seconds_left": int(totp.seconds_left()), "secret": totp.SECRET}
                self._send(
                    200, {"Content-Type": "application/json", "Cache-Control": "no-store"}, json.dumps(now).encode()
                )
            elif url.path == "/_dev/totp":
                page = totp.page(gateway.stack.environment.get("PRACTICE_NAME", "Patient portal"))
                self._send(
                    200, {"Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store"}, page.encode()
                )
            elif self.command in ("GET", "HEAD"):
                status, headers, data = gateway.static(self.command, url.path)
                self._send(status, headers, data)
            else:
                self._send(HTTPStatus.METHOD_NOT_ALLOWED, {"Content-Type": "text/plain"}, b"Method Not Allowed")

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch

    return Handler


class GatewayServer(ThreadingHTTPServer):
    """A thread per connection, and a listen backlog a burst of connections fits in:
    http.server's default of 5 reset some of 16 connections opened at once (the load run),
    which no CloudFront edge would do."""

    daemon_threads = True
    request_queue_size = 128


def serve(gateway: Gateway, port: int) -> tuple[ThreadingHTTPServer, threading.Thread]:
    server = GatewayServer(("127.0.0.1", port), make_handler(gateway))
    thread = threading.Thread(target=server.serve_forever, name="gateway", daemon=True)
    thread.start()
    return server, thread

"""The refresh-token cookie: HttpOnly, Secure, SameSite=Strict, scoped to /api/auth and
without Max-Age, so page scripts never see it, no other route receives it, and it goes
when the browser closes (docs/architecture.md "Identity and sessions")."""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite

PATH = "/api/auth"
NAMES = {"patient": "portal_refresh", "staff": "staff_refresh"}


def read(cookies: list[str] | None, name: str) -> str | None:
    """A cookie's value from HTTP API's ``cookies`` list (``name=value`` strings)."""
    for cookie in cookies or []:
        key, _, value = cookie.partition("=")
        if key.strip() == name and value:
            return value.strip()
    return None


def refresh_cookie(account: str, token: str) -> Cookie:
    """A session cookie: it ends when the browser closes (the server also ends a session
    left idle, and one can last at most the refresh token's validity)."""
    return Cookie(
        name=NAMES[account], value=token, path=PATH, secure=True, http_only=True, same_site=SameSite.STRICT_MODE
    )


def cleared(account: str) -> Cookie:
    return Cookie(
        name=NAMES[account], value="", path=PATH, secure=True, http_only=True, same_site=SameSite.STRICT_MODE, max_age=0
    )
